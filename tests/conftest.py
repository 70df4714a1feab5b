"""Shared fixtures: every stand-in is a real HTTP server on 127.0.0.1."""
from __future__ import annotations
from tests.fakes.telegram import telegram_api  # noqa: F401
from tests.fakes.fixtures import hipchat_receiver, kapacitor, slack_receiver  # noqa: F401
