"""The shortest way through the wizard from launch to Kapacitor's own Telegram test alert.

A Pilot script shared by the effort benchmark (which counts its keys) and the memory
benchmark (which runs it in a subprocess). It imports only the wizard and Textual,
so the stand-ins can live in another process: ``send_code`` is how "the person"
sends the pairing code to the bot from Telegram (no key in the wizard).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen, TelegramFormatScreen

SIZE = (100, 34)
CONFIRMED = "Kapacitor sent the test alert through Telegram"


@dataclass
class Keys:
    """Sends keys through Pilot and counts them; a paste is one key (Ctrl+Shift+V)."""

    pilot: Pilot
    sent: list[str] = field(default_factory=list)

    async def press(self, *keys: str) -> None:
        self.sent.extend(keys)
        await self.pilot.press(*keys)

    async def paste(self, text: str) -> None:
        focused = self.pilot.app.focused
        assert isinstance(focused, Input), f"focus is on {focused!r}, not an input"
        self.sent.append("paste")
        focused.post_message(events.Paste(text))
        await self.pilot.pause()


async def wait_until(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        await pilot.pause(0.01)
    await pilot.pause()


async def on_screen(pilot: Pilot, screen_type: type) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type), screen_type.__name__)


def apply_finished(pilot: Pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(w.is_running for w in pilot.app.workers if w.node is screen)


async def to_chat_step(pilot: Pilot, token: str, keys: Keys | None = None) -> TelegramChatScreen:
    """From launch to Telegram's chat discovery step."""
    keys = keys or Keys(pilot)
    await on_screen(pilot, ConnectScreen)
    await keys.press("enter")  # connect to the Kapacitor given on the command line
    await on_screen(pilot, HandlersScreen)
    await keys.press("down", "down", "enter")  # Telegram is the third handler, after HipChat and Slack
    await on_screen(pilot, TelegramBotScreen)
    await keys.paste(token)  # checked with getMe on its own once it looks like a token
    await keys.press("enter")
    await on_screen(pilot, TelegramChatScreen)
    screen = pilot.app.screen
    assert isinstance(screen, TelegramChatScreen)
    return screen


async def shortest_path(pilot: Pilot, token: str, send_code: Callable[[str], Awaitable[None]]) -> Keys:
    """Drive the app to a finished Apply step; the caller checks what Kapacitor did."""
    keys = Keys(pilot)
    screen = await to_chat_step(pilot, token, keys)
    await send_code(screen.pairing_code)  # in Telegram: /start <code>, or the t.me link
    await wait_until(pilot, lambda: screen.paired_seen, "the paired chat to be preselected")
    await keys.press("enter")
    await on_screen(pilot, TelegramFormatScreen)
    await keys.press("enter")  # the defaults are fine; Next has the focus on this step
    await on_screen(pilot, ReviewScreen)
    await keys.press("enter")  # Apply: Kapacitor saves the settings and sends its test alert
    await wait_until(pilot, lambda: apply_finished(pilot), "apply and test to finish")
    return keys


def service_test_succeeded(pilot: Pilot) -> bool:
    """Whether the Apply step reports Kapacitor's service test as successful."""
    flow = pilot.app.state.flow  # type: ignore[attr-defined]
    result = flow.test_result if flow is not None else None
    return isinstance(pilot.app.screen, ApplyScreen) and result is not None and result.success
