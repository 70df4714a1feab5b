"""List sections beyond Slack (Discord workspaces, HTTP post endpoints, Kafka clusters, MQTT
brokers): the pure checks, and the element list end to end against the Kapacitor stand-in."""
from __future__ import annotations

import httpx
import pytest
from textual.widgets import Checkbox, Input

from tests.fakes.receivers import HttpReceiver
from tests.tui_helpers import shows, wait_for, wait_for_screen
from wizard.handlers.registry import HANDLERS
from wizard.kapacitor.client import ConnectionSettings, Element
from wizard.changes.plan import plan_changes
from wizard.changes.elements import (
    LIST_SECTIONS,
    check_change,
    check_new_element,
    check_remove_element,
    list_elements,
    list_section,
)
from wizard.tui.app import WizardApp
from wizard.tui.screens.base import ConfirmScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.workspaces import WorkspacesScreen
from wizard.tui.state import AppSettings

SIZE = (100, 34)
CONFIG = "/kapacitor/v1/config"


# -- pure checks -------------------------------------------------------------------

def element(section: str, key: str, **options: object) -> Element:
    rules = LIST_SECTIONS[section]
    values: dict[str, object] = {rules.key: key, "enabled": False}
    values.update(options)
    return Element(section, values, frozenset(), f"{CONFIG}/{section}/{key}")


def test_every_list_section_of_the_catalog_follows_its_spec():
    listed = {spec.section: spec.list_key for spec in HANDLERS.values() if spec.list_key}
    assert {"slack", "discord", "httppost", "kafka", "mqtt"} <= set(listed)
    for section, key in listed.items():
        assert list_section(section, key).key == key


@pytest.mark.parametrize(("section", "existing"), [("discord", "ops"), ("httppost", "example"), ("kafka", "default"), ("mqtt", "default")])
def test_adding_an_existing_key_is_refused(section, existing):
    rules = LIST_SECTIONS[section]
    elements = [element(section, rules.builtin), element(section, "ops", default=False)]
    verdict = check_new_element(rules, existing, elements, make_default=section == "mqtt")
    assert not verdict.ok and f"already has a {rules.noun} named {existing}" in verdict.error.replace("an ", "a ")
    assert "without an answer" in verdict.error


@pytest.mark.parametrize("name", ["", "a/b", "a b", "tëam", "a?b", "x" * 65])
def test_keys_that_cannot_be_addressed_in_urls_are_refused(name):
    for section in ("discord", "httppost", "kafka", "mqtt"):
        assert not check_new_element(LIST_SECTIONS[section], name, [], make_default=True).ok


def test_mqtt_needs_exactly_one_default_once_there_are_two():
    rules = LIST_SECTIONS["mqtt"]
    fresh = [element("mqtt", "default", default=False)]
    verdict = check_new_element(rules, "second", fresh)
    assert not verdict.ok and "exactly one of them to be the default" in verdict.error
    assert check_new_element(rules, "second", fresh, make_default=True).ok
    marked = [element("mqtt", "default", default=True)]
    assert check_new_element(rules, "second", marked).ok
    verdict = check_new_element(rules, "second", marked, make_default=True)
    assert not verdict.ok and "refuses a second default broker" in verdict.error
    # Moving the default while two exist is refused by Kapacitor either way round.
    two = [element("mqtt", "default", default=True), element("mqtt", "second", default=False)]
    assert not check_change(rules, "second", two, {"default": True}).ok
    assert not check_change(rules, "default", two, {"default": False}).ok
    # The default among three cannot go first.
    three = [*two, element("mqtt", "third", default=False)]
    assert not check_remove_element(rules, "default", three).ok


def test_discord_refuses_a_second_default_like_slack():
    rules = LIST_SECTIONS["discord"]
    elements = [element("discord", "", default=True), element("discord", "ops", default=False)]
    verdict = check_new_element(rules, "team3", elements, make_default=True)
    assert not verdict.ok and "the default workspace" in verdict.error
    assert not check_change(rules, "ops", elements, {"default": True}).ok


