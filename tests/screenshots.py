"""Regenerate screenshots/: the real app, driven against the loopback stand-ins, fake secrets only.

    python -m tests.screenshots                  # every flow, at 100×34 and at 80×24
    python -m tests.screenshots slack telegram   # some flows
    python -m tests.screenshots --size 80x24     # one size only

Pictures at 100×34 go to screenshots/, those at 80×24 (the smallest terminal the wizard is
designed for) to screenshots/80x24/.

Each flow is a coroutine that drives the app with Pilot and calls `shot(pilot, name)` at
every step, at a fixed terminal size so the pictures stay comparable. The stand-ins listen
under fixed names (http://kapacitor.test:9092 and so on, see tests/fakes/names.py) and the
Telegram pairing code is fixed, so a picture only changes when the app does.
Files are named `<flow>-<step number>-<what>.svg`; `light-*` shows main screens in
Textual's light theme.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Iterator
from unittest import mock

import httpx
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, SelectionList

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.names import FixedNames
from tests.fakes.receivers import HipChatReceiver, SlackReceiver, SmtpReceiver
from tests.fakes.telegram import TelegramBotApiFake
from tests.tui_helpers import paste, shows, wait_for, wait_for_screen
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.base import ConfirmScreen, HelpScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.hipchat import HipChatServerScreen, HipChatTokenScreen
from wizard.tui.screens.reset import ResetScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.slack import SlackWebhookScreen
from wizard.tui.screens.telegram import TelegramBotScreen, TelegramChatScreen, TelegramFormatScreen
from wizard.tui.screens.workspaces import WorkspacesScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
SMALL = (80, 24)
# The terminal size `running` uses; `main` sets it for each size it makes.
current_size = SIZE
OUT = Path(__file__).resolve().parents[1] / "screenshots"

KAPACITOR = ("kapacitor.test", 9092)
# Plain http:// goes without a question only to Kapacitor's own machine, hence localhost for the
# Slack and HipChat stand-ins (another host needs a yes first).
SLACK = ("localhost", 8080)
HIPCHAT = ("localhost", 8443)
TELEGRAM = ("telegram.test", 8081)
# Obviously fake secrets, nothing shaped like a real token.
TELEGRAM_TOKEN = "123456:FAKE-token-for-screenshots-only"
HIPCHAT_TOKEN = "FAKE-hipchat-token-for-screenshots"
PAIRING_CODE = "K7QX4M"

Shot = Callable[[Pilot, str], None]


def url(name_port: tuple[str, int]) -> str:
    return f"http://{name_port[0]}:{name_port[1]}"


class StandIns:
    """Kapacitor, Slack, HipChat and the Telegram Bot API under their fixed names."""

    def __init__(self, names: FixedNames) -> None:
        self.kapacitor = KapacitorFake(**names.bind(*KAPACITOR))
        self.slack = SlackReceiver(**names.bind(*SLACK))
        self.hipchat = HipChatReceiver(**names.bind(*HIPCHAT))
        self.telegram = TelegramBotApiFake(TELEGRAM_TOKEN, **names.bind(*TELEGRAM))

    @property
    def webhook_url(self) -> str:
        return url(SLACK) + SlackReceiver.WEBHOOK_PATH

    def close(self) -> None:
        for fake in (self.kapacitor, self.slack, self.hipchat, self.telegram):
            fake.close()


@contextmanager
def stand_ins() -> Iterator[StandIns]:
    with (
        FixedNames() as names,
        mock.patch("wizard.tui.screens.telegram.make_pairing_code", return_value=PAIRING_CODE),
        # The file route's suggestion depends on the folder the wizard starts in.
        mock.patch("wizard.tui.screens.connect.default_config_path", return_value=Path("/etc/kapacitor/kapacitor.conf")),
    ):
        fakes = StandIns(names)
        try:
            yield fakes
        finally:
            fakes.close()


def app_for(kapacitor_url: str = url(KAPACITOR), **settings: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=kapacitor_url), telegram_api_url=url(TELEGRAM), **settings))


@asynccontextmanager
async def running(app: WizardApp, theme: str = "") -> AsyncIterator[Pilot]:
    async with app.run_test(size=current_size) as pilot:
        if theme:
            pilot.app.theme = theme
        for input_ in pilot.app.query(Input):
            input_.cursor_blink = False
        yield pilot


async def settle(pilot: Pilot) -> None:
    """Let workers finish, and keep the cursor from blinking into the picture."""
    for input_ in pilot.app.screen.query(Input):
        input_.cursor_blink = False
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.05)


def idle(pilot: Pilot, group: str = "") -> bool:
    screen = pilot.app.screen
    return not any(w.is_running for w in pilot.app.workers if w.node is screen and (not group or w.group == group))


def apply_done(pilot: Pilot) -> bool:
    return isinstance(pilot.app.screen, ApplyScreen) and idle(pilot)


async def connect(pilot: Pilot) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await wait_for(pilot, lambda: idle(pilot), what="the first connection attempt")
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)


async def choose(pilot: Pilot, handler: str, screen_type: type) -> None:
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(handler)
    options.focus()
    await pilot.press("enter")
    await wait_for_screen(pilot, screen_type)


async def review_apply_done(pilot: Pilot, shot: Shot, first: int, what: str) -> None:
    """Review, apply with Kapacitor's own test, done; shots numbered from `first`."""
    await wait_for_screen(pilot, ReviewScreen)
    await settle(pilot)
    shot(pilot, f"{first:02}-{what}review")
    await pilot.press("enter")
    await wait_for(pilot, lambda: apply_done(pilot), what="apply and test")
    await settle(pilot)
    shot(pilot, f"{first + 1:02}-{what}apply-success")
    await pilot.press("enter")
    await wait_for_screen(pilot, DoneScreen)
    await settle(pilot)
    shot(pilot, f"{first + 2:02}-{what}done")


