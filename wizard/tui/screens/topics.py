"""Route alerts here: a handler's topic handlers, added, changed, removed and proven end to end.

Opened with **t** from the handler list and from the Done step, for one handler (and Slack
workspace). Every write is reviewed first and can be undone; the proof (wizard.kapacitor.proof)
works on a private copy of the route and removes what it made when it ends, fails, or the
person leaves or quits.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from wizard.kapacitor import proof
from wizard.kapacitor import topics
from wizard.text.errors import WizardError
from wizard.handlers.registry import HandlerSpec
from wizard.tui.screens.base import ConfirmScreen, StepScreen
from wizard.tui.state import BACK, WizardState

TOPIC_OPTION = {"slack": ("channel", "Channel for this topic", "#oncall"),
                "telegram": ("chat-id", "Chat id for this topic", "-1001234567890"),
                "hipchat": ("room", "Room for this topic", "ops-room")}
"""The one option a person most often sets per topic, by handler kind."""

FIELDS = ("topic", "id", "match", "option")


class TopicsScreen(StepScreen):
    """A handler's routes: which topics send their alerts through it, and a way to add more."""

    CSS_PATH = "topics.tcss"
    help_text = (
        "A task can publish its alerts to a **topic** with `.topic('main')` instead of naming a "
        "handler. Each topic sends its alerts on through its **topic handlers**, so one change "
        "here reroutes every task that publishes to the topic.\n\n"
        "- Fill in the form and press **Review and write** (or Enter) to add a topic handler for "
        "this handler; an id already on the topic is changed instead. Every write is shown "
        "before it is sent.\n"
        "- **Match** limits the handler to some alerts, e.g. `level() == CRITICAL` or "
        "`changed() AND \"host\" == 'web1'` (no `lambda:`).\n"
        "- **e** loads the highlighted route into the form, **d** removes it after asking, "
        "**u** undoes the last change made here, **r** reads the list again.\n"
        "- **p** sends one real alert through a private copy of the highlighted route (or straight "
        "to the handler when there is no route): a temporary task (database kapacitor_wizard) gets "
        "one point through Kapacitor's /write endpoint, and Kapacitor's log is read for the "
        "handler's errors. Your topic and its other handlers get nothing, and everything the proof "
        "created is removed again. Kapacitor does not report a successful send, so the proof says "
        "only what it saw."
    )
    BINDINGS = [
        Binding("e", "edit", "Edit"),
        Binding("d", "remove", "Remove"),
        Binding("p", "prove", "Prove"),
        Binding("u", "undo", "Undo"),
        Binding("r", "refresh", "Refresh", show=False),  # the footer fits 80 columns; F1 lists it
    ]

    def __init__(self, state: WizardState, spec: HandlerSpec, workspace: str = "", *, progress: str = "") -> None:
        super().__init__(state, progress=progress)
        self.spec = spec
        self.workspace = workspace
        self.step_title = f"Route alerts to {spec.title}" + (f" ({workspace})" if workspace else "")
        self.routes: list[topics.TopicHandler] = []
        self.last_record: topics.RouteRecord | None = None
        self.proof: Worker[None] | None = None

    # -- layout -----------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(
            f"Tasks publish alerts to a topic with .topic('main'); the topic's handlers send them on. "
            f"Topics that send their alerts to {self.spec.title}:",
            classes="intro",
        )
        yield OptionList(id="route-list")
        with Horizontal(classes="list-actions"):
            yield Button("Edit", id="route-edit")
            yield Button("Remove…", id="route-remove", variant="warning")
            yield Button("Prove…", id="route-prove")
            yield Button("Undo", id="route-undo")
        yield Static("", id="route-message")
        yield Static("", id="route-log")
        with Vertical(id="route-form"):
            option, label, example = TOPIC_OPTION[self.spec.name]
            for name, text, value, placeholder in (
                ("topic", "Topic", "main", "main"),
                ("id", "Handler id", topics.default_handler_id(self.spec.name, self.workspace), ""),
                ("match", "Only alerts that match (optional)", "", "level() == CRITICAL"),
                ("option", f"{label} (optional; else the handler's own)", "", example),
            ):
                yield Label(text, classes="field--label")
                yield Input(value=value, placeholder=placeholder, id=f"route-{name}")
                yield Static("", id=f"route-{name}-message", classes="field--message")
            yield Button("Review and write…", id="route-write", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#route-form").border_title = f"Route a topic to {self.spec.title}"
        self.query_one(OptionList).focus()  # the keys (e, d, p, u) act on the list; Tab reaches the form
        if self.state.client is None:
            self._say("Alert topics need Kapacitor's HTTP API; kapacitor.conf has no topics.", "error")
            return
        self.load_routes()

    def _say(self, text: str | Text, kind: str = "") -> None:
        message = self.query_one("#route-message", Static)
        message.set_classes(f"-{kind}" if kind else "")
        message.update(self.state.scrub(text) if isinstance(text, str) else text)

    def _error(self, err: WizardError) -> None:
        self._say(Text.assemble((err.title, "bold"), ": ", self.state.scrub(err.message), " ", self.state.scrub(err.hint)), "error")

    # -- the list ---------------------------------------------------------------------

    @work(exclusive=True, group="routes")
    async def load_routes(self) -> None:
        client = self.state.client
        if client is None:
            return
        try:
            listed = await topics.list_topics(client)
            found: list[topics.TopicHandler] = []
            for topic in listed:
                if not topic.anonymous:
                    found.extend(h for h in await topics.list_handlers(client, topic.id) if h.kind == self.spec.name)
        except WizardError as err:
            self._error(err)
            return
        self.routes = found
        self.fill()

    def fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for index, route in enumerate(self.routes):
            line = Text.assemble((f"{route.topic}", "bold"), "  ", self.state.scrub(route.describe()))
            options.add_option(Option(line, id=str(index)))
        if not self.routes:
            options.add_option(Option("No topic sends its alerts here yet: add one below.", disabled=True))
        options.highlighted = min(highlighted, options.option_count - 1) if highlighted is not None else 0

    def selected(self) -> topics.TopicHandler | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.routes:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return self.routes[int(option_id)] if option_id is not None else None

    # -- add and edit -----------------------------------------------------------------

    @on(OptionList.OptionSelected)
    @on(Button.Pressed, "#route-edit")
    def action_edit(self) -> None:
        route = self.selected()
        if route is None:
            return
        option = TOPIC_OPTION[self.spec.name][0]
        self.query_one("#route-topic", Input).value = route.topic
        self.query_one("#route-id", Input).value = route.id
        self.query_one("#route-match", Input).value = route.match
        self.query_one("#route-option", Input).value = str(route.options.get(option, ""))
        self.query_one("#route-match", Input).focus()
        self._say(f"Editing {route.id} on topic {route.topic}: change the form, then Review and write.")

    def _show_field(self, name: str, error: str) -> None:
        field = self.query_one(f"#route-{name}", Input)
        message = self.query_one(f"#route-{name}-message", Static)
        field.set_class(bool(error), "-invalid")
        message.set_classes("field--message" + (" -error" if error else ""))
        message.update(error)

    def desired(self) -> topics.TopicHandler | None:
        """The form as a topic handler; each bad field gets its own message, nothing is lost."""
        values = {name: self.query_one(f"#route-{name}", Input).value for name in FIELDS}
        option = TOPIC_OPTION[self.spec.name][0]
        errors = {
            "topic": topics.check_topic(values["topic"]).error,
            "id": topics.check_handler_id(values["id"]).error,
            "match": topics.check_match(values["match"]).error,
        }
        given = {option: values["option"]} if values["option"].strip() else {}
        checked, option_errors = topics.check_options(self.spec.name, given)
        errors["option"] = option_errors.get(option, "")
        for name in FIELDS:
            self._show_field(name, errors[name])
        if any(errors.values()):
            self.query_one(f"#route-{next(n for n in FIELDS if errors[n])}", Input).focus()
            return None
        return topics.desired_handler(self.spec.name, values["topic"], handler_id=values["id"],
                                      match=values["match"], options={k: str(v) for k, v in checked.items()},
                                      workspace=self.workspace)

    @on(Input.Submitted)
    @on(Button.Pressed, "#route-write")
    def review_and_write(self) -> None:
        try:
            desired = self.desired()
        except WizardError as err:
            self._error(err)
            return
        if desired is not None and self.state.client is not None:
            self.write_route(desired)

    @work(exclusive=True, group="write")
    async def write_route(self, desired: topics.TopicHandler) -> None:
        client = self.state.client
        assert client is not None
        try:
            change = topics.plan_route(desired, await topics.get_handler(client, desired.topic, desired.id))
        except WizardError as err:
            self._error(err)
            return
        if change.empty:
            self._say(change.lines()[0])
            return
        await self._confirm_and_apply(change, yes="Write")

    async def _confirm_and_apply(self, change: topics.RouteChange, *, yes: str) -> None:
        client = self.state.client
        assert client is not None
        question = self.state.scrub("\n".join(change.lines())) + "\n\nSend this to Kapacitor? You can undo it here (u)."
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes=yes, no="Cancel")):
            self._say("Nothing was written.")
            return
        try:
            self.last_record = await topics.apply_change(client, change)
        except WizardError as err:
            self._error(err)
            return
        self._say(f"{change.summary()} Tasks use it with {topics.topic_tickscript(change.topic)}.", "ok")
        self.query_one(OptionList).focus()
        self.load_routes()

    # -- remove and undo --------------------------------------------------------------

    @on(Button.Pressed, "#route-remove")
    def action_remove(self) -> None:
        route = self.selected()
        if route is None:
            self._say("Highlight a route in the list to remove it.")
            return
        self.remove_route(route)

    @work(exclusive=True, group="write")
    async def remove_route(self, route: topics.TopicHandler) -> None:
        await self._confirm_and_apply(topics.plan_unroute(route), yes=f"Remove {route.id}")

    @on(Button.Pressed, "#route-undo")
    def action_undo(self) -> None:
        if self.last_record is None or self.last_record.state == "undone":
            self._say("Nothing to undo here yet.")
            return
        self.undo_route()

    @work(exclusive=True, group="write")
    async def undo_route(self) -> None:
        client = self.state.client
        record = self.last_record
        assert client is not None and record is not None
        try:
            change = await topics.undo_route(client, record)
        except topics.RouteError as err:
            if "changed after" not in err.message:
                self._error(err)
                return
            question = self.state.scrub(err.message.replace(" so nothing was restored.", "")) + "\n\nUndo anyway?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Undo anyway", no="Keep it")):
                self._say("Nothing was restored: the later change stays.")
                return
            try:
                change = await topics.undo_route(client, record, force=True)
            except WizardError as again:
                self._error(again)
                return
        except WizardError as err:
            self._error(err)
            return
        self.last_record = None
        lost = " ".join(f"{w[:1].upper()}{w[1:]}" for w in change.lost_warnings())
        self._say(self.state.scrub(f"Undone. {change.summary()} {lost}".strip()), "ok")
        self.load_routes()

    # -- the end-to-end proof ---------------------------------------------------------

    @on(Button.Pressed, "#route-prove")
    def action_prove(self) -> None:
        if self.state.client is None or (self.proof is not None and self.proof.is_running):
            return
        self.proof = self.run_proof(self.selected())

    @work(exclusive=True, group="proof")
    async def run_proof(self, route: topics.TopicHandler | None) -> None:
        client = self.state.client
        assert client is not None
        if route is not None:
            question = (
                f"Send one real alert through route {route.id} on topic {route.topic}?\n\nThe wizard copies the "
                "route onto a private topic (your topic and its other handlers get nothing), creates a temporary "
                f"task (database {proof.PROOF_DB}), writes one point to Kapacitor and reads Kapacitor's log for "
                "the handler's errors. It removes what it created again, also if a step fails or you leave."
            )
        else:
            question = (
                f"Send one real alert through {self.spec.title} directly?\n\nThe wizard creates a temporary task "
                f"(database {proof.PROOF_DB}) that calls the handler, writes one point to Kapacitor and reads "
                "Kapacitor's log for the handler's errors. It removes what it created again, also if a step "
                "fails or you leave."
            )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Send it", no="Cancel")):
            return
        log = self.query_one("#route-log", Static)
        lines: list[str] = []

        def report(line: str) -> None:
            lines.append(self.state.scrub(line))
            log.update("\n".join(lines))

        self._say("Proving…")
        try:
            result = await proof.prove(
                client, self.spec.name, topic=route.topic if route else "", handler_id=route.id if route else "",
                workspace="" if route else self.workspace, report=report, warn=report,
            )
        except WizardError as err:
            self._error(err)
            return
        self._say(" ".join(result.conclusion()))

    async def finish_before_leaving(self) -> None:
        """A running proof stops and removes what it created before the screen or app closes."""
        if self.proof is not None and self.proof.is_running:
            self._say("Stopping the proof and removing what it created…")
            self.proof.cancel()
            try:
                await self.proof.wait()  # the proof's own clean-up runs before this returns
            except (WorkerCancelled, WorkerFailed):
                pass

    async def action_back(self) -> None:  # type: ignore[override]
        await self.finish_before_leaving()
        self.dismiss(BACK)

    def action_refresh(self) -> None:
        self.load_routes()
