"""The options the wizard sends with Kapacitor's service test of each handler.

Kapacitor's defaults do not always test what was just configured: Kafka's default test
cluster is "example" (the element is "default"), MQTT's default topic is empty (the test
fails), httppost posts to `http://localhost:3000/` whatever the endpoint says, and a
Slack test without a channel reuses the default workspace's channel. So the test names
the element and its address here, and carries a message the person recognises.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wizard.handlers.registry import TEST_MESSAGE, HandlerSpec

MQTT_TEST_TOPIC = "kapacitor-wizard/test"
TEST_TITLE = "kapacitor-wizard test"

Options = dict[str, Any]


def _slack(values: Mapping[str, Any], key: str) -> Options:
    return {"workspace": key, "channel": ""} if key else {}


def _kafka(values: Mapping[str, Any], key: str) -> Options:
    return {"cluster": key or str(values.get("id") or "default"), "topic": "kapacitor-wizard-test"}


def _mqtt(values: Mapping[str, Any], key: str) -> Options:
    return {"broker-name": key or str(values.get("name") or ""), "topic": MQTT_TEST_TOPIC}


def _httppost(values: Mapping[str, Any], key: str) -> Options:
    # Kapacitor's test ignores the endpoint's url and posts to its own `url` option.
    url = values.get("url")
    return {"endpoint": key, **({"url": url} if isinstance(url, str) and url else {})}


def _smtp(values: Mapping[str, Any], key: str) -> Options:
    return {"subject": TEST_TITLE, "body": TEST_MESSAGE}


def _sensu(values: Mapping[str, Any], key: str) -> Options:
    return {"name": "kapacitor-wizard-test", "output": TEST_MESSAGE}


def _talk(values: Mapping[str, Any], key: str) -> Options:
    return {"title": TEST_TITLE, "text": TEST_MESSAGE}


def _alerta(values: Mapping[str, Any], key: str) -> Options:
    return {"resource": "kapacitor-wizard", "event": "test"}


def _bigpanda(values: Mapping[str, Any], key: str) -> Options:
    # Kapacitor's default test app_key is a sample ("012345"); empty makes it use the configured one.
    return {"app_key": ""}


def _list_key(spec: HandlerSpec) -> Callable[[Mapping[str, Any], str], Options]:
    def options(values: Mapping[str, Any], key: str) -> Options:
        return {spec.list_key: key} if spec.list_key and key else {}

    return options


_SPECIAL: dict[str, Callable[[Mapping[str, Any], str], Options]] = {
    "slack": _slack,
    "kafka": _kafka,
    "mqtt": _mqtt,
    "httppost": _httppost,
    "smtp": _smtp,
    "sensu": _sensu,
    "talk": _talk,
    "alerta": _alerta,
    "bigpanda": _bigpanda,
}


def service_test_options(spec: HandlerSpec, values: Mapping[str, Any], key: str = "") -> Options:
    """What to send with the service test of one element (`key` names it in a list section)."""
    options: Options = {"message": TEST_MESSAGE}
    options.update(_SPECIAL.get(spec.name, _list_key(spec))(values, key))
    return options
