"""List sections: Slack and Discord workspaces, HTTP post endpoints, Kafka clusters and MQTT
brokers. List them, and refuse what Kapacitor handles badly before anything is sent.

A list section has several elements, each named by its key option (`HandlerSpec.list_key`):
Slack's and Discord's `workspace`, httppost's `endpoint`, Kafka's `id`, MQTT's `name`. A
fresh Kapacitor has one built-in element: the default workspace "" (Slack, Discord, at
`/config/<section>/`), `example` (httppost) or `default` (Kafka, MQTT). Kapacitor 1.5 to 1.8
mishandle these, so the wizard refuses or explains them first:

* adding a key that already exists: the server drops the request without an answer;
* keys outside `[-\\w+]+`, which cannot be addressed in the config URLs; a key is never
  changed by `set` (Kapacitor answers `cannot override element key`);
* Slack and Discord: a second workspace with `default = true` silently takes every alert that
  names no workspace;
* MQTT: with more than one broker exactly one must be the default (Kapacitor answers 500);
* Discord: once another workspace exists, a first change to the default workspace fails with
  `id must not be empty`;
* `remove` of a built-in element only drops its changes (it resets, it stays), and Slack and
  Discord keep answering for a removed workspace until kapacitord restarts;
* an element made by `add` starts from Go's zero values, not from the built-in defaults.

Kapacitor compares keys exactly (`Team2` and `team2` are two elements); a key differing only
in case is accepted with a warning.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.text import checks
from wizard.kapacitor.client import Element
from wizard.text.checks import Verdict

DEFAULT_LABEL = "default workspace"


@dataclass(frozen=True, slots=True)
class ListSection:
    """What the wizard knows about one list section's elements and its pitfalls."""

    section: str
    key: str
    """The option that names an element (`HandlerSpec.list_key`)."""
    noun: str
    """What one element is called: workspace, endpoint, cluster, broker."""
    service: str
    """Slack, Discord, HTTP post, Kafka, MQTT."""
    builtin: str = ""
    """The element a fresh Kapacitor has: "" (the default workspace), `example`, `default`."""
    selector: str = ""
    """How an alert rule names an element, with {name}: `.workspace('{name}')`."""
    defaults: str = ""
    """The `default` option's rule: "at-most-one" (Slack, Discord: a second default silently
    takes the alerts that name no element), "exactly-one" (MQTT, with two or more), "" (none)."""
    kept_until_restart: bool = False
    """A removed element keeps answering (tests, alert rules) until kapacitord restarts."""
    first_change_trap: bool = False
    """Discord: a first change to the default workspace fails once another workspace exists."""

    @property
    def plural(self) -> str:
        return f"{self.noun}s"

    @property
    def title(self) -> str:
        """The element list's title: "Slack workspaces"."""
        return f"{self.service} {self.plural}"

    def label(self, key: str) -> str:
        """How an element is called in a sentence: the default workspace has no name."""
        return f"the {DEFAULT_LABEL}" if key == "" and self.builtin == "" else f"the {self.noun} {key}"

    def short_label(self, key: str) -> str:
        return DEFAULT_LABEL if key == "" and self.builtin == "" else key

    def names_it(self, key: str) -> str:
        return self.selector.format(name=key) if self.selector else key

    @property
    def article(self) -> str:
        return "an" if self.noun[0] in "aeiou" else "a"


LIST_SECTIONS: dict[str, ListSection] = {
    s.section: s
    for s in (
        ListSection(
            "slack", "workspace", "workspace", "Slack", "", ".workspace('{name}')",
            defaults="at-most-one", kept_until_restart=True, first_change_trap=True,
        ),
        ListSection(
            "discord", "workspace", "workspace", "Discord", "", ".workspace('{name}')",
            defaults="at-most-one", kept_until_restart=True, first_change_trap=True,
        ),
        ListSection("httppost", "endpoint", "endpoint", "HTTP post", "example", ".endpoint('{name}')"),
        ListSection("kafka", "id", "cluster", "Kafka", "default", ".cluster('{name}')"),
        ListSection("mqtt", "name", "broker", "MQTT", "default", ".brokerName('{name}')", defaults="exactly-one"),
    )
}


