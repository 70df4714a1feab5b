"""A stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

It speaks the Bot API at ``/bot<token>/<method>`` (GET and POST; form-encoded
bodies as python-telegram-bot sends them and JSON bodies as Kapacitor sends
them) and keeps the parts of Telegram's behaviour the wizard depends on:

* ``getUpdates`` long-polls for real: with ``timeout`` it blocks until an
  update arrives or the time is up.  Without an offset it returns every
  pending update at once and deletes nothing.  A positive ``offset`` confirms
  (deletes) every update with a lower id; a negative one keeps only the last
  ``-offset`` updates.  A newer ``getUpdates`` call terminates an older,
  still-waiting one with 409, as Telegram does.
* While a webhook is set, ``getUpdates`` answers 409.
* ``sendMessage`` answers with Telegram's own error sentences: chat not found,
  bot blocked, can't parse entities, group upgraded to a supergroup.
* A wrong token gets 401 Unauthorized, a malformed path 404 Not Found.

Test knobs: ``inject_message``/``inject_my_chat_member``/``inject_migration``/
``inject_update``, ``set_webhook``, ``rate_limit_next``, ``conflict_next``,
``fail_next``, the ``chats`` registry (``add_private_chat``, ``add_group``,
``add_supergroup``, ``add_channel``, ``block``), ``sent_messages``,
``requests`` and ``url``.
"""
from __future__ import annotations

import html.parser
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

DEFAULT_TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghijklmn"

_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")

_INT_PARAMS = {
    "offset", "limit", "timeout", "message_thread_id", "message_id",
    "from_chat_id", "max_connections", "user_id",
}
_BOOL_PARAMS = {
    "disable_web_page_preview", "disable_notification", "protect_content",
    "drop_pending_updates", "allow_sending_without_reply",
}
_JSON_PARAMS = {
    "allowed_updates", "link_preview_options", "reply_markup",
    "reply_parameters", "entities",
}

_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class BotProfile:
    id: int = 123456789
    first_name: str = "Kapacitor Alerts"
    username: str = "kapacitor_alerts_bot"
    can_join_groups: bool = True
    # Telegram's "privacy mode": False means privacy is ON.
    can_read_all_group_messages: bool = False

    def user(self) -> dict:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict:
        return {
            **self.user(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class RecordedRequest:
    """One request the fake answered (the token itself is not kept)."""

    http_method: str
    method: str
    params: dict[str, Any]
    token_ok: bool
    status: int = 200
    content_type: str = ""


@dataclass
class SentMessage:
    chat_id: int
    text: str
    parse_mode: str | None
    disable_web_page_preview: bool
    disable_notification: bool
    message_id: int
    params: dict[str, Any] = field(default_factory=dict)


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name == "chat_id":
        return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value.strip()
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in {"true", "1", "yes"}
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --------------------------------------------------------------------------- entity parsing


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def _check_markdown(text: str) -> None:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise _entity_error(text, i)
            i = end + 3
            continue
        if ch in "*_`":
            end = text.find(ch, i + 1)
            if end < 0:
                raise _entity_error(text, i)
            i = end + 1
            continue
        if ch == "[":
            close = text.find("]", i + 1)
            if close >= 0 and text.startswith("(", close + 1):
                end = text.find(")", close + 2)
                if end < 0:
                    raise _entity_error(text, i)
                i = end + 1
                continue
        i += 1


def _check_markdown_v2(text: str) -> None:
    reserved = set("_*[]()~`>#+-=|{}.!")
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "*_~`":
            if stack and stack[-1][0] == ch:
                stack.pop()
            else:
                stack.append((ch, i))
        elif ch in reserved:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{ch}' is reserved "
                "and must be escaped with the preceding '\\'",
            )
        i += 1
    if stack:
        raise _entity_error(text, stack[0][1])


_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
    "pre", "tg-spoiler", "span", "blockquote", "tg-emoji",
}


