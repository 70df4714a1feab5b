"""Done: what was written where, and the TICKscript line that uses the handler."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Markdown, Static

from wizard.services import direct
from wizard.changes import undo
from wizard.kapacitor.client import ServiceTestResult
from wizard.text.errors import WizardError
from wizard.tui.screens.base import ConfirmScreen, StepScreen
from wizard.tui.state import HOME, WizardState
from wizard.tui.widgets.error_text import titled


class DoneScreen(StepScreen):
    """What was written where, how to use it, and a way to take it back."""

    CSS_PATH = "done.tcss"
    BINDINGS = [Binding("u", "undo", "Undo"), Binding("c", "copy", "Copy TICKscript"), Binding("t", "topics", "Route alerts")]
    help_text = (
        "Settings written through Kapacitor's API take effect at once and are kept in Kapacitor's "
        "data directory across restarts. They win over kapacitor.conf for the same options.\n\n"
        "Use the handler in a TICKscript alert with the line shown, for example:\n\n"
        "```\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
        "        .crit(lambda: \"usage_idle\" < 10)\n        .slack()\n```"
    )

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.flow = state.current
        self.spec = self.flow.handler
        self.tick_lines = ""
        intent = self.flow.intent
        if intent.kind == "toggle":
            self.step_title = f"{self.spec.title} is {'enabled' if intent.enable else 'disabled'}"
        elif intent.kind == "reset":
            self.step_title = f"{self.spec.title}: back to kapacitor.conf"
        elif intent.kind == "remove":
            reset = self.flow.applied is not None and self.flow.applied.plan.builtin_reset
            kept = self.flow.last_write is not None and self.flow.last_write.kept_from_file
            done = "kept (it comes from kapacitor.conf)" if kept else "reset" if reset else "removed"
            self.step_title = f"{self.spec.title}: {self.flow.workspace} {done}"
        else:
            self.step_title = f"{self.spec.title} is set up"

    def compose_body(self) -> ComposeResult:
        yield Markdown(self.summary(), id="done-text")
        yield Static("", id="undo-result")
        if self.offers_direct_check:
            # A row of its own above the others: together they do not fit 80 columns.
            with Vertical(classes="step-actions"):
                with Horizontal(classes="direct-actions"):
                    yield Button(direct.CHECK_BUTTON, id="direct-check")
                with Horizontal(classes="main-actions"):
                    yield from self.action_buttons()
            return
        with Horizontal(classes="step-actions"):
            yield from self.action_buttons()

    def action_buttons(self) -> ComposeResult:
        # Short labels: with Undo and Quit they fit one row at 80 columns.
        yield Button("Another handler", id="home", variant="primary")
        if self.state.client is not None and self.flow.intent.kind != "remove":
            yield Button("Route alerts…", id="topics")
        if self.can_undo:
            yield Button("Undo this change", id="undo")
        yield Button("Quit", id="quit")

    def summary(self) -> str:
        applied = self.flow.applied
        plan = applied.plan if applied else None
        target = self.state.target
        written = self.flow.last_write
        file_target = target is not None and target.kind == "file"
        if plan is None or plan.empty or written is None:
            where = target.description if target else "Kapacitor"
            lines = [f"{where[0].upper()}{where[1:]} already had these settings; nothing was written."]
        else:
            lines = [f"{written.summary}."]
            if written.backup:
                lines.append(f"The previous file is kept as `{written.backup}`.")
            lines.extend(f"**Warning:** {warning}" for warning in written.warnings)
        if file_target:
            lines.append(
                "Kapacitor reads kapacitor.conf when it starts: **restart Kapacitor** to load the change "
                "(for example `sudo systemctl restart kapacitor`). Settings made through Kapacitor's API "
                "win over the file for the same options: check with `kapacitor-wizard show`."
            )
            env = self.env_lines()
            if env:
                lines.append("Running Kapacitor in a container? The same settings as environment variables "
                             "(secrets replaced; `kapacitor-wizard apply ... --format env --show-secrets` prints them):\n\n```\n"
                             + "\n".join(env) + "\n```")
            if self.offers_direct_check:
                lines.append(f"**{direct.CHECK_BUTTON}** below {direct.check_summary(self.spec)}, with these settings and without Kapacitor.")
        else:
            # Only what really happened: a test alert is mentioned only when the review promised one.
            result = self.flow.test_result
            if applied is not None and applied.will_test and result and result.success and direct.unproven(self.spec):
                lines.append(self.unproven_success_text(result))
            elif applied is not None and applied.will_test:
                lines.append(
                    "Kapacitor delivered its test alert."
                    if result and result.success
                    else "Kapacitor's test alert did not go through; see the previous step."
                )
            elif self.flow.intent.kind == "toggle" and not self.flow.intent.enable:
                lines.append(f"Kapacitor sends no alerts through {self.spec.title} now.")
            if self.flow.intent.kind == "remove":
                if self.can_undo:
                    what = "sets its previous values back" if plan is not None and plan.builtin_reset else "adds it again with its settings"
                    lines.append(f"**Undo this change** {what}, except its secrets, which Kapacitor never "
                                 "revealed: those must be typed again.")
                return "\n\n".join(lines)
            lines.append("The change is live now and survives restarts; API settings win over kapacitor.conf.")
        element = self.state.element()
        values = dict(element.options) if element else {}
        values.update({k: v for k, v in self.state.draft().items() if not self.spec.option(k).secret})
        self.tick_lines = self.spec.tickscript(values)
        tick = "\n".join(" " * 8 + line for line in self.tick_lines.splitlines())
        lines.append(
            "Use it in a TICKscript alert:\n\n```\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
            f"        .crit(lambda: \"usage_idle\" < 10)\n{tick}\n```"
        )
        lines.append(topic_tickscript_text(self.spec.name, self.flow.workspace))
        return "\n\n".join(lines)

    # -- what Kapacitor's test proved, and the direct check ------------------------------

    @property
    def offers_direct_check(self) -> bool:
        """The handler has a check of the service itself, and the change is meant to send alerts."""
        return bool(self.spec.direct_check) and self.flow.intent.sends_alerts

    def unproven_success_text(self, result: ServiceTestResult) -> str:
        """A success that proves less than delivery (SMTP only queues): what Kapacitor checked and did not."""
        hint = f"Press **{direct.CHECK_BUTTON}** below: it {direct.check_summary(self.spec)}." if self.offers_direct_check else ""
        verdict = direct.test_verdict(self.spec, result, direct_hint=hint)
        return self.state.scrub(f"**{verdict.headline}** {verdict.detail}")

    @on(Button.Pressed, "#direct-check")
    def open_direct_check(self) -> None:
        from wizard.tui.screens.direct import DirectCheckScreen

        self.app.push_screen(DirectCheckScreen(self.state, self.spec, progress=self.progress))

    def env_lines(self) -> list[str]:
        from wizard.conf.document import env_lines

        element = self.state.element()
        if element is None:
            return []
        options = {k: v for k, v in element.options.items() if k not in self.spec.secrets and v not in ("", None)}
        # The value only needs to be non-empty: env_lines prints a placeholder for secrets.
        options.update({k: "set" for k in self.spec.secrets if element.options.get(k)})
        elements = self.state.config.get(self.spec.section, [])
        index = elements.index(element) if element in elements else 0
        try:
            return env_lines(self.spec.section, options, workspace_index=index)
        except (ValueError, TypeError):
            return []

    @property
    def can_undo(self) -> bool:
        """Undo takes back this flow's own write, through Kapacitor's API (a file change is undone
        with its backup), and only once."""
        record = self.flow.undo_record
        return self.state.client is not None and record is not None and not record.restored_at

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once this change is undone (or when there is none), the key no longer offers it either.
        if action == "topics":
            return self.flow.intent.kind != "remove"  # a removed element takes no alerts
        return self.can_undo if action == "undo" else True

    def action_copy(self) -> None:
        """Copy the handler's TICKscript lines (OSC 52: most terminals, also over SSH)."""
        self.app.copy_to_clipboard(self.tick_lines)
        self.notify("Copied the TICKscript lines (where the terminal allows it).")

    @on(Button.Pressed, "#undo")
    def action_undo(self) -> None:
        busy = any(button.disabled for button in self.query("#undo").results(Button))
        if self.can_undo and not busy:  # a second press while restoring would cancel the first
            self.run_undo()

    @work(exclusive=True, group="undo")
    async def run_undo(self) -> None:
        """Take back this flow's write and nothing else; ask before overwriting a later change."""
        client = self.state.client
        record = self.flow.undo_record
        assert client is not None and record is not None
        result = self.query_one("#undo-result", Static)
        button = self.query_one("#undo", Button)
        button.disabled = True
        result.update("Restoring the previous values…")
        try:
            record = undo.find(record.id)  # as on disk: `kapacitor-wizard undo` may have taken it back meanwhile
            try:
                outcome = await undo.undo_record(client, record)
            except undo.UndoConflict as conflict:
                result.update("")
                question = Text(
                    f"{record.element_name} was changed on Kapacitor after this change: {conflict.details}.\n\n"
                    f"Restore the previous values of {', '.join(conflict.options)} anyway, overwriting that change?"
                )
                if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Undo anyway", no="Keep it")):  # type: ignore[arg-type]
                    result.update("Nothing was restored: the later change stays.")
                    button.disabled = False
                    return
                result.update("Restoring the previous values…")
                outcome = await undo.undo_record(client, record, force=True)
        except WizardError as err:
            result.update(Text.assemble(*titled(err), " ", err.hint))
            try:
                self.flow.undo_record = undo.find(record.id)
            except WizardError:
                self.flow.undo_record = None  # the record is gone: nothing left to undo here
            button.disabled = not self.can_undo
            button.display = self.can_undo
            self.refresh_bindings()
            return
        self.flow.undo_record = outcome.record  # marked undone: the button and key offer it no more
        button.display = False
        self.refresh_bindings()
        self.query_one("#home", Button).focus()
        try:
            self.state.config = await client.get_config()
        except WizardError:
            pass  # the handler list reads it again
        self.flow.values = None  # what is shown next starts from what Kapacitor has again
        result.update("\n".join(outcome.lines()))
        result.add_class("-done")

    @on(Button.Pressed, "#topics")
    def action_topics(self) -> None:
        """Route alerts here: topics whose alerts go through this handler."""
        from wizard.tui.screens.topics import TopicsScreen

        if self.state.client is not None and self.flow.intent.kind != "remove":  # nothing to route to
            self.app.push_screen(TopicsScreen(self.state, self.spec, self.flow.workspace, progress=self.progress))

    def on_mount(self) -> None:
        self.query_one("#home", Button).focus()

    @on(Button.Pressed, "#home")
    def home(self) -> None:
        self.dismiss(HOME)

    @on(Button.Pressed, "#quit")
    def quit(self) -> None:
        self.app.exit()


def topic_tickscript_text(handler: str, workspace: str = "", topic: str = "main") -> str:
    """The topic alternative to the direct handler call above, in one line."""
    from wizard.kapacitor.topics import direct_tickscript, topic_tickscript

    return (
        f"Or publish to a topic instead of `{direct_tickscript(handler, workspace)}`: `{topic_tickscript(topic)}`, "
        f"and route the topic here with **t** (or `kapacitor-wizard route {handler} --topic {topic}`)."
    )