def list_section(section: str, key: str = "workspace") -> ListSection:
    """The rules of a list section; one the wizard does not know gets the careful defaults."""
    known = LIST_SECTIONS.get(section)
    if known is not None:
        return known
    return ListSection(section, key, "element", section, builtin="\0")


def key_of(rules: ListSection, element: Element) -> str:
    return str(element.options.get(rules.key, ""))


@dataclass(frozen=True, slots=True)
class ListElement:
    """One element as the element list shows it (secrets only as set / not set)."""

    name: str
    """The element's key; "" for the default workspace."""
    default: bool
    """Alerts that name no element go here."""
    enabled: bool | None
    """None for a section without `enabled` (httppost)."""
    builtin: bool
    """Kapacitor has it from its defaults or kapacitor.conf; remove only resets it."""
    element: Element
    rules: ListSection

    @property
    def label(self) -> str:
        return self.rules.short_label(self.name)


# Kept for the Slack screens and commands written before the other list sections.
Workspace = ListElement


def effective_default(elements: Sequence[Element], rules: ListSection | None = None) -> str | None:
    """The element that gets alerts naming none, as the running service picks it.

    A single element is always the default. Slack and Discord: the last named element with
    `default = true` wins (elements come sorted by name), else the "" element. MQTT: the one
    marked default.
    """
    rules = rules or LIST_SECTIONS["slack"]
    if not elements:
        return None
    if len(elements) == 1:
        return key_of(rules, elements[0])
    keys = [key_of(rules, e) for e in elements]
    marked = [k for k, e in zip(keys, elements) if e.options.get("default") and (k or rules.defaults != "at-most-one")]
    if marked:
        return marked[-1]
    if rules.defaults == "at-most-one" and "" in keys:
        return ""
    return None


def list_elements(elements: Sequence[Element], rules: ListSection | None = None) -> list[ListElement]:
    """Every element, the built-in one first, then by key."""
    rules = rules or LIST_SECTIONS["slack"]
    default = effective_default(elements, rules) if rules.defaults else None
    ordered = sorted(elements, key=lambda e: (key_of(rules, e) != rules.builtin, key_of(rules, e)))
    return [
        ListElement(
            name=key_of(rules, e),
            default=key_of(rules, e) == default,
            enabled=bool(e.options.get("enabled")) if "enabled" in e.options else None,
            builtin=key_of(rules, e) == rules.builtin,
            element=e,
            rules=rules,
        )
        for e in ordered
    ]


def list_workspaces(elements: Sequence[Element]) -> list[ListElement]:
    """Slack's workspaces, the default element first."""
    return list_elements(elements, LIST_SECTIONS["slack"])


def named_workspaces(elements: Iterable[Element]) -> list[str]:
    """The names of the workspaces other than the default element, sorted."""
    return sorted(e.workspace for e in elements if e.workspace)


def find_element(elements: Iterable[Element], name: str, rules: ListSection | None = None) -> Element | None:
    rules = rules or LIST_SECTIONS["slack"]
    return next((e for e in elements if key_of(rules, e) == name), None)


def find_workspace(elements: Iterable[Element], name: str) -> Element | None:
    return find_element(elements, name)


def _marked_defaults(elements: Sequence[Element], rules: ListSection, except_name: str | None = None) -> list[str]:
    """Elements that already take alerts naming none (other than `except_name`)."""
    names = [key_of(rules, e) for e in elements if e.options.get("default") and key_of(rules, e) != except_name]
    current = effective_default(elements, rules)
    if rules.defaults == "at-most-one" and current is not None and current != except_name and current not in names:
        names.append(current)
    return names


def _second_default_error(rules: ListSection, name: str, others: list[str]) -> str:
    shown = rules.label(others[0])
    if rules.defaults == "exactly-one":
        return (
            f"{shown.capitalize()} is already the default; Kapacitor refuses a second default "
            f"{rules.noun} (it answers 500). Leave this unchecked: alert rules choose {name} with "
            f"{rules.names_it(name)}."
        )
    return (
        f"Kapacitor already sends alerts that name no {rules.noun} to {shown}. A second default "
        f"makes Kapacitor silently send them to {name} instead. Leave this unchecked: alert "
        f"rules choose {name} with {rules.names_it(name)}."
    )