# ---------------------------------------------------------------------------- flows


async def connect_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        fakes.kapacitor.close()  # nothing answers at kapacitor.test:9092
        async with running(app_for()) as pilot:
            await wait_for(pilot, lambda: pilot.app.screen.query("#connect-error.-shown"), what="the error")
            await settle(pilot)
            shot(pilot, "00-connect-error")
    with FixedNames() as names, KapacitorFake(auth=("admin", "right"), **names.bind(*KAPACITOR)):
        settings = ConnectionSettings(url=url(KAPACITOR), username="admin")
        async with running(WizardApp(AppSettings(settings))) as pilot:
            await wait_for(pilot, lambda: pilot.app.screen.query("#connect-error.-shown"), what="the error")
            await settle(pilot)
            shot(pilot, "01-connect-auth-error")


async def slack_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        async with running(app_for()) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            await wait_for(pilot, lambda: shows(pilot, "answers"), what="the first connection")
            await settle(pilot)
            shot(pilot, "01-connect")
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await settle(pilot)
            shot(pilot, "02-handlers")
            await choose(pilot, "slack", SlackWebhookScreen)
            await paste(pilot, fakes.webhook_url)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: idle(pilot, "check"), what="the webhook check")
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
            await review_apply_done(pilot, shot, 6, "slack-")
            # The same handler again, now with a webhook that Slack refuses.
            fakes.slack.answer_no_team()
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await choose(pilot, "slack", SlackWebhookScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
            await pilot.press("enter", "enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_done(pilot))
            await settle(pilot)
            shot(pilot, "09-slack-apply-test-failed")
            # A webhook address that is not one.
            await pilot.click("#fix")
            await wait_for_screen(pilot, SlackWebhookScreen)
            await paste(pilot, "https://example.com/not-a-webhook")
            await pilot.press("enter")
            await settle(pilot)
            shot(pilot, "10-slack-webhook-invalid")


async def telegram_to_format(pilot: Pilot, shot: Shot, api: TelegramBotApiFake, *, every_step: bool) -> None:
    """From the handler list to the format step with a sample alert sent.

    With `every_step`, the bot step is pictured too, and the pairing message arrives while the
    chat step is open, so the list is seen growing; otherwise it is already waiting.
    """
    await choose(pilot, "telegram", TelegramBotScreen)
    if every_step:
        await settle(pilot)
        shot(pilot, "01-telegram-bot")
    await paste(pilot, TELEGRAM_TOKEN)
    await wait_for(pilot, lambda: shows(pilot, "Token works"), what="the token check")
    if every_step:
        await settle(pilot)
        shot(pilot, "02-telegram-bot-token-ok")
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramChatScreen)
    if every_step:
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#chats").row_count == 3, what="three chats")
        api.inject_message(111222333, f"/start {PAIRING_CODE}")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#chats").row_count == 4, what="four chats")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#input-chat-id", Input).value == "111222333")
    await settle(pilot)
    shot(pilot, "03-chat-discovery")
    await pilot.press("enter")
    await wait_for_screen(pilot, TelegramFormatScreen)
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: shows(pilot, "Telegram delivered the sample alert"), what="the sample")
    await settle(pilot)
    shot(pilot, "04-telegram-format")


