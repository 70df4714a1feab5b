"""Telegram's steps: a live token check, chat discovery that consumes nothing, a sample alert.

* bot: paste the token from @BotFather; it is checked with ``getMe`` as soon as it
  looks like a token, and the bot's name, link and privacy mode are shown.
* chat: a pairing code to send to the bot; the bot's pending updates are read
  (never confirmed) in a worker of this screen, and every chat the bot sees is
  listed, newest first. A chat id can always be typed instead.
* format: parse mode and the two switches, with a sample alert sent directly
  through the Bot API before anything is saved.
"""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, LoadingIndicator, Static

from wizard.handlers.registry import TELEGRAM_DEFAULT_API
from wizard.services.telegram import (
    BacklogFull,
    BotInfo,
    CandidatesUpdated,
    ChatCandidate,
    DiscoveryEvent,
    NetworkTrouble,
    PollConflict,
    RateLimited,
    TelegramChatMigrated,
    TelegramClient,
    TelegramError,
    TelegramTokenRejected,
    Waiting,
    WebhookActive,
    bot_api_base,
    make_pairing_code,
)
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.state import NEXT, WizardState
from wizard.tui.widgets.field import Field

KEPT_TOKEN_NOTE = (
    "Kapacitor keeps the bot token it has, and it never reveals a stored token, so the wizard "
    "cannot check it or find the chat for you."
)


def _custom_api(state: WizardState) -> bool:
    url = (state.settings.telegram_api_url or TELEGRAM_DEFAULT_API).rstrip("/")
    return url != TELEGRAM_DEFAULT_API


def _typed_token(state: WizardState) -> str:
    """The token typed on the bot step; empty when Kapacitor's stored token is kept."""
    return str(state.draft().get("token") or "").strip()


def describe_bot(info: BotInfo) -> Text:
    """The bot's name, @username, link, and what privacy mode means for groups."""
    text = Text.assemble(
        ("✓ ", "bold"), "Token works: ", (info.first_name, "bold"), f" ({info.mention}), {info.link}\n"
    )
    if info.privacy_mode:
        text.append(
            f"Privacy mode is on: in groups the bot only sees commands and mentions, so send "
            f"{info.group_command()} in a group, not a plain message."
        )
    else:
        text.append("Privacy mode is off: the bot sees every message in the groups it is in.")
    return text


class KeepByDefault(ConfirmScreen):
    """A confirmation whose safe answer has the focus, so a stray Enter changes nothing."""

    def on_mount(self) -> None:
        self.query_one("#no").focus()


