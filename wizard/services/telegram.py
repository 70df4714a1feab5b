"""Telegram: check a bot token, find the chat id for a person, send a sample alert.

Everything here talks to the Bot API through python-telegram-bot (PTB) and
nothing imports Textual, so the TUI, the ``detect-chat-id`` command and the
tests share it.

Finding a chat id without side effects
--------------------------------------
The bot may already be in use (by Kapacitor or something else), so discovery
must not eat anybody's updates.  ``getUpdates`` deletes every update below the
``offset`` it is given (a negative offset deletes all but the last few), so
this module never passes an offset and never sets ``allowed_updates`` (that
setting sticks to the bot).  ``deleteWebhook`` is only called on request and
never drops pending updates.

Without an offset Telegram answers at once whenever *any* unconfirmed update
is pending, and then returns the same updates on every call.  The poller
therefore works in two modes:

* the queue is empty: a long poll (``timeout=poll_timeout``) blocks on
  Telegram's side and returns the moment an update arrives, so the latency is
  one round trip;
* the queue is not empty: the answer comes back immediately, and the poller
  sleeps ``idle_interval`` (0.25 s) before asking again and compares
  ``update_id`` values to spot arrivals.  The latency is at most
  ``idle_interval`` plus one round trip (under 0.5 s for a round trip under
  0.25 s), at the cost of about four small requests a second while the
  discovery screen is open.

``getUpdates`` returns the oldest 100 pending updates at most; when the queue
is that full, new messages cannot be seen without confirming old ones, and
the poller says so with a ``BacklogFull`` event.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import json
import logging
import re
import secrets
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from html import escape as html_escape
from typing import Any, Union
from urllib.parse import urlsplit

import httpx
from telegram import Bot, Update
from telegram import error as tg_error
from telegram.request import BaseRequest, RequestData

from wizard.services import replies
from wizard.services import deadline
from wizard.text import checks
from wizard.services.replies import ShapeError, expect, member
from wizard.handlers.registry import TELEGRAM_DEFAULT_API, bot_api_base
from wizard.text.errors import ValidationError, WizardError
from wizard.text.secrets import MASK, Scrubber, Secret, mask_received


#: How long one ``getUpdates`` long poll may block on Telegram's side (seconds).
POLL_TIMEOUT = 20
#: Pause between polls while Telegram answers immediately (pending updates exist).
IDLE_INTERVAL = 0.25
#: Telegram returns at most this many updates per call.
UPDATES_LIMIT = 100
#: How long to wait for a connection (seconds), and how long one call may take in all
#: unless the caller gives ``--timeout``'s; a ``getUpdates`` long poll gets its poll time on top.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0

PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
PARSE_MODES = ("Markdown", "HTML")

# PTB warns from inside its own RetryAfter constructor; the wizard reads the
# value version-independently (see _retry_after_seconds).
warnings.filterwarnings(
    "ignore", message=r".*`retry_after` will be of type", module=r"telegram\..*"
)

# A bot token as BotFather issues it; masked wherever it shows up.
_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


# --------------------------------------------------------------------------- errors


class TelegramError(WizardError):
    """Any failure talking to the Telegram Bot API."""

    retryable = False


class TelegramTokenRejected(TelegramError):
    """Telegram answered 401/404: the token is wrong or was revoked."""


class TelegramUnreachable(TelegramError):
    """Network failure or timeout; worth retrying."""

    retryable = True


class TelegramRateLimited(TelegramError):
    """429 Too Many Requests."""

    retryable = True

    def __init__(self, message: str, hint: str = "", *, retry_after: float = 1.0) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class TelegramWebhookActive(TelegramError):
    """A webhook is set, so ``getUpdates`` cannot be used."""

    def __init__(self, message: str, hint: str = "", *, url: str = "") -> None:
        super().__init__(message, hint)
        self.url = url
        self.host = _host(url)


class TelegramConflict(TelegramError):
    """409: another program is polling this bot."""

    retryable = True


class TelegramChatNotFound(TelegramError):
    """400 chat not found."""


class TelegramBotBlocked(TelegramError):
    """403 bot was blocked by the user."""


class TelegramForbidden(TelegramError):
    """403 for any other reason (kicked, not a member, no admin rights...)."""


class TelegramParseError(TelegramError):
    """400 can't parse entities: the text does not fit the parse mode."""


class TelegramChatMigrated(TelegramError):
    """The group became a supergroup; ``new_chat_id`` is where to send now."""

    def __init__(self, message: str, hint: str = "", *, new_chat_id: int) -> None:
        super().__init__(message, hint)
        self.new_chat_id = new_chat_id


class TelegramBadRequest(TelegramError):
    """Any other 400 answer."""


class TelegramUnexpected(TelegramError):
    """An answer that is not a Bot API answer: HTML, broken JSON, a wrong shape, a redirect,
    too large a body."""

    title = "Unexpected answer"

    def __init__(self, message: str, hint: str = "", *, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


# --------------------------------------------------------------------------- secrets in logs


class _TokenLogFilter(logging.Filter):
    """Masks bot tokens in records of the libraries that print request URLs.

    httpx logs ``HTTP Request: POST https://api.telegram.org/bot<token>/getMe`` at
    INFO level and PTB logs its base URL at DEBUG level.
    """

    def __init__(self) -> None:
        super().__init__("kapacitor-wizard-telegram-tokens")
        self.scrub = Scrubber()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string: leave it to logging
            return True
        clean = _mask_tokens(self.scrub(text))
        if clean != text:
            record.msg = clean
            record.args = None
        return True


_LOG_FILTER = _TokenLogFilter()
_FILTERED_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram.Bot",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
)


