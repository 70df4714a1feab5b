"""Choose options whose API override to remove, so kapacitor.conf's values apply again."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static

from wizard.handlers.registry import HandlerSpec
from wizard.tui.screens.base import ConfirmScreen


class OptionsToReset(SelectionList[str]):
    """Space selects an option, Enter continues with the selected ones (it does not toggle)."""

    BINDINGS = [Binding("enter", "screen.reset", "Continue")]


class ResetScreen(ModalScreen[tuple[str, ...]]):
    """A list of the handler's options; the chosen ones are reset after a confirmation that names them."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    DEFAULT_CSS = """
    ResetScreen {
        align: center middle;
    }
    ResetScreen > Vertical {
        width: 80%;
        max-width: 90;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    ResetScreen #reset-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ResetScreen SelectionList {
        height: auto;
        max-height: 16;
        margin: 1 0;
    }
    /* 80×24: every option and both buttons fit. */
    ResetScreen.-short > Vertical {
        width: 100%;
        padding: 0 1;
    }
    ResetScreen.-short #reset-title {
        margin-bottom: 0;
    }
    ResetScreen.-short SelectionList {
        margin: 0 0 1 0;
        border: none;
    }
    ResetScreen.-short #reset-buttons Button {
        height: 1;
        border: none;
        min-width: 8;
        padding: 0 2;
    }
    ResetScreen #reset-buttons {
        height: auto;
    }
    ResetScreen #reset-buttons Button {
        margin-right: 2;
    }
    """

    def __init__(self, spec: HandlerSpec, workspace: str = "") -> None:
        super().__init__()
        self.spec = spec
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        name = self.spec.title + (f" ({self.workspace})" if self.workspace else "")
        with Vertical():
            yield Static(f"Reset {name} options to kapacitor.conf", id="reset-title", markup=False)
            yield Static(
                "Settings made through Kapacitor's API win over kapacitor.conf. Resetting an option "
                "removes that API setting, so the value from kapacitor.conf (or Kapacitor's default) "
                "applies again. Space selects, Enter continues."
            )
            yield OptionsToReset(
                *[(f"{o.name}  ({o.label})", o.name) for o in self.spec.options if o.name != self.spec.list_key],
                id="reset-options",
            )
            with Horizontal(id="reset-buttons"):
                yield Button("Reset the selected options", id="reset", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(Button.Pressed, "#reset")
    def action_reset(self) -> None:
        chosen = tuple(self.query_one(SelectionList).selected)
        if not chosen:
            self.notify("Select at least one option with Space.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(chosen)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove the API settings of {', '.join(chosen)}? Their values will come from "
                "kapacitor.conf, or Kapacitor's defaults where the file sets none.",
                yes="Reset",
            ),
            confirmed,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(())
