"""How a build runs: its processes and threads, where it is staged, and how it replaces the previous build.

``pipeline`` says what a build computes, in order; this module owns how that
work is run (article workers in a process pool, file writers in forked
processes, the query index in a thread: :func:`map_in_order` and
:func:`overlap`, the build's schedule) and where it is put, so that one can
change without reading the other.  At every instant, even after a SIGKILL,
the output folder holds either the previous build or the new one, complete,
and a rerun leaves no temporary folder behind:

* a lock on the folder that holds the output folder (``flock`` on the folder
  itself: no lock file is left behind) lets one build at a time write there; a
  second one waits for it;
* under the lock, anything a killed build left beside the folder (``.NAME.tmp-*``,
  ``.NAME.index-*``, ``.NAME.old-*``) is stale: a previous build parked in
  ``.NAME.old-*`` while the folder is missing is put back, the rest removed;
* the new build replaces the old one with one atomic ``renameat2(RENAME_EXCHANGE)``
  where the system has it (Linux), else with two renames whose middle state
  the next build recovers from.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import gc
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from kgpub.errors import KgpubError, OutputError, UsageError

T = TypeVar("T")
R = TypeVar("R")
V = TypeVar("V")

MARKER = ".kgpub-build"
#: Set in the process :func:`apart` started (which ends once its work is done), with what that work keeps until then.
_APART: list[Any] = []
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


_PR_SET_PDEATHSIG = 1


def os_reason(exc: BaseException) -> str:
    """Why an operating-system call failed, in the system's words: a native library's long message (RocksDB's
    "IO error: No space left on device: While appending to file: ...") is cut to the reason it carries."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    for code in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO, errno.EMFILE):
        if os.strerror(code) in text:
            return os.strerror(code)
    return text[:160]


def die_with_parent(parent: int) -> None:
    """Make this forked process (an article worker, a file writer) end when the build ``parent`` that forked
    it ends, even by SIGKILL: an orphan would keep the build's lock, and write into a folder nobody swaps in."""
    import signal

    name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(name, use_errno=True), "prctl", None) if name else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the build died before the call: nobody is waiting for this work
        os._exit(1)


def _stale_prefixes(out_dir: Path) -> tuple[str, ...]:
    return tuple(f".{out_dir.name}.{kind}-" for kind in ("tmp", "index", "old", "lines", "results"))


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold a lock on ``out_dir``'s parent folder for a whole build; recover and clean what a killed build left."""
    import fcntl

    out_dir = Path(out_dir)
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another build into this folder: wait for it to finish
        recover(out_dir)
        yield
    finally:
        os.close(fd)


def recover(out_dir: Path) -> None:
    """Put back a previous build a killed swap left parked, and remove every stale temporary folder.

    Called with the lock held, so no other build is using them.
    """
    out_dir = Path(out_dir)
    parent = out_dir.absolute().parent
    if not parent.is_dir():
        return
    leftovers = sorted(p for p in parent.iterdir() if p.name.startswith(_stale_prefixes(out_dir)))
    if not out_dir.exists():
        for old in leftovers:  # the swap was killed between its renames: the previous build is here
            parked = old / "dist"
            if old.name.startswith(f".{out_dir.name}.old-") and (parked / MARKER).exists():
                os.rename(parked, out_dir)
                break
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)


def new_stage(out_dir: Path) -> Path:
    """A new temporary build folder beside ``out_dir``, with kgpub's marker and an ``articles/`` folder."""
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    try:
        (tmp / "articles").mkdir()
        (tmp / MARKER).write_text("written by kgpub build; the folder is replaced on every build\n")
        os.chmod(tmp, 0o755)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None
    return tmp


def discard(staged: Path) -> None:
    """Remove a staged folder that will not be swapped in (the graph did not conform)."""
    shutil.rmtree(staged, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux's renameat2); False where the system cannot."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True) if name else None
    function = getattr(libc, "renameat2", None)
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code))