def _protect_logs(token: str) -> None:
    _LOG_FILTER.scrub.add(token)
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if _LOG_FILTER not in logger.filters:
            logger.addFilter(_LOG_FILTER)


def _mask_tokens(text: str) -> str:
    return _TOKEN_RE.sub(MASK, text)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


# --------------------------------------------------------------------------- plain values


def make_pairing_code(length: int = 6) -> str:
    """A short code that is easy to read aloud and type (no 0/O, 1/I/L)."""
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(length))


def validate_chat_id(text: str) -> str | None:
    """An error sentence for a chat id that cannot be used, or None.

    Accepted: a signed integer, or ``@channelname`` (5-32 letters, digits, underscores).
    """
    verdict = checks.telegram_chat_id(text if isinstance(text, str) else "")
    return verdict.error or None


@dataclass(frozen=True)
class BotInfo:
    id: int
    first_name: str
    username: str
    can_read_all_group_messages: bool
    link: str

    @property
    def mention(self) -> str:
        return f"@{self.username}"

    @property
    def privacy_mode(self) -> bool:
        """True when the bot only sees commands and mentions in groups."""
        return not self.can_read_all_group_messages

    def start_link(self, code: str | None = None) -> str:
        """Opens a private chat with the bot; Telegram then sends ``/start <code>``."""
        return f"{self.link}?start={code}" if code else self.link

    def add_to_group_link(self, code: str | None = None) -> str:
        """Lets the person pick a group; Telegram then sends ``/start@bot <code>`` there."""
        return f"{self.link}?startgroup={code or 'start'}"

    def group_command(self, code: str | None = None) -> str:
        """What to type in a group so that a bot in privacy mode sees it."""
        return f"/start@{self.username}" + (f" {code}" if code else "")

    def pairing_hint(self, code: str | None = None) -> str:
        parts = [
            f"Send {('the code ' + code) if code else 'any message'} to {self.mention} "
            f"in a private chat ({self.start_link(code)})",
            f"or type {self.group_command(code)} in the group",
            f"or post {'it' if code else 'a message'} in the channel where the bot is an admin.",
        ]
        text = ", ".join(parts)
        if self.privacy_mode:
            text += (
                f" Privacy mode is on: in groups {self.mention} only sees commands and "
                "mentions, so plain messages there will not show up."
            )
        return text


@dataclass(frozen=True)
class ChatCandidate:
    id: int
    type: str  # private, group, supergroup or channel
    title: str  # the group/channel title, or the person's name
    username: str | None
    is_forum: bool
    last_seen: datetime
    has_pairing_code: bool
    migrated_from: int | None = None
    bot_removed: bool = False  # latest my_chat_member says left/kicked (or the person blocked the bot)

    @property
    def chat_id(self) -> str:
        """The value for Kapacitor's ``chat-id`` option."""
        return str(self.id)

    @property
    def label(self) -> str:
        name = self.title or (f"@{self.username}" if self.username else str(self.id))
        if self.username and self.title:
            name += f" (@{self.username})"
        return name

    @property
    def notes(self) -> tuple[str, ...]:
        notes: list[str] = []
        if self.is_forum:
            notes.append(
                "This group has topics: Kapacitor cannot pick a topic, so alerts land in General."
            )
        if self.migrated_from is not None:
            notes.append(
                f"This group became a supergroup; use the new id {self.id} "
                f"(the old id {self.migrated_from} no longer works)."
            )
        if self.bot_removed:
            notes.append(
                "The person blocked the bot; alerts will not arrive."
                if self.type == "private"
                else "The bot was removed from this chat; add it again or alerts will not arrive."
            )
        if self.type == "channel":
            notes.append("The bot must be an administrator of the channel to post there.")
        return tuple(notes)


# --------------------------------------------------------------------------- discovery events


@dataclass(frozen=True)
class _Event:
    candidates: tuple[ChatCandidate, ...]

    @property
    def paired(self) -> ChatCandidate | None:
        """The newest chat whose messages contain the pairing code."""
        return next((c for c in self.candidates if c.has_pairing_code), None)


@dataclass(frozen=True)
class CandidatesUpdated(_Event):
    """The list changed (always sent after the first successful poll)."""

    new_chat_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Waiting(_Event):
    """Telegram has nothing yet; ``hint`` says what the person should do."""

    hint: str = ""


@dataclass(frozen=True)
class RateLimited(_Event):
    """429: polling resumes by itself after ``retry_after`` seconds."""

    retry_after: float = 1.0

    @property
    def message(self) -> str:
        return f"Telegram asks to slow down; trying again in {self.retry_after:g} s."


@dataclass(frozen=True)
class PollConflict(_Event):
    """409: another program is reading this bot's updates; retried after ``retry_in``."""

    message: str = ""
    retry_in: float = 2.0


@dataclass(frozen=True)
class NetworkTrouble(_Event):
    """The Bot API could not be reached; retried after ``retry_in``."""

    message: str = ""
    retry_in: float = 1.0


