"""The build cache: what each article produced, reused while its files are unchanged.

A newsroom rebuilds after touching one article of thousands; reading,
mapping and anchoring the other articles again would redo identical work.
Each article's result (its *unit*) is kept with the SHA-256, size and
modification time of every file it was made from (its facts file and its
text), under a key that covers everything else a result depends on: kgpub's
version and code, the IRI base, the registry, the dataset description, the
ontology and the shapes.  A changed key drops the whole cache; a changed file
drops only that article's entry.

Three files, in the build folder's ``.cache/`` (deleting the build deletes
the cache; only a successful build writes it):

- ``units.log``: the pickled units one after another.  A rebuild appends the
  units it made and never rewrites the others, so saving costs what changed.
- ``manifest.pickle``: for every facts file, where its unit sits in the log and
  the few things a rebuild needs without reading the unit (its article id,
  counts, file hashes), plus the build-wide state in ``state`` (validation
  results, the registry's lines).
- ``layout.pickle``: where every block of the whole-graph files sits (see
  ``layout``), so a rebuild patches them.

A file whose size and modification time are those recorded is taken as
unchanged without reading it, as git does; a file modified within two
seconds of being recorded is always hashed, since its time cannot tell.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR = ".cache"
_MANIFEST = "manifest.pickle"
_LOG = "units.log"
_LAYOUT = "layout.pickle"
#: Modification times this close to the recording (ns) are not trusted: the file may change again within the tick.
_RACY_NS = 2_000_000_000


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Dep:
    """A file an article was made from: its path relative to the seeds folder, hash, size and time."""

    name: str
    sha256: str
    size: int = -1
    mtime_ns: int = -1


def dep(root: Path, name: str) -> Dep:
    """Record the file ``name`` as it is now."""
    path = root / name
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError:
        return Dep(name, "")
    mtime = stat.st_mtime_ns if time.time_ns() - stat.st_mtime_ns > _RACY_NS else -1
    return Dep(name, hashlib.sha256(data).hexdigest(), stat.st_size, mtime)


def unchanged(root: str, recorded: Dep) -> bool:
    path = os.path.join(root, recorded.name)  # os.path, not pathlib: called for every file of the corpus
    try:
        stat = os.stat(path)
    except OSError:
        return False
    if recorded.mtime_ns >= 0 and stat.st_size == recorded.size and stat.st_mtime_ns == recorded.mtime_ns:
        return True
    return file_digest(Path(path)) == recorded.sha256


@dataclass(frozen=True)
class Entry:
    """What the manifest keeps of one unit without reading it: where it is, and its summary."""

    facts_file: str
    deps: tuple[Dep, ...]
    offset: int
    length: int
    summary: Any  # the unit's small fields, for a rebuild that never loads the unit


class BuildCache:
    """Per-article units keyed by facts file, valid while their files are unchanged."""

    def __init__(self, key: str, entries: dict[str, Entry] | None = None, state: dict[str, Any] | None = None,
                 folder: Path | None = None) -> None:
        self.key = key
        self.entries: dict[str, Entry] = entries or {}
        self.state: dict[str, Any] = state or {}
        self.folder = folder  # the .cache folder the entries were read from
        self.hits = 0

    @classmethod
    def open(cls, out_dir: Path, key: str) -> BuildCache:
        """The cache of the build in ``out_dir`` when it was made under ``key``; else an empty one."""
        folder = Path(out_dir) / CACHE_DIR
        try:
            with open(folder / _MANIFEST, "rb") as f:
                stored_key, entries, state = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return cls(key)
        if stored_key != key:
            return cls(key)
        return cls(key, entries, state, folder)

    def get(self, name: str, root: Path) -> Entry | None:
        """The entry for facts file ``name`` if every file it was made from is unchanged."""
        entry = self.entries.get(name)
        folder = str(root)
        if entry is None or not all(unchanged(folder, d) for d in entry.deps):
            return None
        self.hits += 1
        return entry

    def units(self, entries: list[Entry]) -> list[Any]:
        """The units of ``entries``, read from the log in file order."""
        if not entries:
            return []
        assert self.folder is not None
        out: dict[int, Any] = {}
        with open(self.folder / _LOG, "rb") as log:
            for entry in sorted(entries, key=lambda e: e.offset):
                log.seek(entry.offset)
                out[entry.offset] = pickle.loads(log.read(entry.length))
        return [out[e.offset] for e in entries]

    def layout(self) -> Any | None:
        """The layouts and counts of the previous build's files, if it recorded them."""
        if self.folder is None:
            return None
        try:
            with open(self.folder / _LAYOUT, "rb") as f:
                return pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None


def write_layout(folder: Path, layout: Any) -> None:
    """Record the layouts of the build staged in ``folder`` (written by whoever wrote its files)."""
    cache = folder / CACHE_DIR
    cache.mkdir(exist_ok=True)
    with open(cache / _LAYOUT, "wb") as f:
        pickle.dump(layout, f, protocol=pickle.HIGHEST_PROTOCOL)


def save(folder: Path, cache: BuildCache, units: dict[str, Any], summaries: dict[str, Any],
         deps: dict[str, tuple[Dep, ...]], state: dict[str, Any]) -> None:
    """Write the cache of the build in ``folder``: :func:`write_units`, then :func:`write_manifest`."""
    write_manifest(folder, cache, write_units(folder, cache, units, summaries, deps), state)


def write_units(folder: Path, cache: BuildCache, units: dict[str, Any], summaries: dict[str, Any],
                deps: dict[str, tuple[Dep, ...]]) -> dict[str, Entry] | None:
    """Write the units' log of the build in ``folder``; return the manifest's entries (None if it failed).

    ``units`` maps a facts file to its unit, or to the previous ``Entry`` when
    it was reused unread; a log the previous build wrote is then kept
    (hard-linked) and only new units are appended to it.  A build that read
    every unit writes a fresh log, which is how the log sheds replaced units.
    Apart from the manifest, so a full build writes its log in a writer
    process while it validates.
    """
    target = folder / CACHE_DIR
    try:
        target.mkdir(exist_ok=True)
        log_path = target / _LOG
        entries: dict[str, Entry] = {}
        if any(isinstance(u, Entry) for u in units.values()):
            assert cache.folder is not None
            os.link(cache.folder / _LOG, log_path)  # the previous units stay where they are; new ones go after
        with open(log_path, "ab") as log:
            at = log.seek(0, os.SEEK_END)
            for name, unit in units.items():
                if isinstance(unit, Entry):
                    entries[name] = unit
                    continue
                blob = pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL)
                log.write(blob)
                entries[name] = Entry(name, deps[name], at, len(blob), summaries[name])
                at += len(blob)
        return entries
    except OSError:
        return None


def write_manifest(folder: Path, cache: BuildCache, entries: dict[str, Entry] | None, state: dict[str, Any]) -> None:
    """Write the manifest of the build in ``folder``, unless its log could not be written.

    A cache that cannot be written only costs time on the next build.
    """
    if entries is None:
        return
    target = folder / CACHE_DIR
    try:
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=target)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((cache.key, entries, state), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target / _MANIFEST)
    except OSError:
        pass


__all__ = ["BuildCache", "CACHE_DIR", "Dep", "Entry", "dep", "digest", "file_digest", "save", "write_layout", "write_manifest",
           "write_units"]
