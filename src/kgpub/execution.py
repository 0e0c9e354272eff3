"""How a build is put in place: one build at a time per output folder, staged beside it, swapped in whole.

``pipeline`` says what a build computes; this module owns where it is staged
and how it replaces the previous build, so that at every instant, even after a
SIGKILL, the output folder holds either the previous build or the new one,
complete, and a rerun leaves no temporary folder behind:

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

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

MARKER = ".kgpub-build"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


_PR_SET_PDEATHSIG = 1


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
    return tuple(f".{out_dir.name}.{kind}-" for kind in ("tmp", "index", "old"))


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
        raise OutputError(f"{out_dir}: cannot write the build: {exc.strerror or exc}") from None
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
        raise OutputError(f"{out_dir}: cannot write the build: {exc.strerror or exc}") from None