@dataclass(frozen=True)
class BacklogFull(_Event):
    """Telegram holds at least 100 unconfirmed updates: new ones stay invisible."""

    pending: int = UPDATES_LIMIT

    @property
    def message(self) -> str:
        return (
            f"The bot has {self.pending}+ unread updates waiting, so new messages cannot be "
            "seen without consuming old ones. Type the chat id by hand, or let the program "
            "that owns this bot read its updates first."
        )


@dataclass(frozen=True)
class WebhookActive(_Event):
    """A webhook is set; discovery stops. Remove it (after asking) and start again."""

    url: str = ""
    host: str = ""

    @property
    def message(self) -> str:
        return (
            f"This bot delivers its updates to a webhook at {self.host}, so the wizard "
            "cannot read them."
        )


DiscoveryEvent = Union[
    CandidatesUpdated, Waiting, RateLimited, PollConflict, NetworkTrouble, BacklogFull, WebhookActive
]


# --------------------------------------------------------------------------- pure parsing


@dataclass
class _Acc:
    id: int
    type: str
    title: str
    username: str | None
    is_forum: bool
    last_seen: datetime
    last_update: int
    has_code: bool = False
    bot_status: str | None = None
    migrated_from: int | None = None


def _chat_title(chat: Any) -> str:
    if getattr(chat, "title", None):
        return chat.title
    names = [getattr(chat, "first_name", None), getattr(chat, "last_name", None)]
    return " ".join(n for n in names if n)


