"""What a person sees when the wizard itself fails: one scrubbed line, never local variables.

Textual's own report is a traceback with the local variables of every frame, and those
hold tokens and passwords (`auth = ('admin', '<password>')`, `Bot[token=...]`). The
wizard replaces it with one line (and, with --debug, the traceback without locals),
both scrubbed of every secret the process has seen.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from textual.worker import WorkerFailed

from wizard.text import secrets

if TYPE_CHECKING:
    from textual.app import App

_reports: WeakKeyDictionary[App[object], str] = WeakKeyDictionary()

show_traceback = False
"""Set by `--debug`: the report adds the scrubbed traceback (still without locals)."""


def one_line(error: BaseException) -> str:
    """`kapacitor-wizard: unexpected error (Type): message.`, scrubbed, on one line."""
    if isinstance(error, WorkerFailed):
        error = error.error
    return "kapacitor-wizard: " + secrets.unexpected_error_line(error, with_hint=not show_traceback)


def scrubbed_traceback(error: BaseException) -> str:
    """The traceback without local variables, every secret masked."""
    return secrets.scrubbed_traceback(error.error if isinstance(error, WorkerFailed) else error)


def handle_exception(app: App[object], error: Exception) -> None:
    """Stand-in for `App._handle_exception`: the app ends with exit status 1, as with Textual's
    own handling, but instead of Textual's report the app keeps `report(app)`, which the
    command line prints once the terminal is restored."""
    app._return_code = 1
    # Under Pilot the first error is raised again at the end of the test, as Textual does.
    if app._exception is None:
        app._exception = error
        app._exception_event.set()
    if app not in _reports:  # the first error; the ones after it are its consequences
        text = one_line(error)
        _reports[app] = scrubbed_traceback(error) + text if show_traceback else text
    app._close_messages_no_wait()


def report(app: App[object]) -> str:
    """What to print after the app ended because of an unexpected error ("" when it did not)."""
    return _reports.get(app, "")
