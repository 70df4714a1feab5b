"""What the wizard remembers between steps, and how steps report where to go next."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.core.handlers import HandlerSpec
from wizard.core.kapacitor import ConnectionSettings, Element, KapacitorClient, ServiceTestResult
from wizard.core.target import ApiTarget, Target, WriteResult
from wizard.core.plan import Plan, plan_changes
from wizard.core.secrets import Scrubber, Secret


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


@dataclass(frozen=True)
class Intent:
    """What to do with the chosen handler.

    configure: follow its steps; toggle: only enable or disable it;
    reset: remove the API overrides of some options, so kapacitor.conf's values apply.
    """

    kind: str
    enable: bool = True
    resets: tuple[str, ...] = ()


@dataclass
class AppSettings:
    """Everything given on the command line."""

    connection: ConnectionSettings = field(default_factory=ConnectionSettings)
    telegram_api_url: str = "https://api.telegram.org"
    config_file: str = ""
    """Write this kapacitor.conf instead of calling Kapacitor's API."""


@dataclass
class WizardState:
    """Shared by every screen; each screen reads what it needs and writes what it chose."""

    settings: AppSettings
    scrub: Scrubber = field(default_factory=Scrubber)
    target: Target | None = None
    """Where changes go: Kapacitor's API, or a kapacitor.conf file."""
    version: str = ""
    config: dict[str, list[Element]] = field(default_factory=dict)
    handler: HandlerSpec | None = None
    workspace: str = ""
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What the person typed, per handler and option, so Escape and back keep it."""
    intent: Intent = field(default_factory=lambda: Intent("configure"))
    """What the person chose to do with the handler."""
    typed_secrets: dict[str, Secret] = field(default_factory=dict)
    """Secrets typed in this session, by "handler/option": in memory only, for lookups after a write."""
    first_visit: bool = True
    """The connect step tries to connect on its own only the first time."""
    applied: Plan | None = None
    last_write: WriteResult | None = None
    test_result: ServiceTestResult | None = None

    @property
    def client(self) -> KapacitorClient | None:
        """The Kapacitor client, when changes go through the API."""
        return self.target.client if isinstance(self.target, ApiTarget) else None

    def element(self, spec: HandlerSpec | None = None, workspace: str | None = None) -> Element | None:
        """The element Kapacitor has for a handler (the default Slack workspace unless named)."""
        spec = spec or self.handler
        if spec is None:
            return None
        workspace = self.workspace if workspace is None else workspace
        for element in self.config.get(spec.section, []):
            if spec.list_key is None or element.options.get(spec.list_key, "") == workspace:
                return element
        return None

    def draft(self) -> dict[str, Any]:
        """The current handler's values, first filled from what Kapacitor has."""
        assert self.handler is not None
        key = f"{self.handler.name}/{self.workspace}"
        if key not in self.drafts:
            element = self.element()
            values: dict[str, Any] = {}
            for option in self.handler.options:
                current = element.options.get(option.name, option.default) if element else option.default
                values[option.name] = "" if option.secret else current
            self.drafts[key] = values
        return self.drafts[key]

    def remember_secret(self, value: str) -> None:
        self.scrub.add(value)

    def plan(self) -> Plan:
        """The change the current intent makes to Kapacitor's element."""
        assert self.handler is not None
        spec = self.handler
        if self.intent.kind == "toggle":
            return plan_changes(spec, self.element(), {"enabled": self.intent.enable}, workspace=self.workspace)
        if self.intent.kind == "reset":
            return plan_changes(spec, self.element(), {}, workspace=self.workspace, resets=self.intent.resets)
        draft = self.draft()
        desired: dict[str, Any] = {}
        # Every option goes through the plan; an untouched draft equals Kapacitor's value,
        # so only what a step changed is sent.
        for option in spec.options:
            value = draft.get(option.name)
            if option.secret:
                text = str(value or "").strip()
                desired[option.name] = Secret(text) if text else None
            elif option.kind is bool:
                desired[option.name] = bool(value)
            else:
                desired[option.name] = option.validate(str(value or "")).value
        desired["enabled"] = True
        return plan_changes(spec, self.element(), desired, workspace=self.workspace)
