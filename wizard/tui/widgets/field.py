"""A labelled input with its help text and an inline error or warning under it."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from wizard.handlers.registry import OptionSpec
from wizard.text.checks import Verdict
from wizard.text.values import format_value, problem


class Field(Vertical):
    """One option of a handler: a text input (masked for secrets), a checkbox or a choice."""

    DEFAULT_CSS = """
    Field {
        height: auto;
        margin: 0 0 1 0;
    }
    Field > .field--label {
        text-style: bold;
    }
    Field > .field--help {
        color: $text-muted;
    }
    Field > .field--message {
        display: none;
    }
    Field > .field--message.-error {
        display: block;
        color: $text-error;
    }
    Field > .field--message.-warning {
        display: block;
        color: $text-warning;
    }
    Field Input.-invalid {
        border: tall $error;
    }
    """

    def __init__(
        self, option: OptionSpec, value: object, *, secret_is_set: bool = False, confirmed: set[str] | None = None
    ) -> None:
        super().__init__(id=f"field-{option.name}")
        self.option = option
        self.initial = value
        self.secret_is_set = secret_is_set
        self.confirmed = confirmed if confirmed is not None else set()
        """Values the person said yes to (`Verdict.confirm`), shared with the flow."""
        self.text = ""
        """The input's text as last seen, to tell a value being typed from one pasted whole."""
        self.seen_warning = ""
        """The warning under the field that the person has had a chance to read: Next stops
        once for a warning that is not this one."""

    def compose(self) -> ComposeResult:
        option = self.option
        if option.kind is bool:
            yield Checkbox(option.label, bool(self.initial), id=f"input-{option.name}")
        elif option.choices:
            yield Label(option.label, classes="field--label")
            choices = [(c, c) for c in option.choices]
            initial = str(self.initial) if self.initial in option.choices else option.choices[0]
            yield Select(choices, value=initial, allow_blank=False, id=f"input-{option.name}")
        else:
            yield Label(option.label + ("" if option.required or option.secret else "  (optional)"), classes="field--label")
            placeholder = option.placeholder
            if option.secret and self.secret_is_set:
                placeholder = "Set in Kapacitor: leave empty to keep it, or paste a new one to replace it"
            self.text = format_value(option, self.initial) if option.kind is not str else str(self.initial or "")
            yield Input(
                value=self.text,
                placeholder=placeholder,
                password=option.secret,
                id=f"input-{option.name}",
            )
        if option.help:
            yield Static(option.help, classes="field--help")
        yield Static("", classes="field--message")

    @property
    def raw(self) -> object:
        """What the person entered, uncleaned: text, a bool or the chosen value."""
        widget = self.query_one(f"#input-{self.option.name}")
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, Select):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def check(self) -> Verdict:
        """Validate, show the error or warning under the field, and return the verdict."""
        if isinstance(self.raw, bool):
            return Verdict("yes" if self.raw else "")
        verdict = self.verdict()
        self.show(verdict)
        return verdict

    def verdict(self) -> Verdict:
        """The checked value, without showing anything."""
        raw = self.raw
        if isinstance(raw, bool):
            return Verdict("yes" if raw else "")
        text = str(raw)
        if self.option.secret and not text.strip() and self.secret_is_set:
            verdict = Verdict("")  # empty means: keep the secret Kapacitor has
        else:
            wrong_kind = problem(self.option, text)  # a list, number or object that cannot be read
            verdict = Verdict(text, error=wrong_kind) if wrong_kind else self.option.validate(text)
            if verdict.confirm and verdict.value in self.confirmed:
                verdict = verdict.confirmed()
        return verdict

    def recall(self) -> None:
        """Back on a step: the warning about a value entered before shows again (errors wait)."""
        if isinstance(self.raw, bool) or not str(self.raw).strip():
            return
        verdict = self.verdict()
        if verdict.ok and verdict.warning:
            self.show(verdict)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        """Leaving the field says what is wrong or doubtful about its value (a webhook host that
        is not Slack's) right away; an empty field waits for Next."""
        if self.is_attached and str(self.raw).strip():
            seen = self.seen_warning
            self.check()
            focused = self.app.focused
            if isinstance(focused, Button) and focused.id == "next":
                # Left by pressing Next: that press came before the warning could be read.
                self.seen_warning = seen

    def show(self, verdict: Verdict) -> None:
        message = self.query_one(".field--message", Static)
        message.set_classes("field--message")
        self.seen_warning = "" if verdict.error else verdict.warning
        if verdict.error:
            message.update(verdict.error)
            message.add_class("-error")
        elif verdict.warning:
            message.update(verdict.warning)
            message.add_class("-warning")
        for widget in self.query(Input):
            widget.set_class(bool(verdict.error), "-invalid")

    def show_error(self, text: str) -> None:
        self.show(Verdict("", error=text))

    def clear(self) -> None:
        self.show(Verdict(""))

    def focus_input(self) -> None:
        self.query_one(f"#input-{self.option.name}").focus()
