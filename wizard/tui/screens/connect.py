"""Step 1: where Kapacitor is, and proof that it answers; or a kapacitor.conf to write instead."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from wizard.conf import startrules
from wizard.text import checks
from wizard.conf.document import default_config_path
from wizard.text.errors import KapacitorUnreachable, OverridesDisabled, WizardError
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient, normalize_url
from wizard.text.secrets import Secret, mask_userinfo, split_userinfo
from wizard.changes.target import ApiTarget, FileTarget
from wizard.text.checks import Verdict
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import NEXT
from wizard.tui.widgets.error_text import titled


def _password(text: str) -> Verdict:
    return Verdict(text, checks.text_problem(text, "The password", 4096))


FIELD_CHECKS: dict[str, Callable[[str], Verdict]] = {
    "url": checks.kapacitor_url,
    "username": checks.basic_auth_user,
    "password": _password,
}
"""The same rules as --url, --kapacitor-username and --kapacitor-password."""


class ConnectScreen(StepScreen):
    """Connect to Kapacitor: URL and optional credentials, prefilled from flags and environment."""

    CSS_PATH = "connect.tcss"
    BINDINGS = [Binding("escape", "back", "Cancel", show=False)]
    step_title = "Connect to Kapacitor"
    help_text = (
        "The wizard changes Kapacitor's handler settings through its HTTP API, the same API "
        "Chronograf uses.\n\n"
        "- **URL**: where kapacitord listens, `http://localhost:9092` by default. The wizard reads "
        "`--url` or the `KAPACITOR_URL` environment variable, as Kapacitor's own CLI does.\n"
        "- **Username and password**: only when Kapacitor has `auth-enabled = true` under `[http]`.\n"
        "- For HTTPS with a private CA start the wizard with `--ca-cert FILE`, or `--skip-verify`.\n\n"
        "**No Kapacitor running here**, or `[config-override]` disabled? Write the settings into a "
        "kapacitor.conf instead (or start with `--config-file PATH`); Kapacitor reads it when it starts.\n"
        "- **Version** beside the file: the Kapacitor that reads it (`kapacitord version` prints it). Some "
        "options exist only in newer versions (Kafka SASL, Slack's bot token, Zenoss, ...) and older ones "
        "ignore them without a word, so they are written only when the version is known. Left empty, the "
        "wizard asks the Kapacitor at the URL above, if one answers.\n\n"
        "Ctrl+Q quits at any time."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refused: dict[str, str | None] = {}
        """Each field's text that was refused, until it is edited."""

    def compose_body(self) -> ComposeResult:
        connection = self.state.settings.connection
        # A password in the URL goes to the password field, where it is masked.
        url, user_in_url, password_in_url = split_userinfo(connection.url)
        username = connection.username or user_in_url
        password = connection.password.reveal() or password_in_url
        yield Static(
            "Kapacitor's HTTP API is where handlers are configured. Check the address and press Enter.",
            classes="intro",
        )
        yield Label("Kapacitor URL", classes="field--label")
        yield Input(url, placeholder="http://localhost:9092", id="url")
        yield Static("", id="url-error", classes="field-error")
        yield Label("Username  (optional, only when authentication is on)", classes="field--label")
        yield Input(username, id="username")
        yield Static("", id="username-error", classes="field-error")
        yield Label("Password  (optional)", classes="field--label")
        yield Input(password, password=True, id="password")
        yield Static("", id="password-error", classes="field-error")
        with Horizontal(id="connect-actions"):
            yield Button("Connect", id="connect", variant="primary")
            yield LoadingIndicator(id="connect-progress")
            yield Static("", id="connect-status")
        yield Static("", id="connect-error")
        with Vertical(id="file-route"):
            yield Static(
                "Or write the settings into a kapacitor.conf instead; Kapacitor reads it when it starts.",
                id="file-route-text",
            )
            yield Label("kapacitor.conf to write, and its Kapacitor version (optional)", classes="field--label")
            with Horizontal(id="file-route-row"):
                yield Input(self.state.settings.config_file or str(default_config_path()), id="config-path")
                yield Input(self.state.settings.kapacitor_version, placeholder="1.8.3", id="kapacitor-version")
                yield Button("Use this file", id="use-file")
            yield Static("", id="file-error")

    def on_mount(self) -> None:
        self.query_one("#connect-progress").display = False
        self.query_one("#url", Input).focus()
        if self.state.first_visit:
            self.state.first_visit = False
            if self.state.settings.config_file:
                self.open_file(self.state.settings.config_file)
            elif self._form_is_valid():
                # Try at once, so a missing Kapacitor shows its alternatives straight away.
                self.connect(self._settings_from_form(), proceed=False)

    def action_back(self) -> None:
        # The first step has nowhere to go back to; Escape cancels a running attempt.
        self.workers.cancel_node(self)
        self._busy(False)

    def _settings_from_form(self) -> ConnectionSettings:
        password = self.query_one("#password", Input).value
        self.state.remember_secret(password)
        current = self.state.settings.connection
        return ConnectionSettings(
            url=normalize_url(self.query_one("#url", Input).value),
            username=self.query_one("#username", Input).value.strip(),
            password=Secret(password),
            skip_verify=current.skip_verify,
            ca_cert=current.ca_cert,
            timeout=current.timeout,
        )

    def _form_is_valid(self) -> bool:
        """Check each field before any connection; a refusal shows under its field, the text stays."""
        first_bad: Input | None = None
        for name, validate in FIELD_CHECKS.items():
            field = self.query_one(f"#{name}", Input)
            error = validate(field.value).error
            self._show_field_error(name, error)
            self._refused[name] = field.value if error else None
            if error and first_bad is None:
                first_bad = field
        if first_bad is not None:
            first_bad.focus()
        return first_bad is None

    def _show_field_error(self, name: str, error: str) -> None:
        message = self.query_one(f"#{name}-error", Static)
        message.update(error)
        message.set_class(bool(error), "-shown")
        self.query_one(f"#{name}", Input).set_class(bool(error), "-invalid")

    @on(Input.Changed, "#url, #username, #password")
    def _edited(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if self._refused.get(name) not in (None, event.value):
            self._show_field_error(name, "")  # the refused text was edited: its message no longer applies
            self._refused[name] = None

    @on(Input.Submitted, "#url, #username, #password")
    @on(Button.Pressed, "#connect")
    def start_connect(self) -> None:
        if not self._form_is_valid():
            return
        settings = self._settings_from_form()
        target = self.state.target
        if isinstance(target, ApiTarget) and target.client.settings == settings and self.state.config:
            self.dismiss(NEXT)  # already connected with exactly these settings
            return
        self.connect(settings, proceed=True)

    @on(Input.Submitted, "#config-path")
    @on(Input.Submitted, "#kapacitor-version")
    @on(Button.Pressed, "#use-file")
    def start_file(self) -> None:
        self.open_file(self.query_one("#config-path", Input).value.strip())

    def _kapacitor_settings(self) -> ConnectionSettings:
        """The form's settings when they are valid, else the ones the wizard started with."""
        if all(validate(self.query_one(f"#{name}", Input).value).ok for name, validate in FIELD_CHECKS.items()):
            return self._settings_from_form()
        return self.state.settings.connection

    def _busy(self, busy: bool, text: str | Text = "") -> None:
        self.query_one("#connect-progress").display = busy
        self.query_one("#connect", Button).disabled = busy
        self.query_one("#connect-status", Static).update(text)

    def _show_error(self, err: WizardError) -> None:
        error = self.query_one("#connect-error", Static)
        error.update(Text.assemble(*titled(err), "\n", err.hint))
        error.add_class("-shown")
        # Without a reachable Kapacitor, or with overrides off, the file is the way forward.
        if isinstance(err, KapacitorUnreachable | OverridesDisabled):
            file_route = self.query_one("#file-route")
            file_route.add_class("-shown")
            # The offer is the way on: bring it into view with the error above it.
            self.call_after_refresh(file_route.scroll_visible, animate=False)
        self.call_after_refresh(error.scroll_visible, animate=False)

    def _clear_error(self) -> None:
        self.query_one("#connect-error", Static).remove_class("-shown")
        self.query_one("#file-error", Static).update("")

    @work(exclusive=True, group="connect")
    async def connect(self, settings: ConnectionSettings, proceed: bool) -> None:
        self._clear_error()
        self._busy(True, f"Connecting to {mask_userinfo(settings.url)}… (Escape cancels)")
        client = KapacitorClient(settings, scrubber=self.state.scrub)
        try:
            version = await client.ping()
            config = await client.get_config()
        except WizardError as err:
            await client.aclose()
            self._busy(False)
            self._show_error(err)
            return
        except BaseException:
            await client.aclose()
            self._busy(False)
            raise
        await self._close_previous()
        self.state.settings.connection = settings
        self.state.target = ApiTarget(client)
        self.state.version = version
        self.state.config = config
        self._busy(False, Text.assemble(("✓ ", "bold green"), f"Kapacitor {version} answers. Press Enter to continue."))
        self.query_one("#step-progress", Static).update(self.progress_line())
        self.query_one("#connect", Button).focus()
        if proceed:
            self.dismiss(NEXT)

    @work(exclusive=True, group="connect")
    async def open_file(self, path: str) -> None:
        file_error = self.query_one("#file-error", Static)
        if not path:
            file_error.update("Enter the path of the kapacitor.conf to write.")
            return
        # Decided without opening the file: a FIFO or a device would block the read for ever.
        checked = checks.config_file_path(path)
        if not checked.ok:
            self.query_one("#file-route").add_class("-shown")
            file_error.update(checked.error)
            return
        version = startrules.kapacitor_version(self.query_one("#kapacitor-version", Input).value)
        if not version.ok:
            self.query_one("#file-route").add_class("-shown")
            file_error.update(version.error)
            return
        target = FileTarget(
            path, self.state.scrub, kapacitor=self._kapacitor_settings(), kapacitor_version=version.value
        )
        try:
            config = await target.read_config()
        except WizardError as err:
            self.query_one("#file-route").add_class("-shown")
            file_error.update(Text.assemble(*titled(err), "\n", err.hint))
            return
        await self._close_previous()
        self.state.settings.config_file = path
        self.state.settings.kapacitor_version = version.value
        self.state.target = target
        self.state.version = ""
        self.state.config = config
        self.dismiss(NEXT)

    async def _close_previous(self) -> None:
        client = self.state.client
        if client is not None:
            await client.aclose()
