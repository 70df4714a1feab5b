"""Errors a person can act on.

Every failure the wizard expects carries a sentence that says what went wrong
and a hint that says what to try. Screens catch `WizardError` and nothing else,
so a programming error still surfaces as one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Self


class WizardError(Exception):
    """A failure with a user-facing sentence and a hint."""

    title = "Problem"
    """A short name for the kind of failure, shown before the sentence."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def scrubbed(self, scrub: Callable[[str], str]) -> Self:
        """Return the same error with every known secret removed from its texts."""
        self.message = scrub(self.message)
        self.hint = scrub(self.hint)
        self.args = (self.message,)
        return self


class KapacitorError(WizardError):
    """Any failure talking to Kapacitor."""


class KapacitorUnreachable(KapacitorError):
    """Connection refused, DNS failure, TLS failure or timeout."""

    title = "Kapacitor unreachable"


class KapacitorUnauthorized(KapacitorError):
    """Kapacitor answered 401."""

    title = "Not authorized"


class OverridesDisabled(KapacitorError):
    """Kapacitor answered 403: `[config-override]` is disabled in kapacitor.conf."""

    title = "Config overrides disabled"


class KapacitorRejected(KapacitorError):
    """Kapacitor answered 400 (or refused an update) with its own error text."""

    title = "Rejected by Kapacitor"

    def __init__(self, message: str, hint: str = "", *, status: int = 400, detail: str = "") -> None:
        super().__init__(message, hint)
        self.status = status
        self.detail = detail


class KapacitorUnexpected(KapacitorError):
    """Any other answer the wizard does not understand."""

    title = "Unexpected answer"

    def __init__(self, message: str, hint: str = "", *, status: int | None = None) -> None:
        super().__init__(message, hint)
        self.status = status


class ValidationError(WizardError):
    """A value the person typed that cannot be used."""

    title = "Invalid value"
