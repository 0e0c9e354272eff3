"""A one-line progress bar on stderr for long builds and loads: done/total, rate, ETA.

Drawn only when stderr is a terminal and the job is more than a handful of
items, so logs, pipes and tests see nothing; redrawn at most ten times a second
so drawing never costs more than the work it reports.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30
MIN_ITEMS = 6


def progress_bar(unit: str, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> Callable[[int, int], None]:
    """A callback ``(done, total)`` drawing ``[#####.....] done/total unit  rate/s  ETA``."""
    out = stream or sys.stderr
    started = clock()
    last = [0.0]

    def draw(done: int, total: int) -> None:
        if total < MIN_ITEMS or not out.isatty():
            return
        now = clock()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        filled = int(WIDTH * done / total) if total else WIDTH
        elapsed = max(now - started, 1e-9)
        rate = done / elapsed
        eta = f"ETA {(total - done) / rate:4.0f}s" if 0 < done < total and rate > 0 else " " * 8
        out.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {unit}  {rate:7.0f}/s  {eta}")
        if done >= total:
            out.write("\n")
        out.flush()

    return draw


__all__ = ["progress_bar"]
