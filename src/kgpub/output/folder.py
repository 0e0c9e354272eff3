"""The build folder: what a build writes into it, what marks it as kgpub's, and what says one is there.

A build replaces its folder whole (staged beside it, then swapped in: see
``execution``), so it must never take a folder it did not write, nor files a
user put into one it did.  Every command that reads a build asks
:func:`require_build` first, so "no build here" is one error, worded once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kgpub.errors import NoBuildError, OutputError, UsageError
from kgpub.execution import MARKER, os_reason
from kgpub.output import writers
from kgpub.output.parts import PART_FILE, UNITS_FILE
from kgpub.output.void import ONTOLOGY_FILE, VOID_FILE, distributions, void_file

if TYPE_CHECKING:
    from kgpub.corpus.model import Dataset
    from kgpub.output.layout import Layout, Stats
    from kgpub.pipeline.mapping import Minter

__all__ = ["DRAFT_MARKER", "MARKER", "build_files", "check_draft_target", "check_replaceable", "finish_stage",
           "require_build", "staged_sizes", "write_files"]

#: The file that marks a draft build (``kgpub build --drafts``): no query, load, page or site reads one.
DRAFT_MARKER = "DRAFT"
#: The folders of a build that hold its article files, its cache and its query index.
ARTICLES, CACHE, INDEX = "articles", ".cache", ".index"


def _build_names() -> frozenset[str]:
    """What a build folder holds: anything else in it is someone's, and a build never deletes it."""
    return frozenset({MARKER, DRAFT_MARKER, *writers.file_names(), ONTOLOGY_FILE, VOID_FILE, ARTICLES, CACHE, INDEX,
                      PART_FILE, UNITS_FILE})


def build_files(article_ids: list[str]) -> tuple[str, ...]:
    """The files of a build a reader sees, sorted: every writer's, the ontology, void.ttl, each article's."""
    return tuple(sorted([*writers.file_names(), ONTOLOGY_FILE, VOID_FILE,
                         *(f"{ARTICLES}/{i}.ttl" for i in article_ids)]))


def require_build(folder: str | Path, give: str = "--data DIR") -> Path:
    """``folder`` when it holds a build (its TriG), else the one "no build here" error; ``give`` is the option
    that names another folder (or file) in the command's words."""
    folder = Path(folder)
    trig = writers.file_of("trig")
    if (folder / PART_FILE).is_file():
        raise NoBuildError(f"{folder}: a partial build (one shard of a corpus); join the shards with "
                           "'kgpub merge PART... -o DIR' and give that folder")
    if not (folder / trig).is_file():
        raise NoBuildError(f"{folder}: no {trig} here; run 'kgpub build' first or give {give}")
    return folder


def check_draft_target(out: Path, drafts: bool) -> None:
    """Refuse to write a draft build over a build of the corpus: a draft is never presented as the corpus."""
    if drafts and (out / MARKER).exists() and not (out / DRAFT_MARKER).exists() and not (out / PART_FILE).exists():
        raise UsageError(f"{out}: holds a build of the corpus; a draft build (--drafts) goes to a folder of its "
                         "own (default: drafts)")


def _is_replaceable(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and ((folder / MARKER).exists() or not any(folder.iterdir())))


def check_replaceable(out_dir: Path, seeds: Path | None = None) -> None:
    """Refuse to replace what kgpub did not write: ``--out .`` must not wipe a project, ``--out dist`` must not
    take ``dist/seeds`` or a file a user put in ``dist/`` with it, and a symlink is not swapped for a folder.
    Checked before any work too."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise OutputError(f"{out_dir}: is a symlink; give the folder it points to ({os.path.realpath(out_dir)}) as --out")
    if seeds is not None and out_dir.exists():
        inside = Path(seeds).resolve()
        if inside == out_dir.resolve() or inside.is_relative_to(out_dir.resolve()):
            raise OutputError(f"{out_dir}: holds the seeds folder {seeds}; a build replaces its output folder whole, "
                              "so write it elsewhere")
    if not _is_replaceable(out_dir):
        raise OutputError(f"{out_dir}: not a kgpub build folder (no {MARKER} file) and not empty; refusing to replace it")
    if out_dir.is_dir() and (out_dir / MARKER).exists():
        known = _build_names()
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in known)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputError(f"{out_dir}: holds files a build did not write ({shown}); a build replaces the folder "
                              "whole and would delete them: move them out first")


def write_files(staged: Path, files: dict[str, bytes], out_dir: Path) -> None:
    """Write ``files`` (paths inside the build) into ``staged``, the build of ``out_dir`` in the making."""
    try:
        made: set[Path] = set()
        for name, content in files.items():
            path = staged / name
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "wb") as f:
                f.write(content)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the build: {os_reason(exc)}") from None


def staged_sizes(staged: Path) -> dict[str, int]:
    """The size of each file void.ttl describes, as staged (a rebuild patched them: no layout was rendered)."""
    return {name: (staged / name).stat().st_size for name in distributions()}


def finish_stage(staged: Path, out_dir: Path, dataset: Dataset, mint: Minter, article_ids: list[str],
                 ontology: bytes, layouts: dict[str, Layout], stats: Stats,
                 rights: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Write the rest of a build whose whole-graph and article files are staged: ontology, void.ttl.

    Returns the names of every file of the build.
    """
    sizes = {name: layout.total() for name, layout in layouts.items()}
    sizes[ONTOLOGY_FILE] = len(ontology)
    files = {ONTOLOGY_FILE: ontology, VOID_FILE: void_file(dataset, mint, article_ids, stats, sizes, rights)}
    write_files(staged, files, out_dir)
    return build_files(article_ids)