def check_key(name: str, rules: ListSection) -> Verdict:
    """A key Kapacitor can address in its config URLs."""
    if rules.section == "slack":
        return checks.slack_workspace(name)
    return checks.element_key(name, rules.noun)


def check_new_element(
    rules: ListSection, name: str, elements: Sequence[Element], make_default: bool = False, *, api: bool = True
) -> Verdict:
    """Whether Kapacitor can safely add an element with this key. `api`: through Kapacitor's API
    (a kapacitor.conf has its own rules at start: wizard/conf/startrules.py)."""
    verdict = check_key(name, rules)
    if not verdict.ok:
        return verdict
    value = verdict.value
    if find_element(elements, value, rules) is not None:
        return Verdict(
            value,
            f"Kapacitor already has {rules.article} {rules.noun} named {value}: choose another name, or "
            f"edit {value} from the list (Kapacitor drops a request that adds an existing name, "
            "without an answer).",
        )
    if rules.defaults and make_default:
        others = _marked_defaults(elements, rules)
        if others:
            return Verdict(value, _second_default_error(rules, value, others))
    # (In a kapacitor.conf the lone broker is marked the default instead: startrules.settle.)
    if api and rules.defaults == "exactly-one" and elements and not make_default and not _marked_defaults(elements, rules):
        return Verdict(
            value,
            f"With two {rules.plural} or more, Kapacitor needs exactly one of them to be the default "
            f"(it answers 500 otherwise), and none is yet: tick \"Make it the default\".",
        )
    warnings = []
    similar = [key_of(rules, e) for e in elements if key_of(rules, e) and key_of(rules, e).lower() == value.lower()]
    if similar:
        warnings.append(
            f"Kapacitor treats {value} and {similar[0]} as two different {rules.plural} (names are case-sensitive)."
        )
    default_element = find_element(elements, "", rules)
    if api and rules.first_change_trap and default_element is not None and len(elements) == 1 and untouched(default_element):
        warnings.append(
            f"Set up the {DEFAULT_LABEL} first if you want it: once another workspace exists, Kapacitor "
            f"refuses a first change to it (\"id must not be empty\")."
        )
    return Verdict(value, warning=" ".join(warnings))


def check_element_default(rules: ListSection, name: str, elements: Sequence[Element]) -> Verdict:
    """Whether an existing element may become the default without a second default."""
    others = _marked_defaults(elements, rules, except_name=name)
    if others:
        return Verdict(name, _second_default_error(rules, name, others))
    return Verdict(name)


def check_remove_element(rules: ListSection, name: str, elements: Sequence[Element]) -> Verdict:
    """Whether an element can be removed; the warning says what removing really does."""
    if find_element(elements, name, rules) is None:
        return Verdict(name, f"Kapacitor has no {rules.service} {rules.noun} named {name}.")
    if name == "" and rules.builtin == "":
        return Verdict(name, f"The {DEFAULT_LABEL} cannot be removed; edit it, or disable it, instead.")
    if rules.defaults == "exactly-one" and len(elements) > 2:
        element = find_element(elements, name, rules)
        if element is not None and element.options.get("default"):
            return Verdict(
                name,
                f"{name} is the default {rules.noun}, and Kapacitor needs exactly one default while "
                f"there are two {rules.plural} or more (it answers 500). Remove the other "
                f"{rules.plural} first.",
            )
    return Verdict(name, warning=removal_note(rules, name))


def removal_note(rules: ListSection, name: str) -> str:
    """What removing does besides removing: the reset of a built-in, the restart caveat."""
    if name == rules.builtin:
        return (
            f"{name} is built into Kapacitor: removing it only drops the changes made to it, so it "
            "goes back to its values from kapacitor.conf or Kapacitor's defaults. It stays in the list."
        )
    if rules.kept_until_restart:
        return restart_caveat(rules, name)
    return f"Kapacitor stops sending to it at once: alert rules that name it ({rules.names_it(name)}) fail."


