"""A direct check of the service itself, beside Kapacitor's own test: the mail server for SMTP,
one test POST for HTTP services (only after the person agreed: it may page someone).

`DirectCheckScreen` is opened from the Done step for handlers whose `direct_check` is set;
`DirectCheckStep` offers the same check on a handler's step, before anything is saved.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, LoadingIndicator, Static

from wizard.services import direct
from wizard.handlers.registry import HandlerSpec
from wizard.text.values import ValueProblem, as_secret, secret_parts
from wizard.tui.screens.base import ConfirmScreen, StepScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.state import BACK, WizardState
from wizard.tui.widgets.field import Field


class DirectCheckScreen(StepScreen):
    """Runs the handler's direct check with the settings just written and shows every answer."""

    CSS_PATH = "direct.tcss"

    def __init__(self, state: WizardState, spec: HandlerSpec, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.spec = spec
        self.step_title = f"{spec.title}: direct check"
        self.help_text = (
            f"{direct.check_description(spec)}\n\n"
            f"Why: {spec.test_proves}\n\n"
            "Secrets Kapacitor keeps are never shown again; when the check needs one, type it here. "
            "It is used for this check only and not saved. Escape goes back to the Done step."
        )
        self.asked = direct.missing_secrets(spec, self.values())
        """Secrets to type for the check: set in Kapacitor, but never shown again."""

    # -- the values the check uses ------------------------------------------------------

    def values(self, typed: dict[str, Any] | None = None) -> dict[str, Any]:
        """What Kapacitor (or the file) has, what was typed in the steps, the secrets typed in this
        session, and what is typed on this screen, in that order."""
        element = self.state.element(self.spec)
        stored = dict(element.options) if element else {}
        redacted = element.redacted if element else frozenset()
        flow = self.state.flow
        draft = {k: v for k, v in (flow.values or {}).items() if k not in self.spec.secrets} if flow else {}
        known: dict[str, Any] = {}
        for name in self.spec.secrets:
            secret = self.state.typed_secrets.get(f"{self.spec.name}/{name}")
            if secret:
                known[name] = self._secret_value(name, secret.reveal())
        return direct.check_values(self.spec, stored, redacted, draft, known, typed or {})

    def _secret_value(self, name: str, text: str) -> Any:
        option = self.spec.option(name)
        try:
            return as_secret(option, text)
        except ValueProblem:
            return None

    # -- layout -------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(direct.check_description(self.spec), id="direct-intro")
        yield Static(self.target_line(), id="direct-target", markup=False)
        if self.asked:
            yield Static(
                "Kapacitor keeps these secret and never shows them again: type them for this check "
                "(used once, not saved).",
                id="direct-asked",
            )
            for name in self.asked:
                yield Field(self.spec.option(name), "")
        yield LoadingIndicator(id="direct-progress")
        yield Static("", id="direct-result")
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            label = "Send the test POST…" if self.spec.direct_check == direct.HTTP_POST else "Run the check"
            yield Button(label, id="run", variant="primary")

    def target_line(self) -> str:
        values = self.values()
        if self.spec.direct_check == direct.SMTP:
            settings = direct.SmtpSettings.from_values(values)
            if isinstance(settings, str):
                return self.state.scrub.line(settings)
            login = f", logging in as {settings.username}" if settings.username else ""
            return self.state.scrub.line(
                f"Mail server {settings.host}:{settings.port}{login}; test mail from {settings.sender} "
                f"to {', '.join(settings.recipients)}."
            )
        request = direct.http_post_request(self.spec, values)
        return self.state.scrub.line(request if isinstance(request, str) else f"Address: {request.shown_url}")

    def on_mount(self) -> None:
        self.query_one("#direct-progress").display = False
        fields = list(self.query(Field))
        if fields:
            fields[0].focus_input()
        else:
            self.query_one("#run", Button).focus()

    # -- running ------------------------------------------------------------------------

    def _show(self, text: Text | str, kind: str) -> None:
        result = self.query_one("#direct-result", Static)
        result.set_classes(f"-{kind}")
        result.update(text)

    def _typed(self) -> dict[str, Any] | None:
        """The secrets typed here; None (with the field marked) when one is missing."""
        typed: dict[str, Any] = {}
        for field in self.query(Field):
            text = str(field.raw or "").strip()
            if not text:
                field.show_error(f"Type the {field.option.label.lower()} for the check: Kapacitor does not show it.")
                field.focus_input()
                return None
            if not field.check().ok:
                field.focus_input()
                return None
            for part in secret_parts(field.option, text):
                self.state.remember_secret(part)
            typed[field.option.name] = self._secret_value(field.option.name, text)
        return typed

    @on(Button.Pressed, "#run")
    def pressed_run(self) -> None:
        if not any(w.is_running for w in self.workers if w.group == "direct"):
            self.run_check()

    @work(exclusive=True, group="direct")
    async def run_check(self) -> None:
        typed = self._typed()
        if typed is None:
            return
        progress = self.query_one("#direct-progress")
        text, kind = await run_direct_check(self, self.spec, self.values(typed), self._show, progress)
        self._show(text, kind)
        if kind != "muted":
            self.query_one("#run", Button).label = "Run the check again" if self.spec.direct_check == direct.SMTP else "Send again…"

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.dismiss(BACK)


async def run_direct_check(
    screen: StepScreen, spec: HandlerSpec, values: dict[str, Any], show: Any, progress: Widget
) -> tuple[Text | str, str]:
    """Run the handler's direct check from a screen (asking first before an HTTP POST); what to
    show and its kind ("ok", "error" or "muted")."""
    scrub = screen.state.scrub
    if spec.direct_check == direct.SMTP:
        settings = direct.SmtpSettings.from_values(values)
        if isinstance(settings, str):
            return scrub.line(settings), "error"
        show(f"Talking to {settings.host}:{settings.port} … (Escape cancels)", "muted")
        progress.display = True
        try:
            result = await direct.check_smtp(settings, scrub, timeout=screen.state.settings.timeout)
        finally:
            progress.display = False
    else:
        request = direct.http_post_request(spec, values)
        if isinstance(request, str):
            return scrub.line(request), "error"
        question = scrub(direct.http_consent_question(spec, request))
        if not await screen.app.push_screen_wait(ConfirmScreen(question, yes="Send it", no="Don't send")):
            return "Nothing was sent.", "muted"
        show(f"Sending to {scrub.line(request.shown_url)} … (Escape cancels)", "muted")
        progress.display = True
        try:
            result = await direct.check_http_post(screen.wizard.http, request, scrub, timeout=screen.state.settings.timeout)
        finally:
            progress.display = False
    return result_text(result), "ok" if result.ok else "error"


def result_text(result: direct.CheckResult) -> Text:
    """Every step of the check on its own line, then the outcome with ✓ or ✗."""
    text = Text()
    for line in result.steps:
        text.append(f"  {line}\n")
    mark = ("✓ ", "bold green") if result.ok else ("✗ ", "bold red")
    text.append_text(Text.assemble(mark, result.summary))
    return text


class DirectCheckStep(FormStepScreen):
    """A handler step with the direct check beside its fields (Ctrl+T), before anything is
    saved: the mail server for SMTP, a test POST (after asking) for HTTP services."""

    CSS_PATH = ["form_step.tcss", "direct.tcss"]
    BINDINGS = [Binding("ctrl+t", "check_directly", "Direct check")]

    def compose_extra(self) -> ComposeResult:
        what = "Check the mail server now" if self.spec.direct_check == direct.SMTP else "Send a test alert now"
        with Horizontal(classes="check-actions"):
            yield Button(f"{what} (Ctrl+T)", id="check-direct")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False

    def _show(self, text: Text | str, kind: str) -> None:
        result = self.query_one("#check-result", Static)
        result.set_classes(f"check-result -{kind}")
        result.update(text)
        result.scroll_visible()

    @on(Button.Pressed, "#check-direct")
    def action_check_directly(self) -> None:
        if any(w.is_running for w in self.workers if w.group == "check"):
            return
        if not self.validate_all():  # keeps (and learns) what is typed, as Next does
            return
        element = self.state.element()
        draft = {k: v for k, v in self.state.draft().items() if v not in ("", None)}
        for name in self.spec.secrets:
            if name in draft:
                option = self.spec.option(name)
                try:
                    draft[name] = as_secret(option, draft[name])
                except ValueProblem:
                    draft.pop(name)
        values = direct.check_values(
            self.spec, dict(element.options) if element else {}, element.redacted if element else frozenset(), draft
        )
        missing = direct.missing_secrets(self.spec, values)
        if missing:
            names = ", ".join(self.spec.option(name).label.lower() for name in missing)
            self._show(f"The {names} is kept in Kapacitor and never shown again: type it here to check.", "error")
            for field in self.fields:
                if field.option.name in missing:
                    field.focus_input()
                    break
            return
        self.run_check(values)

    @work(exclusive=True, group="check")
    async def run_check(self, values: dict[str, Any]) -> None:
        text, kind = await run_direct_check(self, self.spec, values, self._show, self.query_one("#check-progress"))
        self._show(text, kind)

    def check_cancelled(self) -> None:
        self._show("Cancelled.", "muted")
