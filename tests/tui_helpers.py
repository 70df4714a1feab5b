"""Helpers for driving the real app with Pilot: wait on conditions, read the screen as text."""
from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Pause until `condition()` is true; fail with a description and the screen text after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}; screen shows:\n{screen_text(pilot)}")
        await pilot.pause(0.02)
    await pilot.pause()  # let the screen catch up with the state it waited for


async def wait_for_screen(pilot: Pilot, screen_type: type, timeout: float = 10.0) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), timeout, screen_type.__name__)


def screen_text(pilot: Pilot) -> str:
    """Everything visible on the terminal, as a person would read it (from Textual's SVG export)."""
    svg = pilot.app.export_screenshot()
    lines: dict[str, list[str]] = {}
    for y, chunk in re.findall(r'<text[^>]*?y="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        lines.setdefault(y, []).append(html.unescape(chunk).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(lines.items(), key=lambda kv: float(kv[0])))


async def paste(pilot: Pilot, text: str) -> None:
    """Paste into the focused input, as a terminal does (one event, not one key per character)."""
    focused = pilot.app.focused
    assert isinstance(focused, Input), f"focus is on {focused!r}, not an input"
    focused.post_message(events.Paste(text))
    await pilot.pause()


def input_value(pilot: Pilot, selector: str) -> str:
    return pilot.app.screen.query_one(selector, Input).value


_FRAME = str.maketrans("", "", "│╭╮╰╯─▊▎▔▁▏▕")


def shows(pilot: Pilot, phrase: str) -> bool:
    """Whether the screen shows `phrase`, even when it wraps over lines or sits in a frame."""
    flat = " ".join(screen_text(pilot).translate(_FRAME).split())
    return " ".join(phrase.split()) in flat