def test_discord_explains_the_first_change_of_the_default_workspace():
    rules = LIST_SECTIONS["discord"]
    fresh = [element("discord", "", default=True)]
    assert "Set up the default workspace first" in check_new_element(rules, "ops", fresh).warning
    two = [*fresh, element("discord", "ops", default=False, url=True)]
    verdict = check_change(rules, "", two, {"username": "bot"})
    assert verdict.ok and "id must not be empty" in verdict.warning
    configured = [element("discord", "", default=True, enabled=True, url=True), two[1]]
    assert check_change(rules, "", configured, {"username": "bot"}).warning == ""


def test_a_key_is_never_changed():
    verdict = check_change(LIST_SECTIONS["httppost"], "example", [element("httppost", "example")], {}, typed_key="renamed")
    assert not verdict.ok and "cannot rename" in verdict.error and "add a new endpoint named renamed" in verdict.error


def test_removing_says_what_kapacitor_really_does():
    httppost = LIST_SECTIONS["httppost"]
    elements = [element("httppost", "example"), element("httppost", "second")]
    assert "only drops the changes" in check_remove_element(httppost, "example", elements).warning
    assert "stops sending to it at once" in check_remove_element(httppost, "second", elements).warning
    discord = LIST_SECTIONS["discord"]
    ws = [element("discord", ""), element("discord", "ops")]
    assert "until kapacitord is restarted" in check_remove_element(discord, "ops", ws).warning
    assert not check_remove_element(discord, "", ws).ok
    assert not check_remove_element(discord, "nosuch", ws).ok


def test_the_built_in_element_comes_first_and_httppost_has_no_enabled_state():
    listed = list_elements([element("httppost", "zeta"), element("httppost", "example")], LIST_SECTIONS["httppost"])
    assert [e.name for e in listed] == ["example", "zeta"] and listed[0].builtin
    no_state = [Element("httppost", {"endpoint": "example", "url": "http://example.com"}, frozenset(), "")]
    assert list_elements(no_state, LIST_SECTIONS["httppost"])[0].enabled is None


def test_an_added_element_is_planned_against_zero_values():
    kafka = HANDLERS["kafka"]
    plan = plan_changes(kafka, None, {"enabled": True, "brokers": ["127.0.0.1:9092"], "batch-size": 0}, workspace="second")
    assert plan.adding
    # batch-size 0 is what `add` starts from; the brokers and enabled are not.
    assert plan.set_body() == {"enabled": True, "brokers": ["127.0.0.1:9092"]}
    mqtt = HANDLERS["mqtt"]
    plan = plan_changes(mqtt, None, {"default": True, "url": "tcp://127.0.0.1:1883"}, workspace="second")
    assert plan.set_body()["default"] is True


# -- the element list, end to end against the stand-in ---------------------------------

@pytest.fixture
def discord_receiver():
    """A Discord webhook stand-in: Kapacitor counts only 204 as success."""
    with HttpReceiver() as receiver:
        receiver.set_answer(204)
        yield receiver


def post(kapacitor, path: str, body: dict) -> None:
    response = httpx.post(kapacitor.url + CONFIG + path, json=body)
    assert response.status_code == 204, response.text
    kapacitor.requests.clear()


def webhook(receiver: HttpReceiver, name: str = "ops") -> str:
    return f"{receiver.url}/api/webhooks/1/FAKE-{name}-token"


def make_app(url: str) -> WizardApp:
    return WizardApp(AppSettings(ConnectionSettings(url=url)))


async def open_list(pilot, row_title: str) -> None:
    """From Connect to the handler list, then Enter on the row with this title."""
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    screen = pilot.app.screen
    options = screen.query_one("#handler-list")
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(row_title)
    await pilot.press("enter")
    await wait_for_screen(pilot, WorkspacesScreen)


async def type_new_name(pilot, name: str, make_default: bool = False) -> None:
    await pilot.press("a")
    await wait_for(pilot, lambda: pilot.app.focused is pilot.app.screen.query_one("#new-name", Input))
    pilot.app.screen.query_one("#new-name", Input).value = name
    pilot.app.screen.query_one("#make-default", Checkbox).value = make_default
    await pilot.press("enter")


