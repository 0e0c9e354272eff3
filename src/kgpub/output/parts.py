"""A partial build: one shard's articles, mapped and anchored, which ``kgpub merge`` joins with the others.

A corpus too large for one machine is built in N shards, each a plain command (``kgpub build --shard I/N``)
that may run anywhere the seeds folder is.  Shard I holds the articles whose facts file's path, relative to
the seeds folder and written with ``/``, hashes to I::

    int(sha256(path.encode("utf-8")).hexdigest(), 16) % N == I        (0 <= I < N)

The path, not the article id inside the file: it is known before the file is read (a shard reads only its
own articles), every facts file has one (a file whose id cannot be read still belongs to exactly one
shard, which reports it), and it is the key the build cache keeps each article under.  The hash does not
depend on the other articles, so an article stays in its shard as the corpus grows (for a given N).

A part folder holds what the per-article stage of a build makes, nothing of the whole graph:

* ``.kgpub-build``, the build folder's marker (a build or a part may replace the folder);
* ``part.json``: which shard of how many, the kgpub and the corpus it was made with (digests), the facts
  files it holds: what ``kgpub merge`` checks before it reads a unit;
* ``part.units``: the corpus without its articles, the IRI base and every article's unit (its lines,
  sources, counts and notes), pickled behind an HMAC under the user's cache key, as the build cache is
  (``pipeline.cache``): a merge never unpickles what this user's kgpub did not write.  Parts made on other
  machines need the same key there: set ``KGPUB_CACHE_SECRET`` alike on each.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kgpub.errors import UsageError

#: The files of a part folder beside the build marker.
PART_FILE = "part.json"
UNITS_FILE = "part.units"
#: The version of the part folder's format: a merge reads only its own.
FORMAT = 1


def shard_of(facts_file: str, shards: int) -> int:
    """The shard (0 to ``shards`` - 1) of the article in ``facts_file`` (relative to the seeds folder, with ``/``)."""
    return int(hashlib.sha256(facts_file.encode("utf-8")).hexdigest(), 16) % shards


def check_shards(shards: int, given: str = "--shards") -> int:
    """``shards`` when it is a number of shards (at least 1)."""
    if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
        raise UsageError(f"{given} {shards}: the number of shards must be at least 1")
    return shards


def check_shard(shard: tuple[int, int] | str) -> tuple[int, int]:
    """Shard ``I/N`` (a string, as ``--shard`` takes it, or a pair) when 0 <= I < N."""
    if isinstance(shard, str):
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", shard)
        if match is None:
            raise UsageError(f"--shard {shard}: write it as I/N, shard I of N counted from 0 (0/4 ... 3/4)")
        index, shards = int(match[1]), int(match[2])
    else:
        try:
            index, shards = shard
        except (TypeError, ValueError):
            raise UsageError(f"shard {shard!r}: give it as (I, N), shard I of N counted from 0") from None
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (index, shards)):
            raise UsageError(f"shard {shard!r}: I and N must be whole numbers")
    if shards < 1:
        raise UsageError(f"--shard {index}/{shards}: N, the number of shards, must be at least 1")
    if not 0 <= index < shards:
        raise UsageError(f"--shard {index}/{shards}: I counts from 0, so shard I of {shards} is 0 to {shards - 1}")
    return index, shards


@dataclass(frozen=True)
class PartInfo:
    """What ``part.json`` says: which shard the part is, and what it was made from."""

    shard: int
    shards: int
    #: kgpub's version, and the digest of its code and engines (``articles.code_parts``).
    kgpub: str
    code: str
    #: The digest of the registry, the dataset description and the names of every facts file of the corpus.
    corpus: str
    #: How many facts files the corpus has, and the digest of their names (what the shards hold together).
    corpus_facts: int
    facts_digest: str
    #: The build cache's key of the corpus (covers the IRI base, the shapes and ``--drafts`` too).
    key: str
    #: The digest of the shapes the articles were mapped for: a merge validates with these.
    shapes: str
    drafts: bool
    #: The facts files of this shard, in the corpus's order.
    facts: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.shard}/{self.shards}"

    def to_json(self) -> bytes:
        fields = asdict(self)
        fields["facts"] = list(self.facts)
        return (json.dumps({"kgpub-part": FORMAT, **fields}, indent=1, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, where: Path) -> PartInfo:
        try:
            fields = json.loads(data)
            if not isinstance(fields, dict) or fields.pop("kgpub-part", None) != FORMAT:
                raise ValueError
            fields["facts"] = tuple(fields["facts"])
            return cls(**fields)
        except (ValueError, TypeError, KeyError):
            raise UsageError(f"{where}: {PART_FILE} is not a part this kgpub reads (made by another version, or "
                             "edited); build the shard again") from None


@dataclass(frozen=True)
class Part:
    """One shard's articles: what ``part.json`` says, the corpus without its articles, the IRI base and
    the units (``articles.ArticleUnit``), in the corpus's order."""

    info: PartInfo
    shared: Any
    base: str
    units: list[Any]


