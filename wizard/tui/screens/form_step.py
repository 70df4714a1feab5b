"""A step of a handler's guide: its text and links, and the fields it asks for."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Collapsible, Input, Markdown, Select

from wizard.handlers.registry import StepText
from wizard.text.values import secret_parts
from wizard.text.checks import Verdict
from wizard.tui.screens.base import ConfirmScreen, StepScreen
from wizard.tui.state import BACK, NEXT, WizardState
from wizard.tui.widgets.field import Field

# Terminals shorter than this fold a step's guide text (80×24 is the design size).
FOLD_BELOW_HEIGHT = 30
# A guide this short (in characters) stays open even then.
SHORT_GUIDE = 160


class FormStepScreen(StepScreen):
    """Shows one `StepText` and keeps what is typed in the current flow's values."""

    CSS_PATH = "form_step.tcss"
    FIELD_WARNINGS = True
    """Warnings show under their field as soon as a value is there: pasted, or entered on an
    earlier visit to the step. (A step that says them elsewhere as the value is typed sets False.)"""

    def __init__(self, state: WizardState, step: StepText, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.step = step
        self.seen_at_press: dict[str, str] | None = None
        """The warnings on screen when Enter was pressed in the last field, before it checked it."""
        self.unconfirmed: tuple[Field, Verdict] | None = None
        """The first field whose value waits for a yes, after the last check of every field."""
        assert state.handler is not None
        self.spec = state.handler
        self.step_title = f"{self.spec.title}: {step.title}"
        self.help_text = "\n\n".join(
            part
            for part in (
                step.body,
                step.help,
                "\n".join(f"- [{link.label}]({link.url})" for link in step.links),
                "Escape goes back one step and keeps what you typed; F1 opens this help.",
            )
            if part
        )

    def compose_body(self) -> ComposeResult:
        yield from self.compose_guide()
        draft = self.state.draft()
        element = self.state.element()
        available = self.state.available(self.spec)
        for name in self.step.options:
            if available is not None and name not in available:
                continue  # this Kapacitor has no such option (Kafka's SASLAuth before 1.8)
            option = self.spec.option(name)
            secret_is_set = bool(option.secret and element and element.options.get(name)) and self.keeps_secret(name)
            yield Field(option, draft.get(name, option.default), secret_is_set=secret_is_set, confirmed=self.state.current.confirmed)
        yield from self.compose_extra()
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")

    def compose_guide(self, *, links: bool = True) -> ComposeResult:
        """The step's text and links. In a short terminal (80×24) a long guide folds into
        "How to get it", so the field it leads to stays on screen; F1 shows it too."""
        parts = [Markdown(self.step.body, id="step-text")]
        if self.step.links and links:
            parts.append(Markdown("\n".join(f"- [{link.label}]({link.url})" for link in self.step.links), id="step-links"))
        if self.app.size.height >= FOLD_BELOW_HEIGHT or (len(self.step.body) < SHORT_GUIDE and not self.step.links):
            yield from parts
            return
        asks_for_secret = any(self.spec.option(name).secret for name in self.step.options)
        title = "How to get it" if (self.step.links and links) or asks_for_secret else "About this step"
        yield Collapsible(*parts, title=title, collapsed=True, id="guide")

    def keeps_secret(self, name: str) -> bool:
        """Whether leaving a stored secret's field empty keeps it (a step that switches ways needs a new one)."""
        return True

    def compose_extra(self) -> ComposeResult:
        """Step-specific actions, such as a direct check, go between the fields and the buttons."""
        yield from ()

    def on_mount(self) -> None:
        if self.FIELD_WARNINGS:
            for field in self.fields:
                field.recall()
        fields = list(self.query(Field))
        if fields and fields[0].query(Input):
            fields[0].focus_input()
        else:
            # Choices and switches have sensible defaults: Enter goes on, Tab reaches them.
            self.query_one("#next", Button).focus()

    @property
    def fields(self) -> list[Field]:
        return list(self.query(Field))

    def _store(self, field: Field, *, learn_secret: bool = True) -> None:
        value: Any = field.raw
        # Learned once the value is used, not per keystroke: every prefix of a typed secret
        # (`https:`) would otherwise be masked in all texts afterwards.
        if field.option.secret and learn_secret:
            for part in secret_parts(field.option, value):
                self.state.remember_secret(part)
        self.state.draft()[field.option.name] = value

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def keep_typed(self, event: Input.Changed | Checkbox.Changed | Select.Changed) -> None:
        for field in event.control.ancestors:
            if isinstance(field, Field):
                self._store(field, learn_secret=False)
                if isinstance(event, Input.Changed) and event.value != field.text:
                    before, field.text = field.text, event.value
                    # A value that arrives whole (pasted) is checked at once; one being typed is not.
                    if self.FIELD_WARNINGS and not _typed(before, event.value):
                        field.check()
                    else:
                        field.clear()
                break

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        # Enter in the last field goes on; in another field it moves to the next one.
        fields = self.fields
        seen = self._warnings_on_screen()
        for index, field in enumerate(fields):
            if event.input in field.query(Input):
                verdict = field.check()
                if index + 1 < len(fields):
                    if verdict.confirm:
                        self.ask_to_confirm(field, verdict, then=fields[index + 1].focus_input)
                    elif verdict.ok:
                        fields[index + 1].focus_input()
                    return
                if not verdict.ok and not verdict.confirm:
                    return
        self.seen_at_press = seen
        self.action_next()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        seen, self.seen_at_press = self.seen_at_press, None
        self._go_on(seen if seen is not None else self._warnings_on_screen())

    def _warnings_on_screen(self) -> dict[str, str]:
        return {field.option.name: field.seen_warning for field in self.fields}

    def _go_on(self, seen: dict[str, str]) -> None:
        """Next: every value checked; a doubt the person has not seen yet (a webhook host that
        is not Slack's) stops this Next once, under its field, and the next Next goes on."""
        if not self.validate_all():
            if self.unconfirmed is not None:
                self.ask_to_confirm(*self.unconfirmed, then=self.action_next)
            return
        for field in self.fields:
            if field.seen_warning and field.seen_warning != seen.get(field.option.name):
                field.focus_input()
                return
        self.dismiss(NEXT)

    def ask_to_confirm(self, field: Field, verdict: Verdict, *, then: Callable[[], object]) -> None:
        """A value that needs an explicit yes (plain http:// to another host): ask, with the reason.
        Yes keeps it for this flow and goes on; no returns to the field. What was typed stays."""
        question = self.state.scrub(
            f"Use this address over plain http://?\n\n{verdict.confirm}\n\n"
            "Say yes only for a relay you trust; otherwise change it to https://. What you typed is kept either way."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                field.confirmed.add(verdict.value)
                field.check()
                then()
            else:
                field.focus_input()

        self.app.push_screen(ConfirmScreen(question, yes="Use http://", no="Change it"), answered)

    def action_back(self) -> None:
        # Escape first stops a running direct check; a second Escape goes back.
        if any(w.is_running for w in self.workers if w.group == "check"):
            self.workers.cancel_group(self, "check")
            for progress in self.query("#check-progress"):
                progress.display = False
            self.check_cancelled()
            return
        super().action_back()

    def check_cancelled(self) -> None:
        """Say on the step that its direct check was stopped (each check has its own words)."""

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.dismiss(BACK)

    def validate_all(self) -> bool:
        """Check every field; focus the first that is wrong. Values stay as typed."""
        first_bad = None
        self.unconfirmed = None
        for field in self.fields:
            self._store(field)
            verdict = field.check()
            if not verdict.ok and first_bad is None:
                first_bad = field
                if verdict.confirm:
                    self.unconfirmed = (field, verdict)
        if first_bad is not None:
            first_bad.focus_input()
            return False
        return True


def _typed(before: str, after: str) -> bool:
    """Whether `after` is `before` with one character typed or some characters deleted, that is,
    a value still being typed rather than one that arrived whole (pasted or replaced)."""
    if len(after) == len(before) + 1:
        at = next((i for i, char in enumerate(before) if after[i] != char), len(before))
        return after[:at] + after[at + 1:] == before
    if len(after) < len(before):
        at = next((i for i, char in enumerate(after) if before[i] != char), len(after))
        return after == before[:at] + before[at + len(before) - len(after):]
    return False