class _HtmlChecker(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if self.problem:
            return
        if tag not in _HTML_TAGS:
            self.problem = f'Unsupported start tag "{tag}" at byte offset {self.getpos()[1]}'
            return
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.problem:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problem = f'Unexpected end tag at byte offset {self.getpos()[1]}'
            return
        self.stack.pop()


def _check_html(text: str) -> None:
    # A bare "<" or "&" that does not start a tag/entity is rejected by Telegram.
    for match in re.finditer(r"<(?!/?[A-Za-z][\w-]*[\s>/])|&(?!#?\w+;)", text):
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Unsupported start tag at byte offset "
            f"{_byte_offset(text, match.start())}",
        )
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.problem:
        raise ApiError(400, f"Bad Request: can't parse entities: {checker.problem}")
    if checker.stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding "
            f'to start tag "{checker.stack[-1]}"',
        )


def _entity_error(text: str, index: int) -> ApiError:
    return ApiError(
        400,
        "Bad Request: can't parse entities: Can't find end of the entity starting "
        f"at byte offset {_byte_offset(text, index)}",
    )


def check_entities(text: str, parse_mode: str | None) -> None:
    """Raise ``ApiError`` the way Telegram does for text it cannot parse."""
    if not parse_mode:
        return
    mode = parse_mode.lower()
    if mode == "markdown":
        _check_markdown(text)
    elif mode == "markdownv2":
        _check_markdown_v2(text)
    elif mode == "html":
        _check_html(text)
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")


# --------------------------------------------------------------------------- the fake


