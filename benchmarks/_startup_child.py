"""Started in a fresh interpreter by benchmarks/startup.py; not imported by anything else.

``_startup_child.py wizard URL`` starts the wizard the way ``kapacitor-wizard --url URL``
does (through ``wizard.cli.main``), headless; ``_startup_child.py minimal`` starts a
minimal Textual app with one focused Input. Either writes ``IMPORTED <time.monotonic()>``
once its modules are loaded, ``BUILT <...>`` once its app is constructed, and ``READY <time.monotonic()>`` once its
first screen is mounted, focused and painted, then exits.
"""
from __future__ import annotations

import os
import sys
import time


def mark(what: str) -> None:
    os.write(1, f"{what} {time.monotonic()!r}\n".encode())


def ready(app) -> None:  # type: ignore[no-untyped-def]
    mark("READY")
    app.exit()


def minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    mark("IMPORTED")

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(placeholder="http://localhost:9092")

        def on_mount(self) -> None:
            self.query_one(Input).focus()
            self.call_after_refresh(ready, self)

    app = Minimal()
    mark("BUILT")
    app.run(headless=True)


def wizard(url: str) -> None:
    from wizard import cli
    import wizard.tui.app  # noqa: F401  (what cli.run_wizard imports next; only to time it apart)

    mark("IMPORTED")

    def run_headless(app, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The real entry point calls run(); the first screen is the connect step.
        from wizard.tui.screens.connect import ConnectScreen

        mounted = ConnectScreen.on_mount

        def on_mount(screen: ConnectScreen) -> None:
            mounted(screen)
            screen.call_after_refresh(ready, screen.app)

        ConnectScreen.on_mount = on_mount  # type: ignore[method-assign]
        mark("BUILT")
        return original_run(app, *args, **{**kwargs, "headless": True})

    from textual.app import App

    original_run = App.run
    App.run = run_headless  # type: ignore[method-assign]
    sys.exit(cli.main(["--url", url]))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        wizard(sys.argv[2])
