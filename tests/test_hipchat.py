"""HipChat: the address a person types, the direct room check, the wizard's flow end to end
against the Kapacitor stand-in (which runs Kapacitor's own HipChat service test against a
HipChat receiver on 127.0.0.1), and `apply hipchat` on the command line."""
from __future__ import annotations

import io
import logging
import socket
import sys
from urllib.parse import parse_qs

import httpx
import pytest
from textual.widgets import Checkbox, Input, OptionList

from tests.tui_helpers import input_value, paste, screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.services import hipchat
from wizard.handlers.registry import TEST_MESSAGE
from wizard.kapacitor.client import ConnectionSettings, KapacitorClient
from wizard.text.secrets import Scrubber, Secret
from wizard.tui.app import WizardApp
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.hipchat import HipChatServerScreen, HipChatTokenScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
TOKEN = "hcTok3nSendNotification0123456789abcdefXY"
CLOUD = "Atlassian shut down HipChat Cloud on 2019-02-15"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD", "HIPCHAT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


# -- the address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "url", "note"),
    [
        ("example-hi", "https://example-hi.hipchat.com/v2/room", CLOUD),
        ("Example-HI", "https://example-hi.hipchat.com/v2/room", CLOUD),
        ("https://example-hi.hipchat.com/home", "https://example-hi.hipchat.com/v2/room", "Using example-hi from the address you pasted."),
        ("example-hi.hipchat.com", "https://example-hi.hipchat.com/v2/room", "Using example-hi from the address you pasted."),
        ("https://example-hi.hipchat.com/v2/room", "https://example-hi.hipchat.com/v2/room", CLOUD),
        ("https://chat.example.com", "https://chat.example.com/v2/room", ""),
        ("https://chat.example.com/", "https://chat.example.com/v2/room", ""),
        ("chat.example.com:8443", "https://chat.example.com:8443/v2/room", ""),
        ("https://chat.example.com/v2/room", "https://chat.example.com/v2/room", ""),
        ("https://chat.example.com/v2/room/", "https://chat.example.com/v2/room", ""),
        ("https://gw.example.com/hipchat/", "https://gw.example.com/hipchat/v2/room", ""),
        ("https://chat.example.com/v2/room/42/notification", "https://chat.example.com/v2/room", "the room is asked for in the next step"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v2/room", ""),
    ],
)
def test_address_becomes_kapacitors_url(typed, url, note):
    verdict = hipchat.server_url(typed)
    assert verdict.ok, verdict.error
    assert verdict.value == url
    if note:
        assert note in verdict.warning
    else:
        assert verdict.warning == ""
    # Drafts may hold either form: the URL itself gives the same URL.
    assert hipchat.server_url(verdict.value).value == url


def test_a_pasted_hipchat_address_is_accepted_with_the_cloud_note():
    verdict = hipchat.server_url("https://example-hi.hipchat.com/home")
    assert verdict.warning.startswith("Using example-hi from the address you pasted.")
    assert CLOUD in verdict.warning


