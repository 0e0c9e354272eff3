"""The build's stages and schedule one at a time: the cache key, the build state, the credentials, the order
in which work runs."""

from __future__ import annotations

import os
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub import execution
from kgpub.errors import OutputError
from kgpub.cli import main
from kgpub.corpus import reader
from kgpub.errors import UsageError
from kgpub.pipeline.articles import ArticleUnit, cache_key
from kgpub.pipeline.incremental import BuildState


def test_the_cache_key_covers_the_code_of_every_room(mini: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed module anywhere in kgpub (a writer, a page) drops the cache, not only one in pipeline/."""
    from kgpub import resources

    package = tmp_path / "kgpub"
    shutil.copytree(Path(kgpub.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(resources, "package_root", lambda: package)
    shared = reader.load_shared(mini)
    key = cache_key(shared, "https://example.org/id/", None)
    assert cache_key(shared, "https://example.org/id/", None) == key
    # the version's module, the CLI, and a module of each room outside pipeline/, whatever its name
    modules = [package / "__init__.py", package / "cli.py",
               *(sorted((package / room).glob("*.py"))[-1] for room in ("output", "web", "sparql", "shacl"))]
    for module in modules:
        with open(module, "a", encoding="utf-8") as f:
            f.write("\n# changed\n")
        changed = cache_key(shared, "https://example.org/id/", None)
        assert changed != key, module
        key = changed


def _unit(name: str, foreign: tuple[str, ...]) -> ArticleUnit:
    return ArticleUnit(name, (), (), foreign=foreign)


def test_the_build_state_counts_each_shared_subjects_lines_over_the_registry_and_the_articles() -> None:
    a = "<https://x.org/id/a> <https://x.org/p> \"1\" .\n"
    a2 = "<https://x.org/id/a> <https://x.org/q> <https://x.org/id/b> .\n"
    b = "<https://x.org/id/b> <https://x.org/p> \"2\" .\n"
    state = BuildState.of([a, b], {}, [_unit("one.facts.yaml", (a, a2)), _unit("two.facts.yaml", (a2,))], None, None)
    assert state.shared == {"<https://x.org/id/a>": Counter({a: 2, a2: 2}), "<https://x.org/id/b>": Counter({b: 1})}
    assert state.results is None and state.registry == [a, b]


@pytest.mark.parametrize("url, message", [
    ("ftp://127.0.0.1/ds", "ftp://127.0.0.1/ds: not an http(s) URL (scheme 'ftp')"),
    ("http://user:secret@/ds", "http:///ds: has no host"),
])
def test_query_and_load_refuse_the_same_bad_url_with_the_same_error(url: str, message: str, tmp_path: Path) -> None:
    """The credentials and the URL are resolved in one place for both commands: same class, same words."""
    with pytest.raises(UsageError) as queried:
        kgpub.query("ASK {}", tmp_path, endpoint=url)
    with pytest.raises(UsageError) as loaded:
        kgpub.load(url, tmp_path)
    assert str(queried.value) == str(loaded.value) == message
    runner = CliRunner()
    by_query = runner.invoke(main, ["query", "ASK {}", "--endpoint", url])
    by_load = runner.invoke(main, ["load", url, "--data", str(tmp_path)])
    assert (by_query.exit_code, by_query.stderr) == (by_load.exit_code, by_load.stderr) == (2, message + "\n")
    assert "secret" not in by_query.output + by_load.output


def test_overlap_forks_the_writers_before_the_thread_starts_and_runs_the_verdict_here(tmp_path: Path) -> None:
    """The schedule's rule: processes are forked before the thread starts (RocksDB must never start in
    the child of a process that runs it); the verdict is computed in this process."""
    here = os.getpid()
    started = threading.Event()

    def writer() -> tuple[int, bool]:
        return os.getpid(), started.is_set()  # what the forked child saw of the thread: not started yet

    def beside() -> int:
        started.set()
        return threading.get_ident()

    with execution.Stage(tmp_path / "out") as stage:
        running = execution.overlap(stage, os.getpid, processes=[writer, writer], fork=True, thread=beside)
        assert running.value == here
        assert running.beside is not None and running.beside.result() != threading.get_ident()
        results = running.results()
    assert all(pid != here and not seen for pid, seen in results)
    assert results[0][0] != results[1][0]


def test_a_stages_forked_work_ends_when_done_though_its_large_value_is_not_yet_asked(tmp_path: Path) -> None:
    """A writer's layouts are far more than a pipe holds and are asked for only after the validation: the writer
    leaves them in a file beside the output and ends, instead of holding all it made until then.  The file is
    read and removed when the value is asked; a small value, or a failure, still comes through the pipe."""
    rows = [f"row {i}" for i in range(50_000)]

    def failing() -> None:
        raise OutputError("disk full")

    with execution.Stage(tmp_path / "out") as stage:
        large, small, failed = stage.fork(lambda: list(rows)), stage.fork(lambda: 7), stage.fork(failing)
        for part in (large, small, failed):
            part._process.join(timeout=60)
            assert not part._process.is_alive()  # ended without anybody reading its pipe
        [folder] = [f for f in tmp_path.iterdir() if ".results-" in f.name]
        assert len(list(folder.iterdir())) == 1  # the large value only
        assert large.result() == rows and small.result() == 7
        assert list(folder.iterdir()) == []
        with pytest.raises(OutputError, match="disk full"):
            failed.result()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing left beside the output


def test_a_forked_value_that_cannot_be_pickled_is_an_error_not_a_dead_writer(tmp_path: Path) -> None:
    from kgpub.errors import KgpubError

    with execution.Stage(tmp_path / "out") as stage:
        part = stage.fork(lambda: (lambda: None))  # a function made here cannot cross a pipe
        with pytest.raises(KgpubError, match="writing the build failed") as raised:
            part.result()
    assert "died" not in str(raised.value)


def test_overlap_without_fork_runs_the_writers_here_only_when_asked(tmp_path: Path) -> None:
    calls: list[str] = []

    def writer() -> str:
        calls.append("writer")
        return "written"

    def verdict() -> bool:
        calls.append("verdict")
        return False

    with execution.Stage(tmp_path / "out") as stage:
        running = execution.overlap(stage, verdict, processes=[writer], fork=False)
        assert calls == ["verdict"]  # a graph that does not conform: nothing is written
        assert running.results() == ["written"] and calls == ["verdict", "writer"]
        assert running.beside is None


def test_frozen_keeps_the_collector_off_what_exists_and_gives_it_back_even_on_an_error() -> None:
    """A site's snapshot is frozen while forked writers draw (a collection there would walk it all again); after,
    even when the drawing fails, the process's objects are the collector's again."""
    import gc

    from kgpub.execution import frozen

    kept = [[i] for i in range(10_000)]  # containers the collector tracks
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError):
        with frozen():
            assert gc.get_freeze_count() >= len(kept)
            made_inside = [[0]]
            assert all(gc.is_tracked(x) for x in made_inside)
            raise RuntimeError("the drawing failed")
    assert gc.get_freeze_count() == 0


def test_a_forked_result_taken_by_a_later_fork_and_closed_either_way() -> None:
    """The site's queries asked ahead are taken by the views' process, forked later: the value (larger than a pipe
    holds) reaches it, the process that asked them ends, and the one that started it is stopped when nobody takes
    its value (the views failed first), so no process is left blocked on a pipe."""
    from kgpub.execution import Forked

    rows = [f"row {i}" for i in range(50_000)]  # far more than a pipe's buffer
    asked = Forked(lambda: list(rows))
    views = Forked(lambda: len(asked.result()))
    assert views.result() == len(rows)
    asked.close()
    assert not asked._process.is_alive()
    untaken = Forked(lambda: list(rows))
    untaken.close()  # blocked on its pipe: stopped
    assert not untaken._process.is_alive()


def test_collected_after_frees_a_batchs_cycles_and_freezes_what_survives() -> None:
    """A site's writer runs the collector once per batch of pages: during the batch it is off; after, the batch's
    cyclic garbage is gone and what the writer keeps is frozen, out of every later collection's walk."""
    import gc
    import weakref

    from kgpub.execution import collected_after

    class Node:
        pass

    kept: list[Node] = []
    try:
        with collected_after():
            assert not gc.isenabled()
            cycle = Node()
            cycle.me = cycle  # type: ignore[attr-defined]
            gone = weakref.ref(cycle)
            del cycle
            kept.append(Node())
            assert gone() is not None  # no collection inside the batch
        assert gc.isenabled() and gone() is None
        assert gc.get_freeze_count() > 0 and gc.is_tracked(kept[0])
    finally:
        gc.unfreeze()


