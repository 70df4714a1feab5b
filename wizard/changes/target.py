"""Where a change goes: Kapacitor's HTTP API, or a kapacitor.conf file.

Both read the handlers' current state as Kapacitor shows it (secrets only as
set / not set) and write a `Plan`. The screens and commands talk to a `Target`
and do not care which one it is.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from wizard.conf import document as conffile
from wizard.conf import startrules
from wizard.changes import undo
from wizard.handlers.registry import HANDLERS
from wizard.text.errors import WizardError
from wizard.kapacitor.client import API, ConnectionSettings, Element, KapacitorClient, element_path
from wizard.changes.plan import Plan
from wizard.text.secrets import Scrubber, Secret, secret_is_set


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did, in words a person can check."""

    summary: str
    backup: Path | None = None
    needs_restart: bool = False
    warnings: tuple[str, ...] = ()
    undo_record: undo.UndoRecord | None = None
    """Through the API: the record that takes back exactly this write (None when none could be kept)."""
    kept_from_file: bool = False
    """A removal found the element still listed: it comes from kapacitor.conf, so Kapacitor only
    dropped its API settings, and the write set them back (see `warnings`)."""


class Target(Protocol):
    """Where a plan is written."""

    kind: str
    """"api" or "file"."""
    description: str
    can_test: bool
    """Whether Kapacitor's own service test can prove the change (only through the API)."""

    async def read_config(self) -> dict[str, list[Element]]: ...

    def preview(self, plan: Plan) -> str:
        """What the write will change, for the review; "" when the plan says it all."""
        ...

    async def write(self, plan: Plan) -> WriteResult: ...


def _revealed(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.reveal() if isinstance(v, Secret) else v for k, v in values.items()}


