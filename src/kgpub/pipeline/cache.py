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
  counts, file hashes), plus the build-wide state (``incremental.BuildState``:
  validation results, the registry's lines).
- ``layout.pickle``: where every block of the whole-graph files sits (see
  ``layout``), so a rebuild patches them.

A file whose size, modification time and inode change time are those
recorded is taken as unchanged without reading it, as git does (the change
time, which no copying tool can restore, catches an edit of the same size
whose modification time was put back); any other file is hashed, and so is a
file changed within two seconds of being recorded, since its times cannot tell.

Nothing is unpickled that this machine's kgpub did not write: the manifest and
the layout carry an HMAC-SHA256 under a secret key kept outside every build
folder (``cache_secret``), checked before a byte is unpickled, and the
manifest records the SHA-256 of every unit in the log, checked before that
unit is read.  A build folder someone else prepared (a crafted
``manifest.pickle`` runs code when unpickled) is a cache miss, never code run.
"""

from __future__ import annotations

import hashlib
import hmac
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


_MAC = 32  # bytes of HMAC-SHA256 before each authenticated file's pickle


def cache_secret() -> bytes | None:
    """This user's key for the cache's HMACs: ``KGPUB_CACHE_SECRET``, else a random key made once in the
    user's state folder (``$XDG_STATE_HOME/kgpub``, else ``~/.local/state/kgpub``), readable by the user only.
    None when there is nowhere to keep one: then no cache is ever read."""
    given = os.environ.get("KGPUB_CACHE_SECRET")
    if given:
        return given.encode()
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "kgpub"
    path = state / "cache-secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        state.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
        return path.read_bytes()
    except FileExistsError:  # another build made it meanwhile
        return path.read_bytes()
    except OSError:
        return None


def _sealed(data: bytes) -> bytes | None:
    """``data`` behind its HMAC, or None when there is no key to seal it with."""
    secret = cache_secret()
    return None if secret is None else hmac.new(secret, data, "sha256").digest() + data


def _opened(blob: bytes) -> bytes | None:
    """The data of a sealed blob when its HMAC is this user's; None otherwise (never unpickle it then)."""
    secret = cache_secret()
    if secret is None or len(blob) < _MAC:
        return None
    mac, data = blob[:_MAC], blob[_MAC:]
    return data if hmac.compare_digest(mac, hmac.new(secret, data, "sha256").digest()) else None


def _load_sealed(path: Path) -> Any:
    """Unpickle ``path`` only if this user's kgpub sealed it; raise ValueError otherwise."""
    data = _opened(path.read_bytes())
    if data is None:
        raise ValueError(f"{path}: not sealed by this kgpub: not read")
    return pickle.loads(data)


def _dump_sealed(obj: Any, f: Any) -> None:
    sealed = _sealed(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    if sealed is None:
        raise OSError("no key to seal the cache with")
    f.write(sealed)


def sealed(obj: Any) -> bytes | None:
    """``obj`` pickled behind this user's HMAC (None when there is no key): for a file another of this
    user's kgpub commands reads back, such as a shard's partial build."""
    return _sealed(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def unsealed(blob: bytes) -> Any | None:
    """What :func:`sealed` made, or None when this user's kgpub did not seal it (it is then never unpickled)."""
    data = _opened(blob)
    return None if data is None else pickle.loads(data)


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
    #: The inode's change time: set by the kernel on every write, and, unlike the modification time, not
    #: restorable by ``touch -d``, ``cp -p`` or ``rsync -t``: an edit of the same size cannot pass for none.
    ctime_ns: int = -1


def dep(root: Path, name: str) -> Dep:
    """Record the file ``name`` as it is now."""
    path = root / name
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError:
        return Dep(name, "")
    settled = time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _RACY_NS
    mtime, ctime = (stat.st_mtime_ns, stat.st_ctime_ns) if settled else (-1, -1)
    return Dep(name, hashlib.sha256(data).hexdigest(), stat.st_size, mtime, ctime)


def unchanged(root: str, recorded: Dep) -> bool:
    path = os.path.join(root, recorded.name)  # os.path, not pathlib: called for every file of the corpus
    try:
        stat = os.stat(path)
    except OSError:
        return False
    if (recorded.mtime_ns >= 0 and stat.st_size == recorded.size and stat.st_mtime_ns == recorded.mtime_ns
            and stat.st_ctime_ns == recorded.ctime_ns):
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
    sha256: str = ""  # of the unit's pickle in the log: checked before it is unpickled


class BuildCache:
    """Per-article units keyed by facts file, valid while their files are unchanged."""

    def __init__(self, key: str, entries: dict[str, Entry] | None = None, state: Any = None,
                 folder: Path | None = None) -> None:
        self.key = key
        self.entries: dict[str, Entry] = entries or {}
        #: The build-wide state the previous build left (``incremental.BuildState``), None without one.
        self.state: Any = state
        self.folder = folder  # the .cache folder the entries were read from
        self.hits = 0

    @classmethod
    def open(cls, out_dir: Path, key: str) -> BuildCache:
        """The cache of the build in ``out_dir`` when it was made under ``key``; else an empty one."""
        folder = Path(out_dir) / CACHE_DIR
        try:
            stored_key, entries, state = _load_sealed(folder / _MANIFEST)
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
                blob = log.read(entry.length)
                if hashlib.sha256(blob).hexdigest() != entry.sha256:  # the sealed manifest says what it must be
                    raise ValueError(f"{self.folder / _LOG}: unit of {entry.facts_file} changed since it was written")
                out[entry.offset] = pickle.loads(blob)
        return [out[e.offset] for e in entries]

    def layout(self) -> Any | None:
        """The layouts and counts of the previous build's files, if it recorded them."""
        if self.folder is None:
            return None
        try:
            return _load_sealed(self.folder / _LAYOUT)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None


def write_layout(folder: Path, layout: Any) -> None:
    """Record the layouts of the build staged in ``folder`` (written by whoever wrote its files)."""
    cache = folder / CACHE_DIR
    cache.mkdir(exist_ok=True)
    try:
        with open(cache / _LAYOUT, "wb") as f:
            _dump_sealed(layout, f)
    except OSError:  # no layout: the next build renders everything, as for a first build
        (cache / _LAYOUT).unlink(missing_ok=True)


def save(folder: Path, cache: BuildCache, units: dict[str, Any], summaries: dict[str, Any],
         deps: dict[str, tuple[Dep, ...]], state: Any) -> None:
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
                entries[name] = Entry(name, deps[name], at, len(blob), summaries[name], hashlib.sha256(blob).hexdigest())
                at += len(blob)
        return entries
    except OSError:
        return None


def write_manifest(folder: Path, cache: BuildCache, entries: dict[str, Entry] | None, state: Any) -> None:
    """Write the manifest of the build in ``folder``, unless its log could not be written.

    A cache that cannot be written only costs time on the next build.
    """
    if entries is None:
        return
    target = folder / CACHE_DIR
    try:
        fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=target)
        with os.fdopen(fd, "wb") as f:
            _dump_sealed((cache.key, entries, state), f)
        os.replace(tmp, target / _MANIFEST)
    except OSError:
        pass


__all__ = ["BuildCache", "CACHE_DIR", "Dep", "Entry", "dep", "digest", "file_digest", "save", "sealed", "unsealed",
           "write_layout", "write_manifest", "write_units"]
