"""Step 1: where Kapacitor is, and proof that it answers."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from wizard.core.errors import WizardError
from wizard.core.kapacitor import ConnectionSettings, KapacitorClient, normalize_url
from wizard.core.secrets import Secret
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import NEXT


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
        "Ctrl+Q quits at any time."
    )

    def compose_body(self) -> ComposeResult:
        connection = self.state.settings.connection
        yield Static(
            "Kapacitor's HTTP API is where handlers are configured. Check the address and press Enter.",
            classes="intro",
        )
        yield Label("Kapacitor URL", classes="field--label")
        yield Input(connection.url, placeholder="http://localhost:9092", id="url")
        yield Label("Username  (optional, only when authentication is on)", classes="field--label")
        yield Input(connection.username, id="username")
        yield Label("Password  (optional)", classes="field--label")
        yield Input(connection.password.reveal(), password=True, id="password")
        with Horizontal(id="connect-actions"):
            yield Button("Connect", id="connect", variant="primary")
            yield LoadingIndicator(id="connect-progress")
            yield Static("", id="connect-status")
        yield Static("", id="connect-error")

    def on_mount(self) -> None:
        self.query_one("#connect-progress").display = False
        self.query_one("#url", Input).focus()

    def action_back(self) -> None:
        # The first step has nowhere to go back to; Escape cancels a running attempt.
        self.workers.cancel_node(self)
        self._busy(False)

    @on(Input.Submitted)
    @on(Button.Pressed, "#connect")
    def start_connect(self) -> None:
        url = normalize_url(self.query_one("#url", Input).value)
        password = self.query_one("#password", Input).value
        self.state.remember_secret(password)
        current = self.state.settings.connection
        settings = ConnectionSettings(
            url=url,
            username=self.query_one("#username", Input).value.strip(),
            password=Secret(password),
            skip_verify=current.skip_verify,
            ca_cert=current.ca_cert,
            timeout=current.timeout,
        )
        self.connect(settings)

    def _busy(self, busy: bool, text: str = "") -> None:
        self.query_one("#connect-progress").display = busy
        self.query_one("#connect", Button).disabled = busy
        self.query_one("#connect-status", Static).update(text)

    @work(exclusive=True, group="connect")
    async def connect(self, settings: ConnectionSettings) -> None:
        error = self.query_one("#connect-error", Static)
        error.update("")
        error.remove_class("-shown")
        self._busy(True, f"Connecting to {settings.url}… (Escape cancels)")
        client = KapacitorClient(settings, scrubber=self.state.scrub)
        try:
            version = await client.ping()
            config = await client.get_config()
        except WizardError as err:
            await client.aclose()
            self._busy(False)
            error.update(Text.assemble((err.title, "bold"), ": ", err.message, "\n", err.hint))
            error.add_class("-shown")
            self.query_one("#url", Input).focus()
            error.scroll_visible()
            return
        except BaseException:
            await client.aclose()
            self._busy(False)
            raise
        if self.state.client is not None:
            await self.state.client.aclose()
        self.state.settings.connection = settings
        self.state.client = client
        self.state.version = version
        self.state.config = config
        self._busy(False, f"Connected to Kapacitor {version}.")
        self.dismiss(NEXT)
