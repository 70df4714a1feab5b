"""Every handler of the catalog end to end: from the handler list through its steps, Review and
Apply to Kapacitor's own test alert arriving at a receiver on 127.0.0.1, and the same through
`kapacitor-wizard apply <handler> --set … --test`.

The Kapacitor stand-in really sends its service tests (HTTP, SMTP, a UDP trap, a sensu line,
a Kafka request, an MQTT publish); tests/handler_cases.py says, per handler, what is typed and
what must arrive. Handlers whose test reports success without delivery must say so.
"""
from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest
from textual.widgets import Button, Checkbox, Input, OptionList, Select

from tests.fakes.kapacitor import KapacitorFake
from tests.handler_cases import CASES, Case, Receivers, secrets_of
from tests.tui_helpers import screen_text, shows, wait_for, wait_for_screen
from wizard.cli import main
from wizard.kapacitor.client import ConnectionSettings
from wizard.tui.app import WizardApp
from wizard.tui.screens.apply import ApplyScreen
from wizard.tui.screens.connect import ConnectScreen
from wizard.tui.screens.done import DoneScreen
from wizard.tui.screens.form_step import FormStepScreen
from wizard.tui.screens.handlers import HandlersScreen
from wizard.tui.screens.review import ReviewScreen
from wizard.tui.screens.workspaces import WorkspacesScreen
from wizard.tui.state import AppSettings

SIZE = (110, 44)
NAMES = sorted(CASES)


@pytest.fixture(scope="module")
def shared_receivers() -> Iterator[Receivers]:
    found = Receivers()
    yield found
    found.close()


@pytest.fixture
def receivers(shared_receivers: Receivers) -> Receivers:
    shared_receivers.clear()
    return shared_receivers


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("KAPACITOR_URL", "KAPACITOR_USERNAME", "KAPACITOR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def kapacitor_for(case: Case, receivers: Receivers, version: str = "1.8.3") -> KapacitorFake:
    fake = KapacitorFake(version=version)
    file_values = case.file_values(receivers)
    if file_values:
        fake.set_file_values(case.spec.section, file_values)
    receivers.http.set_answer(*case.answer)
    return fake


# -- the TUI ------------------------------------------------------------------------------


def row_ids(pilot) -> list[str]:
    options = pilot.app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def open_handler_list(pilot) -> None:
    await wait_for_screen(pilot, ConnectScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, HandlersScreen)
    await wait_for(pilot, lambda: len(row_ids(pilot)) > 3, what="the handler list")


async def choose(pilot, name: str) -> None:
    """Highlight the handler's (first) row and press Enter; a list section opens its element
    list, where Enter edits the built-in element."""
    ids = row_ids(pilot)
    row = next(i for i, option_id in enumerate(ids) if option_id == name or option_id.startswith(f"{name}/"))
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = row
    options.focus()
    await pilot.press("enter")
    if CASES[name].spec.list_key:
        await wait_for_screen(pilot, WorkspacesScreen)
        await pilot.press("enter")


async def follow_steps(pilot, case: Case, values: dict[str, str]) -> list[str]:
    """Type each step's values and go on with Next until Review; the step ids seen, in order."""
    seen: list[str] = []
    previous = None
    while True:
        await wait_for(
            pilot,
            lambda: pilot.app.screen is not previous and isinstance(pilot.app.screen, (FormStepScreen, ReviewScreen)),
            what="the next step",
        )
        screen = pilot.app.screen
        if isinstance(screen, ReviewScreen):
            return seen
        seen.append(screen.step.id)
        for name in screen.step.options:
            if name not in values:
                continue
            widget = screen.query_one(f"#input-{name}")
            if isinstance(widget, Checkbox):
                widget.value = values[name] == "true"
            elif isinstance(widget, Select):
                widget.value = values[name]
            else:
                assert isinstance(widget, Input)
                widget.value = values[name]
        await pilot.pause()
        screen.query_one("#next", Button).focus()
        await pilot.press("enter")
        previous = screen


def apply_finished(pilot) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, ApplyScreen) and not any(w.is_running for w in pilot.app.workers if w.node is screen)


def first_words(text: str, count: int = 8) -> str:
    return " ".join(text.split()[:count])


@pytest.mark.parametrize("name", NAMES)
async def test_handler_from_the_list_to_kapacitors_test_at_the_receiver(name: str, receivers: Receivers) -> None:
    case = CASES[name]
    spec = case.spec
    values = case.values(receivers)
    with kapacitor_for(case, receivers) as kapacitor:
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=SIZE) as pilot:
            await open_handler_list(pilot)
            await choose(pilot, name)
            steps = await follow_steps(pilot, case, values)
            assert steps == [s.id for s in spec.steps]
            for secret in secrets_of(case, values):
                assert secret not in screen_text(pilot), "a secret shows on Review"
            await pilot.press("enter")  # Apply and send a test alert
            await wait_for_screen(pilot, ApplyScreen)
            await wait_for(pilot, lambda: apply_finished(pilot), what="the write and the test alert")
            apply_text = screen_text(pilot)
            unproven = f"Kapacitor's {spec.title} test reported success, which does not show that the alert was delivered"
            if spec.test_proves:
                assert shows(pilot, unproven), apply_text
                assert not shows(pilot, "Kapacitor sent the test alert")
            else:
                assert shows(pilot, f"Kapacitor sent the test alert through {spec.title}."), apply_text
            pilot.app.screen.query_one("#finish", Button).focus()
            await pilot.press("enter")
            await wait_for_screen(pilot, DoneScreen)
            if spec.test_proves:
                assert shows(pilot, unproven), screen_text(pilot)
                assert shows(pilot, first_words(spec.test_proves)), screen_text(pilot)
                if spec.direct_check:
                    assert pilot.app.screen.query("#direct-check"), "no direct check offered on Done"
            for secret in secrets_of(case, values):
                assert secret not in apply_text + screen_text(pilot), "a secret shows after Apply"
        writes = kapacitor.config_posts()
        assert len(writes) == 1, [w.path for w in writes]
        case.arrived(receivers)