def removal_heading(rules: ListSection, name: str, elements: Sequence[Element], where: str) -> str:
    """The first sentence of a removal's review: what goes (or is reset), and where."""
    if name == rules.builtin:
        return (f"Reset the {rules.service} {rules.noun} {name} on {where}: Kapacitor drops the changes "
                "made to it. It has these settings now:")
    heading = f"Remove the {rules.service} {rules.noun} {name} from {where}. It has these settings now:"
    if rules.defaults and len(elements) > 1 and effective_default(elements, rules) == name:
        rest = [e for e in elements if key_of(rules, e) != name]
        after = effective_default(rest, rules)
        heading += (f"\nIt is the default {rules.noun}: alerts that name no {rules.noun} go to "
                    f"{rules.label(after) if after is not None else 'no ' + rules.noun} instead.")
    return heading


def removal_undo_note(rules: ListSection, name: str, lost_secrets: Sequence[str], by: str = "Undo on the last step") -> str:
    """What undo can bring back after a removal: never the secrets, which Kapacitor never revealed."""
    what = "sets its previous values back" if name == rules.builtin else "adds it again with its settings"
    if not lost_secrets:
        return f"{by} {what}."
    them, they = ("them", "they") if len(lost_secrets) > 1 else ("it", "it")
    return (f"{by} {what}, but not {', '.join(lost_secrets)}: Kapacitor never revealed "
            f"{them}, so {they} must be typed again.")


def restart_caveat(rules: ListSection, name: str) -> str:
    return (
        f"Kapacitor keeps answering for {name} (test alerts and alert rules that name it) "
        "until kapacitord is restarted."
    )


def file_element_kept(
    rules: ListSection, name: str, set_back: Sequence[str], failure: str = "", *, undoable: bool = True
) -> str:
    """A removal that Kapacitor turned into a reset, because the element comes from kapacitor.conf,
    and what the wizard did about it: `set_back` are the options it sent again, `failure` why
    sending them failed (the undo record then sets them back, when one was `undoable`)."""
    why = (f"{rules.label(name).capitalize()} comes from kapacitor.conf: Kapacitor cannot remove it through "
           "its API, it only dropped the settings made over HTTP")
    remove = (f"To remove it, delete its [[{rules.section}]] table from kapacitor.conf and restart kapacitord.")
    if failure:
        again = " kapacitor-wizard undo sets them back." if undoable else ""
        return f"{why}, and setting them back failed: {failure}{again} {remove}"
    if set_back:
        return f"{why}, so the wizard set {', '.join(set_back)} back as they were. {remove}"
    return f"{why}, and it had none: nothing changed. {remove}"


def file_removal_caveat(rules: ListSection, name: str) -> str:
    """Said before a removal: an element from kapacitor.conf cannot be removed through the API."""
    if name == rules.builtin:
        return ""
    return ("If it comes from kapacitor.conf, Kapacitor cannot remove it (it would only drop the settings "
            "made over HTTP): the wizard then sets those back, and nothing changes.")


def untouched(element: Element) -> bool:
    """Whether an element still has a fresh Kapacitor's values (no stored change, most likely).

    Kapacitor does not say whether an element has a stored override; an element that differs
    from the defaults has one, or values from kapacitor.conf.
    """
    from wizard.handlers.registry import HANDLERS  # the definitions hold the defaults

    spec = next((s for s in HANDLERS.values() if s.section == element.section), None)
    if spec is None:
        return False
    for option in spec.options:
        if option.name not in element.options:
            continue
        value = element.options[option.name]
        if option.secret or option.name in element.redacted:
            if value:
                return False
        elif value != option.default and not (value in (None, "", False) and option.default in (None, "", False)):
            return False
    return True


def zero_options(spec_options: Iterable[Any], key: str, name: str) -> dict[str, Any]:
    """What an element made by `add` has before its own values: Go's zero values, not the
    built-in defaults (Slack's `default` is false and its username empty, Kafka's
    SASLOAUTHExpiryMargin 0), so the plan sends every value that differs from them."""
    zero: dict[str, Any] = {}
    for option in spec_options:
        if option.kind is bool or option.secret:
            zero[option.name] = False
        elif option.kind is int:
            zero[option.name] = 0
        elif option.kind in (list, dict):
            zero[option.name] = None
        else:
            zero[option.name] = ""
    zero[key] = name
    return zero


def add_starts_with(value: Any, zero: Any) -> bool:
    """Whether an element made by `add` has this value without being told (see `zero_options`):
    an option that is not worth sending when an element is added again."""
    return value == zero or value in (None, "", [], {}) or value is False


