"""Screenshots of "Route alerts here" (alert topics), with the same stand-ins and helpers as
`python -m tests.screenshots` (which runs this as its `topics` flow):

    python -m tests.screenshots topics        # at 100×34 and 80×24
    python -m tests.screenshots_topics        # screenshots/topics-*.svg at 100×34 only
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests import screenshots
from tests.screenshots import OUT, configure_slack, connect, preserve_spaces, running, settle, stand_ins
from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.topics import TopicsScreen


def save(pilot: Pilot, step: str) -> None:
    path = OUT / f"topics-{step}.svg"
    path.write_text(preserve_spaces(pilot.app.export_screenshot()), encoding="utf-8")
    print(path.relative_to(OUT.parent))


async def topics_flow(shot: Callable[[Pilot, str], None] = save) -> None:
    with stand_ins() as fakes:
        configure_slack(fakes)
        async with running(screenshots.app_for()) as pilot:
            await connect(pilot)
            options = pilot.app.screen.query_one(OptionList)
            options.highlighted = options.get_option_index("slack")
            await pilot.press("t")
            await wait_for_screen(pilot, TopicsScreen)
            await wait_for(pilot, lambda: screenshots.idle(pilot), what="the routes")
            match = pilot.app.screen.query_one("#route-match", Input)
            match.focus()
            await pilot.pause()
            await paste(pilot, "level() == CRITICAL")
            pilot.app.screen.query_one("#route-option", Input).focus()
            await pilot.pause()
            await paste(pilot, "#oncall")
            await pilot.press("enter")
            await wait_for_screen(pilot, ConfirmScreen)
            await settle(pilot)
            shot(pilot, "01-review")
            pilot.app.screen.query_one("#yes").press()
            await wait_for(pilot, lambda: shows(pilot, "Added topic handler"), what="the write")
            await wait_for(pilot, lambda: screenshots.idle(pilot), what="the routes")
            await pilot.press("p")
            await wait_for_screen(pilot, ConfirmScreen)
            pilot.app.screen.query_one("#yes").press()
            await wait_for(pilot, lambda: shows(pilot, "Kapacitor raised the alert"), what="the proof")
            await settle(pilot)
            shot(pilot, "02-proof")


if __name__ == "__main__":
    asyncio.run(topics_flow())