def test_a_token_in_a_pasted_address_is_dropped_and_never_repeated():
    verdict = hipchat.server_url(f"https://chat.example.com/v2/room/ops/notification?auth_token={TOKEN}")
    assert verdict.value == "https://chat.example.com/v2/room"
    assert "token in the address was left out" in verdict.warning
    assert TOKEN not in verdict.value + verdict.warning


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter your HipChat subdomain"),
        ("   ", "Enter your HipChat subdomain"),
        ("ex_ample", "only letters, digits and hyphens"),
        ("-example", "only letters, digits and hyphens"),
        ("www.hipchat.com", "HipChat's own site"),
        ("https://hipchat.com/", "HipChat's own site"),
        ("ftp://chat.example.com", "full address such as https://"),
        ("https://chat.example.com:99999", "not a valid address"),
        ("chat example com", "contains spaces"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(typed, error):
    verdict = hipchat.server_url(typed)
    assert not verdict.ok
    assert error in verdict.error


# -- the direct check ------------------------------------------------------------------


async def test_direct_check_posts_a_notification_like_kapacitor(hipchat_receiver):
    async with httpx.AsyncClient() as http:
        sent = await hipchat.send_test_notification(http, hipchat_receiver.room_url(), "ops", Secret(TOKEN))
    [request] = hipchat_receiver.received
    assert request.method == "POST"
    assert request.path == "/v2/room/ops/notification"
    assert parse_qs(request.query) == {"auth_token": [TOKEN]}
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {"color": "green", "from": "kapacitor", "message": hipchat.CHECK_MESSAGE, "notify": True}
    assert sent.url == hipchat_receiver.room_url() + "/ops/notification"
    assert TOKEN not in sent.url


async def test_direct_check_escapes_the_room_name(hipchat_receiver):
    async with httpx.AsyncClient() as http:
        await hipchat.send_test_notification(http, hipchat_receiver.room_url() + "/", "Ops Team", Secret(TOKEN))
    assert hipchat_receiver.received[0].path == "/v2/room/Ops%20Team/notification"


@pytest.mark.parametrize(
    ("answer", "error", "title", "words"),
    [
        ("answer_invalid_token", hipchat.HipChatTokenRejected, "Token wrong", "401 (\"Invalid OAuth session\"): the token is wrong"),
        ("answer_room_not_found", hipchat.HipChatRoomNotFound, "Room not found", "404 (\"Room not found\"): room ops not found"),
    ],
)
async def test_direct_check_names_a_wrong_token_and_a_missing_room(hipchat_receiver, answer, error, title, words):
    getattr(hipchat_receiver, answer)()
    async with httpx.AsyncClient() as http:
        with pytest.raises(error) as caught:
            await hipchat.send_test_notification(http, hipchat_receiver.room_url(), "ops", Secret(TOKEN))
    assert caught.value.title == title
    assert words in caught.value.message
    assert TOKEN not in str(caught.value)


async def test_a_404_without_hipchats_answer_points_at_the_address(hipchat_receiver):
    hipchat_receiver.set_answer(404, "")
    async with httpx.AsyncClient() as http:
        with pytest.raises(hipchat.HipChatRoomNotFound) as caught:
            await hipchat.send_test_notification(http, hipchat_receiver.url + "/wrong/v2/room", "ops", Secret(TOKEN))
    assert "has HipChat's API at " + hipchat_receiver.url + "/wrong/v2/room" in caught.value.hint


async def test_network_errors_that_echo_the_url_never_show_the_token():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    scrub = Scrubber()
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(hipchat.HipChatUnreachable) as caught:
            await hipchat.send_test_notification(http, "https://chat.example.com/v2/room", "ops", Secret(TOKEN), scrub=scrub)
    text = str(caught.value)
    assert "HipChat at https://chat.example.com/v2/room/ops/notification could not be reached" in text
    assert TOKEN not in text


async def test_an_unreachable_server_is_reported(hipchat_receiver):
    url = hipchat_receiver.room_url()
    hipchat_receiver.close()
    async with httpx.AsyncClient() as http:
        with pytest.raises(hipchat.HipChatUnreachable) as caught:
            await hipchat.send_test_notification(http, url, "ops", Secret(TOKEN))
    assert caught.value.title == "HipChat unreachable"
    assert TOKEN not in str(caught.value)


# -- the wizard ------------------------------------------------------------------------


def make_app(url: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=url)))


def step_is(pilot, step_id: str) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, FormStepScreen) and screen.step.id == step_id


async def choose_hipchat(pilot, screens: list[str]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConnectScreen | HandlersScreen), what="the first screen")
    if isinstance(pilot.app.screen, ConnectScreen):
        await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    options = pilot.app.screen.query_one(OptionList)
    await wait_for(pilot, lambda: any(options.get_option_at_index(i).id == "hipchat" for i in range(options.option_count)))
    options.highlighted = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == "hipchat")
    options.focus()
    await pilot.press("enter")
    await wait_for_screen(pilot, HipChatServerScreen)
    screens.append(screen_text(pilot))


async def enter_address(pilot, address: str, screens: list[str]) -> None:
    await paste(pilot, address)
    screens.append(screen_text(pilot))
    await pilot.press("enter")
    await wait_for_screen(pilot, HipChatTokenScreen)
    screens.append(screen_text(pilot))


async def enter_room_and_token(pilot, room: str, token: str, screens: list[str]) -> None:
    await paste(pilot, room)
    await pilot.press("enter")  # on to the token field
    if token:
        await paste(pilot, token)
    screens.append(screen_text(pilot))


async def finish_flow(pilot, screens: list[str]) -> str:
    """From the advanced step: review, apply with Kapacitor's test, done. Returns the apply screen's text."""
    await wait_for(pilot, lambda: step_is(pilot, "advanced"), what="the advanced step")
    screens.append(screen_text(pilot))
    await pilot.click("#next")
    await wait_for_screen(pilot, ReviewScreen)
    screens.append(screen_text(pilot))
    await pilot.press("enter")
    await wait_for(pilot, lambda: shows(pilot, "Kapacitor sent the test alert") or shows(pilot, "test alert failed"), what="the test")
    applied = screen_text(pilot)
    screens.append(applied)
    return applied


