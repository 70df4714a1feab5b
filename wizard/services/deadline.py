"""One deadline for each exchange with a server: connecting, sending the request and reading
the whole answer.

A per-read timeout (httpx's, a socket's) only bounds the wait for the *next* byte, so a
server that sends a byte now and then keeps an exchange going for ever: a proxy that trickles
a body, an SMTP server that sends its banner a byte every few seconds or "220-" lines without
end. Every client of the wizard (Kapacitor, Telegram, Slack, HipChat, the direct checks)
therefore bounds each exchange as a whole with the one `--timeout`:

- `exchange(seconds)` for async code: `asyncio.timeout` around the whole exchange, the
  capped body included (`replies.send` uses it for every HTTP request);
- `StepDeadline(seconds)` for blocking sockets (SMTP, in a thread): the time left is checked
  before each read and becomes the socket's timeout for that read.

Both end with `ExchangeTimeout`, whose text says "did not answer within N seconds" when
nothing came, and "did not finish answering within N seconds" when the answer had begun.
A command with several exchanges may take several timeouts.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

RAISE_HINT = "--timeout sets how long one exchange may take"
"""Said after a deadline was missed, so the person knows the knob."""


def seconds_text(seconds: float) -> str:
    """`1 second`, `2.5 seconds`."""
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def phrase(seconds: float, *, answering: bool) -> str:
    """What happened, to follow the name of the server: "did not answer within 2 seconds"."""
    if answering:
        return f"did not finish answering within {seconds_text(seconds)}"
    return f"did not answer within {seconds_text(seconds)}"


class ExchangeTimeout(Exception):
    """An exchange with a server did not end within its deadline.

    Not an OSError (as TimeoutError is), so that the `except OSError` of a transport cannot
    mistake it for a connection failure.
    """

    def __init__(self, seconds: float, *, answering: bool, what: str = "") -> None:
        self.seconds = seconds
        self.answering = answering
        """The answer had begun (its status line, or some of its bytes) when time ran out."""
        self.what = what
        """Which request or step, when the raiser knows (for the message)."""
        super().__init__(self.phrase)

    @property
    def phrase(self) -> str:
        return phrase(self.seconds, answering=self.answering)


@dataclass
class Progress:
    """How far an exchange got; the transport sets `answering` once the answer begins."""

    answering: bool = False


@asynccontextmanager
async def exchange(seconds: float) -> AsyncIterator[Progress]:
    """Bound everything inside to `seconds` in all, however the server trickles.

    ``async with deadline.exchange(10) as progress: ...; progress.answering = True; ...``
    raises `ExchangeTimeout` when the time is up (and nothing else changes: an error the
    body raises passes through as it is).
    """
    progress = Progress()
    limit = asyncio.timeout(seconds)
    try:
        async with limit:
            yield progress
    except TimeoutError as err:
        if not limit.expired():
            raise  # a TimeoutError of the body's own, not this deadline's
        raise ExchangeTimeout(seconds, answering=progress.answering) from err


class StepDeadline:
    """The deadline of one step on a blocking socket (an SMTP command and its reply).

    Call `remaining()` before each read and use it as the socket's timeout for that read:
    no read can then end after the deadline, however slowly the bytes come.
    """

    def __init__(self, seconds: float, what: str = "") -> None:
        self.seconds = seconds
        self.what = what
        self._end = time.monotonic() + seconds

    def remaining(self, *, answering: bool = False) -> float:
        """The seconds left; `ExchangeTimeout` when none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise self.expired(answering=answering)
        return left

    def expired(self, *, answering: bool) -> ExchangeTimeout:
        return ExchangeTimeout(self.seconds, answering=answering, what=self.what)


__all__ = ["ExchangeTimeout", "Progress", "RAISE_HINT", "StepDeadline", "exchange", "phrase", "seconds_text"]
