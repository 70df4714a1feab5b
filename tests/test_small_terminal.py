"""At 80×24 (an SSH session, a split pane) each step keeps the field in use and its buttons in view.

The pictures in test_snapshots.py show the whole screens at this size; these tests check what
a person relies on there: what they type is visible, the way on is on screen, and the keys
do what the screen says.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, OptionList, SelectionList

from tests.screenshots import SMALL, StandIns, app_for, choose, connect, stand_ins
from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
from wizard.tui.screens.base import ConfirmScreen, HelpScreen
from wizard.tui.screens.hipchat import HipChatServerScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture
def fakes(monkeypatch) -> Iterator[StandIns]:
    monkeypatch.setattr(TelegramChatScreen, "poll_timeout", 1)
    monkeypatch.setattr(TelegramChatScreen, "idle_interval", 0.05)
    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)
    with stand_ins() as running:
        yield running


def in_view(pilot: Pilot, widget: Widget) -> bool:
    """Whether the widget is on the terminal, not scrolled away or under something else."""
    region = widget.region
    if not region.area:
        return False
    at, _ = pilot.app.screen.get_widget_at(region.x, region.y)
    return at is widget or widget in at.ancestors


def focused_and_buttons_in_view(pilot: Pilot) -> bool:
    screen = pilot.app.screen
    focused = pilot.app.focused
    return focused is not None and in_view(pilot, focused) and all(in_view(pilot, b) for b in screen.query("#back, #next"))


@pytest.mark.parametrize(
    "handler, screen_type",
    [("slack", SlackWebhookScreen), ("telegram", TelegramBotScreen), ("hipchat", HipChatServerScreen)],
)
async def test_first_step_shows_the_field_being_typed_into_and_the_buttons(fakes, handler, screen_type):
    async with app_for().run_test(size=SMALL) as pilot:
        await connect(pilot)
        await choose(pilot, handler, screen_type)
        await pilot.pause()
        assert focused_and_buttons_in_view(pilot)
        assert shows(pilot, "How to get it")
        # The guide is one key away, and Tab reaches it.
        await pilot.press("f1")
        await wait_for_screen(pilot, HelpScreen)
        await wait_for(pilot, lambda: in_view(pilot, pilot.app.screen.query_one("#close-help", Button)), what="Close")


async def test_telegram_chat_list_and_chat_id_are_in_view(fakes):
    fakes.telegram.add_group(-4001234567, "Ops on call")
    fakes.telegram.inject_message(-4001234567, "/start@kapacitor_alerts_bot")
    async with app_for().run_test(size=SMALL) as pilot:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await paste(pilot, "123456:FAKE-token-for-screenshots-only")
        await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramChatScreen)
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#chats").row_count == 1, what="the group")
        await pilot.pause()
        assert in_view(pilot, pilot.app.screen.query_one("#chats"))
        assert shows(pilot, "Ops on call")
        assert focused_and_buttons_in_view(pilot)


async def test_unreachable_kapacitor_shows_the_kapacitor_conf_offer(fakes):
    fakes.kapacitor.close()
    async with app_for().run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file route")
        await pilot.pause()
        assert shows(pilot, "Kapacitor unreachable")
        assert shows(pilot, "kapacitor.conf to write")
        assert in_view(pilot, pilot.app.screen.query_one("#use-file", Button))


async def test_reset_dialog_fits_and_space_selects_enter_continues(fakes):
    async with app_for().run_test(size=SMALL) as pilot:
        await connect(pilot)
        options = pilot.app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("slack")
        await pilot.press("x")
        await wait_for_screen(pilot, ResetScreen)
        for name in ("ssl-cert", "ssl-key", "insecure-skip-verify"):
            assert shows(pilot, name)
        for button in pilot.app.screen.query(Button):
            assert in_view(pilot, button)
        selection = pilot.app.screen.query_one(SelectionList)
        await pilot.press("space")
        assert list(selection.selected) == ["enabled"]
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        assert list(selection.selected) == ["enabled"]  # Enter went on, it did not toggle the row
        assert shows(pilot, "Remove the API settings of enabled?")
