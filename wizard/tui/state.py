"""What the wizard remembers between steps, and how steps report where to go next."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.changes.flow import Flow, Intent
from wizard.handlers.registry import HandlerSpec, slack_way
from wizard.kapacitor.client import ConnectionSettings, Element, KapacitorClient
from wizard.text.errors import WizardError
from wizard.changes.target import ApiTarget, FileTarget, Target
from wizard.changes.plan import Plan, plan_changes, plan_removal
from wizard.text.secrets import Scrubber, Secret
from wizard.text.values import as_secret, parse_text


class StepResult:
    """Where the flow goes after a screen closes."""

    def __init__(self, name: str, target: str = "") -> None:
        self.name = name
        self.target = target

    def __repr__(self) -> str:
        return f"StepResult({self.name!r}, {self.target!r})"


NEXT = StepResult("next")
BACK = StepResult("back")
HOME = StepResult("home")
"""Back to the list of handlers."""


def jump(step_id: str) -> StepResult:
    """Go to a named step of the current handler (to fix a value after a failed test)."""
    return StepResult("jump", step_id)


@dataclass
class AppSettings:
    """Everything given on the command line."""

    connection: ConnectionSettings = field(default_factory=ConnectionSettings)
    telegram_api_url: str = "https://api.telegram.org"
    slack_api_url: str = "https://slack.com/api"
    """Slack's Web API: the app way's direct checks, and where Kapacitor posts (chat.postMessage)."""
    config_file: str = ""
    """Write this kapacitor.conf instead of calling Kapacitor's API."""
    kapacitor_version: str = ""
    """The Kapacitor version that reads `config_file` ("" unknown: the wizard asks the one it can reach)."""

    @property
    def timeout(self) -> float:
        """How long one exchange with any server may take in all (`--timeout`): Kapacitor, the
        chat services and the direct checks alike."""
        return self.connection.timeout


@dataclass
class WizardState:
    """What lasts for the whole session; everything about one choice lives in `flow`."""

    settings: AppSettings
    scrub: Scrubber = field(default_factory=Scrubber)
    target: Target | None = None
    """Where changes go: Kapacitor's API, or a kapacitor.conf file."""
    version: str = ""
    config: dict[str, list[Element]] = field(default_factory=dict)
    typed_secrets: dict[str, Secret] = field(default_factory=dict)
    """Secrets typed in this session, by "handler/option": in memory only, for lookups after a write."""
    first_visit: bool = True
    """The connect step tries to connect on its own only the first time."""
    flow: Flow | None = None
    """The current choice from the handler list; None on Connect and on the list itself."""

    def start_flow(self, spec: HandlerSpec, workspace: str = "", intent: Intent | None = None) -> Flow:
        """A new flow for a choice from the handler list: nothing of the previous one carries over."""
        self.flow = Flow(spec, workspace, intent or Intent("configure"))
        if spec.name == "slack" and self._has_slack_token_option():
            # This Kapacitor has Slack's token option (1.6+): the person chooses the way.
            element = self.element()
            self.flow.way = slack_way(element.options) if element else "webhook"
        return self.flow

    def _has_slack_token_option(self) -> bool:
        """What Kapacitor listed (GET /config); for a kapacitor.conf, whether its default [[slack]]
        entry has a `token` key, as 1.6+ samples do (1.5 has no such option)."""
        if isinstance(self.target, FileTarget):
            try:
                return "token" in self.target.load().read_element("slack")
            except WizardError:
                return False  # a file that broke since it was read: Review and the write report it
        return any("token" in e.options for e in self.config.get("slack", []))

    def end_flow(self) -> None:
        self.flow = None

    @property
    def current(self) -> Flow:
        """The current flow; screens after the handler list only exist within one."""
        assert self.flow is not None, "no handler was chosen"
        return self.flow

    # The current flow's choice, for the screens that only read it.

    @property
    def handler(self) -> HandlerSpec | None:
        return self.flow.handler if self.flow else None

    @property
    def workspace(self) -> str:
        return self.flow.workspace if self.flow else ""

    @property
    def intent(self) -> Intent:
        return self.flow.intent if self.flow else Intent("configure")

    @property
    def client(self) -> KapacitorClient | None:
        """The Kapacitor client, when changes go through the API."""
        return self.target.client if isinstance(self.target, ApiTarget) else None

    def element(self, spec: HandlerSpec | None = None, workspace: str | None = None) -> Element | None:
        """The element Kapacitor has for a handler (the current flow's, unless named)."""
        spec = spec or self.handler
        if spec is None:
            return None
        workspace = self.workspace if workspace is None else workspace
        for element in self.config.get(spec.section, []):
            if spec.list_key is None or element.options.get(spec.list_key, "") == workspace:
                return element
        return None

    def draft(self) -> dict[str, Any]:
        """The current flow's values, first filled from what Kapacitor has."""
        flow = self.current
        if flow.values is None:
            element = self.element()
            values: dict[str, Any] = {}
            for option in flow.handler.options:
                current = element.options.get(option.name, option.default) if element else option.default
                # A secret for the wizard or for this Kapacitor (its redacted list) is never pre-filled.
                secret = option.secret or bool(element and option.name in element.redacted)
                values[option.name] = "" if secret else current
            flow.values = values
        return flow.values

    def remember_secret(self, value: str) -> None:
        self.scrub.add(value)

    def plan(self) -> Plan:
        """The change the current flow's intent makes to Kapacitor's element."""
        flow = self.current
        spec = flow.handler
        if flow.intent.kind == "toggle":
            return plan_changes(spec, self.element(), {"enabled": flow.intent.enable}, workspace=flow.workspace)
        if flow.intent.kind == "reset":
            return plan_changes(spec, self.element(), {}, workspace=flow.workspace, resets=flow.intent.resets)
        if flow.intent.kind == "remove":
            return plan_removal(spec, self.element(), flow.workspace)
        draft = self.draft()
        desired: dict[str, Any] = {}
        # Every option goes through the plan; an untouched draft equals Kapacitor's value,
        # so only what a step changed is sent.
        for option in spec.options:
            value = draft.get(option.name)
            if option.secret and option.kind in (list, dict):
                desired[option.name] = as_secret(option, value)
            elif option.secret:
                text = str(value or "").strip()
                desired[option.name] = Secret(text) if text else None
            elif option.kind is bool:
                desired[option.name] = bool(value)
            elif option.kind is not str:
                desired[option.name] = parse_text(option, value)
            else:
                desired[option.name] = option.validate(str(value or "")).value
        desired["enabled"] = True
        # Only the chosen way's secret is sent (one typed for the other way before a switch is
        # dropped); the plan then clears the other way's secret in the same request.
        if flow.way == "app":
            desired["url"] = self.slack_post_url() if desired.get("token") else None
        elif flow.way == "webhook":
            desired["token"] = None
        return plan_changes(spec, self.element(), desired, workspace=flow.workspace, available=self.available(spec))

    def slack_post_url(self) -> str:
        return self.settings.slack_api_url.rstrip("/") + "/chat.postMessage"

    def available(self, spec: HandlerSpec) -> frozenset[str] | None:
        """The options this Kapacitor has for a handler, from what it answered (None: not known)."""
        elements = self.config.get(spec.section, [])
        return frozenset(elements[0].options) if elements and isinstance(self.target, ApiTarget) else None
