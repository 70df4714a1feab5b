"""The shape of a handler definition: its options, its steps and their links.

wizard/handlers/registry.py defines the guided handlers with these, and wizard/handlers/catalog.py
the others; both import this module, so either can be imported first.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.text import checks as v
from wizard.text.checks import Verdict


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One Kapacitor option of a handler."""

    name: str
    """Exactly as Kapacitor spells it (`chat-id`, `icon-emoji`)."""
    label: str
    kind: type = str
    """`str`, `bool`, `int`, `list` (of strings) or `dict` (an object): Kapacitor checks value
    kinds strictly, so typed text becomes exactly this kind (wizard/text/values.py)."""
    secret: bool = False
    """Masked everywhere; only set / not set is shown. Kapacitor redacts most secrets on read;
    the ones it does not (a Discord webhook URL) are hidden as soon as they are read."""
    default: Any = ""
    help: str = ""
    placeholder: str = ""
    validate: Callable[[str], Verdict] = v.any_text
    required: bool = False
    """Kapacitor refuses to enable the handler without it."""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepText:
    """One step of the guide: its text, its links and the options it asks for."""

    id: str
    title: str
    body: str
    """Markdown shown above the fields."""
    options: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    help: str = ""
    """The longer explanation behind the help key."""


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """Everything the wizard knows about one handler."""

    name: str
    title: str
    section: str
    """The section in kapacitor.conf and in /kapacitor/v1/config/<section>."""
    summary: str
    options: tuple[OptionSpec, ...]
    steps: tuple[StepText, ...]
    service_test: str
    list_key: str | None = None
    """For list sections (Slack workspaces): the option that names an element."""
    tickscript: Callable[[Mapping[str, Any]], str] = field(default=lambda _: "")
    test_hint: str = ""
    """What to check when Kapacitor's own test alert fails."""
    test_proves: str = ""
    """What a success of Kapacitor's service test shows, when it is less than delivery
    (SMTP: the mail was only queued). Empty: the service accepted the alert."""
    direct_check: str = ""
    """A check of the service itself beside Kapacitor's test: "smtp" or "http-post"."""
    guide_url: str = ""
    """Kapacitor's page about this handler."""
    topic_kind: str = ""
    """The `kind` of this handler's topic handlers, when it is not `name` (httppost's is "post")."""
    topic_secrets: frozenset[str] = frozenset()
    """Topic-handler options that are secret beyond the section's secret options (shown only as
    set / not set by `routes`, never kept by route undo records)."""

    def option(self, name: str) -> OptionSpec:
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(o.name for o in self.options if o.secret)
