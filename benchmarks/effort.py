"""Effort: keys pressed from launch to Kapacitor's confirmed Telegram test alert.

Runs the shortest path (``benchmarks/telegram_flow.py``) with Pilot against the
Kapacitor and Bot API stand-ins, counting the keys the script actually sends
(pasting the token is one key). Sending the pairing code happens in Telegram, not in
the wizard, and is not counted. The run only counts if Kapacitor really saved the
settings and its service test delivered the test alert to the paired chat.
"""
from __future__ import annotations

import asyncio
import sys

from benchmarks import HERE, Figure, private_state

TARGET = 12


async def measure() -> list[str]:
    from benchmarks.telegram_flow import SIZE, service_test_succeeded, shortest_path
    from tests.fakes.kapacitor import KapacitorFake
    from tests.fakes.telegram import TelegramBotApiFake
    from wizard.handlers.registry import TEST_MESSAGE
    from wizard.kapacitor.client import ConnectionSettings
    from wizard.tui.app import WizardApp
    from wizard.tui.state import AppSettings

    with KapacitorFake() as kapacitor, TelegramBotApiFake() as telegram:
        telegram.add_private_chat(111, "Alice", username="alice")
        telegram.add_group(-222, "Ops")
        telegram.inject_message(-222, "hello everyone")  # another chat the bot sees

        async def send_code(code: str) -> None:
            telegram.inject_message(111, f"/start {code}")

        app = WizardApp(AppSettings(ConnectionSettings(url=kapacitor.url), telegram_api_url=telegram.url))
        async with app.run_test(size=SIZE) as pilot:
            keys = await shortest_path(pilot, telegram.token, send_code)
            if not service_test_succeeded(pilot):
                raise RuntimeError("the flow ended without a successful Kapacitor service test")
        posts = kapacitor.config_posts()
        if [p.path for p in posts] != ["/kapacitor/v1/config/telegram/"]:
            raise RuntimeError(f"unexpected writes to Kapacitor: {[p.path for p in posts]}")
        saved = posts[0].json["set"]
        if (saved.get("token"), saved.get("chat-id")) != (telegram.token, "111"):
            raise RuntimeError(f"Kapacitor got {saved}")
        sent = telegram.sent_messages[-1]
        if (sent.chat_id, sent.text) != (111, TEST_MESSAGE):
            raise RuntimeError(f"the last message the bot sent was {sent}")
    return keys.sent


def run(quick: bool = False) -> list[Figure]:
    with private_state():
        keys = asyncio.run(measure())
    print(f"effort, launch to Kapacitor's test alert in the paired chat: {len(keys)} keys: {' '.join(keys)}")
    return [Figure("effort", len(keys), "keys", f"<= {TARGET}", len(keys) <= TARGET, " ".join(keys))]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for figure in run("--quick" in sys.argv):
        print(figure)