async def test_first_hipchat_setup_end_to_end(kapacitor, hipchat_receiver, caplog):
    caplog.set_level(logging.DEBUG)
    screens: list[str] = []
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await choose_hipchat(pilot, screens)
        assert shows(pilot, CLOUD)
        await paste(pilot, hipchat_receiver.url)
        assert shows(pilot, f"Kapacitor's url: {hipchat_receiver.room_url()}")
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatTokenScreen)
        assert shows(pilot, "Send Notification")
        await enter_room_and_token(pilot, "ops", TOKEN, screens)

        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "HipChat accepted the test notification for room ops"))
        screens.append(screen_text(pilot))
        assert kapacitor.config_posts() == []  # a direct check saves nothing
        [direct] = hipchat_receiver.received
        assert direct.path == "/v2/room/ops/notification"
        assert parse_qs(direct.query) == {"auth_token": [TOKEN]}
        assert direct.json == {"color": "green", "from": "kapacitor", "message": hipchat.CHECK_MESSAGE, "notify": True}

        await pilot.press("enter")
        applied = await finish_flow(pilot, screens)
        review = screens[-2]
        assert hipchat_receiver.room_url() in review and "not set" in review
        assert "Kapacitor sent the test alert through HipChat" in " ".join(applied.split())
        await pilot.click("#finish")
        await wait_for_screen(pilot, DoneScreen)
        screens.append(screen_text(pilot))
        assert shows(pilot, ".hipChat()") and shows(pilot, ".room('ops')")

    assert [p.json for p in kapacitor.config_posts()] == [
        {"set": {"enabled": True, "url": hipchat_receiver.room_url(), "room": "ops", "token": TOKEN}}
    ]
    # Kapacitor's own test alert reached the room with the token it was given.
    alert = hipchat_receiver.received[-1]
    assert len(hipchat_receiver.received) == 2
    assert alert.path == "/v2/room/ops/notification"
    assert parse_qs(alert.query) == {"auth_token": [TOKEN]}
    assert alert.json["message"] == TEST_MESSAGE and alert.json["from"] == "kapacitor"
    for text in screens:
        assert TOKEN not in text
    assert TOKEN not in caplog.text


async def test_a_bad_subdomain_is_refused_and_a_pasted_address_is_used_with_the_cloud_note(kapacitor):
    screens: list[str] = []
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await choose_hipchat(pilot, screens)
        await paste(pilot, "ex_ample")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HipChatServerScreen)
        assert shows(pilot, "A subdomain has only letters, digits and hyphens")
        assert input_value(pilot, "#input-url") == "ex_ample"

        pilot.app.screen.query_one("#input-url", Input).value = ""
        await paste(pilot, "https://example-hi.hipchat.com/home")
        assert shows(pilot, "Kapacitor's url: https://example-hi.hipchat.com/v2/room")
        assert shows(pilot, "Using example-hi from the address you pasted.")
        assert shows(pilot, "a hipchat.com address only works if a HipChat-compatible service answers there")
        await pilot.press("enter")  # not refused
        await wait_for_screen(pilot, HipChatTokenScreen)
        await pilot.press("escape")
        await wait_for_screen(pilot, HipChatServerScreen)
        assert input_value(pilot, "#input-url") == "https://example-hi.hipchat.com/home"
        assert shows(pilot, "Kapacitor's url: https://example-hi.hipchat.com/v2/room")
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatTokenScreen)
        await enter_room_and_token(pilot, "ops", TOKEN, screens)
        await pilot.press("enter")
        await wait_for(pilot, lambda: step_is(pilot, "advanced"))
        await pilot.click("#next")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "url (empty) https://example-hi.hipchat.com/v2/room")
    assert kapacitor.config_posts() == []


