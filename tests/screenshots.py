"""Regenerate screenshots/: the real app, driven against the loopback stand-ins, fake secrets only.

    python -m tests.screenshots            # every flow
    python -m tests.screenshots slack      # one flow

Each flow is a coroutine that drives the app with Pilot and calls `shot(name)` at
every step, at a fixed terminal size so the pictures stay comparable.
"""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import SlackReceiver
from tests.tui_helpers import paste, wait_for, wait_for_screen
from wizard.core.kapacitor import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
OUT = Path(__file__).resolve().parents[1] / "screenshots"

Shot = Callable[[Pilot, str], None]


def app_for(kapacitor_url: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor_url)))


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the cursor stop blinking into the picture."""
    await pilot.pause(0.1)


def apply_done(pilot: Pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(w.is_running for w in pilot.app.workers if w.node is screen)


async def slack_flow(shot: Shot) -> None:
    with KapacitorFake() as kapacitor, SlackReceiver() as slack:
        async with app_for(kapacitor.url).run_test(size=SIZE) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            await settle(pilot)
            shot(pilot, "01-connect")
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await settle(pilot)
            shot(pilot, "02-handlers")
            await pilot.press("down", "enter")
            await wait_for_screen(pilot, SlackWebhookScreen)
            await paste(pilot, slack.webhook_url)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: not any(w.is_running for w in pilot.app.workers if w.group == "check"))
            await settle(pilot)
            shot(pilot, "03-slack-webhook")
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
            await paste(pilot, "#alerts")
            await settle(pilot)
            shot(pilot, "04-slack-channel")
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen.step.id == "extras")
            await settle(pilot)
            shot(pilot, "05-slack-extras")
            await pilot.press("enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            await settle(pilot)
            shot(pilot, "06-slack-review")
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_done(pilot))
            await settle(pilot)
            shot(pilot, "07-slack-apply-success")
            await pilot.press("enter")
            await wait_for_screen(pilot, DoneScreen)
            await settle(pilot)
            shot(pilot, "08-slack-done")
            # The same handler again, now with a webhook that Slack refuses.
            slack.answer_no_team()
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await pilot.press("down", "enter")
            await wait_for_screen(pilot, SlackWebhookScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
            await pilot.press("enter", "enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_done(pilot))
            await settle(pilot)
            shot(pilot, "09-slack-apply-test-failed")


async def connect_error(shot: Shot) -> None:
    with KapacitorFake() as kapacitor:
        url = kapacitor.url
    async with app_for(url).run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.query("#connect-error.-shown"))
        await settle(pilot)
        shot(pilot, "00-connect-error")


FLOWS: dict[str, Callable[[Shot], Awaitable[None]]] = {
    "connect": connect_error,
    "slack": slack_flow,
}


async def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for name in names or list(FLOWS):

        def shot(pilot: Pilot, step: str, flow: str = name) -> None:
            pilot.app.save_screenshot(f"{flow}-{step}.svg", path=str(OUT))
            print(f"screenshots/{flow}-{step}.svg")

        await FLOWS[name](shot)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