async def through_steps_to_review(pilot, values: dict[str, str]) -> None:
    """Fill the named fields wherever they appear, press Next on each step, and say yes to a
    plain-http question about a loopback address."""
    while not isinstance(pilot.app.screen, ReviewScreen):
        screen = pilot.app.screen
        if isinstance(screen, ConfirmScreen):
            await pilot.click("#yes")
        elif isinstance(screen, FormStepScreen):
            for name, value in values.items():
                for field in screen.query(f"#input-{name}").results(Input):
                    field.value = value
            await pilot.click("#next")
        await pilot.pause(0.05)
        await wait_for(pilot, lambda: pilot.app.screen is not screen, what=f"leaving {type(screen).__name__}")


async def test_discord_add_continues_into_its_steps_and_apply_adds_it(kapacitor, discord_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord")
        assert shows(pilot, "Discord workspaces") and shows(pilot, "default workspace")
        await type_new_name(pilot, "ops")
        await wait_for_screen(pilot, FormStepScreen)
        assert app.state.workspace == "ops" and app.state.element() is None
        await through_steps_to_review(pilot, {"url": webhook(discord_receiver)})
        assert not shows(pilot, "ops-token")  # the webhook URL is a secret
        await pilot.click("#apply")
        await wait_for(pilot, lambda: len(discord_receiver.received) == 1, what="the test alert")
    posts = kapacitor.config_posts()
    assert [p.path for p in posts] == [f"{CONFIG}/discord"]
    add = posts[0].json["add"]
    assert add["workspace"] == "ops" and add["url"] == webhook(discord_receiver) and add["enabled"] is True
    # `add` starts from zero values: not the default unless asked for.
    assert add.get("default", False) is False


async def test_discord_edit_of_a_named_workspace_sends_only_the_change_to_its_path(kapacitor, discord_receiver):
    post(kapacitor, "/discord/", {"set": {"enabled": True, "url": webhook(discord_receiver, "main")}})
    post(kapacitor, "/discord", {"add": {"workspace": "ops", "enabled": True, "url": webhook(discord_receiver)}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord/ops")
        assert pilot.app.screen.selected().name == "ops"
        await pilot.press("enter")
        await wait_for_screen(pilot, FormStepScreen)
        assert app.state.workspace == "ops"
        await through_steps_to_review(pilot, {"username": "ops-bot"})
        await pilot.click("#apply")
        await wait_for(pilot, lambda: len(discord_receiver.received) == 1, what="the test alert")
    posts = kapacitor.config_posts()
    assert [(p.path, p.json) for p in posts] == [(f"{CONFIG}/discord/ops", {"set": {"username": "ops-bot"}})]
    assert len(discord_receiver.received) == 1  # Kapacitor's test of ops reached its webhook


async def test_discord_remove_says_it_keeps_answering_until_restart(kapacitor, discord_receiver):
    post(kapacitor, "/discord", {"add": {"workspace": "ops", "enabled": True, "url": webhook(discord_receiver)}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord/ops")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Remove the Discord workspace ops from Kapacitor")
        assert shows(pilot, "until kapacitord is restarted")
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Removed Discord workspace ops."), what="the removal")
        assert shows(pilot, "until kapacitord is restarted")
        assert [e.workspace for e in app.state.config["discord"]] == [""]
    assert [(p.path, p.json) for p in kapacitor.config_posts()] == [(f"{CONFIG}/discord", {"remove": ["ops"]})]


async def test_discord_refusals_at_the_name_field_send_nothing(kapacitor, discord_receiver):
    post(kapacitor, "/discord/", {"set": {"enabled": True, "url": webhook(discord_receiver, "main")}})
    post(kapacitor, "/discord", {"add": {"workspace": "ops", "url": webhook(discord_receiver)}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord")
        for name, make_default, expected in [
            ("ops", False, "already has a workspace named ops"),
            ("team/3", False, "Use only letters, digits"),
            ("team3", True, "A second default"),
        ]:
            await type_new_name(pilot, name, make_default)
            await wait_for(pilot, lambda: shows(pilot, expected), what=expected)
            assert isinstance(pilot.app.screen, WorkspacesScreen)
            assert pilot.app.screen.query_one("#new-name", Input).value == name
            await pilot.press("escape")
    assert kapacitor.config_posts() == []


async def test_discord_warns_before_a_first_change_of_the_default_workspace(kapacitor, discord_receiver):
    # The default workspace was never changed, and another workspace exists.
    post(kapacitor, "/discord", {"add": {"workspace": "ops", "enabled": True, "url": webhook(discord_receiver)}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord")
        assert pilot.app.screen.selected().name == ""
        await pilot.press("enter")
        await wait_for_screen(pilot, FormStepScreen)
        await through_steps_to_review(pilot, {"url": webhook(discord_receiver, "main")})
        assert shows(pilot, "Kapacitor may refuse this")
        assert shows(pilot, "remove the other workspaces, change the default one, then add them again")
        await pilot.click("#apply")  # not blocked: the default workspace may have a stored change after all
        await wait_for(pilot, lambda: shows(pilot, "id must not be empty"), what="Kapacitor's refusal")


async def test_httppost_add_sends_the_endpoint_key_and_remove_of_example_only_resets_it(kapacitor):
    with HttpReceiver() as receiver:
        app = make_app(kapacitor.url)
        async with app.run_test(size=SIZE) as pilot:
            await open_list(pilot, "httppost/example")
            assert shows(pilot, "HTTP post endpoints")
            await type_new_name(pilot, "second")
            await wait_for_screen(pilot, FormStepScreen)
            assert app.state.workspace == "second"
            await through_steps_to_review(pilot, {"url": receiver.url + "/alerts"})
            await pilot.click("#apply")
            await wait_for(pilot, lambda: kapacitor.config_posts(), what="the add")
        add = kapacitor.config_posts()[0]
        assert add.path == f"{CONFIG}/httppost" and add.json["add"]["endpoint"] == "second"
        assert add.json["add"]["url"] == receiver.url + "/alerts"

    post(kapacitor, "/httppost/example", {"set": {"url": "http://127.0.0.1:9/changed"}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "httppost/example")
        await pilot.press("d")
        await wait_for_screen(pilot, ReviewScreen)
        assert shows(pilot, "Reset the HTTP post endpoint example on Kapacitor at")
        assert shows(pilot, "removing it only drops the")  # the note goes on: "changes made to it"
        await pilot.click("#apply")
        await wait_for(pilot, lambda: shows(pilot, "Reset the endpoint example"), what="the reset")
        assert [e.workspace for e in app.state.config["httppost"]] == ["example", "second"]
    assert [p.json for p in kapacitor.config_posts()] == [{"remove": ["example"]}]
    assert httpx.get(kapacitor.url + CONFIG + "/httppost/example").json()["options"]["url"] == "http://example.com"


async def test_kafka_add_starts_from_zero_values_and_sends_the_brokers(kapacitor):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "kafka/default")
        await type_new_name(pilot, "second")
        await wait_for_screen(pilot, FormStepScreen)
        await through_steps_to_review(pilot, {"brokers": "127.0.0.1:9"})
        await pilot.click("#apply")
        await wait_for(pilot, lambda: kapacitor.config_posts(), what="the add")
    add = kapacitor.config_posts()[0].json["add"]
    assert add["id"] == "second" and add["brokers"] == ["127.0.0.1:9"] and add["enabled"] is True
    assert "SASLAuth" not in add  # nothing typed: the zero value stays, no default number is sent


async def test_mqtt_refuses_a_second_broker_without_exactly_one_default(kapacitor):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "mqtt/default")
        await type_new_name(pilot, "second")
        await wait_for(pilot, lambda: shows(pilot, "exactly one of them to be the default"))
        assert isinstance(pilot.app.screen, WorkspacesScreen)
        pilot.app.screen.query_one("#make-default", Checkbox).value = True
        await pilot.click("#add-continue")
        await wait_for_screen(pilot, FormStepScreen)
        assert app.state.draft()["default"] is True and app.state.workspace == "second"
    assert kapacitor.config_posts() == []


async def test_mqtt_refuses_removing_the_default_while_two_others_remain(kapacitor):
    post(kapacitor, "/mqtt/default", {"set": {"default": True}})
    post(kapacitor, "/mqtt", {"add": {"name": "second"}})
    post(kapacitor, "/mqtt", {"add": {"name": "third"}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "mqtt/default")
        await pilot.press("d")
        await wait_for(pilot, lambda: shows(pilot, "Remove the other brokers first"))
        assert isinstance(pilot.app.screen, WorkspacesScreen)
    assert kapacitor.config_posts() == []


async def test_the_element_list_and_its_add_form_fit_80x24(kapacitor, discord_receiver):
    post(kapacitor, "/discord", {"add": {"workspace": "ops", "url": webhook(discord_receiver)}})
    app = make_app(kapacitor.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(pilot, "discord/ops")
        assert shows(pilot, "default workspace") and shows(pilot, "Edit Add… Remove…")
        assert shows(pilot, "a Add d Remove r Refresh ^q Quit")
        await pilot.press("a")
        await wait_for(pilot, lambda: pilot.app.focused is pilot.app.screen.query_one("#new-name", Input))
        await pilot.pause()
        assert shows(pilot, "Make it the default (alerts that name no workspace go here)")
        assert shows(pilot, "Continue Cancel")


async def test_every_list_section_finds_its_elements_by_their_key(kapacitor):
    from wizard.kapacitor.client import KapacitorClient
    from wizard.changes.undo import read_element

    post(kapacitor, "/httppost", {"add": {"endpoint": "second", "url": "http://127.0.0.1:9/x"}})
    post(kapacitor, "/kafka", {"add": {"id": "second"}})
    async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client:
        for section in ("httppost", "kafka"):
            found = await read_element(client, section, "second")
            assert found is not None and found.workspace == "second"
            assert await read_element(client, section, "nosuch") is None


async def test_mqtt_add_of_a_second_broker_connects_and_publishes_the_test(kapacitor):
    from tests.fakes.receivers import MqttBroker

    post(kapacitor, "/mqtt/default", {"set": {"default": True}})
    with MqttBroker() as broker:
        app = make_app(kapacitor.url)
        async with app.run_test(size=SIZE) as pilot:
            await open_list(pilot, "mqtt/default")
            await type_new_name(pilot, "second")
            await wait_for_screen(pilot, FormStepScreen)
            await through_steps_to_review(pilot, {"url": broker.url, "client-id": "kapacitor-second"})
            await pilot.click("#apply")
            await wait_for(pilot, lambda: any(p.kind == "PUBLISH" for p in broker.packets), what="the test message")
        add = kapacitor.config_posts()[0].json["add"]
        assert add["name"] == "second" and add["url"] == broker.url and add.get("default", False) is False
        assert [p.fields["client_id"] for p in broker.packets if p.kind == "CONNECT"][:1] == ["kapacitor-second"]


async def test_kafka_add_on_1_8_leaves_the_sasl_object_at_its_zero_value():
    from tests.fakes.kapacitor import KapacitorFake

    with KapacitorFake(version="1.8.3") as kapacitor:
        app = make_app(kapacitor.url)
        async with app.run_test(size=SIZE) as pilot:
            await open_list(pilot, "kafka/default")
            await type_new_name(pilot, "second")
            await wait_for_screen(pilot, FormStepScreen)
            await through_steps_to_review(pilot, {"brokers": "127.0.0.1:9"})
            await pilot.click("#apply")
            await wait_for(pilot, lambda: kapacitor.config_posts(), what="the add")
        add = kapacitor.config_posts()[0].json["add"]
        assert add["id"] == "second" and "SASLAuth" not in add
        # Kapacitor still reads its config: no number was stored in the SASL object.
        assert httpx.get(kapacitor.url + CONFIG + "/kafka/second").status_code == 200


async def test_add_checks_the_name_against_what_kapacitor_has_when_the_form_opens(kapacitor, discord_receiver):
    app = make_app(kapacitor.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, "discord")
        # Someone else adds ops after the wizard read the list.
        httpx.post(kapacitor.url + CONFIG + "/discord", json={"add": {"workspace": "ops", "url": webhook(discord_receiver)}})
        kapacitor.requests.clear()
        await pilot.press("a")
        await wait_for(pilot, lambda: any(w.name == "ops" for w in pilot.app.screen.workspaces), what="the list read again")
        pilot.app.screen.query_one("#new-name", Input).value = "ops"
        await pilot.press("enter")
        await wait_for(pilot, lambda: shows(pilot, "already has a workspace named ops"))
    assert kapacitor.config_posts() == []
