"""Slack workspaces (Kapacitor 1.5+): list them, and refuse what Kapacitor handles badly.

Slack is a list section keyed by `workspace`; the element with workspace "" is the
default workspace at `/config/slack/`. Kapacitor 1.5.7 mishandles three things the
wizard therefore refuses before sending anything:

* adding a name that already exists: the server drops the request without an answer;
* a second workspace with `default = true`: the running Slack service silently sends
  every alert that names no workspace to the new one;
* names outside `[-\\w+]+`, which cannot be addressed in the config URLs.

Kapacitor compares workspace names exactly (`Team2` and `team2` are two workspaces);
a name differing only in case is accepted with a warning.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wizard.core import validators
from wizard.core.kapacitor import Element
from wizard.core.validators import Verdict

DEFAULT_LABEL = "default workspace"


@dataclass(frozen=True, slots=True)
class Workspace:
    """One Slack element as the workspace list shows it (secrets only as set / not set)."""

    name: str
    """"" for the default element."""
    default: bool
    """Kapacitor sends alerts that name no workspace here."""
    enabled: bool
    url_set: bool
    channel: str
    element: Element

    @property
    def label(self) -> str:
        return self.name or DEFAULT_LABEL

    @property
    def configured(self) -> bool:
        return self.url_set

    def describe(self) -> str:
        """A one-line summary: state, webhook, channel."""
        parts = ["enabled" if self.enabled else "disabled"]
        parts.append("webhook set" if self.url_set else "no webhook")
        if self.channel:
            parts.append(f"channel {self.channel}")
        return ", ".join(parts)


def _workspace(element: Element, default: bool) -> Workspace:
    return Workspace(
        name=element.workspace,
        default=default,
        enabled=bool(element.options.get("enabled")),
        url_set=element.is_set("url"),
        channel=str(element.options.get("channel") or ""),
        element=element,
    )


def effective_default(elements: Sequence[Element]) -> str | None:
    """The workspace that gets alerts naming no workspace, as the running service picks it.

    A single element is always the default. Otherwise the last named element with
    `default = true` wins (elements come sorted by name), else the "" element.
    """
    if not elements:
        return None
    if len(elements) == 1:
        return elements[0].workspace
    named_defaults = [e.workspace for e in elements if e.workspace and e.options.get("default")]
    if named_defaults:
        return named_defaults[-1]
    if any(e.workspace == "" for e in elements):
        return ""
    return None


def list_workspaces(elements: Sequence[Element]) -> list[Workspace]:
    """Every workspace, the default element first, then by name."""
    default = effective_default(elements)
    ordered = sorted(elements, key=lambda e: (e.workspace != "", e.workspace))
    return [_workspace(e, e.workspace == default) for e in ordered]


def named_workspaces(elements: Iterable[Element]) -> list[str]:
    """The names of the workspaces other than the default element, sorted."""
    return sorted(e.workspace for e in elements if e.workspace)


def find_workspace(elements: Iterable[Element], name: str) -> Element | None:
    for element in elements:
        if element.workspace == name:
            return element
    return None


def _defaults(elements: Sequence[Element], except_name: str | None = None) -> list[str]:
    """Workspaces that already take alerts naming no workspace (other than `except_name`)."""
    names = [e.workspace for e in elements if e.options.get("default") and e.workspace != except_name]
    current = effective_default(elements)
    if current is not None and current != except_name and current not in names:
        names.append(current)
    return names


def _second_default_error(name: str, others: list[str]) -> str:
    other = others[0]
    shown = f"the {DEFAULT_LABEL}" if other == "" else f"the workspace {other}"
    return (
        f"Kapacitor already sends alerts that name no workspace to {shown}. A second default "
        f"makes Kapacitor 1.5 silently send them to {name} instead. Leave this unchecked: alert "
        f"rules choose {name} with .workspace('{name}')."
    )


def check_new_workspace(name: str, elements: Sequence[Element], make_default: bool = False) -> Verdict:
    """Whether Kapacitor can safely add a workspace with this name."""
    verdict = validators.slack_workspace(name)
    if not verdict.ok:
        return verdict
    value = verdict.value
    if find_workspace(elements, value) is not None:
        return Verdict(
            value,
            f"Kapacitor already has a workspace named {value}: choose another name, or edit {value} "
            "from the list (Kapacitor 1.5 drops a request that adds an existing name).",
        )
    if make_default:
        others = _defaults(elements)
        if others:
            return Verdict(value, _second_default_error(value, others))
    similar = [e.workspace for e in elements if e.workspace and e.workspace.lower() == value.lower()]
    if similar:
        return Verdict(
            value,
            warning=f"Kapacitor treats {value} and {similar[0]} as two different workspaces "
            "(names are case-sensitive).",
        )
    return Verdict(value)


def check_make_default(name: str, elements: Sequence[Element]) -> Verdict:
    """Whether an existing workspace may become the default without a second default."""
    others = _defaults(elements, except_name=name)
    if others:
        return Verdict(name, _second_default_error(name, others))
    return Verdict(name)


def check_remove(name: str, elements: Sequence[Element]) -> Verdict:
    """Whether a workspace can be removed: it must exist and not be the default element."""
    if name == "":
        return Verdict(
            name,
            "The default workspace cannot be removed; edit it, or disable it, instead.",
        )
    if find_workspace(elements, name) is None:
        return Verdict(name, f"Kapacitor has no Slack workspace named {name}.")
    return Verdict(name)


RESTART_CAVEAT = (
    "Kapacitor 1.5 keeps answering for {name} (test alerts and alert rules that name it) "
    "until kapacitord is restarted."
)
FILE_WORKSPACE_NOTE = (
    "{name} is still listed: it comes from kapacitor.conf, and Kapacitor removed only the "
    "changes made over HTTP. To remove it, delete its [[slack]] table from kapacitor.conf "
    "and restart kapacitord."
)