async def telegram_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        api = fakes.telegram
        api.add_private_chat(111222333, "Alice", last_name="Example", username="alice_example")
        api.add_group(-4001234567, "Ops on call")
        api.add_supergroup(-1001234567890, "Infrastructure", username="infra_example")
        api.add_channel(-1009876543210, "Alerts channel", username="alerts_example")
        api.inject_message(-4001234567, "/start@kapacitor_alerts_bot")
        api.inject_message(-1001234567890, "hello from the team")
        api.inject_message(-1009876543210, "first post", kind="channel_post")
        with mock.patch.object(TelegramChatScreen, "poll_timeout", 1), mock.patch.object(TelegramChatScreen, "idle_interval", 0.05):
            async with running(app_for()) as pilot:
                await connect(pilot)
                await telegram_to_format(pilot, shot, api, every_step=True)
                await pilot.press("f1")
                await wait_for_screen(pilot, HelpScreen)
                await settle(pilot)
                shot(pilot, "05-telegram-format-help")
                await pilot.press("escape")
                await wait_for_screen(pilot, TelegramFormatScreen)
                await pilot.click("#next")
                await review_apply_done(pilot, shot, 6, "telegram-")
                # The person blocks the bot: Kapacitor's test alert fails.
                api.block(111222333)
                await pilot.press("enter")
                await wait_for_screen(pilot, HandlersScreen)
                await choose(pilot, "telegram", TelegramBotScreen)
                await pilot.press("enter")
                await wait_for_screen(pilot, TelegramChatScreen)
                await pilot.click("#next")
                await wait_for_screen(pilot, TelegramFormatScreen)
                await pilot.click("#next")
                await wait_for_screen(pilot, ReviewScreen)
                await pilot.press("enter")
                await wait_for(pilot, lambda: apply_done(pilot))
                await settle(pilot)
                shot(pilot, "09-telegram-apply-test-failed")