class ApiTarget:
    """A running Kapacitor, through /kapacitor/v1/config."""

    kind = "api"
    can_test = True

    def __init__(self, client: KapacitorClient, warn: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.description = f"Kapacitor at {client.settings.url}"
        self.warn = warn or (lambda message: None)
        """Told when no undo record could be kept; the write goes on."""

    async def read_config(self) -> dict[str, list[Element]]:
        return await self.client.get_config()

    def preview(self, plan: Plan) -> str:
        return ""

    async def write(self, plan: Plan) -> WriteResult:
        # Keep the previous values for `undo` first: dropped when Kapacitor refuses the write,
        # kept (outcome unknown) when it never answers.
        with undo.backup(plan, self.client.settings.url, adding=plan.adding, warn=self.warn) as kept:
            result = await self._write(plan)
        result = replace(result, undo_record=kept.record)
        if result.kept_from_file:
            result = await self._set_back(plan, result)
        return result

    async def _set_back(self, plan: Plan, result: WriteResult) -> WriteResult:
        """A removal Kapacitor only turned into a reset (the element is in kapacitor.conf): send the
        element's values back, so the removal either completes or changes nothing. When that fails,
        the record, marked as a reset, lets `undo` set them back later."""
        from wizard.changes import elements as workspaces

        rules = workspaces.list_section(plan.spec.section, plan.spec.list_key or "workspace")
        record = result.undo_record
        if record is None:
            failure = "no undo information could be kept, so the wizard did not know them; set them again with apply."
            return replace(result, warnings=(
                workspaces.file_element_kept(rules, plan.workspace, [], failure, undoable=False),))
        try:
            outcome = await undo.set_back_file_element(self.client, record)
        except WizardError as err:
            try:
                kept = undo.find(record.id)
            except WizardError:
                kept = record
            return replace(result, undo_record=kept, warnings=(
                workspaces.file_element_kept(rules, plan.workspace, [], failure=str(err)),))
        lines = [workspaces.file_element_kept(rules, plan.workspace, list(outcome.restored))]
        lines.extend(w[0].upper() + w[1:] + "." for w in outcome.warnings())
        return replace(result, undo_record=outcome.record, warnings=tuple(lines))

    async def _write(self, plan: Plan) -> WriteResult:
        section = plan.spec.section
        if plan.removing:
            return await self._remove(plan)
        if plan.adding:
            # A list element Kapacitor does not have yet (a new Slack workspace) is added, not set.
            await self.client.add_element(section, {plan.spec.list_key or "workspace": plan.workspace, **plan.set_body()})
            return WriteResult(f"Added {section} element {plan.workspace} at {API}/config/{section}")
        await self.client.update_element(section, workspace=plan.workspace, set=plan.set_body(), delete=plan.delete_list())
        names = ", ".join(c.option for c in plan.changes)
        return WriteResult(f"Wrote {names} to {element_path(section, plan.workspace)}")


    async def _remove(self, plan: Plan) -> WriteResult:
        """`{"remove": [key]}`, then what Kapacitor really did: a built-in element is only reset,
        and one from kapacitor.conf stays listed."""
        from wizard.changes import elements as workspaces

        section, key = plan.spec.section, plan.workspace
        rules = workspaces.list_section(section, plan.spec.list_key or "workspace")
        await self.client.remove_elements(section, [key])
        if plan.builtin_reset:
            return WriteResult(
                f"Reset {rules.label(key)}: Kapacitor dropped the changes made to it; it has its values from "
                "kapacitor.conf or Kapacitor's defaults again"
            )
        try:
            still = workspaces.find_element(await self.client.get_section(section), key, rules)
        except WizardError:
            still = None  # the removal itself was answered; the list is read again later
        if still is not None:
            # From kapacitor.conf: Kapacitor deleted only its stored API settings (services/config/
            # service.go, overridesForUpdateAction), so the element stays with the file's values.
            return WriteResult(f"Kept {rules.label(key)}: it comes from kapacitor.conf", kept_from_file=True)
        return WriteResult(f"Removed {rules.service} {rules.noun} {key}. {workspaces.removal_note(rules, key)}")


class FileTarget:
    """A kapacitor.conf, edited in place; Kapacitor reads it at its next start."""

    kind = "file"
    can_test = False

    def __init__(
        self,
        path: Path | str,
        scrub: Scrubber | None = None,
        *,
        kapacitor: ConnectionSettings | None = None,
        force: bool = False,
        kapacitor_version: str = "",
    ) -> None:
        self.path = Path(path)
        self.scrub = scrub or Scrubber()
        self.kapacitor = kapacitor
        """A Kapacitor that may run with this file: asked after a write whether API overrides shadow it,
        and for its version when none is given."""
        self.force = force
        """Replace the file even when it is read-only."""
        self.kapacitor_version = kapacitor_version
        """The version of the Kapacitor that reads this file (given, or asked of `kapacitor`); "" unknown.
        Options only some versions read are refused while it is unknown (wizard/conf/startrules.py)."""
        self.version_source = "given" if kapacitor_version else ""
        self._version_asked = bool(kapacitor_version)
        self.description = f"the file {self.path}"
        self._known: conffile.ConfigDocument | None = None
        self._reviewed: tuple[tuple[object, ...], str] | None = None
        """The plan last previewed and the file's text its diff was made from."""
        self._read: conffile.ConfigDocument | None = None
        """The file as `read_config` last saw it: what a plan made without a review is based on."""

    def load(self) -> conffile.ConfigDocument:
        # The file as it is now; parsed again only when it changed since the last read.
        self._known = conffile.load(self.path, known=self._known)
        return self._known

    async def ask_version(self) -> str:
        """The version of the Kapacitor at `kapacitor`, asked once (briefly) when none was given."""
        if self._version_asked or self.kapacitor is None:
            return self.kapacitor_version
        self._version_asked = True
        settings = replace(self.kapacitor, timeout=min(self.kapacitor.timeout, 3.0))
        try:
            async with KapacitorClient(settings, scrubber=self.scrub) as client:
                version = await client.ping()
        except WizardError:
            return ""  # none answers there: the version stays unknown
        if startrules.parse_version(version) is not None:
            self.kapacitor_version = version
            self.version_source = f"the Kapacitor at {settings.url}"
        return self.kapacitor_version

    async def read_config(self) -> dict[str, list[Element]]:
        document = self._read = self.load()
        await self.ask_version()
        config: dict[str, list[Element]] = {}
        for spec in HANDLERS.values():
            section = spec.section
            if section not in conffile.OPTIONS:
                continue  # a section this file format does not know
            keys = document.element_keys(section) if spec.list_key else [""]
            built_in = conffile.BUILT_IN_KEYS.get(section, "")
            if spec.list_key and built_in == "" and "" not in keys:
                keys.insert(0, "")  # Slack and Discord always have their default element
            elif not keys:
                keys = [built_in]  # Kapacitor's own element when the file has none
            elements = []
            for key in keys:
                options: dict[str, Any] = {o.name: o.default for o in spec.options}
                if spec.list_key:
                    options[spec.list_key] = key
                options.update(document.read_element(section, key))
                for name in spec.secrets:
                    options[name] = secret_is_set(options.get(name))
                    # Secrets read from the file are still never shown.
                elements.append(
                    Element(section, options, frozenset(spec.secrets), element_path(section, key))
                )
            config[section] = elements
        return config

    def _edited(self, plan: Plan) -> tuple[conffile.ConfigDocument, conffile.ConfigDocument, tuple[str, ...]]:
        """The file now, the file after the plan, and what to say about it.

        Kapacitor's rules at start decide the rest (wizard/conf/startrules.py): what it needs
        besides the change is written too and said, an edit it would refuse to start with is
        refused, and options only some versions read need the version that reads this file."""
        if plan.removing:
            raise WizardError(
                f"Removing needs Kapacitor's HTTP API: in {self.path}, delete the [[{plan.spec.section}]] table "
                f"of {plan.workspace} and restart kapacitord.",
                "Nothing was written.",
            )
        document = self.load()
        values = _revealed(plan.set_body())
        for secret in plan.new_values.values():
            if isinstance(secret, Secret):
                self.scrub.add(secret)
        section, key = plan.spec.section, plan.workspace
        after = document.apply(section, values, plan.delete_list(), workspace=key)
        source = self.version_source if self.version_source != "given" else ""
        startrules.check_versions(
            startrules.versioned_options(document, after, section, key), section, self.kapacitor_version, source
        )
        after, settled = startrules.settle(document, after, section, key)
        earlier = startrules.refuse_new_problems(document, after, section)
        return document, after, settled + earlier + startrules.runtime_notes(after, section, key)

    def notes(self, plan: Plan) -> tuple[str, ...]:
        """What the review says besides the diff: what is written besides the change, problems the
        file already has, and conditions that may still stop kapacitord at start. Empty when the
        plan cannot be written (`preview` says why)."""
        try:
            return self._edited(plan)[2]
        except WizardError:
            return ()

    @staticmethod
    def _plan_key(plan: Plan) -> tuple[object, ...]:
        return (plan.spec.section, plan.workspace, tuple(c.option for c in plan.changes), tuple(plan.delete_list()))

    def preview(self, plan: Plan) -> str:
        """The masked diff; `write` of the same plan refuses if the file changes after this."""
        before, after, _ = self._edited(plan)
        self._reviewed = (self._plan_key(plan), before.render())
        return conffile.masked_diff(before, after, fromfile=f"{self.path} (now)", tofile=f"{self.path} (after)")

    async def write(self, plan: Plan) -> WriteResult:
        """Edit the file as it is now, under its lock (another writer waits or is waited for)."""
        with conffile.writing(self.path):
            removed = conffile.remove_stale_temporary_files(self.path)
            before, after, notes = self._edited(plan)
            reviewed = self._reviewed
            if reviewed is not None and reviewed[0] == self._plan_key(plan):
                if reviewed[1] != before.render():
                    raise conffile.ConfigFileChanged(
                        f"{self.path} changed on disk after the review showed what would change.",
                        "Nothing was written. Go back to the review to see the change against the file as it is now.",
                        path=self.path,
                    )
            elif self._read is not None and self._read.render() != before.render():
                # Written meanwhile (another kapacitor-wizard, an editor): other sections' changes
                # are kept and this one goes on top; a change to this very element would be undone.
                section, workspace = plan.spec.section, plan.workspace
                if self._read.read_element(section, workspace) != before.read_element(section, workspace):
                    raise conffile.ConfigFileChanged(
                        f"{self.path} changed while this ran: [{section}]"
                        + (f" workspace {workspace}" if workspace else "")
                        + " was edited meanwhile.",
                        "Nothing was written. Run the command again to change the settings as they are now.",
                        path=self.path,
                    )
            if after.render() == before.render():
                backup = None
            else:
                backup = conffile.write_atomic(self.path, after, force=self.force)
            self._reviewed = None
            self._read = after  # what the next plan, made from what this wrote, is based on
        stale = tuple(
            f"Removed {path}, a temporary file that an earlier write stopped by force (SIGKILL, a crash or "
            "a power cut) left behind; it may have held a secret. That earlier write did not happen."
            for path in removed
        )
        if after.render() == before.render():
            return WriteResult(f"{self.path} already has these settings; nothing was written.", warnings=stale)
        names = ", ".join(c.option for c in plan.changes)
        where = f"[{plan.spec.section}]" if not plan.spec.list_key else f"[[{plan.spec.section}]]"
        warnings = stale + notes + await self._shadowing_overrides(plan, before)
        return WriteResult(
            f"Wrote {names} to {where} in {self.path}", backup=backup, needs_restart=True, warnings=warnings
        )

    async def _shadowing_overrides(self, plan: Plan, before: conffile.ConfigDocument) -> tuple[str, ...]:
        """Options a running Kapacitor holds as API overrides: those win over the file.

        Kapacitor shows an option's override when there is one, else the file's value as it
        was at its start. So a value that differs from the file's previous value is an override.
        """
        if self.kapacitor is None:
            return ()
        settings = replace(self.kapacitor, timeout=min(self.kapacitor.timeout, 3.0))
        try:
            async with KapacitorClient(settings, scrubber=self.scrub) as client:
                elements = await client.get_section(plan.spec.section)
        except WizardError:
            return ()  # no Kapacitor answers there: nothing can shadow the file
        key = plan.spec.list_key
        running = next((e for e in elements if not key or str(e.options.get(key, "")) == plan.workspace), None)
        if running is None:
            return ()
        file_before = {o.name: o.default for o in plan.spec.options}
        file_before.update(before.read_element(plan.spec.section, plan.workspace))
        shadowed = []
        for change in plan.changes:
            name = change.option
            was = bool(file_before.get(name)) if name in plan.spec.secrets else file_before.get(name)
            if running.options.get(name) != was:
                shadowed.append(name)
        if not shadowed:
            return ()
        return (
            f"Kapacitor at {settings.url} has API settings for {', '.join(shadowed)}; they win over the file. "
            "Reset them (x on the handler list, or kapacitor-wizard undo) or change them through the API.",
        )
