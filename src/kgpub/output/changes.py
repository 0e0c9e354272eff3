"""``kgpub diff``: what changed between two builds, as a changelog, as JSON and as a store changeset.

Two releases of a graph that others cite must be comparable without loading
either into memory: a build's ``kg.trig`` is one block per named graph, graphs
in IRI order, each block the same bytes whenever the graph is the same (the
build is byte-stable).  So the diff streams both files, fingerprints each
graph's block, and parses only the blocks that differ (with pyoxigraph, into
sorted N-Triples lines, never into rdflib graphs); the changed triples of a
graph are a merge of two sorted lists.  At 1 % of articles changed, 99 % of
the bytes are only hashed.

The changed triples are then grouped by fact: every node with ``kg:evidence``
is a fact, the nodes whose IRI extends it (its evidence, selectors, counts)
belong to it, and so does the asserted triple of a relation.  A fact the new
build retracts (a ``kg:retracts`` tombstone, see ``mapping``) is listed as
retracted, with its reason, not as removed: a reader can tell "never said"
from "said, then withdrawn".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kgpub.rdf import vocab
from kgpub.errors import UsageError
from kgpub.output.writers import file_of

#: The file whose blocks are compared (one per named graph).
TRIG = file_of("trig")

_EVIDENCE = f"<{vocab.KG}evidence>"
_LABEL = f"<{vocab.RDFS}label>"
_EXACT = f"<{vocab.OA}exact>"
_RETRACTS = f"<{vocab.KG}retracts>"
_SUPERSEDED_BY = f"<{vocab.KG}supersededBy>"
_REASON = f"<{vocab.KG}retractionReason>"
_DATE = f"<{vocab.DCTERMS}date>"


@dataclass(frozen=True)
class GraphChange:
    """The triples one named graph lost and gained, as sorted N-Triples lines (``removed``, ``added``)."""

    graph: str
    removed: list[str]
    added: list[str]
    status: str = "changed"  # "added" or "removed" when the whole graph is new or gone


@dataclass(frozen=True)
class FactChange:
    """One fact that was added, removed, changed or retracted, told with its label and quote."""

    kind: str
    iri: str
    article: str
    label: str
    quote: str = ""
    reason: str = ""
    date: str = ""
    superseded_by: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class Diff:
    """What changed from build ``old`` to build ``new``."""

    old: Path
    new: Path
    graphs: list[GraphChange]
    facts: list[FactChange]
    unchanged_graphs: int

    def release(self) -> tuple[str, str]:
        """The versions of the two builds (``dcat:version`` of their release graphs), "" where unversioned."""
        old = new = ""
        for g in self.graphs:
            if g.graph.endswith("/dataset/release"):
                dataset = f"<{g.graph.removesuffix('/release')}>"
                for line in g.removed:
                    if line.startswith(f"{dataset} <{vocab.DCAT}version> "):
                        old = _value(_split(line)[2])
                for line in g.added:
                    if line.startswith(f"{dataset} <{vocab.DCAT}version> "):
                        new = _value(_split(line)[2])
        return old, new

    def counts(self) -> dict[str, int]:
        kinds = ("added", "removed", "changed", "retracted")
        return {k: sum(1 for f in self.facts if f.kind == k) for k in kinds}

    def text(self) -> str:
        """A changelog a newsroom can publish: one paragraph per kind, one line per fact."""
        out = [f"Changes from {self.old} to {self.new}"]
        old_version, new_version = self.release()
        if old_version or new_version:
            out.append(f"Release {new_version or '(none)'}, after {old_version or '(none)'}")
        headings = {"added": "Added", "changed": "Corrected", "retracted": "Retracted", "removed": "Removed"}
        for kind in ("added", "changed", "retracted", "removed"):
            facts = [f for f in self.facts if f.kind == kind]
            if not facts:
                continue
            out += ["", f"{headings[kind]} ({len(facts)}):"]
            for f in facts:
                line = f"- [{f.article}] {f.label}"
                if f.quote:
                    line += f": “{f.quote}”"
                out.append(line)
                if kind == "retracted":
                    why = f"  retracted {f.date}" if f.date else "  retracted"
                    if f.superseded_by:
                        why += f", superseded by {f.superseded_by.rsplit('/', 1)[-1]}"
                    if f.reason:
                        why += f": {f.reason}"
                    out.append(why)
                out += [f"  {d}" for d in f.details]
        added = sum(len(g.added) for g in self.graphs)
        removed = sum(len(g.removed) for g in self.graphs)
        if not self.facts:
            out += ["", "No fact changed."]
        out += ["", (f"{len(self.graphs)} graphs changed ({added} triples added, {removed} removed), "
                     f"{self.unchanged_graphs} unchanged.")]
        return "\n".join(out) + "\n"

    def as_json(self) -> dict[str, object]:
        return {
            "old": str(self.old), "new": str(self.new), "release": dict(zip(("old", "new"), self.release())),
            "counts": self.counts(),
            "facts": [{k: v for k, v in f.__dict__.items() if v not in ("", [])} for f in self.facts],
            "graphs": [{"graph": g.graph, "status": g.status, "added": len(g.added), "removed": len(g.removed)}
                       for g in self.graphs],
            "unchangedGraphs": self.unchanged_graphs,
        }

    def json_text(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2) + "\n"

    def sparql_update(self) -> str:
        """A SPARQL 1.1 Update that takes a store holding ``old``'s named graphs to ``new``'s.

        A graph that is gone is dropped (so no empty graph is left behind); a
        changed graph loses its removed triples and gains its added ones, with
        DELETE DATA before INSERT DATA.  There are no blank nodes in a build, so
        ``DATA`` forms are enough.
        """
        parts: list[str] = []
        for g in self.graphs:
            if g.status == "removed":
                parts.append(f"DROP SILENT GRAPH <{g.graph}>")
                continue
            if g.removed:
                parts.append(f"DELETE DATA {{ GRAPH <{g.graph}> {{\n" + "".join(_line(x) for x in g.removed) + "} }")
            if g.added:
                parts.append(f"INSERT DATA {{ GRAPH <{g.graph}> {{\n" + "".join(_line(x) for x in g.added) + "} }")
        return " ;\n".join(parts) + ("\n" if parts else "")


def _line(ntriple: str) -> str:
    return f"  {ntriple}\n"


def diff(old: str | Path, new: str | Path) -> Diff:
    """Compare two build folders graph by graph and fact by fact (see the module's docstring)."""
    old_dir, new_dir = Path(old), Path(new)
    problems = [p for p in (_not_a_build(old_dir), _not_a_build(new_dir)) if p]
    if problems:
        raise UsageError("\n".join(problems))
    old_header, old_blocks = _index(old_dir / TRIG)
    new_header, new_blocks = _index(new_dir / TRIG)
    same_header = old_header == new_header
    changes: list[GraphChange] = []
    old_side, new_side = _Side(), _Side()
    unchanged = 0
    for head in sorted(old_blocks.keys() | new_blocks.keys()):
        before, after = old_blocks.get(head), new_blocks.get(head)
        if same_header and before is not None and after is not None and before[0] == after[0]:
            unchanged += 1
            continue
        old_graphs = _parse(old_dir / TRIG, old_header, before) if before else {}
        new_graphs = _parse(new_dir / TRIG, new_header, after) if after else {}
        for graph in sorted(old_graphs.keys() | new_graphs.keys()):
            was, now = old_graphs.get(graph, []), new_graphs.get(graph, [])
            removed, added = _merge(was, now)
            if removed or added:
                status = "added" if not was else "removed" if not now else "changed"
                changes.append(GraphChange(graph, removed, added, status))
                if not graph.endswith("/provenance"):
                    old_side.extend(was)
                    new_side.extend(now)
            else:
                unchanged += 1
    return Diff(old_dir, new_dir, changes, _facts(changes, old_side, new_side), unchanged)


def _not_a_build(folder: Path) -> str:
    if not folder.is_dir():
        return f"{folder}: not a folder (kgpub diff compares two build folders)"
    if not (folder / TRIG).is_file():
        return f"{folder}: not a kgpub build folder (it has no {TRIG})"
    return ""


def _index(path: Path) -> tuple[bytes, dict[bytes, tuple[bytes, int, int]]]:
    """The prefix header of a build's TriG and, per graph block (by its first line), a fingerprint and its byte span.

    The file is memory-mapped, not read: a block is found by its head line (``GRAPH {``) and its end (a
    line that is only ``}``: every line inside a block is indented, and no literal holds a raw newline),
    so the scan runs at the speed of ``bytes.find`` and the hash, whatever the size of the file.
    """
    import mmap

    blocks: dict[bytes, tuple[bytes, int, int]] = {}
    with open(path, "rb") as f:
        if f.seek(0, 2) == 0:
            return b"", blocks
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as text:
            pos, size = 0, len(text)
            while pos < size and (text[pos:pos + 7] == b"@prefix" or text[pos:pos + 1] == b"\n"):
                pos = text.find(b"\n", pos) + 1 or size
            header = bytes(text[:pos])
            while pos < size:
                if text[pos:pos + 1] == b"\n":
                    pos += 1
                    continue
                head_end = text.find(b"\n", pos) + 1
                end = text.find(b"\n}\n", head_end - 1)
                if head_end == 0 or end < 0:
                    raise UsageError(f"{path}: not a TriG file kgpub wrote (a graph block has no end)")
                end += 3
                head = bytes(text[pos:head_end])
                blocks[head] = (hashlib.blake2b(text[pos:end], digest_size=16).digest(), pos, end)
                pos = end
    return header, blocks


def _parse(path: Path, header: bytes, span: tuple[bytes, int, int]) -> dict[str, list[str]]:
    """The sorted N-Triples lines of each graph in one TriG block (read from its byte span)."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    _, start, end = span
    with open(path, "rb") as f:
        f.seek(start)
        block = f.read(end - start)
    graphs: dict[str, list[str]] = {}
    for quad in parse(header + b"\n" + block, format=RdfFormat.TRIG):
        name = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
        graphs.setdefault(name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    return {g: sorted(set(lines)) for g, lines in graphs.items()}


def _merge(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """Lines only in ``old`` and lines only in ``new``, from two sorted lists in one pass."""
    removed: list[str] = []
    added: list[str] = []
    i = j = 0
    while i < len(old) and j < len(new):
        if old[i] == new[j]:
            i += 1
            j += 1
        elif old[i] < new[j]:
            removed.append(old[i])
            i += 1
        else:
            added.append(new[j])
            j += 1
    removed += old[i:]
    added += new[j:]
    return removed, added


def _split(line: str) -> tuple[str, str, str]:
    s, rest = line.split(" ", 1)
    p, o = rest.split(" ", 1)
    return s, p, o.removesuffix(" .")


def _iri(term: str) -> str:
    return term[1:-1] if term.startswith("<") else term


def _value(term: str) -> str:
    """A term as a reader would say it: an IRI's last segment, a literal's text."""
    if term.startswith("<"):
        return term[1:-1].rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if term.startswith('"'):
        end = term.rindex('"')
        return json.loads(term[: end + 1]) if "\\" in term else term[1:end]
    return term


class _Side:
    """The triples of one build's changed graphs, by subject (provenance graphs left out)."""

    def __init__(self) -> None:
        self.by_subject: dict[str, list[tuple[str, str]]] = {}

    def extend(self, lines: list[str]) -> None:
        for line in lines:
            s, p, o = _split(line)
            self.by_subject.setdefault(s, []).append((p, o))

    def first(self, subject: str, predicate: str) -> str:
        return next((o for p, o in self.by_subject.get(subject, []) if p == predicate), "")


def _facts(changes: list[GraphChange], old: _Side, new: _Side) -> list[FactChange]:
    """The changed triples of the data graphs grouped into facts (see the module's docstring).

    ``old`` and ``new`` hold every triple of the changed data graphs, to find each fact's label and quote.
    """
    data = [g for g in changes if not g.graph.endswith("/provenance")]
    lost, gained = _Side(), _Side()
    for g in data:
        lost.extend(g.removed)
        gained.extend(g.added)
    touched = lost.by_subject.keys() | gained.by_subject.keys()
    roots_old = {s for s, pos in old.by_subject.items() if any(p == _EVIDENCE for p, _ in pos)}
    roots_new = {s for s, pos in new.by_subject.items() if any(p == _EVIDENCE for p, _ in pos)}
    retracted: dict[str, tuple[str, str, str]] = {}
    for s, pos in new.by_subject.items():
        for p, o in pos:
            if p == _RETRACTS:
                retracted[o] = (_value(new.first(s, _REASON)), _value(new.first(s, _DATE)),
                                _iri(new.first(s, _SUPERSEDED_BY)))
    roots = sorted(roots_old | roots_new | set(retracted))

    root_set = set(roots)
    changed = {r for s in touched if s.startswith("<")
               for r in [next((f"<{i}>" for i in _prefixes(s[1:-1]) if f"<{i}>" in root_set), None)] if r}
    out: list[FactChange] = []
    for r in sorted(changed):
        label = _value(new.first(r, _LABEL) or old.first(r, _LABEL)) or _relation_label(r)
        quote = _quote(new, r) or _quote(old, r)
        article = _article_of(r)
        if r in retracted:
            reason, date, by = retracted[r]
            quote = _quote(old, r) or quote
            label = _value(old.first(r, _LABEL)) or label
            out.append(FactChange("retracted", _iri(r), article, label, quote, reason, date, by))
        elif r in roots_new and r not in roots_old:
            out.append(FactChange("added", _iri(r), article, label, quote))
        elif r in roots_old and r not in roots_new:
            whole = f"<{_iri(r).split('/article/', 1)[0]}/article/{article}>"
            if article and whole in retracted:  # a fact of a withdrawn article: withdrawn with it
                reason, date, _ = retracted[whole]
                out.append(FactChange("retracted", _iri(r), article, label, quote, reason, date))
            else:
                out.append(FactChange("removed", _iri(r), article, label, quote))
        else:
            out.append(FactChange("changed", _iri(r), article, label, quote, details=_details(lost, gained, r)))
    return out


def _prefixes(iri: str) -> Iterator[str]:
    """``iri`` and each of its shorter ``/``-prefixes, longest first: the facts a node may belong to."""
    while True:
        yield iri
        if "/" not in iri:
            return
        iri = iri.rsplit("/", 1)[0]


def _article_of(root: str) -> str:
    iri = _iri(root)
    if "/article/" in iri:
        return iri.split("/article/", 1)[1].split("/", 1)[0]
    return ""


def _relation_label(root: str) -> str:
    iri = _iri(root)
    if "/relation/" in iri:
        return " ".join(iri.split("/relation/", 1)[1].split("/")[:3])
    return _value(root)


def _quote(side: _Side, root: str) -> str:
    return _value(side.first(f"<{_iri(root)}/evidence/1/quote>", _EXACT))


def _details(lost: _Side, gained: _Side, root: str) -> list[str]:
    """What a changed fact lost and gained, predicate by predicate: ``date: 2020 → 2019`` where one value
    replaced another, ``- p: v`` and ``+ p: v`` otherwise (its own node and the nodes under it)."""
    base = _iri(root)
    keys: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for side, index in ((lost, 0), (gained, 1)):
        for s, pos in side.by_subject.items():
            iri = _iri(s)
            if iri != base and not iri.startswith(base + "/"):
                continue
            where = iri[len(base):].lstrip("/")
            for p, o in pos:
                keys.setdefault((where, _value(p)), ([], []))[index].append(_value(o))
    out: list[str] = []
    for (where, name), (was, now) in sorted(keys.items()):
        what = f"{where} {name}" if where else name
        if len(was) == 1 and len(now) == 1:
            out.append(f"{what}: {was[0]} → {now[0]}")
        else:
            out += [f"- {what}: {v}" for v in sorted(was)] + [f"+ {what}: {v}" for v in sorted(now)]
    return out