def _as_update(item: Update | Mapping[str, Any]) -> Update:
    if isinstance(item, Update):
        return item
    return Update.de_json(dict(item), None)


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.fromtimestamp(0, timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _contains_code(text: str, code: str | None) -> bool:
    return bool(code) and code.strip().upper() in text.upper()


def candidates_from_updates(
    updates: Iterable[Update | Mapping[str, Any]], pairing_code: str | None = None
) -> list[ChatCandidate]:
    """The chats the bot has seen, newest first, one entry per chat id.

    Reads ``message``, ``edited_message``, ``channel_post``, ``edited_channel_post``
    and ``my_chat_member``.  A group that became a supergroup is listed under the
    supergroup's id, with ``migrated_from`` set.
    """
    accs: dict[int, _Acc] = {}
    migrations: dict[int, int] = {}

    def touch(chat: Any, when: datetime, update_id: int) -> _Acc:
        acc = accs.get(chat.id)
        when = _aware(when)
        if acc is None:
            acc = accs[chat.id] = _Acc(
                id=chat.id, type=str(chat.type), title=_chat_title(chat),
                username=chat.username, is_forum=bool(chat.is_forum),
                last_seen=when, last_update=update_id,
            )
        if update_id >= acc.last_update:  # the newest view of the chat wins
            acc.type = str(chat.type)
            acc.title = _chat_title(chat) or acc.title
            acc.username = chat.username or acc.username
            acc.is_forum = bool(chat.is_forum) or (acc.is_forum and chat.is_forum is None)
            acc.last_update = update_id
        acc.last_seen = max(acc.last_seen, when)
        return acc

    parsed = sorted((_as_update(u) for u in updates), key=lambda u: u.update_id)
    for update in parsed:
        message = (
            update.message or update.edited_message
            or update.channel_post or update.edited_channel_post
        )
        if message is not None:
            when = message.edit_date or message.date
            acc = touch(message.chat, when, update.update_id)
            if _contains_code(message.text or message.caption or "", pairing_code):
                acc.has_code = True
            if message.migrate_to_chat_id:
                migrations[message.chat.id] = message.migrate_to_chat_id
            if message.migrate_from_chat_id:
                migrations[message.migrate_from_chat_id] = message.chat.id
            continue
        member = update.my_chat_member
        if member is not None:
            acc = touch(member.chat, member.date, update.update_id)
            acc.bot_status = str(member.new_chat_member.status)

    for old_id in list(migrations):
        new_id = old_id
        seen = {old_id}
        while new_id in migrations and migrations[new_id] not in seen:
            new_id = migrations[new_id]
            seen.add(new_id)
        old = accs.pop(old_id, None)
        target = accs.get(new_id)
        if target is None:
            if old is None:
                continue
            target = accs[new_id] = replace(
                old, id=new_id, type="supergroup", bot_status=None, migrated_from=None
            )
        if old is not None:
            target.last_seen = max(target.last_seen, old.last_seen)
            target.has_code = target.has_code or old.has_code
            target.title = target.title or old.title
        target.migrated_from = old_id

    ordered = sorted(accs.values(), key=lambda a: (a.last_seen, a.last_update), reverse=True)
    return [
        ChatCandidate(
            id=a.id, type=a.type, title=a.title, username=a.username, is_forum=a.is_forum,
            last_seen=a.last_seen, has_pairing_code=a.has_code, migrated_from=a.migrated_from,
            bot_removed=a.bot_status in {"left", "kicked"},
        )
        for a in ordered
    ]


# --------------------------------------------------------------------------- sample alert


def sample_alert_text(parse_mode: str | None = "Markdown") -> str:
    """A message shaped like a Kapacitor alert, valid in the given parse mode.

    (Field names such as ``usage_idle`` are left out on purpose: a lone ``_``
    breaks Telegram's Markdown.)
    """
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    mode = (parse_mode or "").lower()
    if mode == "html":
        return (
            "<b>CRITICAL</b> cpu:host=server01\n"
            f"CPU idle is <code>3.2%</code> (threshold 10%) at {html_escape(when)}\n"
            "<i>Test alert from kapacitor-wizard: this chat will receive Kapacitor alerts.</i>"
        )
    if mode == "markdown":
        return (
            "*CRITICAL* cpu:host=server01\n"
            f"CPU idle is `3.2%` (threshold 10%) at {when}\n"
            "_Test alert from kapacitor-wizard: this chat will receive Kapacitor alerts._"
        )
    return (
        "CRITICAL cpu:host=server01\n"
        f"CPU idle is 3.2% (threshold 10%) at {when}\n"
        "Test alert from kapacitor-wizard: this chat will receive Kapacitor alerts."
    )


@dataclass(frozen=True)
class SentAlert:
    chat_id: int
    message_id: int
    chat_title: str
    text: str


# --------------------------------------------------------------------------- reading answers


# The HTTP status of the last answer in this task, for error texts: python-telegram-bot's
# exceptions do not carry it.
_LAST_STATUS: contextvars.ContextVar[int | None] = contextvars.ContextVar("telegram_last_status", default=None)


class _UnexpectedAnswer(tg_error.TelegramError):
    """Raised inside python-telegram-bot's request layer for an answer that is not a Bot API answer."""

    def __init__(self, method: str, what: str, status: int | None) -> None:
        super().__init__(what)
        self.method = method
        self.status = status


class _TransportFailure(tg_error.NetworkError):
    """A connection problem, named plainly (a NetworkError, so discovery retries it)."""

    def __init__(self, method: str, what: str) -> None:
        super().__init__(what)
        self.method = method


# What `result` must be for the methods the wizard calls.
_RESULT_KINDS: dict[str, type] = {
    "getMe": dict, "getWebhookInfo": dict, "sendMessage": dict, "getChat": dict,
    "getUpdates": list, "deleteWebhook": bool,
}
_MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")


def _check_chat(chat: Any, where: str) -> None:
    expect(chat, dict, where)
    member(chat, "id", int, where)
    member(chat, "type", str, where)


def _check_updates(updates: list[Any]) -> None:
    """The parts of each update that discovery reads, so a broken one is named, not a crash."""
    for i, update in enumerate(updates):
        where = f"result[{i}]"
        expect(update, dict, where)
        member(update, "update_id", int, where)
        for key in _MESSAGE_KEYS:
            if key in update:
                message = expect(update[key], dict, f"{where}.{key}")
                member(message, "message_id", int, f"{where}.{key}")
                member(message, "date", int, f"{where}.{key}")
                _check_chat(member(message, "chat", dict, f"{where}.{key}"), f"{where}.{key}.chat")
        if "my_chat_member" in update:
            change = expect(update["my_chat_member"], dict, f"{where}.my_chat_member")
            member(change, "date", int, f"{where}.my_chat_member")
            _check_chat(member(change, "chat", dict, f"{where}.my_chat_member"), f"{where}.my_chat_member.chat")
            status = member(change, "new_chat_member", dict, f"{where}.my_chat_member")
            member(status, "status", str, f"{where}.my_chat_member.new_chat_member")


def _check_envelope(method: str, payload: bytes) -> None:
    """A 2xx answer must be ``{"ok": true, "result": ...}`` with a result of the right kind."""
    try:
        data = json.loads(payload)
    except ValueError:
        raise ShapeError(_summary(payload)) from None
    expect(data, dict, "the answer")
    ok = member(data, "ok", bool, "")
    if not ok:
        said = data.get("description")
        raise ShapeError(
            '"ok" is false although the HTTP status says success'
            + (f" ({mask_received(said, limit=80)})" if isinstance(said, str) and said else "")
        )
    if "result" not in data:
        raise ShapeError("result is missing")
    kind = _RESULT_KINDS.get(method)
    if kind is not None:
        expect(data["result"], kind, "result")
    if method == "getUpdates":
        _check_updates(data["result"])


def _summary(payload: bytes) -> str:
    return replies.summary(payload)


def _error_payload(status: int, payload: bytes, headers: httpx.Headers) -> bytes:
    """An error answer as python-telegram-bot expects it: Telegram's own JSON kept (its
    description on one line), anything else replaced by a short description; Retry-After
    from the header when the body does not say."""
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {"ok": False, "error_code": status, "description": _summary(payload)}
    elif isinstance(data.get("description"), str):
        data["description"] = replies.one_line(data["description"])
    if not isinstance(data.get("parameters"), dict):
        data.pop("parameters", None)
    wait = headers.get("Retry-After", "").strip()
    if status == 429 and wait.isdigit() and "retry_after" not in data.get("parameters", {}):
        data.setdefault("parameters", {})["retry_after"] = int(wait)
    return json.dumps(data).encode()


class _NoAnswerInTime(tg_error.TimedOut):
    """The exchange's deadline passed (a TimedOut, so discovery retries it)."""

    def __init__(self, method: str, missed: deadline.ExchangeTimeout) -> None:
        super().__init__(missed.phrase)
        self.method = method
        self.phrase = missed.phrase


class _BotApiRequest(BaseRequest):
    """python-telegram-bot's request layer on the wizard's one HTTP exchange (`replies.send`):
    each call ends within `timeout` seconds in all (a ``getUpdates`` long poll within its
    poll time plus `timeout`), reads at most ``replies.MAX_BODY``, names redirects and
    connection failures plainly, and has every successful answer's shape checked before
    python-telegram-bot builds objects from it. Only python-telegram-bot's public request
    API is used (``BaseRequest``, ``RequestData``)."""

    def __init__(self, timeout: float, connect_timeout: float, pool_size: int) -> None:
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._pool_size = pool_size
        self._http: httpx.AsyncClient | None = None

    @property
    def read_timeout(self) -> float | None:
        # python-telegram-bot adds a long poll's time to this for getUpdates; do_request sets
        # its own deadline from the poll time it sends.
        return self._timeout

    async def initialize(self) -> None:
        if self._http is None or self._http.is_closed:
            limits = httpx.Limits(max_connections=self._pool_size, max_keepalive_connections=self._pool_size)
            self._http = httpx.AsyncClient(limits=limits, timeout=self._timeout)

    async def shutdown(self) -> None:
        if self._http is not None and not self._http.is_closed:
            await self._http.aclose()

    def exchange_timeout(self, method: str, request_data: RequestData | None) -> float:
        """How long one call may take in all: a long poll waits on Telegram's side first."""
        poll = request_data.parameters.get("timeout") if request_data and method == "getUpdates" else None
        return self._timeout + (float(poll) if isinstance(poll, (int, float)) and poll > 0 else 0.0)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # The per-call timeouts python-telegram-bot passes are replaced by the one deadline.
        if self._http is None or self._http.is_closed:
            raise RuntimeError("This request is not initialized!")
        api_method = url.rsplit("/", 1)[-1]
        _LAST_STATUS.set(None)
        try:
            reply = await replies.send(
                self._http, method, url,
                timeout=self.exchange_timeout(api_method, request_data),
                connect_timeout=self._connect_timeout,
                headers={"User-Agent": self.USER_AGENT},
                files=request_data.multipart_data if request_data else None,
                data=request_data.json_parameters if request_data else None,
            )
        except replies.BodyTooLarge as err:
            raise _UnexpectedAnswer(
                api_method, f"larger than {replies.size_label()}, so the wizard stopped reading it", err.status
            ) from None
        except deadline.ExchangeTimeout as err:
            raise _NoAnswerInTime(api_method, err) from err
        except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
            raise _TransportFailure(api_method, replies.transport_failure(err)) from err
        status = reply.status
        _LAST_STATUS.set(status)
        if reply.redirect:
            raise _UnexpectedAnswer(
                api_method,
                f"redirected to {reply.redirect}; the wizard does not follow redirects: use that address",
                status,
            )
        if 200 <= status <= 299:
            try:
                _check_envelope(api_method, reply.content)
            except ShapeError as err:
                raise _UnexpectedAnswer(api_method, str(err), status) from None
            return status, reply.content
        return status, _error_payload(status, reply.content, reply.headers)


# --------------------------------------------------------------------------- the client


def _retry_after_seconds(exc: tg_error.RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)
    if value is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = exc.retry_after
    if isinstance(value, timedelta):
        return max(value.total_seconds(), 0.0)
    return max(float(value), 0.0)


class TelegramClient:
    """The Bot API through a PTB ``Bot``; use as ``async with TelegramClient(...) as tg``.

    Every PTB exception leaves this class as a ``TelegramError`` whose texts
    have the token masked.
    """

    def __init__(
        self,
        token: str | Secret,
        api_url: str = TELEGRAM_DEFAULT_API,
        *,
        scrub: Scrubber | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
    ) -> None:
        # `timeout` bounds each call in all (`--timeout`); `read_timeout` is its older name.
        timeout = timeout if timeout is not None else read_timeout if read_timeout is not None else READ_TIMEOUT
        connect_timeout = min(CONNECT_TIMEOUT if connect_timeout is None else connect_timeout, timeout)
        raw = token.reveal() if isinstance(token, Secret) else str(token or "")
        raw = raw.strip()
        self._token = Secret(raw)
        self.api_url = (api_url or TELEGRAM_DEFAULT_API).rstrip("/")
        self._scrub = scrub or Scrubber()
        self._scrub.add(raw)
        _protect_logs(raw)
        self._address_problem = replies.address_problem(self.api_url)
        self.timeout = timeout
        """How long one call may take in all; a getUpdates long poll gets its poll time on top."""
        self._request = _BotApiRequest(timeout, connect_timeout, pool_size=4)
        # getUpdates has its own connection, so a long poll never holds up another call.
        self._updates_request = _BotApiRequest(timeout, connect_timeout, pool_size=1)
        if not raw or any(ch.isspace() for ch in raw):
            self._bot: Bot | None = None  # PTB refuses such tokens; check_token says so
        else:
            self._bot = Bot(
                raw, base_url=bot_api_base(self.api_url),
                request=self._request, get_updates_request=self._updates_request,
            )
        self._open = False
        self._bot_info: BotInfo | None = None

    def __repr__(self) -> str:
        return f"TelegramClient(api_url={self.api_url!r}, token={MASK})"

    __str__ = __repr__

    @property
    def host(self) -> str:
        return _host(self.api_url)

    @property
    def bot_info(self) -> BotInfo | None:
        """What the last successful ``check_token`` found."""
        return self._bot_info

    async def __aenter__(self) -> TelegramClient:
        await asyncio.gather(self._request.initialize(), self._updates_request.initialize())
        self._open = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._open = False
        await asyncio.gather(
            self._request.shutdown(), self._updates_request.shutdown(), return_exceptions=True
        )

    # -- error translation -------------------------------------------------

    def _clean(self, text: str) -> str:
        return mask_received(_mask_tokens(self._scrub(text or "")), scrub=self._scrub)

    def _translate(self, exc: BaseException) -> TelegramError:
        desc = self._clean(getattr(exc, "message", "") or str(exc))
        low = desc.lower()
        status = _LAST_STATUS.get()
        http = f" (HTTP {status})" if status and status >= 400 else ""
        custom_api = self.api_url != TELEGRAM_DEFAULT_API
        error: TelegramError
        if isinstance(exc, tg_error.InvalidToken):
            hint = f"Telegram answered HTTP {status}. " if status and status >= 400 else ""
            hint += "Copy the token again from @BotFather (/mybots, pick the bot, API Token)."
            if custom_api:
                hint += f" If {self.host} is not a Telegram Bot API server, check --telegram-api-url."
            error = TelegramTokenRejected("Telegram says the bot token is wrong.", hint)
        elif isinstance(exc, tg_error.ChatMigrated):
            error = TelegramChatMigrated(
                f"This group was upgraded to a supergroup; its new chat id is {exc.new_chat_id}.",
                "Use the new chat id.",
                new_chat_id=exc.new_chat_id,
            )
        elif isinstance(exc, tg_error.RetryAfter):
            wait = _retry_after_seconds(exc)
            error = TelegramRateLimited(
                f"Telegram asks to slow down for {wait:g} seconds{http}.",
                "Wait a moment, then retry.", retry_after=wait,
            )
        elif isinstance(exc, tg_error.Conflict):
            if "webhook" in low:
                error = TelegramWebhookActive(
                    "This bot delivers its updates to a webhook, so the wizard cannot read them.",
                    "Remove the webhook, or type the chat id by hand.",
                )
            else:
                error = TelegramConflict(
                    f"Another program is reading this bot's updates right now{http}.",
                    "Stop the other program (or wait for it), then retry; "
                    "or type the chat id by hand.",
                )
        elif isinstance(exc, tg_error.Forbidden):
            if "blocked by the user" in low:
                error = TelegramBotBlocked(
                    "The bot was blocked by the user.",
                    "Unblock the bot in Telegram (open the chat, Restart), then retry.",
                )
            elif "initiate conversation" in low:
                error = TelegramForbidden(
                    "The bot cannot start a conversation with this person.",
                    "The person must open the bot and press Start first.",
                )
            elif "kicked" in low or "not a member" in low:
                error = TelegramForbidden(
                    "The bot is not a member of this chat.",
                    "Add the bot to the group or channel again, then retry.",
                )
            else:
                error = TelegramForbidden(f"Telegram refused{http}: {replies.sentence(desc)}", "")
        elif isinstance(exc, tg_error.BadRequest):
            if "chat not found" in low:
                error = TelegramChatNotFound(
                    "Telegram says: chat not found.",
                    "Check the chat id; the person must have started the bot, or the bot "
                    "must be a member of the group or channel.",
                )
            elif "can't parse entities" in low or "can't find end" in low:
                error = TelegramParseError(
                    f"Telegram can't parse entities in the message: {desc}.",
                    "The text does not fit the parse mode; fix the formatting or switch "
                    "the parse mode.",
                )
            elif "administrator rights" in low or "not enough rights" in low:
                error = TelegramForbidden(
                    "The bot may not post in this chat.",
                    "Make the bot an administrator of the channel (with 'Post messages'), "
                    "then retry.",
                )
            else:
                error = TelegramBadRequest(f"Telegram refused the request{http}: {replies.sentence(desc)}", "")
        elif isinstance(exc, _UnexpectedAnswer):
            status = f" (HTTP {exc.status})" if exc.status else ""
            error = TelegramUnexpected(
                f"Unexpected answer from the Telegram Bot API at {self.host}{status} to "
                f"{exc.method}: {desc}.",
                "Check --telegram-api-url: it must point at a Telegram Bot API server."
                if custom_api else "Check your network or proxy, then retry.",
                status=exc.status,
            )
        elif isinstance(exc, _TransportFailure):
            reach = "could not be reached"
            error = TelegramUnreachable(
                f"Could not reach the Telegram Bot API at {self.host}{desc[len(reach):]} ({exc.method})."
                if desc.startswith(reach)
                else f"The Telegram Bot API at {self.host} {desc} ({exc.method}).",
                "Check your network, proxy and --telegram-api-url, then retry.",
            )
        elif isinstance(exc, _NoAnswerInTime):
            error = TelegramUnreachable(
                f"The Telegram Bot API at {self.host} {exc.phrase} ({exc.method}).",
                f"Check your network or proxy, then retry ({deadline.RAISE_HINT}).",
            )
        elif isinstance(exc, tg_error.TimedOut):
            error = TelegramUnreachable(
                f"The Telegram Bot API at {self.host} did not answer in time.",
                "Check your network or proxy, then retry.",
            )
        elif isinstance(exc, tg_error.NetworkError) and status and status >= 400:
            error = TelegramUnreachable(
                f"The Telegram Bot API at {self.host} answered HTTP {status}: {replies.sentence(desc)}",
                "Check the Bot API server (or the proxy in front of it), then retry.",
            )
        elif isinstance(exc, tg_error.NetworkError):
            error = TelegramUnreachable(
                f"Could not reach the Telegram Bot API at {self.host}: {desc}.",
                "Check your network, proxy and --telegram-api-url, then retry.",
            )
        else:
            error = TelegramError(f"Telegram answered: {desc}.", "")
        return error.scrubbed(self._clean)

    async def _call(self, make: Callable[[Bot], Awaitable[Any]]) -> Any:
        if self._bot is None:
            raise TelegramTokenRejected(
                "The bot token is empty or contains spaces.",
                "Paste the token that @BotFather sent you.",
            )
        if self._address_problem:
            raise TelegramUnreachable(
                f"The Telegram Bot API address {self.api_url} cannot be used: {self._address_problem}.",
                "Check --telegram-api-url (default https://api.telegram.org).",
            )
        try:
            return await make(self._bot)
        except tg_error.TelegramError as exc:
            raise self._translate(exc) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # python-telegram-bot builds its objects from what the server sent: a field
            # missing or of the wrong type ends up here.
            raise TelegramUnexpected(
                f"Unexpected answer from the Telegram Bot API at {self.host} (HTTP 200): "
                f"{self._clean(f'{type(exc).__name__}: {exc}')}.",
                "Check --telegram-api-url: it must point at a Telegram Bot API server.",
                status=200,
            ).scrubbed(self._clean) from None
        except RuntimeError as exc:
            if "not initialized" in str(exc):
                raise RuntimeError("Use TelegramClient as 'async with'.") from None
            raise

    # -- the API -------------------------------------------------------------

    async def check_token(self) -> BotInfo:
        """``getMe``: who the bot is, and whether privacy mode is on."""
        me = await self._call(lambda bot: bot.get_me())
        username = me.username or ""
        self._bot_info = BotInfo(
            id=me.id,
            first_name=me.first_name,
            username=username,
            can_read_all_group_messages=bool(me.can_read_all_group_messages),
            link=f"https://t.me/{username}",
        )
        return self._bot_info

    async def webhook_url(self) -> str | None:
        """The webhook URL set for this bot, or None."""
        info = await self._call(lambda bot: bot.get_webhook_info())
        return info.url or None

    async def remove_webhook(self) -> None:
        """``deleteWebhook``, keeping every pending update (ask the person first)."""
        await self._call(lambda bot: bot.delete_webhook(drop_pending_updates=False))

    async def get_updates_snapshot(self, timeout: int = 0) -> tuple[Update, ...]:
        """One ``getUpdates`` call without an offset: reads, never confirms."""
        return await self._call(
            lambda bot: bot.get_updates(timeout=timeout, limit=UPDATES_LIMIT)
        )

    async def discover_chats(
        self,
        pairing_code: str | None = None,
        *,
        poll_timeout: int = POLL_TIMEOUT,
        idle_interval: float = IDLE_INTERVAL,
        conflict_delay: float = 2.0,
        max_backoff: float = 30.0,
        hint: str | None = None,
    ) -> AsyncIterator[DiscoveryEvent]:
        """Yield discovery events until cancelled (or a webhook turns up).

        Every event carries the full candidate list found so far, so a
        rate limit, a conflict or a network error never loses chats.
        Raises ``TelegramTokenRejected`` if the token stops working.
        """
        seen: dict[int, Update] = {}
        candidates: tuple[ChatCandidate, ...] = ()
        webhook_checked = False
        first_poll = True
        waiting_shown = False
        backlog_shown = False
        backoff = 1.0
        if hint is None:
            info = self._bot_info
            hint = info.pairing_hint(pairing_code) if info else (
                f"Send {('the code ' + pairing_code) if pairing_code else 'a message'} "
                "to the bot, or add it to a group or channel."
            )

        while True:
            try:
                if not webhook_checked:
                    url = await self.webhook_url()
                    if url:
                        yield WebhookActive(candidates, url=url, host=_host(url))
                        return
                    webhook_checked = True
                # The first call only looks (timeout 0) so the screen fills at once;
                # later calls long-poll.
                updates = await self.get_updates_snapshot(
                    timeout=0 if first_poll else int(poll_timeout)
                )
            except TelegramRateLimited as err:
                yield RateLimited(candidates, retry_after=err.retry_after)
                await asyncio.sleep(err.retry_after)
                continue
            except TelegramWebhookActive:
                webhook_checked = False  # look up the URL to report its host
                await asyncio.sleep(idle_interval)
                continue
            except TelegramConflict as err:
                yield PollConflict(candidates, message=err.message, retry_in=conflict_delay)
                waiting_shown = False
                await asyncio.sleep(conflict_delay)
                continue
            except TelegramUnreachable as err:
                yield NetworkTrouble(candidates, message=err.message, retry_in=backoff)
                waiting_shown = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            backoff = 1.0

            new_ids = [u.update_id for u in updates if u.update_id not in seen]
            for update in updates:
                seen.setdefault(update.update_id, update)
            if new_ids or first_poll:
                before = {c.id: c for c in candidates}
                candidates = tuple(candidates_from_updates(seen.values(), pairing_code))
                changed_chats = frozenset(
                    c.id for c in candidates if before.get(c.id) != c
                )
                if first_poll or changed_chats or len(before) != len(candidates):
                    yield CandidatesUpdated(candidates, new_chat_ids=changed_chats)
            first_poll = False
            if not candidates and not waiting_shown:
                waiting_shown = True
                yield Waiting(candidates, hint=hint)
            if len(updates) >= UPDATES_LIMIT and not backlog_shown:
                backlog_shown = True
                yield BacklogFull(candidates, pending=len(updates))
            if updates:
                # Telegram answered at once because updates are pending; it would
                # again, so pause instead of spinning (see the module docstring).
                await asyncio.sleep(idle_interval)

    async def poll_chats(
        self,
        pairing_code: str | None,
        on_event: Callable[[DiscoveryEvent], Any],
        **options: Any,
    ) -> None:
        """Run ``discover_chats`` until cancelled, handing each event to ``on_event``
        (a plain function or a coroutine function)."""
        async for event in self.discover_chats(pairing_code, **options):
            result = on_event(event)
            if inspect.isawaitable(result):
                await result

    async def upgraded_chat_id(self, chat_id: str | int) -> int | None:
        """The supergroup id of a group that Telegram upgraded, or None when it was not.

        Uses ``getChat``, which sends nothing to the chat.
        """
        value = str(chat_id).strip()
        target: int | str = int(value) if value.lstrip("-").isdigit() else value
        try:
            await self._call(lambda bot: bot.get_chat(chat_id=target))
        except TelegramChatMigrated as migrated:
            return int(migrated.new_chat_id)
        return None

    async def send_sample_alert(
        self,
        chat_id: str | int,
        parse_mode: str | None = "Markdown",
        disable_web_page_preview: bool = False,
        disable_notification: bool = False,
        *,
        text: str | None = None,
    ) -> SentAlert:
        """Send a test alert the way Kapacitor would; errors say what to fix."""
        target: int | str
        if isinstance(chat_id, int):
            target = chat_id
        else:
            problem = validate_chat_id(chat_id)
            if problem:
                raise ValidationError(problem)
            value = chat_id.strip()
            target = int(value) if value.lstrip("-").isdigit() else value
        mode = None
        if parse_mode:
            mode = next((m for m in PARSE_MODES if m.lower() == parse_mode.lower()), parse_mode)
        body = text if text is not None else sample_alert_text(mode)
        message = await self._call(
            lambda bot: bot.send_message(
                chat_id=target, text=body, parse_mode=mode,
                disable_web_page_preview=disable_web_page_preview,
                disable_notification=disable_notification,
            )
        )
        return SentAlert(
            chat_id=message.chat.id, message_id=message.message_id,
            chat_title=_chat_title(message.chat), text=body,
        )


# --------------------------------------------------------------------------- non-interactive


async def detect_chats(
    token: str | Secret,
    api_url: str = TELEGRAM_DEFAULT_API,
    timeout: float = 30.0,
    pairing_code: str | None = None,
    *,
    idle_interval: float = IDLE_INTERVAL,
    exchange_timeout: float | None = None,
) -> list[ChatCandidate]:
    """For ``kapacitor-wizard detect-chat-id``: the chats the bot can see.

    Returns as soon as the chat with ``pairing_code`` shows up (or, without a
    code, as soon as any chat does), else after ``timeout`` seconds with what
    was found.  Raises ``TelegramError`` for a wrong token, an active webhook,
    or, when nothing was found, the last polling problem. ``exchange_timeout``
    bounds each call (``--timeout``); the wait for a chat is ``timeout``'s.
    """
    candidates: list[ChatCandidate] = []
    problem: TelegramError | None = None
    async with TelegramClient(token, api_url, timeout=exchange_timeout) as client:
        await client.check_token()
        try:
            async with asyncio.timeout(timeout):
                events = client.discover_chats(
                    pairing_code,
                    poll_timeout=max(1, min(POLL_TIMEOUT, int(timeout))),
                    idle_interval=idle_interval,
                )
                async with contextlib.aclosing(events):
                    async for event in events:
                        candidates = list(event.candidates)
                        if isinstance(event, WebhookActive):
                            raise TelegramWebhookActive(
                                event.message,
                                "Remove the webhook (the wizard can do it) or type the chat id by hand.",
                                url=event.url,
                            )
                        if isinstance(event, RateLimited):
                            problem = TelegramRateLimited(
                                event.message, "", retry_after=event.retry_after
                            )
                        elif isinstance(event, PollConflict):
                            problem = TelegramConflict(event.message, "Stop the other program, then retry.")
                        elif isinstance(event, NetworkTrouble):
                            problem = TelegramUnreachable(event.message, "Check your network, then retry.")
                        elif isinstance(event, CandidatesUpdated):
                            problem = None
                            if (event.paired is not None) if pairing_code else bool(candidates):
                                break
        except TimeoutError:
            pass
    if not candidates and problem is not None:
        raise problem
    return candidates


__all__ = [
    "BacklogFull", "BotInfo", "CandidatesUpdated", "ChatCandidate", "DiscoveryEvent",
    "NetworkTrouble", "PollConflict", "RateLimited", "SentAlert", "TELEGRAM_DEFAULT_API",
    "TelegramBadRequest", "TelegramBotBlocked", "TelegramChatMigrated", "TelegramChatNotFound",
    "TelegramClient", "TelegramConflict", "TelegramError", "TelegramForbidden",
    "TelegramParseError", "TelegramRateLimited", "TelegramTokenRejected", "TelegramUnexpected", "TelegramUnreachable",
    "TelegramWebhookActive", "Waiting", "WebhookActive", "bot_api_base",
    "candidates_from_updates", "detect_chats", "make_pairing_code", "sample_alert_text",
    "validate_chat_id",
]