# -- the command line ---------------------------------------------------------------------


def cli_arguments(case: Case, values: dict[str, str]) -> tuple[list[str], str, dict[str, str]]:
    """--set for plain values; the first secret from standard input (--set name=-), the others
    from environment variables (--set-env name=VARIABLE)."""
    arguments: list[str] = []
    stdin = ""
    environment: dict[str, str] = {}
    for name, text in values.items():
        if not case.spec.option(name).secret:
            arguments += ["--set", f"{name}={text}"]
        elif not stdin:
            arguments += ["--set", f"{name}=-"]
            stdin = text + "\n"
        else:
            variable = "WIZARD_TEST_" + name.upper().replace("-", "_")
            environment[variable] = text
            arguments += ["--set-env", f"{name}={variable}"]
    return arguments, stdin, environment


@pytest.mark.parametrize("name", NAMES)
def test_handler_from_the_command_line_to_kapacitors_test_at_the_receiver(
    name: str, receivers: Receivers, monkeypatch, capsys
) -> None:
    case = CASES[name]
    spec = case.spec
    values = case.values(receivers)
    arguments, stdin, environment = cli_arguments(case, values)
    for variable, text in environment.items():
        monkeypatch.setenv(variable, text)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with kapacitor_for(case, receivers) as kapacitor:
        code = main(["apply", name, "--url", kapacitor.url, *arguments, "--test"])
        out, err = capsys.readouterr()
        assert code == 0, out + err
        assert len(kapacitor.config_posts()) == 1
        case.arrived(receivers)
    if spec.test_proves:
        assert "does not show that the alert was delivered" in out, out
        assert first_words(spec.test_proves) in " ".join(out.split())
        assert f"Kapacitor sent a test alert through {spec.title}" not in out
        if spec.direct_check:
            assert "--direct-check" in out
    else:
        assert f"Kapacitor sent a test alert through {spec.title}" in out, out
    for secret in secrets_of(case, values):
        assert secret not in out + err


# -- Kapacitor 1.5.7 ----------------------------------------------------------------------


async def test_on_kapacitor_157_the_list_has_no_bigpanda_or_zenoss_and_kafka_offers_no_sasl() -> None:
    with KapacitorFake(version="1.5.7") as kapacitor:
        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url)))
        async with app.run_test(size=SIZE) as pilot:
            await open_handler_list(pilot)
            names = {option_id.partition("/")[0] for option_id in row_ids(pilot)}
            assert {"alerta", "kafka", "mqtt", "smtp", "snmptrap", "teams"} <= names
            assert not names & {"bigpanda", "zenoss"}
            assert not shows(pilot, "BigPanda") and not shows(pilot, "Zenoss")
            await choose(pilot, "kafka")
            await wait_for(pilot, lambda: getattr(getattr(pilot.app.screen, "step", None), "id", "") == "brokers",
                           what="Kafka's first step")
            pilot.app.screen.query_one("#input-brokers", Input).value = "127.0.0.1:9092"
            await pilot.pause()
            pilot.app.screen.query_one("#next", Button).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: getattr(getattr(pilot.app.screen, "step", None), "id", "") == "security",
                           what="Kafka's TLS and SASL step")
            assert pilot.app.screen.query("#input-use-ssl")
            assert not pilot.app.screen.query("#input-SASLAuth")
            assert shows(pilot, "Kapacitor 1.8 and later; older versions have no SASL option")


def test_the_command_line_on_kapacitor_157_has_no_bigpanda_and_no_kafka_sasl(monkeypatch, capsys) -> None:
    monkeypatch.setenv("WIZARD_TEST_SASL", "SASLMechanism=PLAIN, SASLUsername=kapacitor, SASLPassword=FAKE-sasl")
    monkeypatch.setenv("WIZARD_TEST_TOKEN", "FAKE-bigpanda-token")
    with KapacitorFake(version="1.5.7") as kapacitor:
        code = main(["apply", "kafka", "--url", kapacitor.url, "--set", "brokers=127.0.0.1:9092",
                     "--set-env", "SASLAuth=WIZARD_TEST_SASL"])
        out, err = capsys.readouterr()
        assert code == 2 and "has no Kafka option SASLAuth" in err, out + err
        code = main(["apply", "bigpanda", "--url", kapacitor.url, "--set-env", "token=WIZARD_TEST_TOKEN",
                     "--set-env", "app-key=WIZARD_TEST_TOKEN"])
        out, err = capsys.readouterr()
        assert code == 2 and "has no BigPanda handler" in err, out + err
        assert kapacitor.config_posts() == []
        assert "FAKE-sasl" not in out + err
