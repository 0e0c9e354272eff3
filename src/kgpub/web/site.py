"""``kgpub site``: the pages of ``kgpub serve`` as static files, and each article's text with its quotes.

Every view of the list (``kgpub.web.views``) is written: the front page, the search's data, the
timeline, the ontology, the queries, the SPARQL page, the VoID, and a page for each node; the style
sheet and scripts under ``static/``; and the build's dumps, which the front page offers, at the paths of
their download URLs (``kgpub/dist/kg.ttl``), as ``kgpub serve`` answers them.

A static host has no content negotiation, so every node of the build under its base gets its
page as ``PATH.html`` beside ``PATH.ttl``, ``PATH.jsonld`` and ``PATH.nt`` (the page links them
with ``rel="alternate"``, and names the IRI with ``rel="canonical"``).  Evidence is shown on the
page of the fact it supports, and its IRIs link to their place there.  An article's page also
shows its text, every quoted passage highlighted at its offsets and linked to the fact it
supports: the proof a reader can check.  The text comes from the seeds folder and must be the one
the build hashed (``kg:textSha256``).

A million triples make some sixty thousand pages and four times as many files, so the graph is
read once into a :class:`Snapshot` (the same :class:`~kgpub.web.pages.Pages` the server uses, over
dictionaries instead of the store) and forked writers share it, each rendering and writing its
share of the pages.  Output is byte-stable (pages in IRI order from sorted triples).

The site is incremental like the build.  While a page is drawn, the snapshot records every node
it reads; the manifest (``.kgpub-site``) keeps each file's digest, each page's reads and a digest
of each node read (its triples as subject and as object; an article's text; each template that drew
it, by its text) and of the code (the web package and every kgpub module it imports).  A rerun draws again
only the pages that read a node or a template that changed, writes only the files whose bytes
changed, and removes the files of nodes that are gone: one changed article redraws the few pages
that show it, and the result is, byte for byte, what a fresh run writes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kgpub.rdf import vocab
from kgpub.errors import OutputError, UsageError
from kgpub.web import templating, views
from kgpub.web.pages import PAGE_FORMATS, PARTS, Evidence, Link, Pages, anchor, article_texts, full_text_choices
from kgpub.web.views import VOCAB_ROOT, Ask, Build

if TYPE_CHECKING:
    from kgpub.execution import Forked

V = TypeVar("V")

MANIFEST = ".kgpub-site"
#: A page's read of a template is recorded as this prefix and the template's name (``template:node.html``).
TEMPLATE = "template:"
#: A page's read of an article's text is recorded as this prefix and the article's IRI (``text:https://...``).
TEXT = "text:"
#: A page's read of the numbering of an article's quotes (its anchors ``#q-N``): this prefix and the article's IRI.
QUOTES = "quotes:"
#: Pages rendered per task of a forked writer, each task handed out alone: large enough that handing out tasks costs
#: little, small enough that the last one does not keep one writer busy while the other waits (an armed group's
#: page takes a hundred times an event's).
CHUNK = 100


@dataclass(frozen=True)
class SiteResult:
    out_dir: Path
    pages: int
    written: int  # files whose bytes changed
    removed: int = 0  # files of the last run no longer made
    drawn: int = 0  # pages rendered (the others read nothing that changed since the last run)

    def summary(self) -> str:
        return (f"wrote {self.out_dir}/: {self.pages} pages, {self.drawn} drawn again ({self.written} files changed"
                + (f", {self.removed} removed" if self.removed else "") + ")")


class Snapshot(Pages):
    """The build's default graph read once into dictionaries: every triple by subject, and by object for the
    nodes under the base.  Forked writers share it (a store must not cross a fork)."""

    suffix = ".html"

    def __init__(self, triples: Iterable[Any], base: str, base_path: str, prefixes: dict[str, str],
                 navigation: Sequence[Link] = ()) -> None:
        import pyoxigraph as ox

        super().__init__(base, base_path, prefixes, navigation)
        out: dict[str, list[Any]] = {}
        into: dict[str, list[Any]] = {}
        named = ox.NamedNode
        # a subject's triples come one after another (kg.nt is sorted): its list is looked up once per run of
        # them, not once per triple (a million triples, the site's longest step before any page is drawn)
        last: Any = None
        run: list[Any] | None = None
        for t in triples:
            subject, obj = t.subject, t.object
            if subject != last:
                last = subject
                run = out.setdefault(subject.value, []) if type(subject) is named else None
            if run is not None:
                run.append(t)
            if type(obj) is named:
                value = obj.value
                if value.startswith(base):
                    found = into.get(value)
                    if found is None:
                        into[value] = [t]
                    else:
                        found.append(t)
        self._out, self._in = out, into
        self._labels: dict[str, str] = {}
        self._grouped: dict[str, dict[str, list[Any]]] = {}
        self._types: dict[str, set[str]] = {}
        self._evidence: dict[str, tuple[list[Evidence], set[str]]] = {}
        self._made: dict[Any, tuple[Any, set[str]]] = {}
        self._selected: dict[str, tuple[tuple[int | None, int | None, str], set[str]]] = {}
        self._numbers: dict[str, dict[tuple[int | None, int | None, str], int]] = {}
        #: The nodes read while a page is rendered (None: not recording): the page is a function of their triples.
        self.reads: set[str] | None = None
        self._via: dict[str, str] = {}  # a folded selector: the annotation whose place it links to
        self._nodes: list[str] | None = None
        self._fold()

    def _read(self, iri: str) -> None:
        if self.reads is not None:
            self.reads.add(iri)

    def outgoing(self, node: Any) -> list[Any]:
        if not hasattr(node, "value"):
            return []
        self._read(node.value)
        return self._out.get(node.value, [])

    def incoming(self, node: Any) -> list[Any]:
        self._read(node.value)
        return self._in.get(node.value, [])

    # A node is drawn on many pages (an actor on every page of its facts): what is read of it is kept, and
    # a page that takes it from here still records the nodes it came from.

    def types(self, node: Any) -> set[str]:
        key = node.value if hasattr(node, "value") else ""
        if key and self.reads is not None:
            self.reads.add(key)
        known = self._types.get(key)
        if known is None:
            known = self._types[key] = super().types(node)
        return known

    def evidence(self, node: Any) -> list[Evidence]:
        return self._kept(self._evidence, node.value, lambda: super(Snapshot, self).evidence(node))

    def selected(self, annotation: Any) -> tuple[int | None, int | None, str]:
        # a quote's place is read for its article's numbering, its fact's evidence and the article's highlights
        return self._kept(self._selected, annotation.value, lambda: super(Snapshot, self).selected(annotation))

    def kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        return self._kept(self._made, key, make)

    def _kept(self, cache: dict[Any, tuple[V, set[str]]], key: Hashable, make: Callable[[], V]) -> V:
        """``make()``, made once per run and kept in ``cache`` under ``key`` with the nodes it read, which every
        page that takes it from there records as its own reads."""
        known = cache.get(key)
        if known is None:
            outer, self.reads = self.reads, set()
            try:
                known = cache[key] = (make(), self.reads)
            finally:
                self.reads = outer
        if self.reads is not None:
            self.reads |= known[1]
        return known[0]

    def quote_numbers(self, article: str) -> dict[tuple[int | None, int | None, str], int]:
        """An article's quotes numbered (see :class:`~kgpub.web.pages.Pages`), recorded as one read of the
        numbering (``quotes:IRI``) rather than of the article's every annotation and selector it follows from:
        a page that links a quote depends on its number only, and a page links the quotes of a few articles
        (on two writers, their hundreds of reads each made most of every page's reads, and each writer's
        digests, twice over)."""
        known = self._numbers.get(article)
        if known is None:
            outer, self.reads = self.reads, None
            try:
                known = self._numbers[article] = self.number_quotes(article)
            finally:
                self.reads = outer
        if self.reads is not None:
            self.reads.add(QUOTES + article)
        return known

    def label(self, term: Any) -> str:
        import pyoxigraph as ox

        if not isinstance(term, ox.NamedNode):
            return super().label(term)
        self._read(term.value)
        known = self._labels.get(term.value)
        if known is None:
            known = self._labels[term.value] = super().label(term)
        return known

    def href(self, iri: str) -> str:
        self._read(iri)  # whether it is folded, and where, follows from its triples (and its annotation's)
        if iri in self._via:
            self._read(self._via[iri])
        return super().href(iri)

    def digest(self, iri: str) -> str:
        """What a page that read ``iri`` saw of it: a digest of its triples, as subject and as object."""
        return self.digests([iri])[iri]

    def digests(self, iris: Sequence[str]) -> dict[str, str]:
        """:meth:`digest` of many nodes at once: their triples written as N-Triples in one native call (one line
        each), each node's lines in order hashed, as subject then as object."""
        import pyoxigraph as ox

        triples: list[Any] = []
        sizes = []
        for iri in iris:
            out, into = self._out.get(iri, ()), self._in.get(iri, ())
            triples += out
            triples += into
            sizes.append((len(out), len(into)))
        lines = cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)).splitlines(keepends=True)
        if len(lines) != len(triples):
            raise AssertionError("N-Triples wrote a statement on other than one line")
        found = {}
        at = 0
        for iri, (n_out, n_in) in zip(iris, sizes):
            h = hashlib.sha256()
            h.update(b"".join(sorted(lines[at:at + n_out])))
            h.update(b"\0")
            h.update(b"".join(sorted(lines[at + n_out:at + n_out + n_in])))
            h.update(b"\0")
            found[iri] = h.hexdigest()[:16]
            at += n_out + n_in
        return found

    def objects(self, node: Any, predicate: str) -> list[Any]:
        """A node's objects of one predicate, from its statements grouped by predicate once (a page asks a node
        for one property at a time, hundreds of times)."""
        try:
            key = node.value
        except AttributeError:
            return []
        if self.reads is not None:
            self.reads.add(key)
        grouped = self._grouped.get(key)
        if grouped is None:
            grouped = self._grouped[key] = super().by_predicate(node)
        found = grouped.get(predicate)
        return list(found) if found else []

    def by_predicate(self, node: Any) -> dict[str, list[Any]]:
        """The node's statements grouped by predicate once, the same for every page that asks (to be read,
        never changed)."""
        try:
            key = node.value
        except AttributeError:
            return {}
        if self.reads is not None:
            self.reads.add(key)
        grouped = self._grouped.get(key)
        if grouped is None:
            grouped = self._grouped[key] = super().by_predicate(node)
        return grouped

    def _fold(self) -> None:
        """Evidence and its selectors live on the page of the fact they support (the first, if several)."""
        for iri, triples in self._out.items():
            if not iri.startswith(self.base):
                continue
            for t in triples:
                if t.predicate.value != vocab.KG + "evidence" or not self.types(t.object) & PARTS:
                    continue
                held = self.folded.get(t.object.value)
                if held is None or iri < held[0]:
                    place = (iri, anchor(iri, t.object.value))
                    self.folded[t.object.value] = place
                    for selector in self.objects(t.object, vocab.OA + "hasSelector"):
                        self.folded[selector.value] = place
                        self._via[selector.value] = t.object.value

    def nodes(self) -> list[str]:
        """The IRIs with a page of their own: every subject under the base but the parts shown in place (sorted
        once: a snapshot never changes, and the views that list them ask again)."""
        if self._nodes is None:
            self._nodes = sorted(iri for iri in self._out if iri.startswith(self.base) and iri not in self.folded)
        return list(self._nodes)