async def test_direct_check_shows_a_wrong_token_and_a_missing_room_and_keeps_the_values(kapacitor, hipchat_receiver):
    screens: list[str] = []
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await choose_hipchat(pilot, screens)
        await enter_address(pilot, hipchat_receiver.url, screens)
        await enter_room_and_token(pilot, "ops", TOKEN, screens)
        hipchat_receiver.answer_invalid_token()
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "Token wrong: HipChat answered 401"))
        assert shows(pilot, "the token is wrong, expired or revoked")
        screens.append(screen_text(pilot))
        hipchat_receiver.answer_room_not_found()
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: shows(pilot, "✗ HipChat answered 404 (\"Room not found\"): room ops not found."))
        assert shows(pilot, "room ops not found")
        screens.append(screen_text(pilot))
        assert input_value(pilot, "#input-room") == "ops"
        assert input_value(pilot, "#input-token") == TOKEN
        assert isinstance(pilot.app.screen, HipChatTokenScreen)
    assert len(hipchat_receiver.received) == 2
    assert kapacitor.config_posts() == []
    for text in screens:
        assert TOKEN not in text


async def test_a_stored_token_is_kept_and_global_can_be_turned_on(kapacitor, hipchat_receiver):
    # A HipChat handler already set up.
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        await client.update_element(
            "hipchat", set={"enabled": True, "url": hipchat_receiver.room_url(), "room": "ops", "token": Secret(TOKEN)}
        )
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await choose_hipchat(pilot, [])
        assert input_value(pilot, "#input-url") == hipchat_receiver.room_url()
        await pilot.press("enter")
        await wait_for_screen(pilot, HipChatTokenScreen)
        assert input_value(pilot, "#input-room") == "ops"
        assert shows(pilot, "Set in Kapacitor: leave empty to keep it")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert shows(pilot, "The token is kept in Kapacitor and cannot be read back; paste it to test it here.")
        await pilot.click("#next")
        await wait_for(pilot, lambda: step_is(pilot, "advanced"))
        pilot.app.screen.query_one("#input-global", Checkbox).value = True
        await pilot.click("#next")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "global no yes")
        assert shows(pilot, "token set unchanged")
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "Kapacitor sent the test alert through HipChat"))
    assert kapacitor.config_posts()[-1].json == {"set": {"global": True}}
    assert parse_qs(hipchat_receiver.received[-1].query) == {"auth_token": [TOKEN]}


async def test_escape_cancels_a_running_check_first(kapacitor):
    # A server that takes the connection and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        app = make_app(kapacitor.url)
        async with app.run_test(size=SIZE) as pilot:
            await choose_hipchat(pilot, [])
            await enter_address(pilot, f"http://127.0.0.1:{silent.getsockname()[1]}", [])
            await enter_room_and_token(pilot, "ops", TOKEN, [])
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: shows(pilot, "Posting a test notification to room ops"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: shows(pilot, "Test notification cancelled."))
            assert isinstance(pilot.app.screen, HipChatTokenScreen)
            await pilot.press("escape")
            await wait_for_screen(pilot, HipChatServerScreen)


# -- the command line --------------------------------------------------------------------


def run_cli(argv, monkeypatch, capsys, stdin: str = "", env: dict[str, str] | None = None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    try:
        code = main(argv)
    finally:
        for name in env or {}:
            monkeypatch.delenv(name, raising=False)
    out, err = capsys.readouterr()
    return code, out, err


def test_apply_hipchat_with_a_server_url_and_the_token_on_standard_input(kapacitor, hipchat_receiver, monkeypatch, capsys):
    code, out, err = run_cli(
        ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", hipchat_receiver.url, "--room", "ops",
         "--token", "-", "--test"],
        monkeypatch, capsys, stdin=TOKEN + "\n",
    )
    assert code == 0, err
    assert [p.json for p in kapacitor.config_posts()] == [
        {"set": {"enabled": True, "url": hipchat_receiver.room_url(), "room": "ops", "token": TOKEN}}
    ]
    [alert] = hipchat_receiver.received
    assert alert.path == "/v2/room/ops/notification" and parse_qs(alert.query) == {"auth_token": [TOKEN]}
    assert alert.json["message"] == TEST_MESSAGE
    assert "Kapacitor sent a test alert through HipChat" in out
    assert TOKEN not in out + err


def test_dry_run_with_a_pasted_subdomain_prints_the_request_masked(kapacitor, monkeypatch, capsys):
    code, out, err = run_cli(
        ["apply", "hipchat", "--url", kapacitor.url, "--subdomain", "https://example-hi.hipchat.com/home",
         "--room", "ops", "--state-changes-only", "--dry-run"],
        monkeypatch, capsys, env={"HIPCHAT_TOKEN": TOKEN},
    )
    assert code == 0, err
    assert f"POST {kapacitor.url}/kapacitor/v1/config/hipchat/" in out
    assert '"url": "https://example-hi.hipchat.com/v2/room"' in out
    assert '"token": "•••"' in out and '"state-changes-only": true' in out
    assert "Dry run: nothing was written." in out
    assert "Using example-hi from the address you pasted." in err and CLOUD in err
    assert TOKEN not in out + err
    assert kapacitor.config_posts() == []


