"""Secret values: kept out of reprs, logs and any text shown to a person."""
from __future__ import annotations

import logging
import re
from urllib.parse import quote

MASK = "•••"


class Secret:
    """A secret string whose repr and str never show the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that must send it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__


class Scrubber:
    """Replaces every secret it knows with a mask.

    Kapacitor's error texts echo whole URLs (`Post "https://api.telegram.org/bot<token>/sendMessage"`),
    so every text from the network passes through here before a person or a log sees it.
    Also catches the URL-encoded form, which httpx and Go both produce.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | Secret | None) -> None:
        raw = value.reveal() if isinstance(value, Secret) else value
        # Very short values would mask ordinary words; real tokens are long.
        if raw and len(raw) >= 6:
            if self is not GLOBAL_SCRUBBER:
                GLOBAL_SCRUBBER.add(raw)
            self._values.add(raw)
            encoded = quote(raw, safe="")
            if encoded != raw:
                self._values.add(encoded)

    def __call__(self, text: str) -> str:
        if not text or not self._values:
            return text
        pattern = "|".join(re.escape(v) for v in sorted(self._values, key=len, reverse=True))
        return re.sub(pattern, MASK, text)


class _ScrubbingFilter(logging.Filter):
    """Masks secrets in records of libraries that log request URLs (httpx logs every URL)."""

    def __init__(self, scrubber: Scrubber) -> None:
        super().__init__()
        self.scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrubber(record.getMessage())
        record.args = None
        return True


GLOBAL_SCRUBBER = Scrubber()
"""Every secret the process has seen; used by the log filter."""


def install_log_scrubbing(loggers: tuple[str, ...] = ("httpx", "httpcore", "telegram", "wizard")) -> None:
    """Keep secrets out of logs: httpx logs full URLs at INFO, which contain tokens."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ScrubbingFilter) for f in logger.filters):
            logger.addFilter(_ScrubbingFilter(GLOBAL_SCRUBBER))