def check_change(
    rules: ListSection,
    name: str,
    elements: Sequence[Element],
    values: Mapping[str, Any],
    *,
    adding: bool = False,
    typed_key: Any = None,
    api: bool = True,
) -> Verdict:
    """Whether a reviewed change of one element is safe to send; the warning explains a likely refusal.

    `values` are the options the change sets; `typed_key` is the key the person typed, if any.
    """
    if typed_key not in (None, "") and str(typed_key).strip() != name and not adding:
        return Verdict(
            name,
            f"Kapacitor cannot rename {rules.article} {rules.noun} (\"cannot override element key\"): "
            f"add a new {rules.noun} named {str(typed_key).strip()} and remove {rules.short_label(name)} instead.",
        )
    if "default" in values and rules.defaults:
        after = {key_of(rules, e): bool(e.options.get("default")) for e in elements}
        after[name] = bool(values["default"])
        if rules.defaults == "at-most-one" and after[name] and (adding or not _is_default(elements, rules, name)):
            others = _marked_defaults(elements, rules, except_name=name)
            if others:
                return Verdict(name, _second_default_error(rules, name, others))
        if rules.defaults == "exactly-one" and len(after) > 1 and sum(after.values()) != 1:
            return Verdict(
                name,
                f"With two {rules.plural} or more, Kapacitor needs exactly one default {rules.noun} and "
                "checks every change against that (it answers 500): it cannot move from one broker to "
                f"another while both exist. Remove the other {rules.plural} first, or leave this unchanged.",
            )
    if api and rules.first_change_trap and name == "" and not adding and values and len(elements) > 1:
        element = find_element(elements, "", rules)
        if element is not None and untouched(element):
            return Verdict(
                name,
                warning=(
                    f"Kapacitor may refuse this (\"id must not be empty\"): a first change to the "
                    f"{DEFAULT_LABEL} fails once another workspace exists. If it does, remove the other "
                    "workspaces, change the default one, then add them again."
                ),
            )
    return Verdict(name)


def _is_default(elements: Sequence[Element], rules: ListSection, name: str) -> bool:
    element = find_element(elements, name, rules)
    return bool(element and element.options.get("default")) or (
        rules.defaults == "at-most-one" and effective_default(elements, rules) == name
    )


# -- Slack, in the words the Slack command and screens used before ----------------------

_SLACK = LIST_SECTIONS["slack"]


def check_new_workspace(name: str, elements: Sequence[Element], make_default: bool = False, *, api: bool = True) -> Verdict:
    """Whether Kapacitor can safely add a Slack workspace with this name."""
    return check_new_element(_SLACK, name, elements, make_default, api=api)


def check_make_default(name: str, elements: Sequence[Element]) -> Verdict:
    """Whether an existing Slack workspace may become the default without a second default."""
    return check_element_default(_SLACK, name, elements)


def check_remove(name: str, elements: Sequence[Element]) -> Verdict:
    """Whether a Slack workspace can be removed: it must exist and not be the default element."""
    verdict = check_remove_element(_SLACK, name, elements)
    return Verdict(name, verdict.error) if not verdict.ok else Verdict(name)


RESTART_CAVEAT = (
    "Kapacitor keeps answering for {name} (test alerts and alert rules that name it) "
    "until kapacitord is restarted."
)
FILE_WORKSPACE_NOTE = (
    "{name} is still listed: it comes from kapacitor.conf, and Kapacitor removed only the "
    "changes made over HTTP. To remove it, delete its [[slack]] table from kapacitor.conf "
    "and restart kapacitord."
)


def check_plan(plan: Any, elements: Sequence[Element], draft: Mapping[str, Any] | None = None, *, api: bool = True) -> Verdict:
    """The element checks for a reviewed plan (wizard.changes.plan.Plan) of a list section:
    an error when Kapacitor would refuse or mishandle it, a warning when it may refuse it."""
    spec = plan.spec
    if not spec.list_key:
        return Verdict("")
    rules = list_section(spec.section, spec.list_key)
    if getattr(plan, "removing", False):
        return check_remove_element(rules, plan.workspace, elements)
    typed_key = draft.get(spec.list_key) if draft else None
    values = {c.option: c.after for c in plan.changes if not c.reset}
    return check_change(rules, plan.workspace, elements, values, adding=plan.adding, typed_key=typed_key, api=api)