def test_work_apart_gives_its_value_and_its_errors_as_raised() -> None:
    """``execution.apart`` runs a command's work in a process of its own: its value comes back, the work may
    start processes of its own (a site's writers), and an error comes back as it was raised, an internal one
    included (it keeps its exit code), not as a failed write."""
    def nested() -> tuple[int, int]:
        inner = execution.Forked(os.getpid)
        return os.getpid(), inner.result()

    here = os.getpid()
    child, grandchild = execution.apart(nested)
    assert len({here, child, grandchild}) == 3
    with pytest.raises(UsageError, match="a usage error"):
        execution.apart(lambda: (_ for _ in ()).throw(UsageError("a usage error")))
    with pytest.raises(ZeroDivisionError):
        execution.apart(lambda: 1 // 0)
    # an error whose class takes other arguments than its message crosses with all it carries
    from kgpub.errors import Diagnostic, InputError

    wrong = [Diagnostic("a.facts.yaml", 3, None, "events[0].date", "not a date")]
    with pytest.raises(InputError) as raised:
        execution.apart(lambda: (_ for _ in ()).throw(InputError(wrong)))
    assert raised.value.diagnostics == wrong and raised.value.lines == [str(wrong[0])]


def test_work_apart_keeps_what_it_asks_until_its_process_ends(tmp_path: Path) -> None:
    """What the work apart hands to ``kept_until_exit`` is never freed (its process ends without freeing it: a
    site's millions of objects); what it does not hand is freed as its frame ends; outside such a process nothing is
    kept."""
    import gc
    import weakref

    class Big:
        pass

    def work(name: str, keep: bool) -> str:
        big = Big()
        weakref.finalize(big, (tmp_path / name).touch).atexit = False  # touched when freed, never at exit
        if keep:
            execution.kept_until_exit(big)
        return name

    assert execution.apart(lambda: work("kept", True)) == "kept"
    assert execution.apart(lambda: work("freed", False)) == "freed"
    assert not (tmp_path / "kept").exists() and (tmp_path / "freed").exists()
    work("here", True)  # in this process: not kept
    gc.collect()
    assert (tmp_path / "here").exists()


def test_an_interrupt_of_the_command_stops_its_work_apart(tmp_path: Path) -> None:
    """Ctrl-C sent to the command's process alone (not its group) stops the work running apart too, which cleans
    up after itself, instead of the command waiting for the work to end."""
    import signal
    import time

    marker = tmp_path / "work"

    def work() -> None:
        try:
            marker.write_text("started")
            time.sleep(60)
            marker.write_text("finished")
        finally:
            if marker.read_text() != "finished":
                marker.write_text("cleaned up")

    def interrupt() -> None:
        while not marker.exists():
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=interrupt, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            execution.apart(work)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert marker.read_text() == "cleaned up"
