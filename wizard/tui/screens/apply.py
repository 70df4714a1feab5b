"""Apply: write only what changed, then let Kapacitor itself send a test alert."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, LoadingIndicator, Static

from wizard.conf.document import default_config_path
from wizard.text.errors import KapacitorUnreachable, OverridesDisabled, WizardError
from wizard.text.secrets import Secret
from wizard.changes.target import FileTarget
from wizard.changes.undo import UNKNOWN_HINT, write_refused
from wizard.changes.flow import Review
from wizard.handlers.service_tests import service_test_options
from wizard.changes.plan import Plan
from wizard.services import direct
from wizard.kapacitor.client import ServiceTestResult
from wizard.tui.screens.base import StepScreen
from wizard.tui.state import BACK, NEXT, Intent, WizardState, jump
from wizard.tui.widgets.error_text import titled



class ApplyScreen(StepScreen):
    """Runs the write and the service test, and tells the outcome honestly."""

    CSS_PATH = "apply.tcss"
    help_text = (
        "The wizard first sends the changed options to Kapacitor's config API. Kapacitor applies "
        "them at once, without a restart, and keeps them across restarts.\n\n"
        "Then it asks Kapacitor to send a test alert through the handler. That proves the whole "
        "path: Kapacitor's settings, its network access, and the chat service. A failure names "
        "what Kapacitor saw; **Fix settings** goes back to the steps with everything kept."
    )

    def __init__(self, state: WizardState, *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        assert state.handler is not None
        self.spec = state.handler
        self.flow = state.current
        self.review: Review | None = self.flow.take_review()
        """What the Review step showed when Apply was pressed: exactly this is carried out, once."""
        self.plan: Plan | None = self.review.plan if self.review else None
        self.wrote = False
        """Whether this apply changed Kapacitor (a test failure then says the settings were saved)."""
        self.new_chat_id = ""
        """A Telegram group's new id after its upgrade to a supergroup, once looked up."""
        self.step_title = f"{self.spec.title}: apply and test"

    def compose_body(self) -> ComposeResult:
        yield Static("", id="write-status", classes="status-line")
        yield Static("", id="test-status", classes="status-line")
        yield LoadingIndicator(id="apply-progress")
        yield Static("", id="apply-message")
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button("Fix settings", id="fix")
            yield Button("Write kapacitor.conf instead", id="use-file")
            yield Button("Use the new chat id", id="use-new-chat", variant="primary")
            yield Button("Retry test", id="retry")
            yield Button("Retry", id="retry-write", variant="primary")
            yield Button("Finish", id="finish", variant="primary")

    def on_mount(self) -> None:
        self._buttons()
        if self.review is None:
            # Only Review's Apply leads here; without it there is nothing to carry out.
            def leave() -> None:
                self.dismiss(BACK)

            self.call_after_refresh(leave)
            return
        self.run_apply(write=True)

    def _status(self, which: str, text: str | Text) -> None:
        self.query_one(f"#{which}-status", Static).update(text)

    def _message(self, text: Text | str, kind: str) -> None:
        message = self.query_one("#apply-message", Static)
        message.set_classes(f"-{kind}")
        message.update(text)

    def _buttons(self, *shown: str) -> None:
        for button in ("fix", "retry", "retry-write", "finish", "use-file", "use-new-chat"):
            self.query_one(f"#{button}").display = button in shown
        self.query_one("#back", Button).label = "Back to the review" if "retry-write" in shown else "Back"
        if shown:
            self.query_one(f"#{shown[-1]}").focus()

    @work(exclusive=True, group="apply")
    async def run_apply(self, write: bool) -> None:
        progress = self.query_one("#apply-progress")
        progress.display = True
        self._buttons()
        self._message("Escape cancels.", "muted")
        try:
            if write and not await self._write():
                return
            target = self.state.target
            assert self.review is not None
            if self.review.will_test:
                await self._test()
            elif target is not None and target.can_test:
                self._status("test", f"2. {self._no_test_reason()}")
                self._message("Press Finish.", "muted")  # not "Escape cancels." once nothing runs
                self._buttons("finish")
            else:
                self._status("test", "2. Kapacitor reads kapacitor.conf when it starts: restart it to load the change.")
                written = self.flow.last_write
                warnings = "\n\n".join(written.warnings) if written and self.wrote else ""
                self._message(_restart_advice() + (f"\n\nWarning: {warnings}" if warnings else ""), "ok")
                self._buttons("finish")
        finally:
            progress.display = False

    def _no_test_reason(self) -> str:
        intent = self.flow.intent
        if intent.kind == "toggle" and not intent.enable:
            return f"{self.spec.title} is disabled: Kapacitor sends no alerts through it now."
        if intent.kind == "remove":
            return "No test alert: nothing is set up by a removal."
        return f"No test alert: {', '.join(intent.resets)} now come from kapacitor.conf."

    async def _write(self) -> bool:
        """Send the reviewed plan; False when it was refused (the reason is on screen)."""
        target = self.state.target
        assert target is not None and self.review is not None
        plan = self.review.plan
        self.flow.test_result = None
        if plan.empty:
            self.flow.applied = self.review
            self._status("write", f"1. Nothing to write: {target.description} already has these settings.")
            return True
        names = ", ".join(c.option for c in plan.changes) or plan.workspace
        if plan.removing:
            names = f"the removal of {plan.workspace}"
        self._status("write", f"1. Writing {names} to {target.description} …")
        try:
            result = await target.write(plan)
        except WizardError as err:
            self._status("write", Text.assemble("1. ", ("✗ ", "bold red"), f"Writing {names} failed."))
            # No answer is not a refusal: Kapacitor may have applied it (the hint then says how to undo).
            unchanged = "" if UNKNOWN_HINT in err.hint else "\nNothing was changed."
            if isinstance(err, KapacitorUnreachable) and write_refused(err):
                # The request never reached Kapacitor: the reviewed plan can go again as it is, once.
                self._message(Text.assemble(
                    *titled(err), "\n", err.hint, unchanged,
                    "\nRetry sends exactly the reviewed changes again; Back to the review keeps everything you typed.",
                ), "error")
                self._buttons("retry-write")
                return False
            self._message(Text.assemble(*titled(err), "\n", err.hint, unchanged, "\nGo back to correct it; everything you typed is kept."), "error")
            if isinstance(err, OverridesDisabled):
                # The settings can still go into kapacitor.conf; what was typed carries over.
                self.query_one("#use-file").display = True
                self.query_one("#use-file").focus()
            else:
                self.query_one("#back").focus()
            return False
        self.flow.applied = self.review
        self.flow.last_write = result
        # Kept with this flow, so Undo on the Done step takes back this write and no other.
        self.flow.undo_record = result.undo_record
        self.wrote = True
        backup = f" (previous file kept as {result.backup})" if result.backup else ""
        self._status("write", Text.assemble("1. ", ("✓ ", "bold green"), result.summary + backup))
        # The target now holds the secrets; forget what was typed so a re-apply does not resend them.
        draft = self.state.draft()
        for name in self.spec.secrets:
            if draft.get(name):
                self.state.typed_secrets[f"{self.spec.name}/{name}"] = Secret(str(draft[name]))
            draft[name] = ""
        try:
            self.state.config = await target.read_config()
        except WizardError:
            pass  # the list is read again when the handler screen is shown
        return True

    async def _test(self) -> None:
        client = self.state.client
        assert client is not None
        self._status("test", f"2. Kapacitor is sending a test alert through {self.spec.title} …")
        element = self.state.element()
        options = service_test_options(self.spec, element.options if element else {}, self.state.workspace)
        try:
            result = await client.run_service_test(self.spec.service_test, options)
        except WizardError as err:
            self._status("test", Text.assemble("2. ", ("✗ ", "bold red"), "The test alert could not be requested."))
            self._message(Text.assemble(*titled(err), "\n", err.hint), "error")
            self._buttons("fix", "retry")
            return
        self.flow.test_result = result
        if result.success and self.flow.way == "app":
            # Kapacitor counts any HTTP 200 from Slack's API as sent, even {"ok": false}.
            self._status("test", Text.assemble("2. ", ("✓ ", "bold green"), "Kapacitor's test request reached Slack's API (HTTP 200)."))
            self._message("Kapacitor does not read Slack's answer in the Slack app way, so delivery is not confirmed: "
                          "check the channel (the direct check on the token step reads Slack's verdict). Press Finish.", "ok")
            self._buttons("finish")
        elif result.success and direct.unproven(self.spec):
            self._show_unproven_success(result)
        elif result.success:
            self._status("test", Text.assemble("2. ", ("✓ ", "bold green"), f"Kapacitor sent the test alert through {self.spec.title}."))
            self._message("Check the chat: the test alert should be there. Press Finish.", "ok")
            self._buttons("finish")
        else:
            self._status("test", Text.assemble("2. ", ("✗ ", "bold red"), "Kapacitor's test alert failed."))
            saved = "Kapacitor saved the settings, but " if self.wrote else ""
            self._message(
                Text.assemble(
                    saved, "sending the test alert failed:\n",
                    (result.message or "(no message)", "bold"),
                    "\n\n", self.spec.test_hint,
                ),
                "error",
            )
            self._buttons("finish", "retry", "fix")
            if self.spec.name == "telegram" and "upgraded to a supergroup" in result.message.lower():
                await self._offer_upgraded_chat(result.message)

    def _show_unproven_success(self, result: ServiceTestResult) -> None:
        """A success that proves less than delivery (SMTP only queues the mail): say exactly
        what Kapacitor checked, and where the direct check is."""
        verdict = direct.test_verdict(self.spec, result, direct_hint=direct.tui_direct_hint(self.spec))
        self._status("test", Text.assemble("2. ", ("✓ ", "bold yellow"), verdict.headline))
        self._message(f"{verdict.detail} Press Finish.", "unproven")
        self._buttons("finish")

    @on(Button.Pressed, "#back")
    def pressed_back(self) -> None:
        self.dismiss(BACK)

    @on(Button.Pressed, "#fix")
    def fix(self) -> None:
        self.flow.intent = Intent("configure")  # fixing means going through the steps
        self.dismiss(jump(self.spec.steps[0].id))

    async def _offer_upgraded_chat(self, failure: str) -> None:
        """A group that became a supergroup: look up its new id and offer it in one step."""
        element = self.state.element()
        old_id = str(self.state.draft().get("chat-id") or (element.options.get("chat-id") if element else "") or "")
        token = self.state.typed_secrets.get("telegram/token")
        explain = Text.assemble(
            "Kapacitor's test alert failed:\n", (failure, "bold"),
            "\n\nThe group was upgraded to a supergroup, which has a new chat id. ",
        )
        if token is None:
            explain.append(
                "Kapacitor keeps the bot token secret, so the wizard cannot look the new id up by itself: "
                "choose Fix settings and paste the token; the chat step lists the group under its new id."
            )
            self._message(explain, "error")
            return
        from wizard.services.telegram import TelegramClient  # python-telegram-bot loads only when needed

        try:
            settings = self.state.settings
            async with TelegramClient(token, settings.telegram_api_url, scrub=self.state.scrub, timeout=settings.timeout) as bot:
                new_id = await bot.upgraded_chat_id(old_id)
        except WizardError as err:
            explain.append(f"Looking up the new id failed: {err.message} {err.hint}")
            self._message(explain, "error")
            return
        if new_id is None:
            return
        self.new_chat_id = str(new_id)
        explain.append(f"Its new id is {new_id}.")
        self._message(explain, "error")
        button = self.query_one("#use-new-chat", Button)
        button.label = f"Use the new chat id {new_id}"
        button.display = True
        button.focus()

    @on(Button.Pressed, "#use-new-chat")
    def use_new_chat(self) -> None:
        self.state.draft()["chat-id"] = self.new_chat_id
        self.flow.intent = Intent("configure")
        self.dismiss(jump("review"))

    @on(Button.Pressed, "#use-file")
    async def use_file(self) -> None:
        path = self.state.settings.config_file or str(default_config_path())
        # The Kapacitor that just failed to take the change is the one whose version is known.
        target = FileTarget(
            path, self.state.scrub, kapacitor=self.state.settings.connection,
            kapacitor_version=self.state.settings.kapacitor_version or self.state.version,
        )
        try:
            self.state.config = await target.read_config()
        except WizardError as err:
            self._message(Text.assemble(*titled(err), "\n", err.hint), "error")
            return
        self.state.settings.config_file = path
        self.state.target = target
        self.dismiss(jump("review"))

    @on(Button.Pressed, "#retry")
    def retry(self) -> None:
        self.run_apply(write=False)

    @on(Button.Pressed, "#retry-write")
    def retry_write(self) -> None:
        """The write did not reach Kapacitor: send the same reviewed plan (this screen keeps it)."""
        if not self.wrote and not any(w.is_running for w in self.workers if w.group == "apply"):
            self.run_apply(write=True)

    @on(Button.Pressed, "#finish")
    def finish(self) -> None:
        self.dismiss(NEXT)

    def action_back(self) -> None:
        running = [w for w in self.workers if w.group == "apply" and w.is_running]
        if running:
            self.workers.cancel_group(self, "apply")
            self.query_one("#apply-progress").display = False
            self._message("Cancelled. What was already written stays in Kapacitor.", "error")
            self._buttons("retry", "fix")
            return
        self.dismiss(BACK)



def _restart_advice() -> str:
    return (
        "Restart Kapacitor so it reads the file, for example:\n"
        "  sudo systemctl restart kapacitor\n"
        "Settings made through Kapacitor's API win over the file for the same options; "
        "the Done step says how to check."
    )
