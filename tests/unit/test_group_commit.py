"""GroupCommitLoader's schedule: one batch in flight, and whatever arrives meanwhile in the next."""

from __future__ import annotations

import asyncio

import pytest

from civic.web.deps import GroupCommitLoader


class Recorder:
    """A batch function that records its batches, how many run at once, and waits for `gate`."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.running = self.most_running = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def run(self, keys: list[int]) -> list[object]:
        self.batches.append(list(keys))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.gate.wait()
            if 13 in keys:
                raise RuntimeError("the whole batch fails")
            return [ValueError(k) if k < 0 else k * 10 for k in keys]
        finally:
            self.running -= 1


async def test_keys_of_one_loop_turn_share_a_batch():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    assert await asyncio.gather(*(loader.load(k) for k in (1, 2, 3))) == [10, 20, 30]
    assert batch.batches == [[1, 2, 3]]


async def test_keys_arriving_during_a_batch_wait_and_go_together():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    batch.gate.clear()
    first = loader.load(1)
    await asyncio.sleep(0)  # the first batch is sent, and waits at the gate
    assert batch.batches == [[1]]
    later = [loader.load(k) for k in (2, 3)]
    await asyncio.sleep(0)
    later.append(loader.load(4))
    await asyncio.sleep(0.01)
    assert batch.batches == [[1]], "nothing else is sent while a batch is in flight"
    batch.gate.set()
    assert await asyncio.gather(first, *later) == [10, 20, 30, 40]
    assert batch.batches == [[1], [2, 3, 4]]
    assert batch.most_running == 1


async def test_an_idle_loader_starts_again():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    assert await loader.load(1) == 10
    await asyncio.sleep(0)
    assert await loader.load(2) == 20
    assert batch.batches == [[1], [2]]


async def test_errors_reach_their_own_requests_and_the_next_batch_still_runs():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    batch.gate.clear()
    doomed = [loader.load(k) for k in (13, 2)]
    await asyncio.sleep(0)
    survivors = [loader.load(k) for k in (-5, 6)]
    batch.gate.set()
    for future in doomed:
        with pytest.raises(RuntimeError, match="whole batch"):
            await future
    with pytest.raises(ValueError, match="-5"):
        await survivors[0]
    assert await survivors[1] == 60
    assert batch.batches == [[13, 2], [-5, 6]]


async def test_a_request_that_gives_up_does_not_stop_the_others():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    batch.gate.clear()
    gone, kept = loader.load(1), loader.load(2)
    await asyncio.sleep(0)
    gone.cancel()  # a client that disconnected
    batch.gate.set()
    assert await kept == 20
    assert await loader.load(3) == 30


async def test_under_load_a_batch_waits_a_few_turns_to_grow_as_large_as_the_last():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    assert await asyncio.gather(*(loader.load(k) for k in (1, 2, 3, 4))) == [10, 20, 30, 40]
    # A busy worker's clients send their next requests a loop turn or so apart.
    trickled = []
    for k in (5, 6, 7, 8):
        trickled.append(loader.load(k))
        await asyncio.sleep(0)
    assert await asyncio.gather(*trickled) == [50, 60, 70, 80]
    assert batch.batches == [[1, 2, 3, 4], [5, 6, 7, 8]]


async def test_a_lone_request_waits_at_most_settle_turns():
    batch = Recorder()
    loader = GroupCommitLoader(batch.run, cache=False)
    await asyncio.gather(*(loader.load(k) for k in range(1, 11)))
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.create_task(count_turns())
    try:
        assert await loader.load(11) == 110
    finally:
        counter.cancel()
    assert batch.batches[-1] == [11]
    assert turns <= GroupCommitLoader.settle_turns + 2
    # ...and having been alone, the next request does not wait at all.
    turns = 0
    counter = asyncio.create_task(count_turns())
    try:
        assert await loader.load(12) == 120
    finally:
        counter.cancel()
    assert turns <= 2
