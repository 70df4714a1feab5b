"""Review: every option that will change, before and after. Secrets never show their value."""
from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Static

from wizard.conf import startrules
from wizard.text.errors import WizardError
from wizard.changes.flow import Review, will_test
from wizard.changes.plan import Plan
from wizard.changes.target import FileTarget
from wizard.changes.elements import check_plan, file_removal_caveat, list_section, removal_heading, removal_undo_note
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import BACK, NEXT, WizardState
from wizard.tui.widgets.error_text import titled


class ReviewScreen(StepScreen):
    """Shows the plan; Apply sends only what changed."""

    CSS_PATH = "review.tcss"
    step_title = "Review the change"
    help_text = (
        "This is every option the wizard will change in Kapacitor, with its value now and after.\n\n"
        "Secrets are never shown: Kapacitor itself only reveals whether one is set. **set** means a "
        "secret will be stored, **will be replaced** that a stored one is overwritten, and "
        "**unchanged** that the stored one is kept and not sent at all.\n\n"
        "Apply writes only these options. When the handler is set up or enabled through Kapacitor's "
        "API, it then asks Kapacitor to send a test alert through it; the button says so."
    )

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.plan: Plan = state.plan()
        target = state.target
        self.will_test = will_test(state.intent, target is not None and target.can_test)
        """Whether Apply asks Kapacitor for a test alert; the button says so."""
        self.blocked = False
        """The change cannot be written (for example, the file does not parse)."""
        assert state.handler is not None
        self.step_title = f"{state.handler.title}: review the change"

    def compose_body(self) -> ComposeResult:
        plan = self.plan
        target = self.state.target
        file_target = target is not None and target.kind == "file"
        where = target.description if file_target and target else f"{self.state.settings.connection.url}{plan.path}"
        if plan.removing:
            yield from self.compose_removal()
            return
        if plan.empty:
            yield Static(
                f"Nothing to change: {where} already has these settings."
                + ("\nApply will only ask Kapacitor to send a test alert." if self.will_test else ""),
                id="review-intro",
            )
        else:
            yield Static(f"These options will be written to {where}:", id="review-intro")
        table: DataTable[str] = DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Option", "Now", "After")
        for change in plan.changes:
            table.add_row(change.option, change.describe_before(), change.describe_after())
        for name in plan.kept_secrets:
            table.add_row(name, "set", "unchanged")
        for name in plan.kept_unknown:
            # An option of this Kapacitor version that the wizard does not know: never sent.
            table.add_row(name, "(not shown)", "kept")
        yield table
        # A list section's element: what Kapacitor refuses or mishandles (wizard/changes/elements.py).
        listed = check_plan(plan, self.state.config.get(plan.spec.section, []), self.state.current.values, api=not file_target)
        if listed.error or listed.warning:
            self.blocked = self.blocked or not listed.ok
            yield Static(self.state.scrub(listed.error or listed.warning), id="review-error" if listed.error else "review-warning")
        if file_target and target is not None and not plan.empty:
            try:
                diff = target.preview(plan)
            except WizardError as err:
                self.blocked = True
                yield Static(Text.assemble(*titled(err), "\n", err.hint), id="review-error")
            else:
                yield Static("The file will change like this (secrets masked):", classes="intro")
                yield Static(Syntax(diff, "diff", theme="ansi_dark", word_wrap=True), id="review-diff")
                # What Kapacitor needs besides the change, and what may still stop it at start.
                for note in target.notes(plan) if isinstance(target, FileTarget) else ():
                    yield Static(self.state.scrub(note), classes="review-note")
                broker = self._broker_url(target)
                if broker:
                    with Horizontal(id="broker-check-row"):
                        yield Button("Check the broker", id="check-broker")
                        yield Static("", id="broker-check")
        if file_target:
            label = "Write kapacitor.conf"
        elif not self.will_test:
            label = "Apply"
        elif plan.empty:
            label = "Send test alert"
        else:
            label = "Apply and send a test alert"
        nothing_to_do = plan.empty and not self.will_test
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button(label, id="apply", variant="primary", disabled=self.blocked or nothing_to_do)

    def _broker_url(self, target: object) -> str:
        """The MQTT broker this plan enables in a kapacitor.conf, for the reachability check."""
        plan = self.plan
        if plan.spec.section != "mqtt" or not isinstance(target, FileTarget):
            return ""
        element = self.state.element()
        values = {**(element.options if element is not None else {}), **plan.set_body()}
        return str(values.get("url") or "") if values.get("enabled") is True else ""

    @on(Button.Pressed, "#check-broker")
    def check_broker(self) -> None:
        self.query_one("#check-broker", Button).disabled = True
        self.query_one("#broker-check", Static).update("Connecting…")
        self._run_broker_check(self._broker_url(self.state.target))

    @work(exclusive=True, group="broker-check")
    async def _run_broker_check(self, url: str) -> None:
        result = await startrules.check_broker(url, self.state.settings.connection.timeout)
        mark = ("✓ ", "bold green") if result.ok else ("✗ ", "bold red")
        self.query_one("#broker-check", Static).update(Text.assemble(mark, self.state.scrub(result.summary)))
        self.query_one("#check-broker", Button).disabled = False

    def compose_removal(self) -> ComposeResult:
        """Removing a list element: what it has now goes, its note, and what Undo can bring back."""
        plan = self.plan
        rules = list_section(plan.spec.section, plan.spec.list_key or "workspace")
        elements = self.state.config.get(plan.spec.section, [])
        where = f"Kapacitor at {self.state.settings.connection.url}"
        yield Static(self.state.scrub(removal_heading(rules, plan.workspace, elements, where)), id="review-intro")
        table: DataTable[str] = DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Option", "Now", "After")
        for change in plan.changes:
            after = "kapacitor.conf or default" if change.reset else "removed"
            table.add_row(change.option, self.state.scrub(change.describe_before()), after)
        yield table
        verdict = check_plan(plan, elements)
        self.blocked = not verdict.ok
        if not verdict.ok:
            yield Static(self.state.scrub(verdict.error), id="review-error")
        else:
            lost = [c.option for c in plan.changes if c.secret and c.before]
            caveat = file_removal_caveat(rules, plan.workspace)
            note = "\n".join(filter(None, (verdict.warning, caveat, removal_undo_note(rules, plan.workspace, lost))))
            yield Static(self.state.scrub(note), id="review-warning")
        label = f"Reset {plan.workspace}" if plan.builtin_reset else f"Remove {plan.workspace}"
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button(label, id="apply", variant="warning", disabled=self.blocked)

    def on_mount(self) -> None:
        apply = self.query_one("#apply", Button)
        (self.query_one("#back", Button) if apply.disabled else apply).focus()

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        if self.blocked or self.query_one("#apply", Button).disabled:
            return
        # Apply carries out exactly what is on screen: this plan, and a test only if promised.
        self.state.current.reviewed = Review(self.plan, self.will_test)
        self.dismiss(NEXT)

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.dismiss(BACK)