class TelegramBotApiFake:
    """The Telegram Bot API on ``http://127.0.0.1:<port>``.

    ``url`` is the base; PTB wants ``Bot(token, base_url=f"{fake.url}/bot")``
    and Kapacitor's ``url`` option is ``f"{fake.url}/bot"`` as well.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot: BotProfile | None = None,
        first_update_id: int = 700_000_000,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._bind = (host, port)
        self.token = token
        self.bot = bot or BotProfile(id=int(token.split(":", 1)[0]) if ":" in token else 1)
        self.chats: dict[int, dict[str, Any]] = {}
        self.sent_messages: list[SentMessage] = []
        self.requests: list[RecordedRequest] = []
        self.webhook_url: str = ""
        self.allowed_updates: list[str] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._poll_generation = 0
        self._waiting_polls = 0
        self._closing = False
        self._next_errors: dict[str, list[ApiError]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.start()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._server is not None:
            return
        fake = self

        class Handler(_Handler):
            api = fake

        server = ThreadingHTTPServer(self._bind, Handler)
        server.daemon_threads = True
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name="telegram-bot-api-fake", daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> TelegramBotApiFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def api_base(self) -> str:
        """What PTB's ``base_url`` and Kapacitor's ``url`` option take."""
        return f"{self.url}/bot"

    # ------------------------------------------------------------------ chats

    def add_chat(self, chat: dict[str, Any], *, bot_status: str = "member") -> dict[str, Any]:
        """Register (or update) a chat; returns the Telegram ``Chat`` object."""
        entry = self.chats.setdefault(int(chat["id"]), {"bot_status": bot_status})
        entry.update({k: v for k, v in chat.items() if v is not None})
        entry.setdefault("bot_status", bot_status)
        return self.chat_object(int(chat["id"]))

    def add_private_chat(
        self, id: int, first_name: str, *, last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        return self.add_chat({
            "id": id, "type": "private", "first_name": first_name,
            "last_name": last_name, "username": username,
        })

    def add_group(self, id: int, title: str) -> dict[str, Any]:
        return self.add_chat({"id": id, "type": "group", "title": title})

    def add_supergroup(
        self, id: int, title: str, *, username: str | None = None, is_forum: bool = False,
    ) -> dict[str, Any]:
        return self.add_chat({
            "id": id, "type": "supergroup", "title": title, "username": username,
            "is_forum": True if is_forum else None,
        })

    def add_channel(
        self, id: int, title: str, *, username: str | None = None, bot_is_admin: bool = True,
    ) -> dict[str, Any]:
        return self.add_chat(
            {"id": id, "type": "channel", "title": title, "username": username},
            bot_status="administrator" if bot_is_admin else "member",
        )

    def block(self, chat_id: int) -> None:
        """The person blocked the bot (private) or kicked it (group)."""
        self.chats[chat_id]["bot_status"] = "kicked"

    def chat_object(self, chat_id: int) -> dict[str, Any]:
        entry = self.chats[chat_id]
        keys = ("id", "type", "title", "username", "first_name", "last_name", "is_forum")
        return {k: entry[k] for k in keys if entry.get(k) is not None}

    def _resolve_chat(self, chat: int | dict[str, Any]) -> dict[str, Any]:
        if isinstance(chat, dict):
            return self.add_chat(chat)
        if chat not in self.chats:
            raise KeyError(f"unknown chat {chat}; register it with add_*() first")
        return self.chat_object(chat)

    def _find_chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, int):
            entry = self.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            entry = next(
                (c for c in self.chats.values()
                 if c.get("type") in {"channel", "supergroup"}
                 and str(c.get("username", "")).lower() == wanted),
                None,
            )
        else:
            entry = None
        if entry is None:
            raise ApiError(400, "Bad Request: chat not found")
        return entry

    # ------------------------------------------------------------------ updates

    def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` is assigned when missing)."""
        with self._cond:
            update = dict(update)
            if "update_id" not in update:
                update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def inject_message(
        self,
        chat: int | dict[str, Any],
        text: str | None = "hello",
        *,
        kind: str = "message",
        from_user: dict[str, Any] | None = None,
        date: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Queue a ``message`` (or ``edited_message``/``channel_post``/
        ``edited_channel_post``) update in ``chat`` and return the update."""
        chat_obj = self._resolve_chat(chat)
        now = int(time.time()) if date is None else date
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": now,
            "chat": chat_obj,
        }
        if chat_obj["type"] == "channel":
            message["sender_chat"] = chat_obj
        else:
            message["from"] = from_user or self._person_for(chat_obj)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{
                    "type": "bot_command", "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }]
        if kind.startswith("edited"):
            message["edit_date"] = now
        message.update(extra)
        return self.inject_update({kind: message})

    def inject_my_chat_member(
        self,
        chat: int | dict[str, Any],
        *,
        old_status: str = "left",
        new_status: str = "member",
        from_user: dict[str, Any] | None = None,
        date: int | None = None,
    ) -> dict[str, Any]:
        """Queue a ``my_chat_member`` update: the bot's status in ``chat`` changed."""
        chat_obj = self._resolve_chat(chat)
        self.chats[chat_obj["id"]]["bot_status"] = new_status
        return self.inject_update({
            "my_chat_member": {
                "chat": chat_obj,
                "from": from_user or self._person_for(chat_obj),
                "date": int(time.time()) if date is None else date,
                "old_chat_member": self._member(old_status),
                "new_chat_member": self._member(new_status),
            }
        })

    def inject_migration(
        self, old_chat_id: int, new_chat_id: int, *, title: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A group became a supergroup: both service messages, as Telegram sends them."""
        old = self.chats[old_chat_id]
        new_chat = self.add_supergroup(new_chat_id, title or old.get("title", "Group"))
        old["migrated_to"] = new_chat_id
        first = self.inject_message(old_chat_id, None, migrate_to_chat_id=new_chat_id)
        second = self.inject_message(new_chat, None, migrate_from_chat_id=old_chat_id)
        return first, second

    def drop_pending_updates(self) -> None:
        """Forget every queued update (as if another program had confirmed them)."""
        with self._cond:
            self._updates.clear()

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(u) for u in self._updates]

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates calls are blocked in a long poll right now."""
        with self._cond:
            return self._waiting_polls

    def wait_for_long_poll(self, timeout: float = 5.0) -> bool:
        """Block until some getUpdates call is waiting for updates."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._waiting_polls == 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def _person_for(self, chat: dict[str, Any]) -> dict[str, Any]:
        if chat["type"] == "private":
            user = {"id": chat["id"], "is_bot": False, "first_name": chat.get("first_name", "")}
            if chat.get("last_name"):
                user["last_name"] = chat["last_name"]
            if chat.get("username"):
                user["username"] = chat["username"]
            return user
        return {"id": 4242, "is_bot": False, "first_name": "Ops", "username": "ops_person"}

    def _member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self.bot.user()}
        if status == "administrator":
            member.update({
                "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                "can_delete_messages": False, "can_manage_video_chats": False,
                "can_restrict_members": False, "can_promote_members": False,
                "can_change_info": False, "can_invite_users": False,
                "can_post_stories": False, "can_edit_stories": False,
                "can_delete_stories": False, "can_post_messages": True,
            })
        elif status == "kicked":
            member["until_date"] = 0
        elif status == "restricted":
            member.update({
                "is_member": True, "can_send_messages": True, "can_send_audios": True,
                "can_send_documents": True, "can_send_photos": True,
                "can_send_videos": True, "can_send_video_notes": True,
                "can_send_voice_notes": True, "can_send_polls": True,
                "can_send_other_messages": True, "can_add_web_page_previews": True,
                "can_change_info": False, "can_invite_users": False,
                "can_pin_messages": False, "can_manage_topics": False, "until_date": 0,
            })
        return member

    # ------------------------------------------------------------------ failure knobs

    def fail_next(
        self, method: str, code: int, description: str, parameters: dict | None = None,
    ) -> None:
        """The next call of ``method`` answers with this error."""
        with self._cond:
            self._next_errors.setdefault(method.lower(), []).append(
                ApiError(code, description, parameters)
            )

    def rate_limit_next(self, retry_after: int = 1, method: str = "getUpdates") -> None:
        self.fail_next(
            method, 429, f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def conflict_next(self) -> None:
        """The next getUpdates answers as if another program polls this bot."""
        self.fail_next("getUpdates", 409, _CONFLICT_OTHER_POLL)

    def set_webhook(self, url: str) -> None:
        with self._cond:
            self.webhook_url = url
            self._cond.notify_all()

    def requests_for(self, method: str) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if r.method.lower() == method.lower()]

    # ------------------------------------------------------------------ dispatch

    def handle(self, http_method: str, path: str, params: dict[str, Any],
               content_type: str) -> tuple[int, dict]:
        match = _PATH_RE.match(path)
        if not match:
            return 404, ApiError(404, "Not Found").body()
        token_ok = match["token"] == self.token
        method = match["method"]
        record = RecordedRequest(http_method, method, params, token_ok, content_type=content_type)
        self.requests.append(record)
        try:
            if not token_ok:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            with self._cond:
                queued = self._next_errors.get(method.lower())
                if queued:
                    raise queued.pop(0)
            result = handler(params)
            body: dict[str, Any] = {"ok": True, "result": result}
            if method.lower() in {"deletewebhook", "setwebhook"}:
                body["description"] = self._webhook_description
        except ApiError as exc:
            record.status = exc.code
            return exc.code, exc.body()
        return 200, body

    def _api_getme(self, params: dict) -> dict:
        return self.bot.get_me()

    def _api_getwebhookinfo(self, params: dict) -> dict:
        with self._cond:
            info: dict[str, Any] = {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self.webhook_url:
                info.update({"max_connections": 40, "ip_address": "203.0.113.7"})
            return info

    def _api_setwebhook(self, params: dict) -> bool:
        url = str(params.get("url", ""))
        with self._cond:
            self._webhook_description = "Webhook was set" if url else "Webhook was deleted"
            self.webhook_url = url
            if "allowed_updates" in params:
                self.allowed_updates = params["allowed_updates"]
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._cond.notify_all()
        return True

    def _api_deletewebhook(self, params: dict) -> bool:
        with self._cond:
            self._webhook_description = (
                "Webhook was deleted" if self.webhook_url else "Webhook is already deleted"
            )
            self.webhook_url = ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._cond.notify_all()
        return True

    def _api_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0, int(params.get("timeout") or 0))
        with self._cond:
            if self.webhook_url:
                raise ApiError(409, _CONFLICT_WEBHOOK)
            if "allowed_updates" in params:
                self.allowed_updates = params["allowed_updates"]
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()  # terminates an older, still-waiting call
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            deadline = time.monotonic() + timeout
            while True:
                if self._closing:
                    return []
                if generation != self._poll_generation:
                    raise ApiError(409, _CONFLICT_OTHER_POLL)
                if self.webhook_url:
                    raise ApiError(409, _CONFLICT_WEBHOOK)
                result = self._updates[:limit]
                remaining = deadline - time.monotonic()
                if result or remaining <= 0:
                    return [json.loads(json.dumps(u)) for u in result]
                self._waiting_polls += 1
                self._cond.notify_all()  # wakes wait_for_long_poll()
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting_polls -= 1

    def _api_getchat(self, params: dict) -> dict:
        entry = self._find_chat(params.get("chat_id"))
        if entry.get("migrated_to"):
            # Telegram answers for an upgraded group with its new supergroup id.
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": entry["migrated_to"]},
            )
        return {
            **self.chat_object(entry["id"]),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False, "limited_gifts": False,
                "unique_gifts": False, "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_sendmessage(self, params: dict) -> dict:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise ApiError(400, "Bad Request: chat_id is empty")
        entry = self._find_chat(params["chat_id"])
        text = params.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        kind = entry.get("type")
        if entry.get("migrated_to"):
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": entry["migrated_to"]},
            )
        status = entry.get("bot_status", "member")
        if status == "kicked":
            if kind == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if kind == "channel" and status != "administrator":
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")
        parse_mode = params.get("parse_mode") or None
        check_entities(text, parse_mode)
        preview = params.get("link_preview_options")
        no_preview = bool(params.get("disable_web_page_preview")) or bool(
            isinstance(preview, dict) and preview.get("is_disabled")
        )
        message_id = next(self._message_ids)
        self.sent_messages.append(SentMessage(
            chat_id=entry["id"], text=text, parse_mode=parse_mode,
            disable_web_page_preview=no_preview,
            disable_notification=bool(params.get("disable_notification")),
            message_id=message_id, params=dict(params),
        ))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat_object(entry["id"]),
            "text": text,
        }
        if kind == "channel":
            message["sender_chat"] = message["chat"]
        else:
            message["from"] = self.bot.user()
        return message

    _webhook_description = "Webhook was deleted"


class _Handler(BaseHTTPRequestHandler):
    api: TelegramBotApiFake
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.18.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._serve("POST")

    def _serve(self, http_method: str) -> None:
        parts = urlsplit(self.path)
        raw_params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if body and content_type == "application/json":
                decoded = json.loads(body.decode("utf-8"))
                if not isinstance(decoded, dict):
                    raise ValueError("JSON body must be an object")
                raw_params.update(decoded)
            elif body:
                raw_params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except ValueError:
            self._send(400, ApiError(400, "Bad Request: can't parse request body").body())
            return
        params = {name: _coerce(name, value) for name, value in raw_params.items()}
        status, payload = self.api.handle(http_method, parts.path, params, content_type)
        self._send(status, payload)

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True


@pytest.fixture
def telegram_api() -> Iterator[TelegramBotApiFake]:
    """A running Telegram Bot API stand-in with the default token and bot."""
    with TelegramBotApiFake() as fake:
        yield fake