def swap(staged: Path, out_dir: Path) -> None:
    """Put the staged folder in place of ``out_dir``: at every instant one of the two builds is there whole."""
    out_dir = Path(out_dir)
    parent = out_dir.resolve().parent
    try:
        if not out_dir.exists():
            os.rename(staged, out_dir)
            return
        if _exchange(staged, out_dir):  # ``staged`` now holds the previous build
            shutil.rmtree(staged, ignore_errors=True)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
        os.rename(out_dir, old / "dist")  # killed right here: the next build puts it back (``recover``)
        try:
            os.rename(staged, out_dir)
        except OSError:
            os.rename(old / "dist", out_dir)
            shutil.rmtree(old, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None


#: ``kgpub build --memory``'s default: what a full build may hold, summed over its processes.
DEFAULT_MEMORY = 2 * 2**30
#: Bytes an in-memory pyoxigraph store takes for each byte of the N-Triples loaded into it (measured: 3.5 to 4).
_STORE_PER_BYTE = 4
_UNITS = {"": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6, "mib": 2**20,
          "g": 2**30, "gb": 10**9, "gib": 2**30, "t": 2**40, "tb": 10**12, "tib": 2**40}


def memory_size(text: str | int) -> int:
    """Bytes from a size as a user writes it: ``2GiB``, ``512M`` (binary units, as ``ulimit`` means them), ``1.5G``,
    ``4GB`` (decimal), or a number of bytes."""
    if isinstance(text, int):
        amount, unit = float(text), ""
    else:
        import re

        found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
        if found is None or found.group(2).lower() not in _UNITS:
            raise UsageError(f"--memory {text!r}: not a size (e.g. 2GiB, 512M, 1500000000)")
        amount, unit = float(found.group(1)), found.group(2).lower()
    size = int(amount * _UNITS[unit])
    if size <= 0:
        raise UsageError(f"--memory {text!r}: must be more than nothing")
    return size


@dataclass(frozen=True)
class Budget:
    """How a build shares its memory budget (``kgpub build --memory``) among the things that grow with the corpus.

    The writers stream each file a piece at a time (:attr:`chunk`); the
    stores (the validation's, the query index) are loaded a piece at a time
    (:attr:`piece`); the validation's store lives in memory only while it fits
    in the budget, else on disk beside the output
    (:meth:`store_in_memory`), where RocksDB keeps what it needs in memory and
    the rest in its files.  A tiny
    budget changes where things are held, never the bytes written.
    """

    bytes: int = DEFAULT_MEMORY

    @property
    def chunk(self) -> int:
        """Characters a writer joins before writing them: a 64th of the budget, from 4 KiB to 16 MiB."""
        return max(1 << 12, min(1 << 24, self.bytes // 64))

    @property
    def piece(self) -> int:
        """Bytes of N-Triples a store's bulk loader is given at once (it holds what it parses of them), and a
        validation reads as text at once: a 32nd of the budget, from 64 KiB to 256 MiB."""
        return max(1 << 16, min(1 << 28, self.bytes // 32))

    @property
    def run(self) -> int:
        """Bytes of lines a merge sorts at once (their list costs about twice that): an eighth of the budget, from
        64 KiB to 1 GiB."""
        return max(1 << 16, min(1 << 30, self.bytes // 8))

    def store_in_memory(self, ntriples: int) -> bool:
        """Whether a store of ``ntriples`` bytes of N-Triples may be held in memory: while it fits in the budget.
        On disk its queries take about twice as long (measured at 0.3 M triples), so it goes there only
        when it must."""
        return _STORE_PER_BYTE * ntriples <= self.bytes

    @contextmanager
    def store_place(self, ntriples: int, out_dir: Path) -> Iterator[Path | None]:
        """Where a store of ``ntriples`` bytes of N-Triples is held while the block runs: None (in memory) when it
        fits in the budget (:meth:`store_in_memory`), else a folder on disk beside the output, removed after.  The
        stage that uses the store says what it computes; this says where it lives."""
        if self.store_in_memory(ntriples):
            yield None
            return
        with scratch(out_dir, "tmp") as folder:
            yield folder / "store"


def spilled_sort(records: Iterable[tuple[str, str]], chunk: int, folder: Path) -> Iterator[tuple[str, str]]:
    """``(key, text)`` records in key order, holding about ``chunk`` characters of them at a time.

    Records are sorted in runs: a run that fills up is sorted and written to a
    file in ``folder``, and the runs are merged (``heapq.merge``) as they are
    read back, a record from each file at a time; each file is removed once
    read.  When every record fits in one run nothing touches the disk.  Keys
    equal in two records keep the records' order.
    """
    import heapq
    import pickle

    runs: list[Path] = []
    pending: list[tuple[str, str]] = []
    size = 0
    for record in records:
        pending.append(record)
        size += len(record[0]) + len(record[1])
        if size >= chunk:
            pending.sort(key=_first)
            path = folder / f"run-{len(runs):06d}"
            with open(path, "wb", buffering=1 << 20) as stream:
                for one in pending:
                    pickle.dump(one, stream, protocol=pickle.HIGHEST_PROTOCOL)
            runs.append(path)
            pending, size = [], 0
    pending.sort(key=_first)
    if not runs:
        yield from pending
        return
    yield from heapq.merge(*(_read_run(path) for path in runs), pending, key=_first)


def _first(record: tuple[str, str]) -> str:
    return record[0]


def _read_run(path: Path) -> Iterator[tuple[str, str]]:
    """The records of a run file, in order; the file is removed once read."""
    import pickle

    try:
        with open(path, "rb", buffering=1 << 20) as stream:
            while True:
                try:
                    record = pickle.load(stream)
                except EOFError:
                    return
                yield record
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def scratch(out_dir: Path, kind: str = "tmp") -> Iterator[Path]:
    """A temporary folder beside ``out_dir`` (``.NAME.KIND-*``, which :func:`recover` removes if a build is
    killed), removed on leaving: room on the output's disk for what does not fit in memory."""
    out_dir = Path(out_dir)
    try:
        path = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{kind}-", dir=out_dir.absolute().parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def written(out_dir: Path) -> Iterator[None]:
    """Writing into the staged build of ``out_dir``: a failure of the system is one line saying so."""
    try:
        yield
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None


def cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a build.

    A build makes millions of small objects that all live until it ends; the
    collector would rescan them over and over (a third of the validation time
    at a million triples) and never free one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off everything that exists now (``gc.freeze``), for as long as the
    block runs: the data read before forking (a site's snapshot of a million triples) is never garbage, and a
    collection in a forked writer would otherwise walk all of it again, and touch each of its pages, so the
    memory shared with the parent becomes each child's own copy.  New objects are collected as usual."""
    gc.freeze()
    try:
        yield
    finally:
        if not _APART:  # in the process apart started, the work is done and the process ends: unfrozen, its
            gc.unfreeze()  # millions of objects would be walked by the next full collection, a second for nothing


@contextmanager
def collected_after() -> Iterator[None]:
    """The collector paused while a batch of work runs (a writer's hundred pages), then run once over what the
    batch made, and what survives (the caches a writer keeps across pages) frozen with the rest: the batch's
    cyclic garbage is freed, and no later collection walks the caches again.  A collection every few hundred
    allocations, over caches that only grow, took a tenth of a writer's time."""
    try:
        with collector_paused():
            yield
    finally:
        gc.collect()
        gc.freeze()


def map_in_order(work: Callable[[T], R], items: list[T], *, jobs: int,
                 setup: Callable[..., None], setup_args: tuple[Any, ...], batch: int | None = None) -> Iterator[R]:
    """``work`` over ``items``, yielded in their order, in ``jobs`` forked processes when there is enough to share.

    ``setup(*setup_args, parent)`` prepares each process once (``parent``: the
    build's process id, so a forked worker ends with it; None when the work
    runs in this process).  Fork shares the build's data without pickling it.
    ``batch``: items handed to a process at once (default: an eighth of each
    process's share, at most 64); items of very uneven cost want a small one,
    or the last large batch keeps one process busy while the others wait.
    """
    if jobs > 1 and len(items) >= 4 * jobs:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=setup,
                                 initargs=(*setup_args, os.getpid())) as pool:
            yield from pool.map(work, items, chunksize=batch or max(1, min(64, len(items) // (8 * jobs))))
    elif items:
        setup(*setup_args, None)
        for item in items:
            yield work(item)


class Forked:
    """Work started in a forked process; :meth:`result` waits for its value (or raises its error), once.

    Forking shares the build's data with the child without copying or
    pickling it; only the small result comes back.  Where fork does not
    exist, the work simply runs when its result is asked for.

    The result may also be taken by a process forked later from the one that
    started the work (the site's views take the answers of queries asked
    while the graph was read): that process receives it, and the starting one
    then only :meth:`close` s the work's process, never asks for the value.

    ``command``: the work is a whole command's (see :func:`apart`): it may start processes of its own, and its
    errors come back as they were raised.

    ``spill``: a folder for a value too large for the pipe.  A pipe holds 64 KiB; a larger value sent through it
    keeps its process alive, holding all it made, until somebody reads it, and the build reads its writers'
    layouts only once the validation is done, minutes later at ten million triples.  Written to a file there,
    the value lets the process end as soon as its work is done.
    """

    def __init__(self, work: Callable[[], Any], *, command: bool = False, spill: Path | None = None) -> None:
        import multiprocessing

        self._work: Callable[[], Any] | None = None
        self._done = False
        self._command = command
        self._value: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            self._work = work
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        parent = self._parent = os.getpid()

        def child() -> None:
            die_with_parent(parent)
            if command:
                _APART.append(True)  # this process ends when the command's work is done: see kept_until_exit
            try:
                outcome: tuple[bool, Any] = (True, work())
            except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
                outcome = (False, exc if isinstance(exc, KgpubError) or command and _picklable(exc)
                           else KgpubError(f"writing the build failed: {os_reason(exc)}"))
            try:
                parcel = _parcel(outcome, spill)
            except Exception as exc:  # noqa: BLE001 - a value that cannot be pickled: the parent says so
                parcel = _parcel((False, KgpubError(f"writing the build failed: {os_reason(exc)}")), None)
            send.send_bytes(parcel)

        # a command's work starts processes of its own, which a daemon may not
        self._process = context.Process(target=child, daemon=not command)
        self._process.start()
        send.close()

    @property
    def waited(self) -> bool:
        return self._done

    def result(self) -> Any:
        if self._done:
            return self._value
        self._done = True
        if self._work is not None:
            self._value = self._work()
            return self._value
        try:
            ok, value = _unparcel(self._receive.recv_bytes())
        except EOFError:
            ok, value = False, KgpubError("writing the build failed: the writer process died")
        except KeyboardInterrupt:
            # an interrupt meant for the command (one sent to this process alone): its process stops too, cleaning
            # up after itself, rather than being waited for to the end
            if self._command and self._process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._process.pid, signal.SIGINT)
            raise
        finally:
            if os.getpid() == self._parent:  # a later fork takes the value, but cannot wait for its sibling
                self._process.join()
        if not ok:
            raise value
        self._value = value
        return value

    def close(self) -> None:
        """End the work's process when its value was taken by a process forked later (see the class): it has ended
        once it handed the value on; if nobody took it (that process failed first), it is stopped."""
        if self._work is not None or self._done:
            return
        self._done = True
        self._process.join(timeout=1.0)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


#: The largest value sent through a forked process's pipe itself (see :class:`Forked`'s ``spill``).
_PIPED = 1 << 15


def _parcel(outcome: tuple[bool, Any], spill: Path | None) -> bytes:
    """``outcome`` pickled for the pipe: itself when small (or nowhere else to go), else the name of a file in
    ``spill`` that holds it (the first byte tells which)."""
    import pickle

    data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    if spill is None or len(data) <= _PIPED:
        return b"v" + data
    try:
        handle, name = tempfile.mkstemp(prefix="result-", dir=spill)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError:  # a full disk: the pipe still takes it, slower
        return b"v" + data
    return b"f" + os.fsencode(name)


def _unparcel(parcel: bytes) -> tuple[bool, Any]:
    """What :func:`_parcel` packed; a file it names is read and removed."""
    import pickle

    if parcel[:1] == b"v":
        return cast(tuple[bool, Any], pickle.loads(parcel[1:]))
    path = Path(os.fsdecode(parcel[1:]))
    try:
        return cast(tuple[bool, Any], pickle.loads(path.read_bytes()))
    finally:
        path.unlink(missing_ok=True)


class Stage:
    """A new build staged beside its output folder, written by forked processes and threads, then swapped in.

    Used as a context manager: whatever happens inside (an error, a graph that
    does not conform), leaving it waits for every process and thread it
    started and removes every temporary folder, unless :meth:`swap` put the
    build in place::

        with Stage(out) as stage:
            files = stage.fork(write_files)        # in a forked process
            index = stage.folder("index")           # a temporary folder beside the output
            indexing = stage.thread(make_index, index)
            ...
            stage.swap()
    """

    def __init__(self, out_dir: Path) -> None:
        self.out = Path(out_dir)
        self.path = new_stage(self.out)
        self._forked: list[Forked] = []
        self._threads: list[ThreadPoolExecutor] = []
        self._folders: list[Path] = []
        self._results: Path | None = None
        self._swapped = False

    def __enter__(self) -> Stage:
        return self

    def fork(self, work: Callable[[], Any]) -> Forked:
        """``work`` in a forked process, which ends once it is done (a large value waits in a file beside the
        output, removed with the stage's folders)."""
        if self._results is None:
            self._results = self.folder("results")
        part = Forked(work, spill=self._results)
        self._forked.append(part)
        return part

    def thread(self, work: Callable[..., R], *args: Any) -> Future[R]:
        pool = ThreadPoolExecutor(1)
        self._threads.append(pool)
        return pool.submit(work, *args)

    def folder(self, kind: str) -> Path:
        """A new empty folder beside the output (``.NAME.KIND-*``): removed on leaving unless moved away."""
        parent = self.out.resolve().parent
        try:
            path = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.{kind}-", dir=parent))
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot write the build: {os_reason(exc)}") from None
        self._folders.append(path)
        return path

    def swap(self) -> None:
        """Put the staged build in place of the output folder (see :func:`swap`)."""
        self._wait(quiet=False)
        swap(self.path, self.out)
        self._swapped = True

    def _wait(self, quiet: bool) -> None:
        for pool in self._threads:
            pool.shutdown(wait=True, cancel_futures=quiet)
        for part in self._forked:
            if not part.waited:
                try:
                    part.result()  # a forked writer must finish before its folder goes
                except KgpubError:
                    if not quiet:
                        raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._wait(quiet=True)
        finally:
            for folder in self._folders:
                shutil.rmtree(folder, ignore_errors=True)
            if not self._swapped:
                discard(self.path)


def _picklable(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to cross a pipe means it is not
        return False
    return True


def kept_until_exit(*objects: Any) -> None:
    """In the process :func:`apart` started, hold ``objects`` until the process ends, which gives their memory back
    whole; elsewhere (where the work runs in the caller's process), nothing.

    A site's snapshot is millions of objects that the work's frame frees one by one when it returns, before its
    result is even sent: a second and more of a command that has written everything."""
    if _APART:
        _APART.extend(objects)


def apart(work: Callable[[], R]) -> R:
    """``work``'s value, computed in a forked process that ends without freeing what it made.

    A site's snapshot of a million triples is millions of objects; freeing them one by one when the work is done
    takes a second or more, while a process that ends gives its memory back whole.  Errors come back as they
    were raised (an internal error stays one, and keeps its exit code).  Where fork does not exist, ``work`` runs
    here."""
    return cast(R, Forked(work, command=True).result())


@dataclass(frozen=True)
class Overlapped(Generic[V]):
    """What :func:`overlap` started: the value computed in this process, and how to wait for the rest."""

    #: What ``here`` returned.
    value: V
    #: Each of the ``processes``' results, in their order, when called (waits for a forked one; runs one
    #: that was not forked).
    parts: list[Callable[[], Any]]
    #: The ``thread``'s work, or None when there was none.
    beside: Future[Any] | None

    def results(self) -> list[Any]:
        """Every part's result, in the order the parts were given."""
        return [part() for part in self.parts]


def overlap(stage: Stage, here: Callable[[], V], *, processes: list[Callable[[], Any]] | None = None,
            fork: bool = False, thread: Callable[[], Any] | None = None) -> Overlapped[V]:
    """The build's schedule: ``processes`` forked (when ``fork``), then ``thread`` started, then ``here`` run.

    Work that does not depend on ``here``'s verdict (writing files, making the
    query index) runs meanwhile when there is a core to spare.  The order is
    the rule: every fork comes before the thread starts, because the thread
    may run RocksDB (the query index), which must never start in the child of
    a process that runs it.  Without ``fork`` the ``processes`` run in this
    process when their results are asked for (after ``here``, and only if they are).
    """
    parts = [stage.fork(work).result if fork else work for work in processes or []]
    beside = stage.thread(thread) if thread is not None else None
    return Overlapped(here(), parts, beside)


def write_atomically(path: Path, payload: bytes, what: str = "cannot write") -> None:
    """``payload`` as ``path``: the one way kgpub writes a file a user named.

    A regular file (or a new path) is written beside it and renamed over it, so a reader sees the old file
    or the new one, never half of one.  What is not a regular file is never replaced by one: a symlink is
    followed (its target written as this rule says), a FIFO or a character device (a terminal,
    ``/dev/null``) is opened and written through, and a folder, a socket or a block device is refused.
    A failure is one line (``PATH: WHAT: reason``) and leaves nothing beside the target.
    """
    import stat

    from kgpub.errors import OutputError

    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{path}: {what}: {os_reason(exc)}") from None
    if mode is not None and not stat.S_ISREG(mode):
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            kind = "a folder" if stat.S_ISDIR(mode) else "a block device" if stat.S_ISBLK(mode) else "a socket"
            raise OutputError(f"{path}: {what}: is {kind}, not a file")
        _write_through(path, target, payload, what)
        return
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(payload)
        if mode is not None:
            os.chmod(tmp, stat.S_IMODE(mode))  # the file keeps the permissions it had
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: {what}: {os_reason(exc)}") from None


def _write_through(path: Path, target: Path, payload: bytes, what: str) -> None:
    """Write into a FIFO or a character device as a shell's ``>`` would: opened, written, never replaced."""
    from kgpub.errors import OutputError

    try:
        with open(target, "wb") as stream:
            stream.write(payload)
    except OSError as exc:
        raise OutputError(f"{path}: {what}: {os_reason(exc)}") from None


def link_files(source: Path, target: Path, names: Iterable[str]) -> None:
    """Hard-link files into the new build (thousands of them: names relative to open folders)."""
    src, dst = os.open(source, os.O_RDONLY), os.open(target, os.O_RDONLY)
    try:
        for name in names:
            os.link(name, name, src_dir_fd=src, dst_dir_fd=dst)
    finally:
        os.close(src)
        os.close(dst)


class LimitExceeded(Exception):
    """Bounded work ran past its time (``what == "time"``) or memory (``what == "memory"``) limit."""

    def __init__(self, what: str, limit: float) -> None:
        super().__init__(what)
        self.what = what
        self.limit = limit


def memory_available() -> int:
    """Bytes of memory this process may use: the machine's, or its container's limit (cgroup v2 or v1)."""
    limits = [os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")]
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits)


def _data_size() -> int:
    """Bytes of this process's data segment (``VmData``): what RLIMIT_DATA counts."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def bounded(work: Callable[[], R], *, seconds: float, memory: int | None) -> R:
    """``work()`` in a forked process that is killed after ``seconds`` and may allocate at most ``memory`` bytes.

    A query engine cannot be interrupted from Python (a cross product or an
    ORDER BY over one runs in native code until it ends or exhausts memory),
    so it runs in a child this process can kill: the caller gets
    :class:`LimitExceeded`, never a hang, a MemoryError or a native panic.
    The result comes back pickled through a pipe from our own child.
    """
    import multiprocessing
    import resource
    import signal

    if "fork" not in multiprocessing.get_all_start_methods():
        return work()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    parent = os.getpid()

    def child() -> None:
        die_with_parent(parent)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)  # a native engine out of memory prints its panic: the parent says what happened
        if memory is not None:  # on top of what the fork inherited
            ceiling = _data_size() + memory
            resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))
        try:
            value: tuple[str, Any] = ("ok", work())
        except MemoryError:
            value = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            value = ("error", exc)
        try:
            send.send(value)
        except Exception as exc:  # noqa: BLE001 - e.g. the result did not fit in memory
            send.send(("memory", None) if isinstance(exc, MemoryError) else ("error", KgpubError(str(exc))))
        os._exit(0)

    process = context.Process(target=child, daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise LimitExceeded("time", seconds)
        try:
            kind, value = receive.recv()
        except EOFError:  # died: a native allocation failure aborts the process
            process.join(5)
            code = process.exitcode
            if memory is not None and code is not None and code < 0 and -code in (signal.SIGABRT, signal.SIGSEGV,
                                                                                     signal.SIGKILL, signal.SIGBUS):
                raise LimitExceeded("memory", memory) from None
            raise KgpubError(f"the query process ended unexpectedly (exit status {code})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if kind == "memory":
        raise LimitExceeded("memory", memory or 0)
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


def on_dask(work: Callable[[T], R], items: list[T], scheduler: str) -> list[R]:
    """``work`` over ``items`` as tasks on a Dask cluster, their results in the items' order.

    ``scheduler`` is a running scheduler's address (``tcp://HOST:8786``), or ``local`` for a cluster of this
    machine's cores started for the call (one single-threaded worker process per core, listening on
    127.0.0.1 only).  ``work`` must be a module-level function, since the workers import it by name, and
    every worker must run the same kgpub (``pip install kgpub[dask]`` there too).
    """
    import logging

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--dask needs Dask distributed, which is not installed: pip install 'kgpub[dask]'") from None
    if not items:
        return []
    if scheduler == "local":
        try:
            with LocalCluster(n_workers=min(len(items), cores()), threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                    Client(cluster) as client:
                return _gathered(client, work, items, "a local Dask cluster")
        except OSError as exc:
            raise KgpubError(f"cannot start a local Dask cluster: {os_reason(exc)}") from None
    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--dask {scheduler}: cannot reach the Dask scheduler: {os_reason(exc)}") from None
    with client:
        return _gathered(client, work, items, scheduler)


def _gathered(client: Any, work: Callable[[T], R], items: list[T], where: str) -> list[R]:
    """Every item's result; a task that fails raises its own error here (a KgpubError as itself), a worker
    that died (killed, out of memory) one line saying so."""
    from distributed import KilledWorker

    futures = client.map(work, items, pure=False)
    try:
        return list(client.gather(futures))
    except KilledWorker as exc:
        raise KgpubError(f"{where}: a Dask worker died while running a shard ({exc}); see the workers' logs") from None