async def hipchat_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        async with running(app_for()) as pilot:
            await connect(pilot)
            await choose(pilot, "hipchat", HipChatServerScreen)
            await paste(pilot, url(HIPCHAT))
            await settle(pilot)
            shot(pilot, "01-hipchat-server")
            await pilot.press("enter")
            await wait_for_screen(pilot, HipChatTokenScreen)
            await paste(pilot, "ops")
            await pilot.press("enter")
            await paste(pilot, HIPCHAT_TOKEN)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "HipChat accepted"), what="the direct check")
            await settle(pilot)
            shot(pilot, "02-hipchat-token")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormStepScreen) and pilot.app.screen.step.id == "advanced")
            await settle(pilot)
            shot(pilot, "03-hipchat-advanced")
            await pilot.click("#next")
            await review_apply_done(pilot, shot, 4, "hipchat-")
            # A token HipChat refuses: Kapacitor's test fails.
            fakes.hipchat.answer_invalid_token()
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await choose(pilot, "hipchat", HipChatServerScreen)
            await pilot.press("enter")
            await wait_for_screen(pilot, HipChatTokenScreen)
            await pilot.press("enter", "enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormStepScreen) and pilot.app.screen.step.id == "advanced")
            await pilot.click("#next")
            await wait_for_screen(pilot, ReviewScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_done(pilot))
            await settle(pilot)
            shot(pilot, "07-hipchat-apply-test-failed")


def configure_slack(fakes: StandIns) -> None:
    """Slack as kapacitor.conf sets it up, a channel override, and a second workspace."""
    kapacitor = fakes.kapacitor
    kapacitor.set_file_values("slack", {"enabled": True, "url": fakes.webhook_url, "channel": "#ops"})
    path = url(KAPACITOR) + "/kapacitor/v1/config/slack/"
    assert httpx.post(path, json={"set": {"channel": "#alerts"}}).status_code == 204
    added = {"add": {"workspace": "team-eu", "enabled": True, "url": fakes.webhook_url, "channel": "#eu-alerts"}}
    assert httpx.post(path.rstrip("/"), json=added).status_code == 204


async def workspaces_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        configure_slack(fakes)
        async with running(app_for()) as pilot:
            await connect(pilot)
            await settle(pilot)
            shot(pilot, "01-handlers-configured")
            await pilot.press("w")
            await wait_for_screen(pilot, WorkspacesScreen)
            await settle(pilot)
            shot(pilot, "02-workspaces")
            await pilot.press("a")
            await wait_for(pilot, lambda: pilot.app.screen.query_one("#new-name", Input).has_focus)
            await pilot.press(*"team-us")
            await settle(pilot)
            shot(pilot, "03-workspaces-add")
            await pilot.press("escape")
            await wait_for_screen(pilot, WorkspacesScreen)
            options = pilot.app.screen.query_one("#workspace-list", OptionList)
            options.focus()
            options.highlighted = options.option_count - 1
            await pilot.press("d")
            await wait_for_screen(pilot, ReviewScreen)
            await settle(pilot)
            shot(pilot, "04-workspaces-remove-review")


async def reset_flow(shot: Shot) -> None:
    with stand_ins() as fakes:
        configure_slack(fakes)
        async with running(app_for()) as pilot:
            await connect(pilot)
            options = pilot.app.screen.query_one(OptionList)
            options.highlighted = options.get_option_index("slack")
            await pilot.press("x")
            await wait_for_screen(pilot, ResetScreen)
            pilot.app.screen.query_one(SelectionList).select("channel")
            await settle(pilot)
            shot(pilot, "01-reset")
            await pilot.click("#reset")
            await wait_for_screen(pilot, ConfirmScreen)
            await settle(pilot)
            shot(pilot, "02-reset-confirm")
            await pilot.click("#yes")
            await wait_for_screen(pilot, ReviewScreen)
            await settle(pilot)
            shot(pilot, "03-reset-review")


async def conffile_flow(shot: Shot) -> None:
    sample = Path(__file__).parent / "data" / "kapacitor-sample.conf"
    with stand_ins() as fakes:
        fakes.kapacitor.close()
        conf = Path(tempfile.gettempdir()) / "kapacitor-wizard-screenshots" / "kapacitor.conf"
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(sample.read_text())
        async with running(app_for(config_file="")) as pilot:
            await wait_for(pilot, lambda: pilot.app.screen.query("#file-route.-shown"), what="the file route")
            path_input = pilot.app.screen.query_one("#config-path", Input)
            await settle(pilot)
            shot(pilot, "01-connect-offers-file")
            path_input.value = str(conf)
            path_input.focus()
            await pilot.press("enter")
            await wait_for_screen(pilot, HandlersScreen)
            await choose(pilot, "slack", SlackWebhookScreen)
            await paste(pilot, fakes.webhook_url)
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen.step.id == "channel")
            await paste(pilot, "#alerts")
            await pilot.press("enter", "enter", "enter")
            await wait_for_screen(pilot, ReviewScreen)
            await settle(pilot)
            shot(pilot, "02-file-review")
            pilot.app.screen.query_one("#step-body").scroll_end(animate=False)
            await settle(pilot)
            shot(pilot, "03-file-review-diff")
            await pilot.press("enter")
            await wait_for(pilot, lambda: apply_done(pilot))
            await settle(pilot)
            shot(pilot, "04-file-written")
            await pilot.press("enter")
            await wait_for_screen(pilot, DoneScreen)
            await settle(pilot)
            shot(pilot, "05-file-done")


async def help_flow(shot: Shot) -> None:
    with stand_ins():
        async with running(app_for()) as pilot:
            await wait_for_screen(pilot, ConnectScreen)
            await wait_for(pilot, lambda: idle(pilot))
            await pilot.press("f1")
            await wait_for_screen(pilot, HelpScreen)
            await settle(pilot)
            shot(pilot, "01-connect-help")


async def light_flow(shot: Shot) -> None:
    """A few main screens in Textual's light theme, to check they stay readable."""
    with stand_ins() as fakes:
        api = fakes.telegram
        api.add_private_chat(111222333, "Alice", last_name="Example", username="alice_example")
        api.add_group(-4001234567, "Ops on call")
        api.inject_message(-4001234567, "/start@kapacitor_alerts_bot")
        api.inject_message(111222333, f"/start {PAIRING_CODE}")
        with mock.patch.object(TelegramChatScreen, "poll_timeout", 1), mock.patch.object(TelegramChatScreen, "idle_interval", 0.05):
            async with running(app_for(), theme="textual-light") as pilot:
                await wait_for_screen(pilot, ConnectScreen)
                await wait_for(pilot, lambda: shows(pilot, "answers"), what="the first connection")
                await settle(pilot)
                shot(pilot, "01-connect")
                await pilot.press("enter")
                await wait_for_screen(pilot, HandlersScreen)
                await settle(pilot)
                shot(pilot, "02-handlers")
                await telegram_to_format(pilot, shot, api, every_step=False)
                await pilot.click("#next")
                await wait_for_screen(pilot, ReviewScreen)
                await settle(pilot)
                shot(pilot, "05-review")
                api.block(111222333)
                await pilot.press("enter")
                await wait_for(pilot, lambda: apply_done(pilot))
                await settle(pilot)
                shot(pilot, "06-apply-test-failed")
        fakes.kapacitor.close()
        async with running(app_for(), theme="textual-light") as pilot:
            await wait_for(pilot, lambda: pilot.app.screen.query("#connect-error.-shown"), what="the error")
            await settle(pilot)
            shot(pilot, "07-connect-error")


