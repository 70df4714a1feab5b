"""Started in a fresh interpreter by benchmarks/memory.py; not imported by anything else.

``_memory_child.py wizard KAPACITOR_URL TELEGRAM_API_URL TOKEN`` drives the whole
Telegram flow with Pilot (``telegram_flow.shortest_path``); the stand-ins run in the
parent process, which is told the pairing code on stdout (``CODE <code>``) and answers
``SENT`` on stdin once the bot has the message. ``_memory_child.py minimal`` drives a
minimal Textual app with one Input the same way (typing a URL into it).
Both write ``IMPORTED <KiB>`` once their app's modules are loaded, and end by writing ``RSS <peak resident set in KiB>`` and ``OK <True|False>``.
"""
from __future__ import annotations

import asyncio
import os
import resource
import sys


def say(line: str) -> None:
    os.write(1, f"{line}\n".encode())


def imported() -> None:
    say(f"IMPORTED {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


async def minimal() -> bool:
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(placeholder="http://localhost:9092")

        def on_mount(self) -> None:
            self.query_one(Input).focus()

    imported()
    app = Minimal()
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press(*"http://kapacitor:9092", "enter")
        await pilot.pause()
        return app.query_one(Input).value == "http://kapacitor:9092"


async def wizard(kapacitor_url: str, telegram_url: str, token: str) -> bool:
    from telegram_flow import SIZE, shortest_path, service_test_succeeded  # next to this file

    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.state import AppSettings

    imported()

    async def send_code(code: str) -> None:
        say(f"CODE {code}")
        answer = await asyncio.to_thread(sys.stdin.readline)
        assert answer.strip() == "SENT", answer

    app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor_url), telegram_api_url=telegram_url))
    async with app.run_test(size=SIZE) as pilot:
        await shortest_path(pilot, token, send_code)
        return service_test_succeeded(pilot)


if __name__ == "__main__":
    ok = asyncio.run(minimal() if sys.argv[1] == "minimal" else wizard(*sys.argv[2:5]))
    say(f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
    say(f"OK {ok}")
