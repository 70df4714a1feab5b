"""An async client for Kapacitor's HTTP config and service-test API.

Paths and shapes follow Kapacitor 1.5: `/kapacitor/v1/config/<section>` lists
elements, `/kapacitor/v1/config/<section>/` (trailing slash) is the element of a
single-element section and the default Slack workspace, and
`/kapacitor/v1/config/slack/<workspace>` is a named workspace. Kapacitor 1.8 answers the
same, except that an error body repeats its text under "message" (`{"error": ..., "message": ...}`):
it is shown once. The version comes from `X-Kapacitor-Version`, and the options a section has
from what GET /kapacitor/v1/config lists, not from the wizard's own definitions.
"""
from __future__ import annotations

import contextlib
import json
import os
import ssl
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from wizard.text.errors import (
    KapacitorError,
    KapacitorRejected,
    KapacitorUnauthorized,
    KapacitorUnexpected,
    KapacitorUnreachable,
    OverridesDisabled,
    ValidationError,
)
from wizard.services import deadline
from wizard.text import checks
from wizard.services import replies
from wizard.services.replies import ShapeError, expect, member
from wizard.text.secrets import Scrubber, Secret, mask_received, secret_is_set, string_leaves

T = TypeVar("T")

DEFAULT_URL = "http://localhost:9092"
API = "/kapacitor/v1"


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Where Kapacitor is and how to talk to it."""

    url: str = DEFAULT_URL
    username: str = ""
    password: Secret = field(default_factory=lambda: Secret(""))
    skip_verify: bool = False
    ca_cert: str = ""
    timeout: float = 10.0

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None, **given: Any) -> ConnectionSettings:
        """Flags win over the environment, which wins over the defaults (as Kapacitor's CLI does)."""
        env = os.environ if env is None else env
        url = given.get("url") or env.get("KAPACITOR_URL") or DEFAULT_URL
        username = given.get("username") or env.get("KAPACITOR_USERNAME", "")
        password = given.get("password") or env.get("KAPACITOR_PASSWORD", "")
        # The environment gets the same checks as the flags, before any request.
        checked = checks.kapacitor_url(url)
        if not checked.ok:
            raise ValidationError(f"{'--url' if given.get('url') else 'KAPACITOR_URL'}: {checked.error}")
        user = checks.basic_auth_user(str(username))
        if not user.ok:
            raise ValidationError(f"{'--kapacitor-username' if given.get('username') else 'KAPACITOR_USERNAME'}: {user.error}")
        problem = checks.text_problem(_reveal(password), "The password", 4096)
        if problem:
            raise ValidationError(f"{'--kapacitor-password' if given.get('password') else 'KAPACITOR_PASSWORD'}: {problem}")
        return cls(
            url=checked.value,
            username=user.value,
            password=password if isinstance(password, Secret) else Secret(password),
            skip_verify=bool(given.get("skip_verify")),
            ca_cert=given.get("ca_cert") or "",
            timeout=float(given.get("timeout") or 10.0),
        )


def _reveal(value: object) -> str:
    return value.reveal() if isinstance(value, Secret) else str(value or "")


def normalize_url(url: str) -> str:
    """Accept `host:9092` and trailing slashes the way people type them."""
    url = url.strip()
    if url and "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a config section, as Kapacitor shows it (secrets as booleans)."""

    section: str
    options: dict[str, Any]
    redacted: frozenset[str]
    link: str
    unset: Mapping[str, Any] = field(default_factory=dict)
    """Secrets Kapacitor showed in clear that hold nothing, exactly as shown (null, "", an object
    of empty texts): undo sends that shape back to clear them. Never a secret."""

    @property
    def workspace(self) -> str:
        """The element's key in a list section: Slack's and Discord's workspace, httppost's
        endpoint, Kafka's id, MQTT's name ("" for the default workspace and single sections)."""
        return str(self.options.get(list_key(self.section) or "workspace", ""))

    def is_set(self, option: str) -> bool:
        """Whether an option has a value; for secrets Kapacitor only tells us this."""
        value = self.options.get(option)
        if option in self.redacted:
            return bool(value)
        return value not in (None, "", False)


@dataclass(frozen=True, slots=True)
class ServiceTestResult:
    """What Kapacitor said after trying to send a test alert."""

    success: bool
    message: str


def list_key(section: str) -> str | None:
    """The option that names an element of a list section (None for a single section)."""
    from wizard.handlers.registry import HANDLERS  # the definitions say which sections are lists

    return next((s.list_key for s in HANDLERS.values() if s.section == section), None)


def hidden_secrets(element: Element) -> frozenset[str]:
    """The options of an element that the wizard keeps secret but Kapacitor shows in clear."""
    from wizard.handlers.registry import secret_options  # the definitions say which options are secrets

    return frozenset(
        name for name in secret_options(element.section)
        if name in element.options and name not in element.redacted and not isinstance(element.options[name], bool)
    )


def secret_in(service: str) -> str:
    from wizard.handlers.registry import SECRET_IN_URL

    return SECRET_IN_URL.get(service, "")


def element_path(section: str, workspace: str = "") -> str:
    """The exact path of one element: a trailing slash for the default element."""
    return f"{API}/config/{section}/{workspace}"


class KapacitorClient:
    """Talks to one Kapacitor server. Use as `async with KapacitorClient(settings) as client`.

    Every answer is read up to `replies.MAX_BODY` and checked for the shape the wizard
    relies on; anything else leaves as a `KapacitorError` whose text fits on one line.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        scrubber: Scrubber | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.scrub = scrubber or Scrubber()
        self.scrub.add(settings.password)
        self.scrub.add_url(settings.url)  # http://user:password@host: the password is a secret too
        self.version = ""
        # A bad address is reported by the first call, where callers expect errors.
        self._address_problem = replies.address_problem(settings.url)
        self._http = httpx.AsyncClient(
            base_url=settings.url if not self._address_problem else "http://localhost",
            auth=(settings.username, settings.password.reveal()) if settings.username else None,
            timeout=settings.timeout,
            # Plain http needs no certificates: skip loading the CA bundle (a noticeable start-up cost).
            verify=_verify(settings) if settings.url.startswith("https:") else False,
            transport=transport,
            headers={"User-Agent": "kapacitor-wizard"},
        )

    async def __aenter__(self) -> KapacitorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def where(self) -> str:
        """Kapacitor's URL without a user name or password."""
        return replies.without_userinfo(self.settings.url)

    # -- calls -----------------------------------------------------------------

    async def ping(self) -> str:
        """Check that Kapacitor answers; returns its version."""
        response = await self._request("GET", f"{API}/ping")
        version = replies.one_line(response.headers.get("X-Kapacitor-Version", ""), 40)
        if response.status_code != 204 and (version or response.status_code in (401, 403, 429)):
            raise self._status_error(response)
        if response.status_code != 204 or not version:
            sent = f", with {_body_summary(response)}" if response.content.strip() else ""
            raise KapacitorUnexpected(
                f"The server at {self.where} answered, but it does not look like Kapacitor "
                f"(HTTP {response.status_code} to GET /kapacitor/v1/ping{sent}).",
                "Check the URL and port; Kapacitor listens on port 9092 by default.",
                status=response.status_code,
            )
        self.version = version
        return version

    async def get_config(self) -> dict[str, list[Element]]:
        """Every section Kapacitor lets us override, by name."""
        config = await self._json("GET", f"{API}/config", read=_config)
        return {name: [self._hide_secrets(e) for e in elements] for name, elements in config.items()}

    async def get_section(self, section: str) -> list[Element]:
        elements = await self._json("GET", f"{API}/config/{section}", read=lambda body: _elements(section, body, "section"))
        return [self._hide_secrets(e) for e in elements]

    async def get_element(self, section: str, workspace: str = "") -> Element:
        element = await self._json("GET", element_path(section, workspace), read=lambda body: _element(section, body, "element"))
        return self._hide_secrets(element)

    def _hide_secrets(self, element: Element) -> Element:
        """Secrets Kapacitor shows in clear (a Discord or Teams webhook URL, httppost headers,
        Kafka's SASL password) are treated as redacted from here on: the value is learned by
        the scrubber and replaced by whether it is set, as Kapacitor does for its own secrets."""
        hidden = hidden_secrets(element)
        if not hidden:
            return element
        options = dict(element.options)
        unset = dict(element.unset)
        for name in hidden:
            value = options[name]
            self.scrub.add_all(string_leaves(value))
            options[name] = secret_is_set(value)
            if not options[name]:
                unset[name] = value  # null and {} differ on Kapacitor: undo needs to know which
        return Element(element.section, options, element.redacted | hidden, element.link, unset)

    async def update_element(
        self,
        section: str,
        *,
        workspace: str = "",
        set: Mapping[str, Any] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """Change options of one element; `delete` resets options to kapacitor.conf's value."""
        body: dict[str, Any] = {}
        if set:
            body["set"] = {k: self._reveal(v) for k, v in set.items()}
        if delete:
            body["delete"] = list(delete)
        await self._expect_no_content("POST", element_path(section, workspace), body)

    async def add_element(self, section: str, options: Mapping[str, Any]) -> None:
        """Add an element to a list section (a Slack workspace)."""
        body = {"add": {k: self._reveal(v) for k, v in options.items()}}
        await self._expect_no_content("POST", f"{API}/config/{section}", body)

    async def remove_elements(self, section: str, keys: Sequence[str]) -> None:
        await self._expect_no_content("POST", f"{API}/config/{section}", {"remove": list(keys)})

    async def list_service_tests(self) -> dict[str, dict[str, Any]]:
        """Testable services and their default test options."""
        return await self._json("GET", f"{API}/service-tests", read=_service_tests)

    async def service_test_options(self, name: str) -> dict[str, Any]:
        return await self._json(
            "GET", f"{API}/service-tests/{name}",
            read=lambda body: dict(member(body, "options", dict, "", default={})),
        )

    async def run_service_test(self, name: str, options: Mapping[str, Any] | None = None) -> ServiceTestResult:
        """Ask Kapacitor to send a test alert through a handler.

        Kapacitor answers 200 even when sending failed, so `success` must be read.
        """
        def read(body: Mapping[str, Any]) -> ServiceTestResult:
            return ServiceTestResult(
                success=member(body, "success", bool, ""),
                # Received text: the service's reply may echo a secret Kapacitor stored (a key in
                # the request path, a request body, an Authorization header).
                message=mask_received(member(body, "message", str, "", default=""), limit=500,
                                      secret_in=secret_in(name), scrub=self.scrub),
            )

        return await self._json("POST", f"{API}/service-tests/{name}", dict(options or {}), read=read)

    async def call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200,)) -> Answer:
        """One request for API areas kept in their own modules (alert topics, tasks: wizard/kapacitor/topics.py).

        A status outside `ok` becomes a typed error; a 500 with Kapacitor's own error text counts
        as a refusal, since Kapacitor answers 500 to duplicate ids and bad options.
        """
        response = await self._request(method, path, body)
        if response.status_code not in ok:
            raise self._status_error(response, updating=method != "GET")
        return response

    @contextlib.asynccontextmanager
    async def stream_lines(self, path: str, *, line_limit: int = 65536) -> AsyncIterator[AsyncIterator[bytes]]:
        """A GET whose answer keeps coming, line by line (Kapacitor's log: GET /kapacitor/v1/logs).

        Connecting is bounded by the timeout; waiting for lines is not (a log may stay quiet), so
        the caller bounds it. A line longer than `line_limit` bytes is skipped. Errors are the
        same typed, one-line errors as `call`'s.
        """
        if self._address_problem:
            raise KapacitorUnreachable(
                f"Kapacitor's address {self.where} cannot be used: {self._address_problem}.",
                "Check the URL, for example http://localhost:9092.",
            )
        what = f"GET {path.partition('?')[0]}"
        try:
            async with self._http.stream(
                "GET", path, headers={"Content-Type": "application/json", "Accept": "application/json"},
                timeout=httpx.Timeout(self.settings.timeout, read=None),
            ) as response:
                if response.status_code != 200:
                    data = await replies.read_capped(response)
                    raise self._status_error(Answer(response.status_code, response.headers, data))
                yield _lines(response, line_limit)
        except httpx.TimeoutException as err:
            raise KapacitorUnreachable(
                f"Kapacitor at {self.where} did not answer within {self.settings.timeout:g} seconds ({what}).",
                "Check that the host is up, then retry (--timeout sets how long to wait).",
            ) from err
        except httpx.ConnectError as err:
            raise self._connect_error(err) from err
        except (httpx.HTTPError, OSError, ValueError) as err:
            raise KapacitorUnreachable(
                f"Kapacitor at {self.where} {replies.transport_failure(err)} ({what}).",
                "Check the URL and that nothing between you and Kapacitor cuts connections, then retry.",
            ) from err

    # -- plumbing --------------------------------------------------------------

    def _reveal(self, value: Any) -> Any:
        if isinstance(value, Secret):
            self.scrub.add(value)
            return value.reveal()
        return value

    async def _expect_no_content(self, method: str, path: str, body: Any) -> None:
        response = await self._request(method, path, body)
        if response.status_code not in (200, 204):
            raise self._status_error(response, updating=True)
        if response.content.strip():
            # Kapacitor answers a change with 204 and no body; a page here (a proxy's login
            # page, say) means the change may never have reached Kapacitor.
            raise KapacitorUnexpected(
                f"Unexpected answer from Kapacitor (HTTP {response.status_code}) to {method} {path}: "
                f"{_body_summary(response)} instead of no content.",
                "Check that the URL points at Kapacitor and not at a proxy, then look at the handler "
                "with `kapacitor-wizard show`.",
                status=response.status_code,
            ).scrubbed(self.scrub)

    async def _json(self, method: str, path: str, body: Any = None, *, read: Callable[[Mapping[str, Any]], T]) -> T:
        """The answer as JSON, handed to `read`; a wrong shape becomes KapacitorUnexpected."""
        response = await self._request(method, path, body)
        if response.status_code != 200:
            raise self._status_error(response)
        what = f"{method} {path}"
        try:
            data = json.loads(response.content)
        except ValueError as err:
            raise KapacitorUnexpected(
                f"Unexpected answer from Kapacitor (HTTP {response.status_code}) to {what}: "
                f"{_body_summary(response)}.",
                "Check that the URL points at Kapacitor and not at a proxy's error page.",
                status=response.status_code,
            ).scrubbed(self.scrub) from err
        try:
            return read(expect(data, dict, "the answer"))
        except ShapeError as err:
            raise KapacitorUnexpected(
                f"Unexpected answer from Kapacitor (HTTP {response.status_code}) to {what}: "
                f"{replies.one_line(err)}.",
                "Check that the URL points at Kapacitor 1.5 or later, not at another service or a proxy.",
                status=response.status_code,
            ).scrubbed(self.scrub) from err

    async def _request(self, method: str, path: str, body: Any = None) -> Answer:
        what = f"{method} {path}"
        if self._address_problem:
            raise KapacitorUnreachable(
                f"Kapacitor's address {self.where} cannot be used: {self._address_problem}.",
                "Check the URL, for example http://localhost:9092.",
            )
        # Bytes go out as they are (line protocol for /write); anything else as JSON.
        content = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if content is not None and not isinstance(body, bytes) else None
        try:
            reply = await replies.send(self._http, method, path, content=content, headers=headers, timeout=self.settings.timeout)
        except replies.BodyTooLarge as err:
            raise KapacitorUnexpected(
                f"Unexpected answer from Kapacitor (HTTP {err.status}) to {what}: larger than "
                f"{replies.size_label()}, so the wizard stopped reading it.",
                "Check that the URL points at Kapacitor and not at another service.",
                status=err.status,
            ) from err
        except deadline.ExchangeTimeout as err:
            # The one deadline covers connecting, the request and the whole answer, so a
            # server (or proxy) that trickles its answer cannot hold the command for ever.
            raise KapacitorUnreachable(
                f"Kapacitor at {self.where} {err.phrase} ({what}).",
                "Check that the host is up and that nothing between you and Kapacitor holds or slows "
                f"the connection, then retry ({deadline.RAISE_HINT}).",
            ) from err
        except httpx.ConnectError as err:
            raise self._connect_error(err) from err
        except (httpx.HTTPError, OSError, ValueError, ExceptionGroup) as err:
            raise KapacitorUnreachable(
                f"Kapacitor at {self.where} {replies.transport_failure(err)} ({what}).",
                "Check the URL and that nothing between you and Kapacitor cuts connections, then retry.",
            ) from err
        if reply.redirect:
            raise KapacitorUnexpected(
                f"Kapacitor at {self.where} redirected {what} to {reply.redirect} "
                f"(HTTP {reply.status}); the wizard does not follow redirects.",
                "Use the address it redirects to as Kapacitor's URL (--url).",
                status=reply.status,
            ).scrubbed(self.scrub)
        return Answer(reply.status, reply.headers, reply.content)

    def _connect_error(self, err: httpx.ConnectError) -> KapacitorError:
        text = str(err)
        url = self.where
        if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
            return KapacitorUnreachable(
                f"The TLS certificate of {url} could not be verified.",
                "Pass --ca-cert with the CA that signed it, or --skip-verify if you trust this server.",
            )
        if "name or service not known" in text.lower() or "nodename nor servname" in text.lower() or "getaddrinfo" in text.lower():
            return KapacitorUnreachable(
                f"The host name in {url} could not be resolved.",
                "Check the spelling of the host, or use its IP address.",
            )
        return KapacitorUnreachable(
            f"Could not connect to Kapacitor at {url} (connection refused).",
            "Check that kapacitord is running and listening on that address and port (9092 by default).",
        )

    def _status_error(self, response: Answer, *, updating: bool = False) -> KapacitorError:
        """Map a status to a typed error. A 500 to an update means a service refused the values."""
        status = response.status_code
        detail = self.scrub(_error_text(response))
        if status == 401:
            return KapacitorUnauthorized(
                "Kapacitor refused the credentials (401 Unauthorized).",
                "Check the username and password (--username/--password, or KAPACITOR_USERNAME/KAPACITOR_PASSWORD).",
            )
        if status == 403:
            return OverridesDisabled(
                "Kapacitor does not allow changing its configuration over HTTP (HTTP 403"
                + (f": {detail})." if detail else ")."),
                "Set `enabled = true` under [config-override] in kapacitor.conf and restart Kapacitor, "
                "or put the settings into kapacitor.conf instead.",
            )
        if status == 429:
            wait = replies.retry_after(response)
            return KapacitorUnexpected(
                "Kapacitor (or a proxy in front of it) answered HTTP 429 Too Many Requests"
                + (f" and asks to wait {wait} (Retry-After)." if wait else "."),
                "Wait a moment, then retry.",
                status=status,
            )
        if status == 400 or (status == 500 and updating and _is_kapacitor_error(response)):
            return KapacitorRejected(
                f"Kapacitor rejected the request (HTTP {status}): {replies.sentence(detail or 'no reason given')}",
                _rejection_hint(detail),
                status=status,
                detail=detail,
            )
        return KapacitorUnexpected(
            f"Kapacitor answered HTTP {status}" + (f": {replies.sentence(detail)}" if detail else "."),
            "Check Kapacitor's log for the cause, then retry.",
            status=status,
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read in full (at most `replies.MAX_BODY` bytes)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


async def _lines(response: httpx.Response, limit: int) -> AsyncIterator[bytes]:
    """The answer's lines as they arrive, each at most `limit` bytes (longer ones are skipped)."""
    pending = b""
    skipping = False
    async for chunk in response.aiter_bytes():
        pending += chunk
        while True:
            end = pending.find(b"\n")
            if end < 0:
                break
            line, pending = pending[:end], pending[end + 1:]
            if not skipping and line.strip():
                yield line
            skipping = False
        if len(pending) > limit:
            pending, skipping = b"", True


def _verify(settings: ConnectionSettings) -> ssl.SSLContext | bool:
    if settings.skip_verify:
        return False
    if settings.ca_cert:
        return ssl.create_default_context(cafile=settings.ca_cert)
    return True


def _error_text(response: Answer) -> str:
    """Kapacitor's `{"error": ...}`, else a short description of the body, on one line
    (received text: masked by `mask_received`)."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return _body_summary(response) if response.content.strip() else ""
    if isinstance(data, dict) and "error" in data:
        return mask_received(data["error"])
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return mask_received(data["message"])  # InfluxDB 2.x style, which 1.8 also sends
    return mask_received(response.text)


def _is_kapacitor_error(response: Answer) -> bool:
    """Whether the body is Kapacitor's own `{"error": "..."}` (not a proxy's page)."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("error"), str) and bool(data["error"])


