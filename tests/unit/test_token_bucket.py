"""The outbox's workspace bucket: a burst when full, the rate when emptied (a new leader)."""

from __future__ import annotations

import time

from bot.delivery import TokenBucket


async def test_a_full_bucket_bursts_and_an_emptied_one_waits_for_the_rate() -> None:
    bucket = TokenBucket(rate=50.0, burst=3.0)
    began = time.monotonic()
    for _ in range(3):
        await bucket.take()
    assert time.monotonic() - began < 0.02  # the burst goes at once (a token takes 20 ms)
    bucket.empty()
    began = time.monotonic()
    await bucket.take()
    assert time.monotonic() - began >= 0.019  # no burst: one token's worth at 50 a second
