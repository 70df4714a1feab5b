"""Apply and test: the wizard's write plus Kapacitor's service test, against the same two bare requests.

Both run in this process against the Kapacitor stand-in, whose Telegram service test
really posts to the Bot API stand-in (also here). The wizard's side is what its Apply
step awaits: ``ApiTarget.write(plan)`` (the undo record, then
``KapacitorClient.update_element``) and ``KapacitorClient.run_service_test``. The bare
side sends the same JSON bodies with one ``httpx.AsyncClient`` and checks the status
and ``success``. Each round changes the chat id, so every write is a real change, and
the plan is made (untimed) before each wizard round, as the Review step does. Rounds
alternate; the figure is the ratio of the medians.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time

from benchmarks import HERE, Figure, private_state

TARGET = 1.2
CHATS = ("111", "222")


async def measure(rounds: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(write, write and test) seconds per round, for the wizard and bare."""
    import httpx
    from tests.fakes.kapacitor import KapacitorFake
    from tests.fakes.telegram import TelegramBotApiFake
    from wizard.handlers.registry import HANDLERS, TEST_MESSAGE
    from wizard.kapacitor.client import API, ConnectionSettings, KapacitorClient
    from wizard.changes.plan import plan_changes
    from wizard.text.secrets import Secret
    from wizard.changes.target import ApiTarget

    spec = HANDLERS["telegram"]
    wizard_times: list[tuple[float, float]] = []
    bare_times: list[tuple[float, float]] = []
    with KapacitorFake() as kapacitor, TelegramBotApiFake() as telegram:
        telegram.add_private_chat(111, "Alice")
        telegram.add_private_chat(222, "Bob")
        async with KapacitorClient(ConnectionSettings(url=kapacitor.url)) as client, \
                httpx.AsyncClient(base_url=kapacitor.url, timeout=10.0) as bare:
            target = ApiTarget(client)

            def desired(n: int) -> dict[str, object]:
                return {
                    "enabled": True, "url": f"{telegram.url}/bot", "token": Secret(telegram.token),
                    "chat-id": CHATS[n % 2], "parse-mode": "Markdown",
                }

            async def wizard_round(n: int) -> tuple[float, float]:
                plan = plan_changes(spec, await client.get_element("telegram"), desired(n))
                started = time.perf_counter()
                await target.write(plan)
                wrote = time.perf_counter() - started
                result = await client.run_service_test(spec.service_test, {"message": TEST_MESSAGE})
                elapsed = time.perf_counter() - started
                assert result.success, result
                return wrote, elapsed

            async def bare_round(n: int) -> tuple[float, float]:
                plan = plan_changes(spec, await client.get_element("telegram"), desired(n))
                body = plan.request_body(reveal=True)  # what update_element sends
                started = time.perf_counter()
                written = await bare.post(f"{API}/config/telegram/", json=body)
                wrote = time.perf_counter() - started
                tested = await bare.post(f"{API}/service-tests/{spec.service_test}", json={"message": TEST_MESSAGE})
                elapsed = time.perf_counter() - started
                assert written.status_code == 204 and tested.json()["success"], (written.text, tested.text)
                return wrote, elapsed

            for n in range(4):  # connections, first-use imports
                await wizard_round(n)
                await bare_round(n)
            for n in range(rounds):
                wizard_times.append(await wizard_round(n))
                bare_times.append(await bare_round(n + 1))
        assert telegram.sent_messages[-1].text == TEST_MESSAGE
    return wizard_times, bare_times


def run(quick: bool = False) -> list[Figure]:
    rounds = 10 if quick else 40
    with private_state():
        wizard, bare = asyncio.run(measure(rounds))
    def med(times: list[tuple[float, float]], part: int) -> float:
        return statistics.median(t[part] for t in times) * 1000

    w, b = med(wizard, 1), med(bare, 1)
    ratio = w / b
    print(f"apply and test, median of {rounds} rounds each:")
    print(f"  wizard      write {med(wizard, 0):5.1f} ms, write and test {w:5.1f} ms")
    print(f"  bare httpx  write {med(bare, 0):5.1f} ms, write and test {b:5.1f} ms")
    write_ratio = med(wizard, 0) / med(bare, 0)
    return [
        Figure("apply and test ratio", ratio, "x", f"<= {TARGET}x", ratio <= TARGET,
               f"{w:.1f} ms vs {b:.1f} ms bare"),
        Figure("  write alone ratio", write_ratio, "x", "", None,
               f"{med(wizard, 0):.1f} ms vs {med(bare, 0):.1f} ms bare (undo record included)"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    for figure in run("--quick" in sys.argv):
        print(figure)