def _body_summary(response: Answer) -> str:
    return replies.summary(response.content)


def _rejection_hint(detail: str) -> str:
    if "must specify url" in detail:
        return "An enabled handler needs its URL: enter one, or disable the handler."
    if "must specify token" in detail:
        return "An enabled handler needs its token: enter one, or disable the handler."
    if "wrong kind" in detail:
        return "A value has the wrong type; this is a bug in the wizard, please report it."
    return "Correct the value named in Kapacitor's message and apply again."


def _config(body: Mapping[str, Any]) -> dict[str, list[Element]]:
    sections = member(body, "sections", dict, "")
    return {
        name: _elements(name, expect(section, dict, f"sections.{name}"), f"sections.{name}")
        for name, section in sections.items()
    }


def _elements(section: str, body: Mapping[str, Any], where: str) -> list[Element]:
    listed = member(body, "elements", list, where, default=[])
    return [
        _element(section, expect(e, dict, f"{where}.elements[{i}]"), f"{where}.elements[{i}]")
        for i, e in enumerate(listed)
    ]


def _element(section: str, body: Mapping[str, Any], where: str) -> Element:
    redacted = member(body, "redacted", list, where, default=[])
    link = member(body, "link", dict, where, default={})
    return Element(
        section=section,
        options=dict(member(body, "options", dict, where)),
        redacted=frozenset(expect(r, str, f"{where}.redacted[{i}]") for i, r in enumerate(redacted)),
        link=str(member(link, "href", str, f"{where}.link", default="")),
    )


def _service_tests(body: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    services = member(body, "services", list, "", default=[])
    found: dict[str, dict[str, Any]] = {}
    for i, service in enumerate(services):
        where = f"services[{i}]"
        expect(service, dict, where)
        found[member(service, "name", str, where)] = dict(member(service, "options", dict, where, default={}))
    return found
