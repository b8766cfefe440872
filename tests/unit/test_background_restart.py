"""civic run's background worker is started again when it stops, after a wait that doubles while
it keeps failing at start."""

from civic.__main__ import RESTART_FIRST, RESTART_LONGEST, restart_delay


def test_a_worker_that_keeps_failing_is_started_again_less_and_less_often():
    delays, delay = [], None
    for _ in range(9):
        delay = restart_delay(delay, ran_for=0.5)
        delays.append(delay)
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert (RESTART_FIRST, RESTART_LONGEST) == (1, 60)


def test_a_worker_that_had_been_running_is_started_again_after_the_first_wait():
    assert restart_delay(32.0, ran_for=RESTART_LONGEST) == RESTART_FIRST
    assert restart_delay(32.0, ran_for=3600) == RESTART_FIRST
    assert restart_delay(None, ran_for=0) == RESTART_FIRST
