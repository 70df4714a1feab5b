"""pytest fixtures for the Kapacitor stand-in and the Slack/HipChat receivers."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.fakes.kapacitor import KapacitorFake
from tests.fakes.receivers import HipChatReceiver, SlackReceiver


@pytest.fixture
def kapacitor() -> Iterator[KapacitorFake]:
    """A running Kapacitor 1.5.7 stand-in with built-in defaults."""
    with KapacitorFake() as fake:
        yield fake


@pytest.fixture
def slack_receiver() -> Iterator[SlackReceiver]:
    """A Slack incoming webhook stand-in (answers 200 ``ok``)."""
    with SlackReceiver() as receiver:
        yield receiver


@pytest.fixture
def hipchat_receiver() -> Iterator[HipChatReceiver]:
    """A HipChat v2 room API stand-in (answers 204)."""
    with HipChatReceiver() as receiver:
        yield receiver
