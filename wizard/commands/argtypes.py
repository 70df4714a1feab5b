"""Option types for argparse: every option becomes a checked value, or a one-line refusal.

A refusal raises `argparse.ArgumentTypeError`, whose text argparse shows as
`argument --url: <why>` (never the value itself, which may hold a password);
`OneLineParser` prints that as a single line and exits with status 2.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from wizard.text import checks
from wizard.text.secrets import GLOBAL_SCRUBBER
from wizard.text.checks import Verdict

TIMEOUT_MAX = 3600.0
"""Longest wait for one Kapacitor request, in seconds."""
DETECT_TIMEOUT_MAX = 86400.0
"""Longest wait for a chat to write: Telegram keeps pending updates for 24 hours."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (exit status 2), without the usage block."""

    def error(self, message: str) -> NoReturn:
        # argparse's own messages may wrap, and echo values (a URL with its password)
        message = GLOBAL_SCRUBBER.line(message)
        self.exit(2, f"{self.prog}: error: {message}\n")


def checked(validate: Callable[[str], Verdict]) -> Callable[[str], str]:
    """An argparse type that keeps the validator's cleaned value and refuses with its error."""

    def convert(text: str) -> str:
        verdict = validate(text)
        if not verdict.ok:
            raise argparse.ArgumentTypeError(verdict.error)
        return verdict.value

    convert.__name__ = getattr(validate, "__name__", "value")
    return convert


def seconds(maximum: float) -> Callable[[str], float]:
    """A finite number of seconds above 0 and at most `maximum`."""

    def convert(text: str) -> float:
        verdict = checks.positive_seconds(text, maximum)
        if not verdict.ok:
            raise argparse.ArgumentTypeError(verdict.error)
        return float(verdict.value)

    convert.__name__ = "seconds"
    return convert


def config_file(text: str) -> str:
    """--config-file: empty means none; else a regular file, or none yet in a writable folder."""
    if text == "":
        return ""
    return checked(checks.config_file_path)(text)


def kapacitor_version(text: str) -> str:
    """--kapacitor-version: the Kapacitor that reads the --config-file, as 1.5.7 or 1.8.3."""
    from wizard.conf import startrules

    return checked(startrules.kapacitor_version)(text)


def ca_cert(text: str) -> str:
    """--ca-cert: a readable PEM file."""
    return checked(checks.pem_file)(text)


def kapacitor_url(text: str) -> str:
    """--url: http(s)://host[:port], or host:port."""
    return checked(checks.kapacitor_url)(text)


def telegram_api_url(text: str) -> str:
    """--telegram-api-url: an http(s) address, without the trailing slash."""
    return checked(lambda value: checks.http_url(value, what="The Bot API address"))(text).rstrip("/")