def write_part(part: Part, staged: Path) -> tuple[str, ...]:
    """Write ``part`` into the staged folder (made by ``execution.Stage``); return the names written."""
    from kgpub.pipeline.cache import sealed

    blob = sealed((part.shared, part.base, part.units))
    if blob is None:
        raise UsageError("no key to seal the part with: set KGPUB_CACHE_SECRET, or let kgpub keep one in "
                         "$XDG_STATE_HOME/kgpub")
    (staged / "articles").rmdir()
    (staged / UNITS_FILE).write_bytes(blob)
    (staged / PART_FILE).write_bytes(part.info.to_json())
    return PART_FILE, UNITS_FILE


def read_info(path: Path) -> PartInfo:
    """What the part folder ``path`` says it is; a usage error when it is no part."""
    if not path.is_dir():
        raise UsageError(f"{path}: no such part folder" if not path.exists() else f"{path}: not a folder")
    try:
        data = (path / PART_FILE).read_bytes()
    except OSError:
        raise UsageError(f"{path}: not a partial build (no {PART_FILE}); make one with "
                         "'kgpub build SEEDS --shard I/N -o FOLDER'") from None
    return PartInfo.from_json(data, path)


def check_parts(given: list[tuple[str, PartInfo]], code: str, shapes: str | None) -> list[int]:
    """The order of ``given`` (each named as the user gave it) by shard, after checking they are the N shards
    of one corpus, made by this kgpub (``code``) for these shapes (``shapes``; None: not validated).

    Each refusal is one line naming the part at fault; nothing is read or written before they all pass.
    """
    if not given:
        raise UsageError("kgpub merge: give the folders of the shards to join")
    first_name, first = given[0]
    seen: dict[int, str] = {}
    for name, info in given:
        if info.code != code:
            raise UsageError(f"{name}: made by another kgpub (version {info.kgpub}, or its code or engines differ "
                             "from this one's); build every shard with the kgpub that merges them")
        if info.corpus != first.corpus or info.corpus_facts != first.corpus_facts:
            raise UsageError(f"{name}: a shard of another corpus than {first_name} (its registry, dataset "
                             "description or facts files differ); build every shard from the same seeds folder")
        if info.key != first.key or info.drafts != first.drafts:
            raise UsageError(f"{name}: built with other options than {first_name} (IRI base or shapes, or one is "
                             "a draft build); build every shard alike")
        if info.shards != first.shards:
            raise UsageError(f"{name}: shard {info.name}, but {first_name} is a shard of {first.shards}; "
                             "give the shards of one split")
        if info.shard in seen:
            raise UsageError(f"{name}: shard {info.name} given twice (also {seen[info.shard]}); the shards overlap")
        seen[info.shard] = name
    missing = [i for i in range(first.shards) if i not in seen]
    if missing:
        shown = ", ".join(f"{i}/{first.shards}" for i in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise UsageError(f"missing shard{'s' * (len(missing) > 1)} {shown}: a merge joins every shard of "
                         f"{first.shards}")
    if shapes is not None and first.shapes != shapes:
        raise UsageError(f"{first_name}: built for other shapes than this merge validates with; give the "
                         "shards' --shapes to the merge too")
    owner: dict[str, str] = {}
    for name, info in given:
        for facts in info.facts:
            if facts in owner:
                raise UsageError(f"{name}: holds {facts}, which {owner[facts]} holds too; the shards overlap")
            owner[facts] = name
    if len(owner) != first.corpus_facts or facts_digest(sorted(owner)) != first.facts_digest:
        raise UsageError(f"{first_name}: the shards do not hold every article of their corpus; build them again")
    return sorted(range(len(given)), key=lambda n: given[n][1].shard)


def facts_digest(names: list[str]) -> str:
    """The digest of the names of a corpus's facts files, in its order."""
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def read_part(path: Path, info: PartInfo) -> Part:
    """The part in ``path`` (whose ``part.json`` said ``info``), unpickled only if this user's kgpub sealed it."""
    from kgpub.pipeline.cache import unsealed

    try:
        loaded = unsealed((path / UNITS_FILE).read_bytes())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read {UNITS_FILE}: {exc.strerror}") from None
    if loaded is None:
        raise UsageError(f"{path}: {UNITS_FILE} was not sealed with this user's cache key, so it is not read; "
                         "shards built on other machines need KGPUB_CACHE_SECRET set alike on each")
    shared, base, units = loaded
    if [u.facts_file for u in units] != list(info.facts):
        raise UsageError(f"{path}: {UNITS_FILE} does not hold the articles {PART_FILE} names; build the shard again")
    return Part(info, shared, base, units)