class TelegramBotScreen(FormStepScreen):
    """Paste the token; it is checked live and the bot is introduced."""

    CSS_PATH = ["form_step.tcss", "telegram.tcss"]
    BINDINGS = [Binding("ctrl+t", "check_token", "Check token")]
    check_delay = 0.3
    """Seconds of quiet after typing before the token is checked."""

    def __init__(self, state: WizardState, step, *, progress: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(state, step, progress=progress)
        self.checked: tuple[str, str] | None = None
        """(token, outcome) of the last finished check: ok, rejected or unreachable."""
        self.advance_after_check = False
        self.bot_info: BotInfo | None = None

    def compose_extra(self) -> ComposeResult:
        with Horizontal(classes="check-actions"):
            yield Button("Check the token (Ctrl+T)", id="check-token")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False
        if _custom_api(self.state):
            # Kapacitor must talk to the same Bot API address as the wizard.
            self.state.draft()["url"] = bot_api_base(self.state.settings.telegram_api_url)
        field = self.fields[0]
        if field.secret_is_set and not str(field.raw).strip():
            self._result(
                KEPT_TOKEN_NOTE + " Leave the field empty to keep it and type the chat id by hand "
                "on the next step, or paste the token to check it.",
                "note",
            )

    def _result(self, text: str | Text, kind: str = "") -> None:
        result = self.query_one("#check-result", Static)
        result.set_classes("check-result" + (f" -{kind}" if kind else ""))
        result.update(text)

    @on(Input.Changed, "#input-token")
    def token_changed(self, event: Input.Changed) -> None:
        self.advance_after_check = False
        value = event.value.strip()
        if self.fields[0].option.validate(value).ok:
            self.check_token(value, delay=self.check_delay)
        else:
            self.workers.cancel_group(self, "check")
            self.query_one("#check-progress").display = False
            if not value and self.fields[0].secret_is_set:
                self._result(KEPT_TOKEN_NOTE + " You type the chat id by hand on the next step.", "note")
            else:
                self._result("")

    @on(Button.Pressed, "#check-token")
    def action_check_token(self) -> None:
        field = self.fields[0]
        value = str(field.raw).strip()
        if not value and field.secret_is_set:
            field.show_error("The stored token cannot be read back from Kapacitor; paste it to check it here.")
            return
        if field.check().ok:
            self.check_token(value)
        else:
            field.focus_input()

    def action_next(self) -> None:
        if not self.validate_all():
            return
        value = _typed_token(self.state)
        if not value:  # keep Kapacitor's token
            self.dismiss(NEXT)
            return
        if self.checked and self.checked[0] == value and self.checked[1] in ("ok", "unreachable"):
            # After a network failure a second Next goes on without the check.
            self.dismiss(NEXT)
            return
        self.advance_after_check = True
        if not any(w.is_running for w in self.workers if w.group == "check"):
            self.check_token(value)

    @work(exclusive=True, group="check")
    async def check_token(self, token: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        field = self.fields[0]
        progress = self.query_one("#check-progress")
        progress.display = True
        self._result("Checking the token with Telegram… (Escape cancels)")
        api = self.state.settings.telegram_api_url
        try:
            async with TelegramClient(token, api, scrub=self.state.scrub, timeout=self.state.settings.timeout) as client:
                info = await client.check_token()
        except TelegramTokenRejected as err:
            self.checked = (token, "rejected")
            self.advance_after_check = False
            self._result("")
            field.show_error(f"{err.message} {err.hint}")
            field.focus_input()
            return
        except TelegramError as err:
            self.checked = (token, "unreachable")
            self.advance_after_check = False
            self._result(
                Text.assemble(
                    ("✗ ", "bold"), err.message, " ", err.hint,
                    "\nPress Ctrl+T to retry, or Next to go on without the check "
                    "(then type the chat id by hand).",
                ),
                "error",
            )
            return
        finally:
            progress.display = False
        self.checked = (token, "ok")
        self.bot_info = info
        field.clear()
        self._result(describe_bot(info), "ok")
        if self.advance_after_check:
            self.dismiss(NEXT)

    def check_cancelled(self) -> None:
        self.advance_after_check = False
        self._result("Token check cancelled.")


class TelegramChatScreen(FormStepScreen):
    """Lists every chat the bot sees while the screen is open; Enter takes the selected one."""

    CSS_PATH = ["form_step.tcss", "telegram.tcss"]
    BINDINGS = [Binding("ctrl+r", "search_again", "Search again"), Binding("ctrl+y", "copy_chat_id", "Copy chat id")]
    poll_timeout = 20
    """Seconds one long poll may wait on Telegram's side."""
    idle_interval = 0.25
    """Pause between polls while Telegram answers at once (pending updates)."""

    def __init__(self, state: WizardState, step, *, progress: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(state, step, progress=progress)
        self.pairing_code = make_pairing_code()
        self.candidates: tuple[ChatCandidate, ...] = ()
        self.bot_info: BotInfo | None = None
        self.webhook_host = ""
        self.selected_id: int | None = None
        self.paired_seen = False
        self.auto_value = ""
        """The chat id last put into the field by the list (so typing by hand wins)."""

    def compose_body(self) -> ComposeResult:
        yield from self.compose_guide(links=False)  # the pairing panel below has the links that matter here
        yield Static("", id="bot-line")
        yield Static("", id="pairing")
        yield Static("", id="discover-status")
        with Horizontal(id="webhook-actions"):
            yield Button("Remove the webhook…", id="remove-webhook", variant="warning")
            yield Button("Search again (Ctrl+R)", id="search-again")
        table: DataTable[str | Text] = DataTable(id="chats", cursor_type="row", zebra_stripes=True)
        table.add_columns(" ", "Type", "Title or name", "Username", "Chat id")
        yield table
        yield Static("", id="chat-notes")
        # Kapacitor needs a chat id to send anything: the field is not optional here.
        option = replace(self.spec.option("chat-id"), required=True)
        yield Field(option, self.state.draft().get("chat-id", ""))
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#webhook-actions").display = False
        self.query_one("#chats").display = False
        self.query_one("#chat-notes").display = False
        self.auto_value = str(self.state.draft().get("chat-id") or "")
        token = _typed_token(self.state)
        if not token:
            for guide in self.query("#step-text, #step-links, #guide"):
                guide.display = False
            self.query_one("#bot-line").display = False
            self.query_one("#pairing").display = False
            self._status(
                KEPT_TOKEN_NOTE + " Type the chat id below: a number such as -1001234567890, "
                "or @channelname for a public channel.",
                "note",
            )
            self.fields[0].focus_input()
            return
        self.query_one("#pairing", Static).update(
            Text.assemble("Pairing code: ", (self.pairing_code, "bold reverse"), "  (checking the bot…)")
        )
        self.fields[0].focus_input()
        self.discover(token)

    # -- showing things ------------------------------------------------------

    def _status(self, text: str | Text, kind: str = "") -> None:
        status = self.query_one("#discover-status", Static)
        status.set_classes(f"-{kind}" if kind else "")
        status.update(text)

    def _show_bot(self, info: BotInfo) -> None:
        self.bot_info = info
        privacy = (
            "privacy mode on: in groups it only sees commands and mentions"
            if info.privacy_mode
            else "privacy mode off: it sees every group message"
        )
        self.query_one("#bot-line", Static).update(
            Text.assemble("Bot: ", (info.first_name, "bold"), f" ({info.mention}), {privacy}.")
        )
        code = self.pairing_code
        self.query_one("#pairing", Static).update(
            Text.assemble(
                "Pairing code: ", (f" {code} ", "bold reverse"), "  Send it (or any message) to the bot in\n",
                "• a private chat: ", (info.start_link(code), "underline"), " and press Start\n",
                "• a group: add the bot, then send ", (info.group_command(code), "bold"), "\n",
                "• a channel where the bot is an administrator: post the code",
            )
        )

    def _waiting_text(self) -> Text:
        mention = self.bot_info.mention if self.bot_info else "the bot"
        return Text.assemble(
            ("Waiting for a message to ", "bold"), (mention, "bold"), ("… ", "bold"), "Nothing yet? ",
            "Telegram keeps updates for 24 hours only, so send a new message; another program "
            "polling this bot takes its updates first; in groups, privacy mode hides plain messages "
            "(send the command above). Or type the chat id below.",
        )

    def _fill_table(self) -> None:
        table = self.query_one("#chats", DataTable)
        table.display = bool(self.candidates)
        table.clear()
        for candidate in self.candidates:
            mark = Text("★ code", style="bold") if candidate.has_pairing_code else Text("")
            if candidate.bot_removed:
                mark = Text("removed", style="dim")
            title = candidate.title or "—"
            if candidate.is_forum:
                title += " (topics)"
            table.add_row(
                mark, candidate.type, title,
                f"@{candidate.username}" if candidate.username else "", candidate.chat_id,
                key=candidate.chat_id,
            )
        if self.selected_id is not None:
            with contextlib.suppress(Exception):
                table.move_cursor(row=table.get_row_index(str(self.selected_id)), scroll=True)
        self._show_notes()

    def _candidate(self, chat_id: int | None) -> ChatCandidate | None:
        return next((c for c in self.candidates if c.id == chat_id), None)

    def _cursor_candidate(self) -> ChatCandidate | None:
        table = self.query_one("#chats", DataTable)
        if not table.row_count:
            return None
        with contextlib.suppress(Exception):
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            return self._candidate(int(key)) if key else None
        return None

    def _show_notes(self) -> None:
        """Warnings about the chat under the cursor (forum, migrated, channel, removed)."""
        notes = self.query_one("#chat-notes", Static)
        candidate = self._cursor_candidate()
        if candidate is None or not candidate.notes:
            notes.display = False
            return
        notes.display = True
        notes.update(Text("\n".join(f"⚠ {note}" for note in candidate.notes)))

    def _select(self, candidate: ChatCandidate, *, by_person: bool) -> None:
        """Select a chat; the field follows unless something else was typed there."""
        self.selected_id = candidate.id
        field = self.fields[0]
        current = str(field.raw).strip()
        if by_person or current in ("", self.auto_value):
            self.auto_value = candidate.chat_id
            field.query_one(Input).value = candidate.chat_id
            field.clear()
        self._show_notes()

    # -- discovery -------------------------------------------------------------

    @work(exclusive=True, group="discover")
    async def discover(self, token: str, remove_webhook: bool = False) -> None:
        self.query_one("#webhook-actions").display = False
        self._status("Asking Telegram about the bot…")
        api = self.state.settings.telegram_api_url
        try:
            async with TelegramClient(token, api, scrub=self.state.scrub, timeout=self.state.settings.timeout) as client:
                self._show_bot(await client.check_token())
                if remove_webhook:
                    await client.remove_webhook()
                    self.webhook_host = ""
                    self.notify("The webhook was removed; pending updates were kept.")
                events = client.discover_chats(
                    self.pairing_code, poll_timeout=self.poll_timeout, idle_interval=self.idle_interval
                )
                async with contextlib.aclosing(events):
                    async for event in events:
                        self._on_event(event)
        except TelegramTokenRejected as err:
            self._status(
                Text.assemble(("✗ ", "bold"), err.message, " Go back (Escape) and paste the token again, "
                              "or type the chat id below."),
                "error",
            )
            self._offer_search_again()
        except TelegramError as err:
            self._status(Text.assemble(("✗ ", "bold"), err.message, " ", err.hint), "error")
            self._offer_search_again()

    def _offer_search_again(self, webhook: bool = False) -> None:
        if self.bot_info is None:  # the bot check never finished: "(checking the bot…)" is history
            self.query_one("#pairing", Static).update(Text.assemble("Pairing code: ", (self.pairing_code, "bold reverse")))
        self.query_one("#webhook-actions").display = True
        self.query_one("#remove-webhook").display = webhook
        self.query_one("#search-again").display = True

    def _on_event(self, event: DiscoveryEvent) -> None:
        if event.candidates != self.candidates:
            self.candidates = event.candidates
            paired = event.paired
            if paired is not None and not self.paired_seen:
                self.paired_seen = True
                self._select(paired, by_person=False)
            elif self.selected_id is None or self._candidate(self.selected_id) is None:
                wanted = self.auto_value
                match = next((c for c in self.candidates if c.chat_id == wanted), None)
                if match is not None:
                    self.selected_id = match.id
            self._fill_table()
        if isinstance(event, WebhookActive):
            self.webhook_host = event.host
            self._status(
                Text.assemble(
                    ("✗ ", "bold"), event.message, " While a webhook is set, Telegram refuses getUpdates, "
                    "so no chat can be found here. Remove the webhook (you will be asked first), "
                    "or type the chat id below.",
                ),
                "error",
            )
            self._offer_search_again(webhook=True)
        elif isinstance(event, Waiting):
            self._status(self._waiting_text(), "waiting")
        elif isinstance(event, CandidatesUpdated):
            if self.candidates:
                found = f"{len(self.candidates)} chat{'s' if len(self.candidates) != 1 else ''} found"
                tail = (
                    "; ★ marks the chat that sent the code."
                    if event.paired
                    else f"; send the code {self.pairing_code} to mark yours."
                )
                self._status(
                    Text.assemble(("✓ ", "bold"), found, tail, " Select one and press Enter; the list "
                                  "keeps growing while this screen is open."),
                    "ok",
                )
        elif isinstance(event, RateLimited):
            self._status(Text.assemble(("⏸ ", "bold"), event.message, " The list so far is kept."), "error")
        elif isinstance(event, PollConflict):
            self._status(
                Text.assemble(("⚠ ", "bold"), event.message, f" Trying again in {event.retry_in:g} s; "
                              "the list so far is kept."),
                "error",
            )
        elif isinstance(event, NetworkTrouble):
            self._status(
                Text.assemble(("⚠ ", "bold"), event.message, f" Trying again in {event.retry_in:g} s; "
                              "the list so far is kept."),
                "error",
            )
        elif isinstance(event, BacklogFull):
            self._status(Text.assemble(("⚠ ", "bold"), event.message), "error")

    def _discovering(self) -> bool:
        return any(w.is_running for w in self.workers if w.group == "discover")

    @on(Button.Pressed, "#search-again")
    def action_search_again(self) -> None:
        token = _typed_token(self.state)
        if token and not self._discovering():
            self.discover(token)

    @on(Button.Pressed, "#remove-webhook")
    def ask_remove_webhook(self) -> None:
        host = self.webhook_host or "its address"
        question = (
            f"Remove this bot's webhook at {host}?\n\n"
            f"Whatever uses that webhook (the program at {host}) stops receiving this bot's "
            "updates until it sets the webhook again. Pending updates are kept.\n\n"
            "The wizard can then read the bot's updates and find the chat."
        )

        def answered(yes: bool | None) -> None:
            token = _typed_token(self.state)
            if yes and token:
                self.discover(token, remove_webhook=True)
            else:
                self._status(
                    f"The webhook at {host} was left in place, so the wizard cannot read the bot's "
                    "updates. Type the chat id below.",
                    "note",
                )
                self.fields[0].focus_input()

        self.app.push_screen(KeepByDefault(question, yes="Remove the webhook", no="Keep it"), answered)

    # -- choosing ---------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#chats")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        candidate = self._candidate(int(event.row_key.value)) if event.row_key.value else None
        if candidate is not None and event.data_table.has_focus:
            self._select(candidate, by_person=True)
        self._show_notes()

    @on(DataTable.RowSelected, "#chats")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        candidate = self._candidate(int(event.row_key.value)) if event.row_key.value else None
        if candidate is not None:
            self._select(candidate, by_person=True)
            self.action_next()

    def action_next(self) -> None:
        if self.validate_all():
            self.workers.cancel_group(self, "discover")
            self.dismiss(NEXT)

    def action_back(self) -> None:
        # Leaving stops the poll; nothing was confirmed, so nothing is lost.
        self.workers.cancel_group(self, "discover")
        super().action_back()

    def action_copy_chat_id(self) -> None:
        """Copy the chosen chat id, for a TICKscript's .chatId() or another tool."""
        chat_id = str(self.fields[0].raw).strip()
        if not chat_id:
            self.notify("Choose a chat or type its id first.", severity="warning")
            return
        self.app.copy_to_clipboard(chat_id)
        self.notify(f"Copied {chat_id} (where the terminal allows it).")


class TelegramFormatScreen(FormStepScreen):
    """Parse mode and switches, plus a sample alert sent straight to the chosen chat."""

    CSS_PATH = ["form_step.tcss", "telegram.tcss"]
    BINDINGS = [Binding("ctrl+t", "send_sample", "Send sample alert")]

    def __init__(self, state: WizardState, step, *, progress: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(state, step, progress=progress)
        self.new_chat_id: int | None = None

    def compose_body(self) -> ComposeResult:
        yield from self.compose_guide()
        draft = self.state.draft()
        switches = []
        for name in self.step.options:
            option = self.spec.option(name)
            if option.kind is bool:
                switches.append(Field(option, draft.get(name, option.default)))
            else:
                yield Field(option, draft.get(name, option.default))
        with Horizontal(id="switches"):
            yield from switches
        yield from self.compose_extra()
        with Horizontal(classes="step-actions"):
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")

    def compose_extra(self) -> ComposeResult:
        with Horizontal(classes="check-actions"):
            yield Button("Send a sample alert now (Ctrl+T)", id="send-sample")
            yield Button("Use the new chat id", id="use-new-id", variant="warning")
            yield LoadingIndicator(id="check-progress")
        yield Static("", id="check-result", classes="check-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#check-progress").display = False
        self.query_one("#use-new-id").display = False

    def _result(self, text: str | Text, kind: str = "") -> None:
        result = self.query_one("#check-result", Static)
        result.set_classes("check-result" + (f" -{kind}" if kind else ""))
        result.update(text)

    @on(Button.Pressed, "#send-sample")
    def action_send_sample(self) -> None:
        if not self.validate_all():
            return
        token = _typed_token(self.state)
        draft = self.state.draft()
        chat_id = str(draft.get("chat-id") or "").strip()
        if not token:
            self._result(
                "Kapacitor keeps the token and never reveals it, so the wizard cannot send a sample "
                "itself; Kapacitor sends its own test alert after you apply.",
                "error",
            )
            return
        if not chat_id:
            self._result("Choose a chat first (Escape goes back to the chat step).", "error")
            return
        self.send_sample(
            token, chat_id, str(draft.get("parse-mode") or "") or None,
            bool(draft.get("disable-web-page-preview")), bool(draft.get("disable-notification")),
        )

    @work(exclusive=True, group="check")
    async def send_sample(
        self, token: str, chat_id: str, parse_mode: str | None, no_preview: bool, silent: bool
    ) -> None:
        progress = self.query_one("#check-progress")
        progress.display = True
        self.query_one("#use-new-id").display = False
        self._result(f"Sending a sample alert to {chat_id}… (Escape cancels)")
        try:
            settings = self.state.settings
            async with TelegramClient(token, settings.telegram_api_url, scrub=self.state.scrub, timeout=settings.timeout) as client:
                sent = await client.send_sample_alert(
                    chat_id, parse_mode, disable_web_page_preview=no_preview, disable_notification=silent
                )
        except TelegramChatMigrated as err:
            self.new_chat_id = err.new_chat_id
            self._result(
                Text.assemble(("✗ ", "bold"), err.message, " Press “Use the new chat id” to switch to it."),
                "error",
            )
            button = self.query_one("#use-new-id", Button)
            button.label = f"Use the new chat id {err.new_chat_id}"
            button.display = True
            button.focus()
            return
        except TelegramError as err:
            self._result(Text.assemble(("✗ ", "bold"), err.message, " ", err.hint), "error")
            return
        finally:
            progress.display = False
        where = f"“{sent.chat_title}”" if sent.chat_title else str(sent.chat_id)
        self._result(f"✓ Telegram delivered the sample alert to {where}. Check how it looks, then go on.", "ok")

    @on(Button.Pressed, "#use-new-id")
    def use_new_id(self) -> None:
        if self.new_chat_id is None:
            return
        self.state.draft()["chat-id"] = str(self.new_chat_id)
        self.query_one("#use-new-id").display = False
        self._result(
            f"✓ The chat id is now {self.new_chat_id}. Send the sample again to check it.", "ok"
        )
        self.query_one("#send-sample").focus()

    def check_cancelled(self) -> None:
        self._result("Sample alert cancelled.")
