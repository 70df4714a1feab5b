"""Shared fixtures: every stand-in is a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import pytest
from tests.fakes.telegram import telegram_api  # noqa: F401
from tests.fakes.fixtures import hipchat_receiver, kapacitor, slack_receiver  # noqa: F401


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path_factory, monkeypatch):
    """Undo records go to a temporary state folder, never the real home of whoever runs the tests."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