def test_without_a_token_an_existing_handler_keeps_its_token(kapacitor, hipchat_receiver, monkeypatch, capsys):
    base = ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", hipchat_receiver.url, "--room", "ops"]
    code, out, err = run_cli(base, monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1 and "No token" in err
    assert kapacitor.config_posts() == []
    run_cli(base, monkeypatch, capsys, env={"HIPCHAT_TOKEN": TOKEN})
    code, out, err = run_cli(base[:-1] + ["alerts", "--global", "--test"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"room": "alerts", "global": True}}
    assert hipchat_receiver.received[-1].path == "/v2/room/alerts/notification"
    assert parse_qs(hipchat_receiver.received[-1].query) == {"auth_token": [TOKEN]}
    code, out, err = run_cli(base[:-1] + ["alerts", "--no-global"], monkeypatch, capsys)
    assert code == 0, err
    assert kapacitor.config_posts()[-1].json == {"set": {"global": False}}


def test_failed_service_test_exits_non_zero_without_the_token(kapacitor, hipchat_receiver, monkeypatch, capsys):
    hipchat_receiver.answer_room_not_found()
    code, out, err = run_cli(
        ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", hipchat_receiver.url, "--room", "nope", "--test"],
        monkeypatch, capsys, env={"HIPCHAT_TOKEN": TOKEN},
    )
    assert code == 1
    assert "HipChat test alert failed" in err and "Room not found" in err
    assert TOKEN not in out + err


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--subdomain", "ex_ample", "--room", "ops"], "--subdomain: A subdomain has only letters"),
        (["--subdomain", "https://chat.example.com", "--room", "ops"], "--subdomain: this is not a hipchat.com address"),
        (["--hipchat-url", "ftp://chat.example.com", "--room", "ops"], "--hipchat-url: Enter a subdomain, or a full address"),
        (["--hipchat-url", "https://chat.example.com", "--room", " "], "--room: Enter the room's name"),
    ],
)
def test_bad_values_are_refused_before_contacting_kapacitor(kapacitor, monkeypatch, capsys, argv, error):
    code, out, err = run_cli(["apply", "hipchat", "--url", kapacitor.url, *argv], monkeypatch, capsys, env={"HIPCHAT_TOKEN": TOKEN})
    assert code == 2
    assert error in err
    assert kapacitor.requests == []


def test_subdomain_and_url_exclude_each_other_and_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", "hipchat", "--subdomain", "a", "--hipchat-url", "https://b.example.com", "--room", "r"])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", "hipchat", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "example" in help_text and "2019-02-15" in help_text and "--no-global" in help_text


def test_kapacitors_error_echoing_the_url_does_not_show_the_token(kapacitor, hipchat_receiver, monkeypatch, capsys):
    url = hipchat_receiver.url
    hipchat_receiver.close()
    code, out, err = run_cli(
        ["apply", "hipchat", "--url", kapacitor.url, "--hipchat-url", url, "--room", "ops", "--token", "-", "--test"],
        monkeypatch, capsys, stdin=TOKEN + "\n",
    )
    assert code == 1
    # Received text: the address keeps its scheme and host, its path and query are masked.
    assert f'Post "{url}/•••"' in err and "connection refused" in err
    assert TOKEN not in out + err


def test_config_file_gets_the_hipchat_section(tmp_path, monkeypatch, capsys):
    conf = tmp_path / "kapacitor.conf"
    conf.write_text(open("tests/data/kapacitor-sample.conf", encoding="utf-8").read(), encoding="utf-8")
    code, out, err = run_cli(
        ["apply", "hipchat", "--config-file", str(conf), "--hipchat-url", "https://chat.example.com",
         "--room", "ops", "--token", "-", "--state-changes-only"],
        monkeypatch, capsys, stdin=TOKEN + "\n",
    )
    assert code == 0, err
    section = conf.read_text(encoding="utf-8").split("[hipchat]")[1].split("\n[")[0]
    assert 'url = "https://chat.example.com/v2/room"' in section
    assert 'room = "ops"' in section and f'token = "{TOKEN}"' in section
    assert "enabled = true" in section and "state-changes-only = true" in section
    assert "Restart Kapacitor" in out
    assert TOKEN not in out + err
