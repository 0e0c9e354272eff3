"""Where the files kgpub ships with (ontology, shapes, queries, schemas) live.

In a wheel they are packaged under ``kgpub/data``; in a source checkout or an
editable install they are the top-level folders of the repository.  Looking in
both places keeps one copy of each file in the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "data", _PACKAGE.parents[1])


def package_root() -> Path:
    """kgpub's own folder, which holds all of its code: what the build cache's key digests, whichever room
    the digest is taken in."""
    return _PACKAGE


def shipped(folder: str) -> Path:
    """Return the shipped folder ``folder`` (``ontology``, ``shapes``, ...)."""
    for root in _CANDIDATES:
        path = root / folder
        if path.is_dir():
            return path
    raise FileNotFoundError(f"kgpub's {folder}/ folder is missing from this installation")


def ontology_file() -> Path:
    """The project ontology, ``ontology/kgpub.ttl``."""
    return shipped("ontology") / "kgpub.ttl"


def schema_file(name: str) -> Path:
    """A JSON Schema for the curator's YAML files (packaged with the code)."""
    return _PACKAGE / "schemas" / f"{name}.schema.json"