MAIL = ("mail.test", 2525)


def step_is(pilot: Pilot, step_id: str) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, FormStepScreen) and screen.step.id == step_id


async def email_flow(shot: Shot) -> None:
    """One of the other 19 handlers: email through SMTP, whose Kapacitor test only queues the mail."""
    with stand_ins(), FixedNames() as names:
        mail = SmtpReceiver(**names.bind(*MAIL))
        try:
            async with running(app_for()) as pilot:
                await connect(pilot)
                options = pilot.app.screen.query_one(OptionList)
                options.highlighted = options.get_option_index("smtp")
                options.focus()
                await settle(pilot)
                shot(pilot, "01-handlers-more")
                await pilot.press("enter")
                await wait_for(pilot, lambda: step_is(pilot, "server"), what="the mail server step")
                inputs = {i.id: i for i in pilot.app.screen.query(Input)}
                for name, value in (("host", MAIL[0]), ("port", str(MAIL[1])), ("username", "kapacitor"),
                                    ("password", "FAKE-mail-password"), ("from", "kapacitor@example.com")):
                    inputs[f"input-{name}"].value = value
                await settle(pilot)
                shot(pilot, "02-email-server")
                await pilot.click("#next")
                await wait_for(pilot, lambda: step_is(pilot, "recipients"), what="the recipients step")
                pilot.app.screen.query_one("#input-to", Input).value = "oncall@example.com"
                await pilot.click("#next")
                await wait_for(pilot, lambda: step_is(pilot, "which"), what="the which-alerts step")
                await pilot.click("#next")
                await wait_for_screen(pilot, ReviewScreen)
                await settle(pilot)
                shot(pilot, "03-email-review")
                await pilot.press("enter")
                await wait_for(pilot, lambda: apply_done(pilot), what="apply and test")
                await settle(pilot)
                shot(pilot, "04-email-apply-queued-only")
        finally:
            mail.close()


async def topics_flow(shot: Shot) -> None:
    from tests.screenshots_topics import topics_flow as route_and_prove  # it builds on this module

    await route_and_prove(shot)


FLOWS: dict[str, Callable[[Shot], Awaitable[None]]] = {
    "connect": connect_flow,
    "slack": slack_flow,
    "telegram": telegram_flow,
    "hipchat": hipchat_flow,
    "workspaces": workspaces_flow,
    "reset": reset_flow,
    "conffile": conffile_flow,
    "help": help_flow,
    "light": light_flow,
    "topics": topics_flow,
    "email": email_flow,
}


def preserve_spaces(svg: str) -> str:
    """Mark the picture's text as preformatted.

    Rich writes every run of one style as its own <text>, spaces as &#160;. Under SVG's
    default whitespace rules some renderers (librsvg, so rsvg-convert) drop a run's leading
    &#160;, and "**Parse mode** decides" looks like "Parse modedecides" although the
    terminal shows the space. Browsers keep it either way.
    """
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def folder_for(size: tuple[int, int]) -> Path:
    return OUT if size == SIZE else OUT / f"{size[0]}x{size[1]}"


async def main(names: list[str], sizes: list[tuple[int, int]]) -> None:
    global current_size
    for size in sizes:
        current_size = size
        folder = folder_for(size)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names or list(FLOWS):

            def shot(pilot: Pilot, step: str, flow: str = name, folder: Path = folder) -> None:
                path = folder / f"{flow}-{step}.svg"
                path.write_text(preserve_spaces(pilot.app.export_screenshot()), encoding="utf-8")
                print(path.relative_to(OUT.parent))

            await FLOWS[name](shot)


def parse_arguments(arguments: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    sizes = [SIZE, SMALL]
    if "--size" in arguments:
        at = arguments.index("--size")
        width, _, height = arguments[at + 1].partition("x")
        sizes = [(int(width), int(height))]
        arguments = arguments[:at] + arguments[at + 2 :]
    unknown = [name for name in arguments if name not in FLOWS]
    if unknown:
        sys.exit(f"unknown flow {', '.join(unknown)}; flows: {', '.join(FLOWS)}")
    return arguments, sizes


if __name__ == "__main__":
    asyncio.run(main(*parse_arguments(sys.argv[1:])))
