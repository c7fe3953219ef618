"""core.throttle.Throttle: the one rule for progress reports (≤ 1 per interval, the first and the
last always), checked on a fake clock."""

from __future__ import annotations

from core.throttle import PROGRESS_INTERVAL_S, Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_at_most_one_report_per_interval_and_the_first_and_final_always():
    clock = FakeClock()
    throttle = Throttle(0.1, clock=clock)
    seen = []
    for i in range(1000):  # 1000 calls over 1 s
        clock.now = 100.0 + i * 0.001
        if throttle.ready(final=i == 999):
            seen.append(i)
    assert seen[0] == 0 and seen[-1] == 999
    assert 10 <= len(seen) <= 11  # one per 0.1 s, plus the final one
    gaps = [b - a for a, b in zip(seen, seen[1:-1])]
    assert all(g >= 100 for g in gaps)


def test_started_waits_a_whole_interval_and_the_default_is_ten_a_second():
    clock = FakeClock()
    throttle = Throttle(clock=clock, started=True)
    assert throttle.interval_s == PROGRESS_INTERVAL_S == 0.1
    assert not throttle.ready()
    clock.now += 0.15
    assert throttle.ready() and not throttle.ready()
