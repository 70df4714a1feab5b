"""HipChat's steps: the server address (a subdomain or a base URL) shown as the URL
Kapacitor will use, and the room and token with a direct check before anything is saved."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, LoadingIndicator, Static

from wizard.services import hipchat
from wizard.text.errors import WizardError
from wizard.text.secrets import Secret
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.widgets.error_text import titled

CSS = ["form_step.tcss", "hipchat.tcss"]


class HipChatServerScreen(FormStepScreen):
    """Type a subdomain, paste an address, or give a server's base URL; see the URL Kapacitor gets."""

    CSS_PATH = CSS
    FIELD_WARNINGS = False  # the note under Kapacitor's url says them as the address is typed

    def compose_extra(self) -> ComposeResult:
        yield Static("", id="hipchat-url", classes="hipchat-url")
        yield Static("", id="hipchat-note", classes="hipchat-note")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_url()

    @on(Input.Changed, "#input-url")
    def typed(self) -> None:
        self.show_url()

    def show_url(self) -> None:
        """The URL Kapacitor will get, and what the wizard made of the text, as it is typed."""
        text = self.fields[0].raw
        verdict = hipchat.server_url(str(text))
        shown = self.query_one("#hipchat-url", Static)
        note = self.query_one("#hipchat-note", Static)
        if not str(text).strip() or not (verdict.ok or verdict.confirm):
            shown.update(Text.assemble(("Kapacitor's url: ", "bold"), ("(enter a subdomain or an address)", "italic")))
            note.update("")
            note.display = False
            return
        shown.update(Text.assemble(("Kapacitor's url: ", "bold"), verdict.value))
        # Plain http:// to another host: the reason shows here, Next asks before going on.
        said = " ".join(part for part in (verdict.confirm, verdict.warning) if part)
        note.update(said)
        note.display = bool(said)

    def validate_all(self) -> bool:
        ok = super().validate_all()
        if ok:
            # The note under the URL already says it; no need to repeat it under the field.
            self.fields[0].clear()
        return ok


class HipChatTokenScreen(FormStepScreen):
    """Room and token; optionally post a notification to the room right away."""

    CSS_PATH = CSS
    BINDINGS = [Binding("ctrl+t", "check_room", "Test notification")]

    def compose_extra(self) -> ComposeResult:
        with Horizontal(classes="check-actions"):
            yield Button("Post a test notification to the room now (Ctrl+T)", id="check-room")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False

    def _field(self, name: str):  # noqa: ANN202 - a Field
        return next(f for f in self.fields if f.option.name == name)

    @on(Button.Pressed, "#check-room")
    def action_check_room(self) -> None:
        room_field, token_field = self._field("room"), self._field("token")
        room = room_field.check()
        token = token_field.check()
        if not room.ok:
            room_field.focus_input()
            return
        if not token.ok:
            token_field.focus_input()
            return
        if not token.value:
            token_field.show_error(
                "The token is kept in Kapacitor and cannot be read back; paste it to test it here."
            )
            token_field.focus_input()
            return
        url = hipchat.server_url(str(self.state.draft().get("url") or ""))
        if not url.ok and not (url.confirm and url.value in self.state.current.confirmed):
            self._result(Text.assemble(("✗ ", "bold"), "Go back one step and enter the HipChat address first."), "-error")
            return
        secret = Secret(token.value)
        self.state.remember_secret(token.value)
        self.check_room(url.value, room.value, secret)

    def _result(self, text: str | Text, kind: str = "") -> None:
        result = self.query_one("#check-result", Static)
        result.set_classes("check-result")
        if kind:
            result.add_class(kind)
        result.update(text)

    @work(exclusive=True, group="check")
    async def check_room(self, url: str, room: str, token: Secret) -> None:
        progress = self.query_one("#check-progress")
        self._result(f"Posting a test notification to room {room}… (Escape cancels)")
        progress.display = True
        try:
            await hipchat.send_test_notification(
                self.wizard.http, url, room, token, scrub=self.state.scrub, timeout=self.state.settings.timeout
            )
        except WizardError as err:
            self._result(
                Text.assemble(("✗ ", "bold"), *titled(err), " ", err.hint), "-error"
            )
        else:
            self._result(f"✓ HipChat accepted the test notification for room {room}. Check the room, then go on.", "-ok")
        finally:
            progress.display = False

    def check_cancelled(self) -> None:
        self._result("Test notification cancelled.")
