"""Pictures of the main screens, compared with the accepted ones in tests/__snapshots__/.

Each test drives the real app with Pilot (`run_before=`) against the loopback stand-ins and
lets pytest-textual-snapshot compare the terminal with the stored SVG. After a deliberate
change of the look, regenerate with ``pytest tests/test_snapshots.py --snapshot-update`` and
look at the new pictures before committing them.

Every picture is taken at 100×34 and at 80×24, the smallest terminal the wizard is designed
for (an SSH session or a split pane): there the field in use and the buttons must be in view.

Everything on screen has to be the same on every run:

* Addresses. The app shows the Kapacitor URL in every title bar and other addresses in its
  messages, and the stand-ins usually listen on random ports. Here every stand-in has a
  fixed name and port (``http://kapacitor.test:9092``, ``http://telegram.test:8081``, the
  Slack relay at ``http://localhost:8080``) and listens at a random loopback address of its
  own (127.x.y.z) at that port; ``socket.getaddrinfo`` answers the names with those
  addresses for the duration of a test (tests/fakes/names.py). So the text is fixed while
  parallel workers (pytest-xdist) and other test runs never compete for an address.
* The Telegram pairing code and the suggested kapacitor.conf path are fixed.
* Text cursors do not blink (their state would depend on timing).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, SelectionList

from tests.screenshots import (
    HIPCHAT,
    HIPCHAT_TOKEN,
    PAIRING_CODE,
    SIZE,
    SMALL,
    TELEGRAM_TOKEN,
    StandIns,
    app_for,
    apply_done,
    choose,
    connect,
    idle,
    stand_ins,
    url,
)
from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.hipchat import HipChatServerScreen, HipChatTokenScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen, TelegramFormatScreen

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


@pytest.fixture(params=[SIZE, SMALL], ids=["100x34", "80x24"])
def size(request) -> tuple[int, int]:
    return request.param


@pytest.fixture
def fakes(monkeypatch) -> Iterator[StandIns]:
    monkeypatch.setattr(TelegramChatScreen, "poll_timeout", 1)
    monkeypatch.setattr(TelegramChatScreen, "idle_interval", 0.05)
    monkeypatch.setattr(TelegramBotScreen, "check_delay", 0.05)
    with stand_ins() as running:
        yield running


async def steady(pilot: Pilot, *, workers: bool = True) -> None:
    """Workers done, no blinking cursor, and the picture no longer changing
    (focus and messages may settle a moment after a worker ends, later on a busy machine)."""
    if workers:
        await wait_for(pilot, lambda: idle(pilot), what="the screen's work")
    for input_ in pilot.app.screen.query(Input):
        input_.cursor_blink = False
    before = ""
    for _ in range(50):
        await pilot.pause(0.1)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now


def compare(snap_compare, run_before, size: tuple[int, int]) -> bool:
    return snap_compare(app_for(), terminal_size=size, run_before=run_before)


async def to_slack_review(pilot: Pilot, fakes: StandIns) -> None:
    await connect(pilot)
    await choose(pilot, "slack", SlackWebhookScreen)
    await paste(pilot, fakes.webhook_url)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
    await paste(pilot, "#alerts")
    await pilot.press("enter", "enter", "enter")
    await wait_for_screen(pilot, ReviewScreen)


def test_connect_ok(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await wait_for_screen(pilot, ConnectScreen)
        await wait_for(pilot, lambda: shows(pilot, "answers"), what="the first connection")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_connect_error_offers_the_file(snap_compare, fakes, size):
    fakes.kapacitor.close()

    async def run_before(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file route")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_handler_list(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_slack_webhook_refused(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "slack", SlackWebhookScreen)
        await paste(pilot, "hooks.slack.com/services/T000FAKE/B000FAKE/example")
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "full https:// address"), what="the error")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_telegram_chat_discovery(snap_compare, fakes, size):
    api = fakes.telegram
    api.add_private_chat(111222333, "Alice", last_name="Example", username="alice_example")
    api.add_group(-4001234567, "Ops on call")
    api.add_supergroup(-1001234567890, "Infrastructure", username="infra_example")
    api.add_channel(-1009876543210, "Alerts channel", username="alerts_example")
    api.inject_message(-4001234567, "/start@kapacitor_alerts_bot")
    api.inject_message(-1001234567890, "hello from the team")
    api.inject_message(-1009876543210, "first post", kind="channel_post")
    api.inject_message(111222333, f"/start {PAIRING_CODE}")

    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await paste(pilot, TELEGRAM_TOKEN)
        await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramChatScreen)
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#chats").row_count == 4, what="four chats")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#input-chat-id", Input).value == "111222333")
        await steady(pilot, workers=False)  # discovery goes on while the screen is open

    assert compare(snap_compare, run_before, size)


def test_review(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await to_slack_review(pilot, fakes)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_apply_success(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await to_slack_review(pilot, fakes)
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_done(pilot), what="apply and test")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_apply_test_failed(snap_compare, fakes, size):
    fakes.slack.answer_no_team()

    async def run_before(pilot: Pilot) -> None:
        await to_slack_review(pilot, fakes)
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_done(pilot), what="apply and test")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_done(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await to_slack_review(pilot, fakes)
        await pilot.press("enter")
        await wait_for(pilot, lambda: apply_done(pilot), what="apply and test")
        await pilot.press("enter")
        await wait_for_screen(pilot, DoneScreen)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_help_panel(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await pilot.press("f1")
        await steady(pilot, workers=False)

    assert compare(snap_compare, run_before, size)


# -- the other steps of each flow ------------------------------------------------------


def on_step(pilot: Pilot, step_id: str) -> bool:
    return isinstance(pilot.app.screen, FormStepScreen) and pilot.app.screen.step.id == step_id


def test_slack_webhook_first_step(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "slack", SlackWebhookScreen)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_slack_channel(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "slack", SlackWebhookScreen)
        await paste(pilot, fakes.webhook_url)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_step(pilot, "channel"))
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_slack_extras(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "slack", SlackWebhookScreen)
        await paste(pilot, fakes.webhook_url)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_step(pilot, "channel"))
        await paste(pilot, "#alerts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_step(pilot, "extras"))
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_telegram_bot_first_step(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_telegram_token_works(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await paste(pilot, TELEGRAM_TOKEN)
        await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_telegram_bot_help(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await pilot.press("f1")
        await steady(pilot, workers=False)

    assert compare(snap_compare, run_before, size)


def test_telegram_format(snap_compare, fakes, size):
    fakes.telegram.add_private_chat(111222333, "Alice", username="alice_example")

    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "telegram", TelegramBotScreen)
        await paste(pilot, TELEGRAM_TOKEN)
        await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramChatScreen)
        await paste(pilot, "111222333")
        await pilot.press("enter")
        await wait_for_screen(pilot, TelegramFormatScreen)
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_hipchat_server(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "hipchat", HipChatServerScreen)
        await paste(pilot, url(HIPCHAT))
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_hipchat_token(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "hipchat", HipChatServerScreen)
        await paste(pilot, url(HIPCHAT))
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatTokenScreen)
        await paste(pilot, "ops")
        await pilot.press("enter")
        await paste(pilot, HIPCHAT_TOKEN)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "HipChat accepted"), what="the direct check")
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_hipchat_advanced(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        await choose(pilot, "hipchat", HipChatServerScreen)
        await paste(pilot, url(HIPCHAT))
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatTokenScreen)
        await paste(pilot, "ops")
        await pilot.press("enter")
        await paste(pilot, HIPCHAT_TOKEN)
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_step(pilot, "advanced"))
        await steady(pilot)

    assert compare(snap_compare, run_before, size)


def test_reset_dialog(snap_compare, fakes, size):
    async def run_before(pilot: Pilot) -> None:
        await connect(pilot)
        options = pilot.app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("slack")
        await pilot.press("x")
        await wait_for_screen(pilot, ResetScreen)
        pilot.app.screen.query_one(SelectionList).select("channel")
        await steady(pilot, workers=False)

    assert compare(snap_compare, run_before, size)