def _default_graph(data: Path, store: Any) -> Iterator[Any]:
    """The triples of the default graph ``kgpub query`` sees: ``kg.nt`` and the ontology, parsed (four times as
    fast as reading them back from the index); the index's own when the build has no ``kg.nt``."""
    import pyoxigraph as ox

    if not (data / "kg.nt").is_file():
        yield from (q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return
    yield from ox.parse(path=str(data / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    if (data / "ontology.ttl").is_file():
        yield from ox.parse(path=str(data / "ontology.ttl"), format=ox.RdfFormat.TURTLE)


def build_site(data: Path, out: Path, seeds: Path | None = None, jobs: int | None = None) -> SiteResult:
    """Write the static site of the build in ``data`` into ``out``.

    A new site is written beside ``out`` and renamed into place whole; an existing one is updated file by
    file, each replaced atomically, so a reader never sees half a page.  The work runs in a process of its own
    (``execution.apart``), which ends without freeing the graph it read object by object.
    """
    from kgpub.execution import apart

    return apart(lambda: _build_site(data, out, seeds, jobs))


def _build_site(data: Path, out: Path, seeds: Path | None, jobs: int | None) -> SiteResult:
    """:func:`build_site`, in the process that does the work."""
    from urllib.parse import urlparse

    from kgpub.execution import Forked, collector_paused, cores, frozen
    from kgpub.output.folder import require_build
    from kgpub.sparql.index import open_index
    from kgpub.sparql.local import local_prefixes

    require_build(data)
    if seeds is not None and not seeds.is_dir():
        raise UsageError(f"{seeds}: no such folder; give --seeds the seeds folder the build was made from")
    if out.is_symlink():  # a link to the site's folder: the site goes where it points, the link stays
        out = Path(os.path.realpath(out))
    previous, record = _manifest(out)
    index = open_index(data)  # the views read the default graph only: no named graphs added to the index
    # the views' store queries (the timeline's takes seconds at scale) need no page: asked in a process of their own
    # while this one reads the graph, where the second core would wait
    base = index.base
    asked = Forked(lambda: views.prefetch(open_index(data).store, base))
    try:
        with collector_paused():  # a million triples' objects, none of them garbage: a collection would walk them
            snapshot = Snapshot(_default_graph(data, index.store), index.base, urlparse(index.base).path,
                                local_prefixes(data), views.navigation(static=True))
            nodes = snapshot.nodes()
            texts = article_texts(snapshot, nodes, seeds, full_text_choices(seeds))
        # the snapshot is never garbage: from here no collection walks it again, neither in this process (reading
        # the VoID below set off a full one: a second or more at 1 M) nor in a forked writer
        with frozen():
            top: dict[str, bytes] = {}
            top.update({f"static/{name}": body for name, body in templating.static_files().items()})
            top.update(redirect_rules(snapshot.base_path))
            # the dumps the front page offers, where the VoID's download URLs point (``void.ttl``: a view of its own)
            dumps = {path.lstrip("/"): data / name
                     for name, path in views.dump_paths(data).items() if name != "void.ttl"}
            del index  # a store must not cross a fork: the views below open their own
            return _write_site(snapshot, nodes, texts, top, dumps, data, out, previous, record, asked, jobs or cores())
    finally:
        asked.close()  # the views' process took its answers (or failed, or was never started: then it is stopped)


def _write_site(snapshot: Snapshot, nodes: list[str], texts: dict[str, str], top: dict[str, bytes],
                dumps: dict[str, Path], data: Path, out: Path, previous: dict[str, str] | None,
                record: dict[str, Any] | None, asked: Forked, jobs: int) -> SiteResult:
    """Draw and write the site of ``snapshot`` into ``out`` (see :func:`build_site`): the nodes' pages in forked
    writers, the other views, the graphs' files and the dumps (linked or copied) in processes of their own meanwhile,
    then the manifest of the files they all made."""
    from kgpub.execution import Forked, kept_until_exit, map_in_order

    target = out if previous != {} else out.parent / f".{out.name}.kgpub-new-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out.parent}: cannot make the site's folder: {exc.strerror}") from None
    # every view of the list but the nodes' pages (the front page, the timeline, the search...), drawn in a process
    # of their own while the writers draw the nodes' pages; it takes the answers of the queries asked ahead when they
    # come (they may still be running), and the writers start now.  The dumps (hundreds of megabytes at 1 M) are
    # linked (or copied) and hashed meanwhile too, and each graph's Turtle cut out of the TriG, by a process that
    # waits on the disk more than it computes.  Each writes its own files, so that the run's last seconds, when one
    # process is left, only take their digests and write the manifest.
    drawing = Forked(lambda: _put_all(_top_views(snapshot, data, texts, asked.result()), snapshot, target, previous))
    copying = Forked(lambda: {**_copy_dumps(dumps, target, previous),
                              **_put_all(_graph_files(data, snapshot.base, snapshot.base_path), snapshot, target,
                                         previous)})
    seen = _Seen(snapshot, texts)
    kept = _unchanged(record, nodes, seen, previous or {}, target, snapshot)
    try:
        made = {name: (previous or {})[name] for iri in kept for name in _files_of(snapshot, iri)}
        reads = _Reads()
        reads.add(kept)
        written = 0
        todo = [iri for iri in nodes if iri not in kept]
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        for names, changed, deps, digests in map_in_order(_render, chunks, jobs=jobs, setup=_setup, batch=1,
                                                          setup_args=(snapshot, texts, target, previous, seen)):
            made.update(names)
            written += changed
            first = reads.add(deps)
            seen.digests.update(digests)
            # the nodes first read by these pages digested here, once each, while the writers draw on: both writers
            # read most nodes (an actor's, an article's), and each digested them before
            seen.many(first)
        _setup(snapshot, texts, target, previous, seen, None)
        for name, body in sorted(top.items()):
            made[name], changed = _put(name, body)
            written += changed
        for name, (digest, changed) in itertools.chain(drawing.result().items(), copying.result().items()):
            made[name] = digest
            written += changed
        removed = _remove_stale(target, previous, made)
        _atomic(target / MANIFEST, _manifest_bytes(made, reads, seen))
        if target != out:
            if out.is_dir():
                out.rmdir()  # empty: _manifest refuses a folder with anything in it
            os.rename(target, out)
    except BaseException:
        drawing.close()  # nothing may write into the new site's folder once it is removed
        copying.close()
        if target != out:
            shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        _STATE.clear()  # this process wrote the last files: the snapshot goes with the caller's
    # what a million triples made, millions of objects, is never freed one by one: the process ends
    kept_until_exit(snapshot, nodes, texts, top, seen, reads, made, kept)
    return SiteResult(out, sum(1 for name in made if name.endswith(".html")), written, removed, len(todo))


def _top_views(snapshot: Snapshot, data: Path, texts: dict[str, str],
               answers: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    """The files of every view of the list but the nodes' pages, by file name (the build's index opened here:
    this runs in a process of its own), the queries asked ahead answered from ``answers``."""
    from kgpub.sparql.index import open_index

    index = open_index(data)
    build = Build(snapshot, views.Answered(index.store, answers), data, snapshot.nodes, texts)
    top = {}
    for view in views.VIEWS:
        if not view.each_node:
            _, body = views.draw(view, build)
            if body is not None:
                top[view.file] = body
    return top


# --------------------------------------------------------------------------- what a page read, between runs

def _code_files() -> list[Path]:
    """The modules a page's bytes can follow from besides the graph and its templates: the web package and every
    kgpub module it imports, directly or not (read from the source, imports inside functions included), so a
    change to the query code or the name folding the search uses makes pages stale, and one to the loader of a
    store does not."""
    import ast

    root = Path(__file__).resolve().parent.parent
    todo = [f"kgpub.web.{p.stem}" for p in (root / "web").glob("*.py")]
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        parts = name.split(".")[1:]
        path = root.joinpath(*parts).with_suffix(".py")
        if not path.is_file():
            path = root.joinpath(*parts, "__init__.py")
        if not path.is_file():
            continue
        seen[name] = path
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                todo += [a.name for a in node.names if a.name.startswith("kgpub.")]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kgpub":
                todo += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return sorted(seen.values())


class _Seen:
    """The digest of each node a page read (its triples; an article's text for ``text:IRI``; a template's text for
    ``template:NAME``) and of the code, computed once per run."""

    def __init__(self, snapshot: Snapshot, texts: dict[str, str]) -> None:
        self.snapshot, self.texts = snapshot, texts
        self.digests: dict[str, str] = {}
        # the code's own text, not the package's version: a new version with the same code draws the same pages
        h = hashlib.sha256(b"kgpub-site")
        for path in _code_files():
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        h.update(json.dumps([snapshot.base, sorted(snapshot.prefixes.items())]).encode())
        self.code = h.hexdigest()[:16]

    def __call__(self, iri: str) -> str:
        known = self.digests.get(iri)
        if known is None:
            known = self.digests[iri] = self._other(iri) if _read_of_other(iri) else self.snapshot.digest(iri)
        return known

    def _other(self, key: str) -> str:
        """The digest of an article's text (``text:IRI``; "-" when it has none), of a template
        (``template:NAME``) or of the numbering of an article's quotes (``quotes:IRI``)."""
        if key.startswith(TEMPLATE):
            return templating.digest(key[len(TEMPLATE):])
        if key.startswith(QUOTES):
            numbers = self.snapshot.quote_numbers(key[len(QUOTES):])
            return hashlib.sha256(repr(list(numbers.items())).encode()).hexdigest()[:16]
        text = self.texts.get(key[len(TEXT):])
        return hashlib.sha256(text.encode()).hexdigest()[:16] if text is not None else "-"

    def many(self, iris: Iterable[str]) -> dict[str, str]:
        """The digests of ``iris``, the nodes' computed together in batches (a site reads hundreds of thousands)."""
        iris = list(iris)
        todo = sorted({iri for iri in iris if iri not in self.digests and not _read_of_other(iri)})
        for i in range(0, len(todo), 4096):
            self.digests.update(self.snapshot.digests(todo[i:i + 4096]))
        return {iri: self(iri) for iri in iris}


def _read_of_other(key: str) -> bool:
    """Whether a page's read is of something else than a node's triples: an article's text or a template."""
    return key.startswith((TEXT, TEMPLATE, QUOTES))


def _files_of(snapshot: Snapshot, iri: str) -> list[str]:
    """The page of ``iri`` and its alternates, in :data:`~kgpub.web.pages.PAGE_FORMATS`' order."""
    local = snapshot.base_path.strip("/") + "/" + iri[len(snapshot.base):]
    return [f"{local}.html", *(f"{local}.{f.extension}" for f in PAGE_FORMATS)]


def _unchanged(record: dict[str, Any] | None, nodes: list[str], seen: _Seen, files: dict[str, str], target: Path,
               snapshot: Snapshot) -> dict[str, list[str]]:
    """The pages the last run wrote whose every read node is as it was (so is the code): what they read.

    A page is a function of the triples of the nodes it read and of the code: the same inputs read in the
    same order give the same reads and the same bytes, so such a page need not be drawn again.
    """
    if not record or record.get("code") != seen.code:
        return {}
    known = record["nodes"]
    now = seen.many(known)
    same = [now[iri] == digest for iri, digest in zip(known, record["digests"])]
    current = set(nodes)
    kept = {}
    for iri, deps in record["pages"].items():
        if iri in current and all(same[i] for i in deps) and all(
                name in files and os.path.isfile(target / name) for name in _files_of(snapshot, iri)):
            kept[iri] = [known[i] for i in deps]
    return kept


class _Reads:
    """Each page's reads, numbered as they come in (in the order each node was first read: a ``defaultdict`` that
    counts, through one native ``map`` per page, millions of reads at scale) while the writers still draw; once
    they are done, the numbers are only put in the nodes' sorted order, so a rerun that changed nothing and a
    fresh run write the same manifest."""

    def __init__(self) -> None:
        self.number: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self.pages: dict[str, list[int]] = {}

    def add(self, reads: Mapping[str, list[str]]) -> list[str]:
        """Number the reads of these pages; the nodes read here for the first time."""
        number = self.number
        new = [node for node in dict.fromkeys(itertools.chain.from_iterable(reads.values())) if node not in number]
        for iri, deps in reads.items():
            self.pages[iri] = list(map(number.__getitem__, deps))
        return new

    def sorted(self) -> tuple[list[str], dict[str, list[int]]]:
        """Every node read, in IRI order, and each page (in IRI order) with the numbers of its reads in it."""
        order = sorted(self.number)
        place = dict(zip(order, range(len(order))))
        new = [0] * len(order)
        for node, n in self.number.items():
            new[n] = place[node]
        return order, {iri: list(map(new.__getitem__, deps)) for iri, deps in sorted(self.pages.items())}


def _manifest_bytes(files: dict[str, str], reads: _Reads, seen: _Seen) -> bytes:
    """The manifest: each file's digest, and for each page the numbers of the nodes it read, with their digests
    then.  Written by orjson: at a million triples it is some sixty megabytes of a quarter of a million names and
    millions of numbers, which the standard library's encoder took over a second to write, at the end of the run,
    when nothing else is left to do; orjson writes the same document in a tenth of that."""
    import orjson

    order, pages = reads.sorted()
    return orjson.dumps({"kgpub-site": 2, "files": dict(sorted(files.items())), "code": seen.code, "nodes": order,
                         "digests": list(seen.many(order).values()), "pages": pages}) + b"\n"


# --------------------------------------------------------------------------- the forked writers

_STATE: dict[str, Any] = {}
#: The view every node's page is drawn by.
_NODE_VIEW = next(v for v in views.VIEWS if v.each_node)


def _setup(snapshot: Snapshot, texts: dict[str, str], target: Path, previous: dict[str, str] | None,
           seen: _Seen, parent: int | None) -> None:
    if parent is not None:
        from kgpub.execution import die_with_parent

        die_with_parent(parent)
    _STATE.update(snapshot=snapshot, texts=texts, target=str(target), previous=previous, seen=seen, made_dirs=set(),
                  sent=set())


def _render(chunk: list[str]) -> tuple[dict[str, str], int, dict[str, list[str]], dict[str, str]]:
    """Render and write the pages of ``chunk`` with their alternates: their files' digests, how many changed,
    the nodes each page read, and the digests of its reads of other than a node's statements (an article's text,
    a template, the numbering of an article's quotes, all at hand here) that this worker has not sent yet; the
    nodes' the site's process makes, once each."""
    from kgpub.execution import collected_after

    snapshot: Snapshot = _STATE["snapshot"]
    build = Build(snapshot, None, Path(), snapshot.nodes, _STATE["texts"])  # the nodes' pages read no store
    made: dict[str, str] = {}
    reads: dict[str, list[str]] = {}
    files: dict[str, bytes] = {}
    with collected_after():
        for iri in chunk:
            files.update(_draw_one(snapshot, build, iri, reads))
    # written together once the chunk is drawn, not each page's as it is drawn: the kernel's work for hundreds of
    # new files in a row, its caches warm, took half the time it took between pages (a site's file writes, a fifth
    # of a writer's time at a million triples, halved)
    changed = 0
    for name, body in files.items():
        made[name], wrote = _put(name, body)
        changed += wrote
    seen: _Seen = _STATE["seen"]
    sent: set[str] = _STATE["sent"]
    fresh = {iri for deps in reads.values() for iri in deps} - sent
    sent |= fresh
    return made, changed, reads, {key: seen(key) for key in fresh if _read_of_other(key)}


def _draw_one(snapshot: Snapshot, build: Build, iri: str, reads: dict[str, list[str]]) -> dict[str, bytes]:
    """The page of ``iri`` and its alternates, by their names in the site; what the page read into ``reads``."""
    import pyoxigraph as ox

    snapshot.reads = set()
    try:
        if vocab.SCHEMA + "NewsArticle" in snapshot.types(_named(iri)):
            snapshot.reads.add(TEXT + iri)  # an article's page shows its text
        html_name, *names = _files_of(snapshot, iri)
        with templating.recording() as used:
            _, page = views.draw(_NODE_VIEW, build, Ask(iri))
        files = {html_name: page or b""}
        snapshot.reads.update(TEMPLATE + name for name in used)
        triples = snapshot.description(iri)
        for name, fmt in zip(names, PAGE_FORMATS):
            files[name] = cast(bytes, ox.serialize(  # no output: bytes
                triples, format=fmt.rdf_format, prefixes=snapshot.prefixes if fmt.name == "turtle" else None))
        reads[iri] = sorted(snapshot.reads)
    finally:
        snapshot.reads = None
    return files


def _put(name: str, body: bytes) -> tuple[str, int]:
    """Write ``body`` as ``name`` in the site unless the last run wrote these bytes there; its digest, and 1 if
    written.  Into a new site's folder (nobody reads it yet) directly; over an existing file, atomically."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    previous = _STATE["previous"]
    path = os.path.join(_STATE["target"], name)
    if previous and previous.get(name) == digest and os.path.isfile(path):
        return digest, 0
    if previous is None and os.path.isfile(path):  # a site from before the manifest: compared byte by byte
        with open(path, "rb") as f:
            if f.read() == body:
                return digest, 0
    folder = os.path.dirname(path)
    made_dirs: set[str] = _STATE["made_dirs"]
    if folder not in made_dirs:
        os.makedirs(folder, exist_ok=True)
        made_dirs.add(folder)
    if previous != {}:
        _atomic(Path(path), body)
    else:
        try:
            _write_new(path, body)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the site: {exc.strerror}") from None
    return digest, 1


#: How a new file of a new site is opened: created, written only.
_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | getattr(os, "O_BINARY", 0)


def _write_new(path: str, body: bytes) -> None:
    """Write a file of a new site (nobody reads its folder yet) by the three system calls it takes: ``open()``'s file
    object asks the file's status, whether it is a terminal and its position besides (six calls, not three, for each
    of a quarter of a million files)."""
    fd = os.open(path, _NEW, 0o666)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _put_all(files: dict[str, bytes], snapshot: Snapshot, target: Path,
             previous: dict[str, str] | None) -> dict[str, tuple[str, int]]:
    """:func:`_put` each of ``files`` (by name in the site), in a process of its own that made them while the
    writers draw the nodes' pages: each file's digest, and 1 if written."""
    _setup(snapshot, {}, target, previous, cast(_Seen, None), None)
    return {name: _put(name, body) for name, body in sorted(files.items())}


def _copy_dumps(dumps: dict[str, Path], target: Path, previous: dict[str, str] | None) -> dict[str, tuple[str, int]]:
    """Each dump (name in the site: the build's file) copied with :func:`_copy`: its digest, and 1 if copied."""
    return {name: _copy(name, source, target, previous) for name, source in sorted(dumps.items())}


def _copy(name: str, source: Path, target: Path, previous: dict[str, str] | None) -> tuple[str, int]:
    """Copy the build's file ``source`` (a dump) as ``name`` unless the last run copied these bytes there: its
    digest, and 1 if copied.  A dump may be large: it is hashed and copied as a file, never held in memory; on the
    build's own file system it is hard-linked, not copied (:func:`_link_or_copy`)."""
    digest = _file_digest(source)
    path = target / name
    if previous and previous.get(name) == digest and path.is_file():
        return digest, 0
    if previous is None and path.is_file() and _file_digest(path) == digest:  # a site from before the manifest
        return digest, 0
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.kgpub-{os.getpid()}")
    try:
        _link_or_copy(source, temporary)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the site: {exc.strerror}") from None
    return digest, 1


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` made a hard link to ``source`` where both are on one file system, else a copy.

    A build never changes a file once written (a new build is a new folder swapped in, an unchanged article's
    file a link into it), and the site replaces its files rather than writing into them, so a link is as safe as
    a copy: the dumps, some 450 MB at a million triples, are then neither copied nor written to the disk again.
    """
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _file_digest(path: Path) -> str:
    """A file's digest as the manifest keeps it, read in blocks."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()[:32]
    except OSError as exc:
        raise OutputError(f"{path}: cannot read the build's file: {exc.strerror}") from None


def _atomic(path: Path, body: bytes) -> None:
    from kgpub.execution import write_atomically

    write_atomically(path, body, "cannot write the site")


def _manifest(out: Path) -> tuple[dict[str, str] | None, dict[str, Any] | None]:
    """What the last run wrote ({} for a new site, None for one from before the manifest: compared byte by
    byte) and its record of what each page read; a folder kgpub did not write is refused."""
    import orjson

    marker = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: a file, not a folder; give an empty or new folder")
    if not marker.is_file():
        if out.is_dir() and any(out.iterdir()):
            raise OutputError(f"{out}: not a site kgpub wrote; give an empty or new folder")
        return {}, None
    try:
        record = orjson.loads(marker.read_bytes())
        return dict(record["files"]), record if record.get("kgpub-site") == 2 else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, None


def _remove_stale(out: Path, previous: dict[str, str] | None, made: dict[str, str]) -> int:
    """Remove the files the last run made and this one did not (every such file, for an older site)."""
    if previous is None:
        keep = {out / name for name in made} | {out / MANIFEST}
        stale = [p for p in out.rglob("*") if p.is_file() and p not in keep]
    else:
        stale = [out / name for name in previous if name not in made]
    for path in stale:
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return len(stale)


# --------------------------------------------------------------------------- the articles' texts


def _named(iri: str) -> Any:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


#: The extension of each RDF format a static page has, by the media type ``Accept`` names for it.
RDF_FILES = tuple((f.extension, f.media_type) for f in PAGE_FORMATS)


def _graph_files(data: Path, base: str, base_path: str) -> dict[str, bytes]:
    """Each named graph of the build under the base as Turtle (``graph/entities`` as ``graph/entities.ttl``) and the
    ontology as ``kgpub/ontology.ttl``: what the graphs' and the vocabulary's IRIs redirect to.

    A graph's file is its block of ``kg.trig`` under the file's prefixes, cut out of the text: the build writes
    one block per graph (``<IRI> {`` ... ``}``, literals escaped on one line), and parsing a million quads again
    would cost a quarter of the site's time."""
    import re

    from kgpub.resources import ontology_file

    text = (data / "kg.trig").read_text(encoding="utf-8")
    top = text[:max(text.find(" {\n"), 0)]
    header = "".join(re.findall(r"^@prefix [^\n]*\n", top, re.MULTILINE))
    names = dict(re.findall(r"^@prefix ([\w.-]*): <([^>]*)> \.$", top, re.MULTILINE))
    local = base_path.strip("/") + "/"
    out = {}
    at = 0
    while (opened := text.find(" {\n", at)) >= 0:  # str.find: a regular expression takes ten times as long
        head = text[text.rfind("\n", 0, opened) + 1:opened]
        closed = text.find("\n}\n", opened)
        body, at = text[opened + 3:closed + 1], closed + 3
        prefix, _, rest = head.partition(":")
        iri = head[1:-1] if head.startswith("<") else names.get(prefix, "\0") + rest
        if iri.startswith(base):
            out[local + iri[len(base):] + ".ttl"] = (header + "\n" + body).encode("utf-8")
    ontology = data / "ontology.ttl"
    out[VOCAB_ROOT[len("https://w3id.org/"):] + "ontology.ttl"] = (
        ontology if ontology.is_file() else ontology_file()).read_bytes()
    return out


def _rules(base_path: str) -> list[tuple[str, str, str]]:
    """The redirects a static host needs, as (when, path pattern, target): ``when`` is "" (any request), "html"
    (``Accept`` names none of the RDF types), "rdf" (it names one), or a file extension of :data:`RDF_FILES` (it
    names that type).  Patterns match the path without its leading slash; ``$1`` is their first group."""
    import re

    ids = re.escape(base_path.strip("/") + "/")
    vocab_path = re.escape(VOCAB_ROOT[len("https://w3id.org/"):])
    local = "/" + base_path.strip("/") + "/"
    rules = [("", r"^\.well-known/void$", "/void.ttl"),
             ("", f"^{ids}dataset(/.*)?$", "/void.ttl"),
             ("html", f"^{vocab_path}ontology$", "/ontology.html"),
             ("rdf", f"^{vocab_path}ontology$", f"/{VOCAB_ROOT[len('https://w3id.org/'):]}ontology.ttl"),
             ("html", f"^{vocab_path}type/(.+)$", "/ontology.html#kgt:$1"),
             ("rdf", f"^{vocab_path}type/(.+)$", f"/{VOCAB_ROOT[len('https://w3id.org/'):]}ontology.ttl"),
             ("html", f"^{vocab_path}(acled|cameo)/(.+)$", "/ontology.html"),
             ("rdf", f"^{vocab_path}(acled|cameo)/(.+)$", f"/{VOCAB_ROOT[len('https://w3id.org/'):]}ontology.ttl"),
             ("", f"^{ids}(graph/.+)$", local + "$1.ttl")]
    evidence = f"^{ids}(.+)/evidence/([0-9]+)(/[a-z]+)?$"  # on its fact's page, and in the fact's RDF
    rules += [(ext, evidence, local + f"$1.{ext}") for ext, _ in RDF_FILES]
    rules.append(("html", evidence, local + "$1.html#evidence-$2"))
    rules += [(ext, f"^{ids}(.+)$", local + f"$1.{ext}") for ext, _ in RDF_FILES]
    rules.append(("html", f"^{ids}(.+)$", local + "$1.html"))
    return rules


def redirect_rules(base_path: str) -> dict[str, bytes]:
    """The rules that make the published IRIs dereference on a static host serving the site at its root: each IRI's
    path answers ``303 See Other`` to the file in the format ``Accept`` names (HTML otherwise), for things, evidence
    (its place on its fact's page), the ontology and its terms (``kg:Event`` is ``ontology#Event``), the concepts,
    the named graphs (their Turtle) and the dataset (``/.well-known/void`` too).  ``.htaccess`` for Apache (mod_rewrite, the
    style w3id.org takes: there, in ``kgpub/.htaccess``, drop ``kgpub/`` from each pattern and put the site's URL
    before each target), ``nginx/kgpub-http.conf`` (a ``map``, for the ``http`` block) and
    ``nginx/kgpub-server.conf`` (for the ``server`` block whose root is the site)."""
    rdf = "|".join(media.replace("+", "\\+") for _, media in RDF_FILES)
    media = dict(RDF_FILES)
    apache = ["# kgpub site: the published IRIs dereference here (Apache mod_rewrite; 303 See Other to the file of",
              "# the format Accept names, HTML otherwise). For w3id.org/kgpub/.htaccess: drop 'kgpub/' from each",
              "# pattern and put the site's URL before each target.",
              "Options -MultiViews", "DirectorySlash Off", "AddType text/turtle .ttl", "AddType application/n-triples .nt",
              "AddType application/ld+json .jsonld", "RewriteEngine on",
              "RewriteCond %{REQUEST_FILENAME} -f", "RewriteRule ^ - [L]"]
    nginx = ["# kgpub site, for the server block whose root is the site (with kgpub-http.conf in the http block):",
             "# the published IRIs answer 303 See Other to the file of the format Accept names, HTML otherwise.",
             "location = /.well-known/void { return 303 /void.ttl; }",
             "# (an IRI's path may also be a folder, article/ID beside article/ID/...: only files are taken as they are)",
             "location = / { try_files /index.html =404; }",
             "location / { try_files $uri @kgpub; }", "location @kgpub {",
             '    set $kgpub_asked "$kgpub_ext:$uri";']
    for when, pattern, target in _rules(base_path):
        if when == "html":
            apache.append(f"RewriteCond %{{HTTP_ACCEPT}} !({rdf})")
        elif when == "rdf":
            apache.append(f"RewriteCond %{{HTTP_ACCEPT}} ({rdf})")
        elif when:
            apache.append(f"RewriteCond %{{HTTP_ACCEPT}} {media[when].replace('+', chr(92) + '+')}")
        flags = "R=303,NE,L" if "#" in target else "R=303,L"
        apache.append(f"RewriteRule {pattern} {target} [{flags}]")
        kinds = {"": "[a-z]+", "html": "html", "rdf": "(?:" + "|".join(e for e, _ in RDF_FILES) + ")"}.get(when, when)
        nginx.append(f'    if ($kgpub_asked ~ "^{kinds}:/{pattern[1:]}") {{ return 303 {target}; }}')
    nginx += ["    return 404;", "}"]
    http = ["# kgpub site, for the http block: the format a request's Accept names (the first RDF type found; HTML",
            "# otherwise), which kgpub-server.conf redirects to.", "map $http_accept $kgpub_ext {", "    default html;"]
    http += [f"    ~{m.replace('+', chr(92) + '+')} {ext};" for ext, m in RDF_FILES] + ["}"]
    return {".htaccess": ("\n".join(apache) + "\n").encode(), "nginx/kgpub-server.conf": ("\n".join(nginx) + "\n").encode(),
            "nginx/kgpub-http.conf": ("\n".join(http) + "\n").encode()}


__all__ = ["SiteResult", "Snapshot", "build_site", "redirect_rules"]
