"""The build cache: what each article produced, reused while its files are unchanged.

A newsroom rebuilds after touching one article of thousands; reading,
mapping and anchoring the other articles again would redo identical work.
Each article's result is kept with the SHA-256 of every file it was made from
(its facts file and its text), under a key that covers everything else a
result depends on: kgpub's version and code, the IRI base, the registry, the dataset
description, the ontology and the shapes.  A changed key drops the whole
cache; a changed file drops only that article's entry.

The cache lives in the build folder (``.cache/``), so deleting the build
deletes it, and it is written only after a successful build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR = ".cache"
_FILE = "articles.pickle"


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


class BuildCache:
    """Per-article results keyed by facts file, valid while their files' hashes match."""

    def __init__(self, key: str, entries: dict[str, Any] | None = None) -> None:
        self.key = key
        self.entries: dict[str, Any] = entries or {}
        self.hits = 0

    @classmethod
    def open(cls, out_dir: Path, key: str) -> BuildCache:
        """The cache of the build in ``out_dir`` when it was made under ``key``; else an empty one."""
        try:
            with open(Path(out_dir) / CACHE_DIR / _FILE, "rb") as f:
                stored_key, entries = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return cls(key)
        return cls(key, entries if stored_key == key else None)

    def get(self, name: str, root: Path) -> Any | None:
        """The entry for facts file ``name`` if every file it was made from is unchanged."""
        entry = self.entries.get(name)
        if entry is None:
            return None
        if all(file_digest(root / dep) == sha for dep, sha in entry.deps):
            self.hits += 1
            return entry
        return None

    def save(self, out_dir: Path, entries: dict[str, Any]) -> None:
        """Replace the stored cache with ``entries`` (written whole, then renamed into place)."""
        folder = Path(out_dir) / CACHE_DIR
        try:
            folder.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".articles-", dir=folder)
            with os.fdopen(fd, "wb") as f:
                pickle.dump((self.key, entries), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / _FILE)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next build


__all__ = ["BuildCache", "CACHE_DIR", "digest", "file_digest"]
