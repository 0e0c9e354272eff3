"""Peak memory of a process tree, summed: the proportional set size (PSS) of a process and all its descendants.

A build runs several processes at once (article workers, forked writers); the largest one's peak RSS shows less
than two thirds of what the build holds, and summing RSS would count the pages forked children share with the
build twice.  PSS counts a shared page once, split among the processes that map it, so the sum over the tree is
what the tree costs the machine.  Read from ``/proc/PID/smaps_rollup`` (Linux 4.14+), no dependency.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def children_of() -> dict[int, list[int]]:
    """Every process's children, from the parent id in ``/proc/PID/stat`` (after the command, which may hold ')')."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = (PROC / entry.name / "stat").read_bytes()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_of(root: int) -> list[int]:
    """``root`` and every process descended from it, alive now."""
    tree = children_of()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def pss_kib(pid: int) -> int:
    """The process's proportional set size in KiB; 0 when it has ended (or cannot be read)."""
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_pss(root: int) -> tuple[int, int]:
    """The PSS of ``root``'s tree summed, and its largest process's, in KiB."""
    sizes = [pss_kib(pid) for pid in tree_of(root)]
    return sum(sizes), max(sizes, default=0)


@dataclass
class PssSampler:
    """Samples a process tree's summed PSS every ``interval`` seconds in a thread; keeps the peaks.

    Used as a context manager around the run of the process ``root``::

        with PssSampler(process.pid) as sampler:
            process.wait()
        sampler.peak_kib, sampler.largest_kib
    """

    root: int
    interval: float = 0.2
    peak_kib: int = 0
    largest_kib: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        total, largest = tree_pss(self.root)
        self.peak_kib = max(self.peak_kib, total)
        self.largest_kib = max(self.largest_kib, largest)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def peak_gib(self) -> float:
        return self.peak_kib / 2**20

    @property
    def largest_gib(self) -> float:
        return self.largest_kib / 2**20
