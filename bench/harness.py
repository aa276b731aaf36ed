"""Interleaved A/B timing and a ratio report."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    name: str
    baseline: str
    candidate: str
    ratio: float  # candidate time / baseline time, median over rounds
    spread: tuple[float, float]  # lowest and highest round ratio

    def line(self) -> str:
        low, high = self.spread
        return (
            f"{self.name}: {self.candidate} / {self.baseline} = {self.ratio:.2f}x "
            f"(rounds {low:.2f}–{high:.2f})"
        )


def compare(
    name: str,
    baseline: tuple[str, Callable[[], None]],
    candidate: tuple[str, Callable[[], None]],
    *,
    rounds: int = 7,
) -> Comparison:
    """Run the two variants alternately ``rounds`` times; the ratio is candidate / baseline."""
    ratios = []
    for _ in range(rounds):
        base_time = _timed(baseline[1])
        cand_time = _timed(candidate[1])
        ratios.append(cand_time / base_time)
    return Comparison(
        name, baseline[0], candidate[0], statistics.median(ratios), (min(ratios), max(ratios))
    )


def _timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start
