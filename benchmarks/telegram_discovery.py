"""How long a new Telegram message takes to show up as a chat candidate.

Runs the core poller (as the TUI does: a background task consuming events)
against the local Bot API stand-in in two situations:

* empty queue: the poller is blocked in a long poll, which returns on arrival;
* updates pending: Telegram answers at once, so the poller sleeps
  ``IDLE_INTERVAL`` between polls; a message arriving at a random moment
  waits on average half that pause, at worst all of it.

Usage: python benchmarks/telegram_discovery.py [rounds]
"""
from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from contextlib import aclosing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.telegram import TelegramBotApiFake  # noqa: E402
from wizard.services.telegram import IDLE_INTERVAL, TelegramClient  # noqa: E402


async def measure(rounds: int, pending: bool) -> list[float]:
    timings: list[float] = []
    seen_at: dict[int, float] = {}
    arrived = asyncio.Condition()

    async def consume(client: TelegramClient) -> None:
        stream = client.discover_chats(None)
        async with aclosing(stream):
            async for event in stream:
                now = time.perf_counter()
                async with arrived:
                    for candidate in event.candidates:
                        seen_at.setdefault(candidate.id, now)
                    arrived.notify_all()

    with TelegramBotApiFake() as fake:
        if pending:
            fake.inject_message(fake.add_private_chat(1, "Already here"), "old message")
        async with TelegramClient(fake.token, fake.url) as client:
            task = asyncio.create_task(consume(client))
            await asyncio.sleep(0.1)
            for n in range(rounds):
                chat_id = -1000 - n
                fake.add_group(chat_id, f"Group {n}")
                if pending:
                    await asyncio.sleep(random.uniform(0, IDLE_INTERVAL * 1.2))
                else:
                    fake.drop_pending_updates()
                    await asyncio.to_thread(fake.wait_for_long_poll, 30)
                started = time.perf_counter()
                fake.inject_message(chat_id, "hello")
                async with arrived:
                    await arrived.wait_for(lambda: chat_id in seen_at)
                timings.append(seen_at[chat_id] - started)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    return timings


def report(label: str, timings: list[float]) -> None:
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(
        f"{label:<28} median {statistics.median(ms):6.1f} ms   "
        f"p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms   (n={len(ms)})"
    )


async def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"Arrival to candidate, idle interval {IDLE_INTERVAL * 1000:.0f} ms, target < 500 ms")
    report("empty queue (long poll)", await measure(rounds, pending=False))
    report("updates pending (polling)", await measure(rounds, pending=True))


if __name__ == "__main__":
    asyncio.run(main())
