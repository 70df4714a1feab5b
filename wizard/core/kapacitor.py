"""An async client for Kapacitor's HTTP config and service-test API.

Paths and shapes follow Kapacitor 1.5: `/kapacitor/v1/config/<section>` lists
elements, `/kapacitor/v1/config/<section>/` (trailing slash) is the element of a
single-element section and the default Slack workspace, and
`/kapacitor/v1/config/slack/<workspace>` is a named workspace.
"""
from __future__ import annotations

import json
import os
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from wizard.core.errors import (
    KapacitorError,
    KapacitorRejected,
    KapacitorUnauthorized,
    KapacitorUnexpected,
    KapacitorUnreachable,
    OverridesDisabled,
    ValidationError,
)
from wizard.core import validators
from wizard.core.secrets import Scrubber, Secret

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
        checked = validators.kapacitor_url(url)
        if not checked.ok:
            raise ValidationError(f"{'--url' if given.get('url') else 'KAPACITOR_URL'}: {checked.error}")
        user = validators.basic_auth_user(str(username))
        if not user.ok:
            raise ValidationError(f"{'--kapacitor-username' if given.get('username') else 'KAPACITOR_USERNAME'}: {user.error}")
        problem = validators.text_problem(_reveal(password), "The password", 4096)
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

    @property
    def workspace(self) -> str:
        return str(self.options.get("workspace", ""))

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


def element_path(section: str, workspace: str = "") -> str:
    """The exact path of one element: a trailing slash for the default element."""
    return f"{API}/config/{section}/{workspace}"


class KapacitorClient:
    """Talks to one Kapacitor server. Use as `async with KapacitorClient(settings) as client`."""

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
        self.version = ""
        self._http = httpx.AsyncClient(
            base_url=settings.url,
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

    # -- calls -----------------------------------------------------------------

    async def ping(self) -> str:
        """Check that Kapacitor answers; returns its version."""
        response = await self._request("GET", f"{API}/ping")
        version = response.headers.get("X-Kapacitor-Version", "")
        if response.status_code != 204 and (version or response.status_code in (401, 403)):
            raise self._status_error(response)
        if response.status_code != 204 or not version:
            raise KapacitorUnexpected(
                f"The server at {self.settings.url} answered, but it does not look like Kapacitor "
                f"(HTTP {response.status_code} to /kapacitor/v1/ping).",
                "Check the URL and port; Kapacitor listens on port 9092 by default.",
                status=response.status_code,
            )
        self.version = version
        return version

    async def get_config(self) -> dict[str, list[Element]]:
        """Every section Kapacitor lets us override, by name."""
        body = await self._json("GET", f"{API}/config")
        return {name: _elements(name, sec) for name, sec in body.get("sections", {}).items()}

    async def get_section(self, section: str) -> list[Element]:
        body = await self._json("GET", f"{API}/config/{section}")
        return _elements(section, body)

    async def get_element(self, section: str, workspace: str = "") -> Element:
        body = await self._json("GET", element_path(section, workspace))
        return _element(section, body)

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
        body = await self._json("GET", f"{API}/service-tests")
        return {s["name"]: s.get("options", {}) for s in body.get("services", [])}

    async def service_test_options(self, name: str) -> dict[str, Any]:
        body = await self._json("GET", f"{API}/service-tests/{name}")
        return dict(body.get("options", {}))

    async def run_service_test(self, name: str, options: Mapping[str, Any] | None = None) -> ServiceTestResult:
        """Ask Kapacitor to send a test alert through a handler.

        Kapacitor answers 200 even when sending failed, so `success` must be read.
        """
        body = await self._json("POST", f"{API}/service-tests/{name}", dict(options or {}))
        return ServiceTestResult(
            success=bool(body.get("success")),
            message=self.scrub(str(body.get("message", ""))),
        )

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

    async def _json(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self._request(method, path, body)
        if response.status_code != 200:
            raise self._status_error(response)
        try:
            data = response.json()
        except ValueError as err:
            raise KapacitorUnexpected(
                f"Kapacitor's answer to {path} was not JSON.",
                "Check that the URL points at Kapacitor and not at a proxy's error page.",
                status=response.status_code,
            ) from err
        if not isinstance(data, dict):
            raise KapacitorUnexpected(f"Kapacitor's answer to {path} had an unexpected shape.")
        return data

    async def _request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        content = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            return await self._http.request(method, path, content=content, headers=headers)
        except httpx.TimeoutException as err:
            raise KapacitorUnreachable(
                f"Kapacitor at {self.settings.url} did not answer within {self.settings.timeout:g} seconds.",
                "Check that the host is up and that no firewall drops the connection, then retry.",
            ) from err
        except httpx.ConnectError as err:
            raise self._connect_error(err) from err
        except httpx.HTTPError as err:
            raise KapacitorUnreachable(
                f"The connection to Kapacitor at {self.settings.url} failed: {self.scrub(str(err)) or type(err).__name__}.",
                "Check the URL, then retry.",
            ) from err

    def _connect_error(self, err: httpx.ConnectError) -> KapacitorError:
        text = str(err)
        url = self.settings.url
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

    def _status_error(self, response: httpx.Response, *, updating: bool = False) -> KapacitorError:
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
                "Kapacitor does not allow changing its configuration over HTTP"
                + (f" ({detail})." if detail else "."),
                "Set `enabled = true` under [config-override] in kapacitor.conf and restart Kapacitor, "
                "or put the settings into kapacitor.conf instead.",
            )
        if status == 400 or (status == 500 and updating and detail):
            return KapacitorRejected(
                f"Kapacitor rejected the request: {detail or 'no reason given'}",
                _rejection_hint(detail),
                status=status,
                detail=detail,
            )
        return KapacitorUnexpected(
            f"Kapacitor answered HTTP {status}" + (f": {detail}" if detail else "."),
            "Check Kapacitor's log for the cause, then retry.",
            status=status,
        )


def _verify(settings: ConnectionSettings) -> ssl.SSLContext | bool:
    if settings.skip_verify:
        return False
    if settings.ca_cert:
        return ssl.create_default_context(cafile=settings.ca_cert)
    return True


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if isinstance(data, dict) and "error" in data:
        return str(data["error"])
    return response.text.strip()[:300]


def _rejection_hint(detail: str) -> str:
    if "must specify url" in detail:
        return "An enabled handler needs its URL: enter one, or disable the handler."
    if "must specify token" in detail:
        return "An enabled handler needs its token: enter one, or disable the handler."
    if "wrong kind" in detail:
        return "A value has the wrong type; this is a bug in the wizard, please report it."
    return "Correct the value named in Kapacitor's message and apply again."


def _elements(section: str, body: Mapping[str, Any]) -> list[Element]:
    return [_element(section, e) for e in body.get("elements", [])]


def _element(section: str, body: Mapping[str, Any]) -> Element:
    return Element(
        section=section,
        options=dict(body.get("options", {})),
        redacted=frozenset(body.get("redacted") or ()),
        link=str(body.get("link", {}).get("href", "")),
    )
