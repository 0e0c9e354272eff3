"""Where a full build's memory goes: each stage of ``stages.full_build`` run in this one process, in order, with
the process's PSS after it and its peak during it, and the sizes of the big structures the build keeps.

    python benchmarks/profile_build.py 1M [--workers 2]

The real build runs the writers in forked processes beside the validation and the index in a thread; run here
one after another, each stage's own peak shows (the forked ones' copies of the parent's pages aside).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import parse_size  # noqa: E402
from memory import pss_kib  # noqa: E402


class Peak:
    """This process's PSS sampled every 0.1 s; the peak since the last :meth:`stage`."""

    def __init__(self) -> None:
        import os

        self.pid = os.getpid()
        self.peak = 0
        self.rows: list[tuple[str, float, float, float]] = []
        self.started = time.perf_counter()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, pss_kib(self.pid))
            self._stop.wait(0.1)

    def stage(self, name: str) -> None:
        now = pss_kib(self.pid)
        self.rows.append((name, time.perf_counter() - self.started, now / 2**20, max(self.peak, now) / 2**20))
        print(f"{name:<40} {self.rows[-1][1]:7.1f} s  after {self.rows[-1][2]:5.2f} GiB  peak {self.rows[-1][3]:5.2f} GiB",
              file=sys.stderr, flush=True)
        self.peak = now
        self.started = time.perf_counter()


def deep_lines(lines: list[str]) -> int:
    """Bytes of a list of str and the strings it holds."""
    return sys.getsizeof(lines) + sum(sys.getsizeof(s) for s in lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory", default="2GiB", help="the build's budget (kgpub build --memory)")
    args = parser.parse_args()
    from synth import write_corpus

    from kgpub.execution import Budget, collector_paused, memory_size
    from kgpub.output import writers
    from kgpub.pipeline import stages
    from kgpub.pipeline.articles import map_articles
    from kgpub.pipeline.results import Options
    from kgpub.shacl import validation
    from kgpub.sparql import index as sparql_index

    label, articles = parse_size(args.size)
    work = Path(tempfile.mkdtemp(prefix="kgpub-profile-"))
    try:
        write_corpus(work / "corpus", articles, seed=7)
        peak = Peak()
        peak.stage("start (kgpub imported)")
        with collector_paused():
            options = Options(validate=True, strict=False, shapes=None, index=True, workers=args.workers,
                              memory=memory_size(args.memory))
            budget = Budget(options.memory)
            given = stages.inputs(work / "corpus", None, None, options)
            found = map_articles(given.shared, given.base, options.workers, None, None)
            peak.stage("map_articles (units kept)")
            units = [u for u in found]
            unit_bytes = sum(deep_lines(u.lines.data) + deep_lines(u.lines.provenance) for u in units if u.lines)
            graph = stages.merge_graph(given.shared, given.mint, units)  # type: ignore[arg-type]
            peak.stage("merge_graph")
            shapes = validation.load_shapes()
            in_memory = budget.store_in_memory(len(graph.data_bytes))
            report = stages.validate_graph(graph, shapes, args.workers, work / "out", budget)
            del report
            peak.stage(f"validate_graph ({'in-memory' if in_memory else 'on-disk'} store)")
            sizes = {"units' data + provenance lines (str objects)": unit_bytes,
                     "WholeGraph.data (list, strings shared with units)": sys.getsizeof(graph.data),
                     "WholeGraph.data_bytes": sys.getsizeof(graph.data_bytes)}
            staged = work / "staged"
            (staged / "articles").mkdir(parents=True)
            for number, part in enumerate(writers.parts()):
                stages.write_part(graph, part, staged, work / "out", budget.chunk)
                peak.stage(f"writers part {number} written (streamed)")
            index = work / "index"
            index.mkdir()
            sparql_index.index_from_lines(index, graph.data_bytes, graph.ontology, True)
            peak.stage("query index (on disk)")
        print(f"\n{label}: {len(graph.data):,} data lines", file=sys.stderr)
        for name, size in sizes.items():
            print(f"  {name:<60} {size / 2**20:8.0f} MiB", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
