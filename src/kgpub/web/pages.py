"""The pages of a build for people, rendered once for ``kgpub serve`` and ``kgpub site`` alike.

A reader follows a citation to an IRI and must see what the graph says of it and the sentences it
rests on.  :class:`Pages` turns one node into an HTML page: its label and types, its statements,
the quotes it rests on (each with its article and offsets), every fact it takes part in with its
role and quotes, a picture of its network (an SVG drawn here, no script), and the node itself as
embedded JSON-LD, with the schema.org types and properties the ontology's alignment entails.  It
reads the graph through two methods only, :meth:`Pages.outgoing` and :meth:`Pages.incoming`, so
the server answers from its store and the static site from a snapshot taken once (which forked
writers share), and both show the same page.

Evidence (``oa:SpecificResource`` and its selectors) is part of the fact it supports: the fact's
page shows it in place, under an anchor, and a static site links an evidence IRI to that anchor
instead of giving each annotation a page of its own.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from kgpub.rdf import vocab

#: The one style sheet, inline in every page (nothing is fetched from any host).  The highlight is dark text
#: on light yellow and links stay blue on it: both above WCAG AA's 4.5:1, which the browser test measures.
STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;"
         "background:#fff}a{color:#0645ad}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
         "padding:.25rem .5rem;text-align:left;vertical-align:top}q,mark{background:#fff3b0;color:#1a1a1a}"
         "code{font-size:90%}nav{margin-bottom:1rem}svg text{font:12px system-ui,sans-serif;fill:#1a1a1a}"
         "svg a text{fill:#0645ad}#hits li small,.kind{color:#555}"
         ".retracted,.merged{border-left:4px solid #b00020;padding:0 1rem;margin:1rem 0}")

RDF_TYPE = vocab.RDF + "type"
SUBCLASS, SUBPROPERTY = vocab.RDFS + "subClassOf", vocab.RDFS + "subPropertyOf"
#: The kinds of node that are parts of the fact they support rather than pages of their own.
PARTS = frozenset({vocab.OA + "SpecificResource", vocab.OA + "TextQuoteSelector", vocab.OA + "TextPositionSelector"})
ENTITIES = frozenset({vocab.KG + "Agent", vocab.KG + "Place"})
#: Neighbours drawn around an entity at most (the page lists them all).
DRAWN = 16


@dataclass(frozen=True)
class Evidence:
    """One quote a fact rests on: its annotation, the exact text, its article and the offsets in it."""

    annotation: str
    exact: str
    article: str | None
    headline: str
    start: int | None
    end: int | None


def anchor(owner: str, part: str) -> str:
    """The id of ``part``'s place on ``owner``'s page: its IRI below the owner's, or a digest of it."""
    if part.startswith(owner + "/"):
        return part[len(owner) + 1:].replace("/", "-")
    return "part-" + hashlib.sha256(part.encode()).hexdigest()[:12]


#: Names of the licences and rights statements articles commonly carry (any other is shown as its IRI).
LICENCE_NAMES = {
    "http://rightsstatements.org/vocab/NoC-US/1.0/": "No Copyright - United States (a US government work)",
    "http://rightsstatements.org/vocab/InC/1.0/": "In Copyright",
    "https://creativecommons.org/publicdomain/mark/1.0/": "Public Domain Mark 1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
}


class Pages:
    """HTML for the nodes of one build; subclasses say where the triples come from."""

    #: A static site's links end in ``.html`` (a static host has no content negotiation); a server's are paths.
    suffix = ""

    def __init__(self, base: str, base_path: str, prefixes: dict[str, str]) -> None:
        from kgpub.rdf.vocab import by_length

        self.base = base
        self.base_path = base_path
        self.prefixes = prefixes
        self.ordered = by_length(prefixes)
        #: Parts (evidence, selectors) shown on another node's page, by IRI: that node and the anchor.
        self.folded: dict[str, tuple[str, str]] = {}
        self._short: dict[str, str] = {}

    # -- the graph, as the subclass has it

    def outgoing(self, node: Any) -> list[Any]:
        raise NotImplementedError

    def incoming(self, node: Any) -> list[Any]:
        raise NotImplementedError

    # -- what is read from it

    def objects(self, node: Any, predicate: str) -> list[Any]:
        return [t.object for t in self.outgoing(node) if t.predicate.value == predicate]

    def types(self, node: Any) -> set[str]:
        return {o.value for o in self.objects(node, RDF_TYPE)}

    def is_entity(self, node: Any) -> bool:
        return bool(self.types(node) & ENTITIES)

    def label(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return term.value
        labels = self.objects(term, vocab.RDFS + "label") if isinstance(term, ox.NamedNode) else []
        return labels[0].value if labels else self.short(term.value if hasattr(term, "value") else str(term))

    def short(self, iri: str) -> str:
        from kgpub.rdf.vocab import prefixed

        known = self._short.get(iri)
        if known is None:
            known = self._short[iri] = prefixed(iri, self.ordered) or iri
        return known

    def description(self, iri: str) -> list[Any]:
        """The node's triples (as subject or object) and its evidence's, which its page shows in place."""
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        triples = [*self.outgoing(node), *self.incoming(node)]
        for annotation in self.objects(node, vocab.KG + "evidence"):
            triples += self.outgoing(annotation)
            for selector in self.objects(annotation, vocab.OA + "hasSelector"):
                triples += self.outgoing(selector)
        return sorted(set(triples), key=str)

    def evidence(self, node: Any) -> list[Evidence]:
        """The quotes ``node`` rests on, in the order of their annotations."""
        out = []
        for annotation in sorted(self.objects(node, vocab.KG + "evidence"), key=str):
            exact, start, end = "", None, None
            for selector in self.objects(annotation, vocab.OA + "hasSelector"):
                kinds = self.types(selector)
                if vocab.OA + "TextQuoteSelector" in kinds:
                    exact = next((o.value for o in self.objects(selector, vocab.OA + "exact")), exact)
                if vocab.OA + "TextPositionSelector" in kinds:
                    start = next((int(o.value) for o in self.objects(selector, vocab.OA + "start")), None)
                    end = next((int(o.value) for o in self.objects(selector, vocab.OA + "end")), None)
            sources = self.objects(annotation, vocab.OA + "hasSource")
            article = sources[0].value if sources else None
            out.append(Evidence(annotation.value, exact, article, self.label(sources[0]) if sources else "", start, end))
        return out

    # -- links

    def href(self, iri: str) -> str:
        """Where the page of an IRI under the base is (its path; a static site's ``PATH.html``); a part's anchor."""
        if iri in self.folded:
            owner, frag = self.folded[iri]
            return self.href(owner) + "#" + frag
        return iri[len(self.base) - len(self.base_path):] + self.suffix

    def link(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            return html.escape(term.value)
        if isinstance(term, ox.NamedNode):
            href = self.href(term.value) if term.value.startswith(self.base) else term.value
            return f'<a href="{html.escape(href)}">{html.escape(self.label(term))}</a>'
        return html.escape(str(term))

    # -- the frame every page shares

    def nav(self) -> str:
        if self.suffix:
            items = (("/index.html", "kgpub"), ("/timeline.html", "Timeline"), ("/ontology.html", "Ontology"))
        else:
            items = (("/", "kgpub"), ("/queries", "Queries"), ("/sparql", "SPARQL"))
        return "<nav>" + " · ".join(f'<a href="{h}">{t}</a>' for h, t in items) + "</nav>"

    def frame(self, title: str, body: str, head: str = "") -> str:
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
                f"<title>{html.escape(title)}</title>{head}<style>{STYLE}</style></head><body>{self.nav()}"
                f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>\n")

    # -- a node's page

    def quote_items(self, node: Any, anchored: bool) -> str:
        items = []
        for ev in self.evidence(node):
            where = ""
            if ev.article:
                where = f' — <a href="{html.escape(self.href(ev.article))}">{html.escape(ev.headline)}</a>'
                if ev.start is not None and ev.end is not None:
                    where += f", characters {ev.start}–{ev.end}"
            ident = f' id="{html.escape(anchor(node.value, ev.annotation))}"' if anchored else ""
            items.append(f"<li{ident}><q>{html.escape(ev.exact)}</q>{where}</li>")
        return "".join(items)

    def page(self, iri: str, extra: str = "") -> str:
        import pyoxigraph as ox

        node = ox.NamedNode(iri)
        outgoing, incoming = self.outgoing(node), self.incoming(node)
        types = sorted({self.link(t.object) for t in outgoing if t.predicate.value == RDF_TYPE})
        rows = sorted((self.short(t.predicate.value), self.link(t.object)) for t in outgoing
                      if t.predicate.value != RDF_TYPE)
        facts = []
        for t in sorted(incoming, key=lambda t: (t.predicate.value, t.subject.value)):
            quoted = self.quote_items(t.subject, anchored=False)
            facts.append(f"<li>{self.link(t.subject)} <small>({html.escape(self.short(t.predicate.value))})</small>"
                         + (f"<ul>{quoted}</ul>" if quoted else "") + "</li>")
        own = self.quote_items(node, anchored=True)
        embedded = _typed(cast(bytes, ox.serialize(sorted({*outgoing, *self.schema_org(node, outgoing)}, key=str),
                                                   format=ox.RdfFormat.JSON_LD))).replace("</", "<\\/")  # no end tag in a script
        extensions = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt"}
        media = {"turtle": "text/turtle", "jsonld": "application/ld+json", "ntriples": "application/n-triples"}
        head = (f'<link rel="canonical" href="{html.escape(iri)}">'
                + "".join(f'<link rel="alternate" type="{media[f]}" href="'
                          + (html.escape(iri.rsplit("/", 1)[-1] + "." + extensions[f]) if self.suffix else f"?format={f}")
                          + '">' for f in extensions)
                + f'<script type="application/ld+json">{embedded}</script>')
        replaced = sorted(t.object.value for t in outgoing if t.predicate.value == vocab.DCTERMS + "isReplacedBy")
        if replaced and self.suffix:  # a static host cannot answer 301: a merged entity's page sends the reader on
            head += f'<meta http-equiv="refresh" content="0; url={html.escape(self.href(replaced[0]))}">'
        network = self.network(node, outgoing, incoming) if self.is_entity(node) else ""
        title, notice = self.withdrawn(outgoing)
        if vocab.SCHEMA + "NewsArticle" in self.types(node):
            extra = self.rights(node) + (extra or self.no_text(node))
        body = (f"<p><code>{html.escape(iri)}</code></p>" + notice + (f"<p>{' · '.join(types)}</p>" if types else "")
                + (f"<h2>What the quotes say</h2><ul>{own}</ul>" if own else "")
                + "<h2>Statements</h2><table><tr><th>property</th><th>value</th></tr>"
                + "".join(f"<tr><td>{html.escape(p)}</td><td>{v}</td></tr>" for p, v in rows) + "</table>"
                + (f"<h2>Facts it takes part in</h2><ul>{''.join(facts)}</ul>" if facts else "")
                + network + extra)
        return self.frame(title or self.label(node), body, head)

    def withdrawn(self, outgoing: list[Any]) -> tuple[str, str]:
        """A retracted fact's page says so first: when, why, what it said and what corrects it; a merged
        entity's names the one it was merged into.  Returns a title (empty: the label) and the notice."""
        kg, title, notes = vocab.KG, "", []
        for t in outgoing:
            if t.predicate.value == vocab.PROV + "wasInvalidatedBy":
                tombstone = t.object

                def first(predicate: str, node: Any = tombstone) -> str:
                    found = self.objects(node, predicate)
                    return found[0].value if found else ""

                said, when, why = first(kg + "retractedLabel"), first(vocab.DCTERMS + "date"), first(kg + "retractionReason")
                title = title or (f"Retracted: {said}" if said else "")
                text = "<strong>Retracted</strong>" + (f" on {html.escape(when)}" if when else "")
                text += f": {html.escape(why)}" if why else ""
                by = self.objects(tombstone, kg + "supersededBy")
                text += "".join(f" Corrected by {self.link(b)}." for b in by)
                quotes = "".join(f"<li><q>{html.escape(q.value)}</q></li>" for q in self.objects(tombstone, kg + "retractedQuote"))
                correction = first(kg + "correctionQuote")
                notes.append(f'<div role="note" class="retracted"><p>{text}</p>'
                             + (f"<p>It said: {html.escape(said)}</p>" if said else "")
                             + (f"<ul>{quotes}</ul>" if quotes else "")
                             + (f"<p>The correction: <q>{html.escape(correction)}</q></p>" if correction else "")
                             + "</div>")
            elif t.predicate.value == vocab.DCTERMS + "isReplacedBy":
                notes.append(f'<div role="note" class="merged"><p><strong>Merged</strong> into {self.link(t.object)}.'
                             "</p></div>")
        return title, "".join(notes)

    def rights(self, node: Any) -> str:
        """Whose an article's text is and on what terms (licence, rights holder, publisher, the line that
        credits it, whether it is whole): shown with the article and whatever is shown of its text."""
        def first(predicate: str) -> Any:
            values = sorted(self.objects(node, predicate), key=str)
            return values[0] if values else None

        licence, holder = first(vocab.DCTERMS + "license"), first(vocab.DCTERMS + "rightsHolder")
        publisher, credit = first(vocab.SCHEMA + "publisher"), first(vocab.SCHEMA + "creditText")
        url, excerpt = first(vocab.SCHEMA + "url"), first(vocab.KG + "excerpt")
        rows = []
        if credit is not None:
            rows.append(("Credit", html.escape(credit.value)))
        if licence is not None:
            name = LICENCE_NAMES.get(licence.value, licence.value)
            rows.append(("Licence", f'<a href="{html.escape(licence.value)}" rel="license">{html.escape(name)}</a>'))
        else:
            rows.append(("Licence", "not stated: the text is not published here"))
        if holder is not None:
            rows.append(("Rights holder", self.link(holder)))
        if publisher is not None:
            rows.append(("Publisher", self.link(publisher)))
        if url is not None:
            rows.append(("Published at", f'<a href="{html.escape(url.value)}">{html.escape(url.value)}</a>'))
        if excerpt is not None and excerpt.value == "true":
            rows.append(("Excerpt", "the text stops before the end of the published article"))
        return ("<h2>The text and its rights</h2><dl class=\"rights\">"
                + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>")

    def marked_text(self, iri: str, text: str) -> str:
        """The article's text with every quote highlighted at its offsets, each linked to the facts it supports."""
        import pyoxigraph as ox

        facts = {u.subject.value for t in self.incoming(ox.NamedNode(iri))
                 if t.predicate.value == vocab.OA + "hasSource"
                 for u in self.incoming(t.subject) if u.predicate.value == vocab.KG + "evidence"}
        spans = [(ev.start, ev.end, fact) for fact in sorted(facts) for ev in self.evidence(ox.NamedNode(fact))
                 if ev.article == iri and ev.start is not None and ev.end is not None]
        cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
        parts = []
        for start, end in pairwise(cuts):
            covering = sorted({fact for s, e, fact in spans if s <= start and end <= e})
            chunk = html.escape(text[start:end])
            if not covering:
                parts.append(chunk)
                continue
            titles = "; ".join(self.label(ox.NamedNode(f)) for f in covering)
            if chunk.strip():  # a link must have text to read; a highlighted line break links nowhere
                chunk = f'<a href="{html.escape(self.href(covering[0]))}">{chunk}</a>'
            parts.append(f'<mark data-start="{start}" data-end="{end}" title="{html.escape(titles)}">{chunk}</mark>')
        return ("<h2>The article's text</h2><p>Every passage a fact rests on is highlighted, at its offsets, and links to "
                f"that fact.</p><div class=\"text\" style=\"white-space:pre-wrap\">{''.join(parts)}</div>")

    def no_text(self, node: Any) -> str:
        """What an article's page says where its full text is not published: the quotes are what it shows."""
        return ("<h2>The article's text</h2><p>The full text is not published here: its licence does not allow "
                "it, or this server was given no text. The quotes above, each with its offsets, are what the "
                "facts rest on; read the article where it was published.</p>")

    def supers(self, term: Any, via: str) -> set[str]:
        """Every class (``via`` rdfs:subClassOf) or property (rdfs:subPropertyOf) above ``term`` in the ontology."""
        seen: set[str] = set()
        todo = [term]
        while todo:
            for above in self.objects(todo.pop(), via):
                if above.value not in seen:
                    seen.add(above.value)
                    todo.append(above)
        return seen

    def schema_org(self, node: Any, outgoing: list[Any]) -> list[Any]:
        """The node's statements in schema.org terms, as the ontology's alignment entails them (``kg:Person`` is
        a ``schema:Person``, ``kg:memberOf`` a ``schema:memberOf``): what a search engine reads in the page."""
        import pyoxigraph as ox

        out = []
        for t in outgoing:
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                out += [ox.Triple(node, t.predicate, ox.NamedNode(c)) for c in self.supers(t.object, SUBCLASS)
                        if c.startswith(vocab.SCHEMA)]
            elif not t.predicate.value.startswith(vocab.SCHEMA):
                out += [ox.Triple(node, ox.NamedNode(p), t.object) for p in self.supers(t.predicate, SUBPROPERTY)
                        if p.startswith(vocab.SCHEMA)]
        return out

    # -- the network picture

    def neighbours(self, node: Any, outgoing: list[Any], incoming: list[Any]) -> dict[str, set[str]]:
        """The entities ``node`` is linked to, directly or through a fact both take part in, with how."""
        linked: dict[str, set[str]] = {}

        def add(other: Any, how: str) -> None:
            if other != node and other.value.startswith(self.base) and self.is_entity(other):
                linked.setdefault(other.value, set()).add(how)

        import pyoxigraph as ox

        for t in outgoing:
            if isinstance(t.object, ox.NamedNode):
                add(t.object, self.short(t.predicate.value))
        for t in incoming:
            if self.is_entity(t.subject):
                add(t.subject, self.short(t.predicate.value) + " (of)")
                continue
            kinds = sorted(self.short(k) for k in self.types(t.subject))
            how = f"{kinds[0] if kinds else 'fact'}: {self.label(t.subject)}"
            doubt = [c for c in self.objects(t.subject, vocab.KG + "certainty") if c.value != vocab.KG + "Certain"]
            if doubt:  # a hedged fact is drawn as what it is, never as a plain link
                how += f" ({self.label(doubt[0]).lower()})"
            for u in self.outgoing(t.subject):
                if isinstance(u.object, ox.NamedNode) and u.predicate.value != RDF_TYPE:
                    add(u.object, how)
        return linked

    def network(self, node: Any, outgoing: list[Any], incoming: list[Any]) -> str:
        """An SVG of the entity and the entities linked to it, each a link to its page; the closest first."""
        import pyoxigraph as ox

        linked = self.neighbours(node, outgoing, incoming)
        if not linked:
            return ""
        ranked = sorted(linked, key=lambda iri: (-len(linked[iri]), self.label(ox.NamedNode(iri)), iri))
        drawn = ranked[:DRAWN]
        width, height, radius = 720, 460, 170
        cx, cy = width / 2, height / 2
        lines, marks = [], []
        for i, iri in enumerate(drawn):
            angle = 2 * math.pi * i / len(drawn) - math.pi / 2
            x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            how = "; ".join(sorted(linked[iri]))
            name = self.label(ox.NamedNode(iri))
            shown = name if len(name) <= 28 else name[:27] + "…"
            anchor_side = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
            dx = 10 if anchor_side == "start" else -10 if anchor_side == "end" else 0
            dy = 4 if anchor_side != "middle" else (-12 if math.sin(angle) < 0 else 20)
            lines.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#999" '
                         f'stroke-width="{min(1 + len(linked[iri]), 5)}"/>')
            marks.append(f'<a href="{html.escape(self.href(iri))}"><title>{html.escape(name)}: {html.escape(how)}</title>'
                         f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#0645ad"/>'
                         f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor_side}">{html.escape(shown)}</text></a>')
        label = self.label(node)
        centre = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11" fill="#b35900"/><text x="{cx:.1f}" y="{cy + 28:.1f}" '
                  f'text-anchor="middle" font-weight="bold">{html.escape(label)}</text>')
        more = len(ranked) - len(drawn)
        items = "".join(f'<li><a href="{html.escape(self.href(iri))}">{html.escape(self.label(ox.NamedNode(iri)))}</a> '
                        f'<small>{html.escape("; ".join(sorted(linked[iri])))}</small></li>' for iri in ranked)
        return (f"<h2>Network</h2><figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" "
                f'width="{width}" height="{height}" role="img" aria-label="{html.escape(label)} and {len(ranked)} linked '
                f'entities">{"".join(lines)}{centre}{"".join(marks)}</svg><figcaption>{html.escape(label)} and the '
                f"entities it is linked to, directly or through a fact both take part in"
                + (f" (the {len(drawn)} closest drawn, {more} more listed)" if more else "")
                + f".</figcaption></figure><details><summary>Every linked entity ({len(ranked)})</summary><ul>{items}"
                "</ul></details>")

    # -- the front page and its search

    def index(self, listed: dict[str, list[tuple[str, str]]], ways_in: str, head: str = "") -> str:
        """The front page: a search over every page, the ways in, and the lists (label, IRI) by heading."""
        sections = "".join(
            f"<h2>{html.escape(heading)} ({len(items)})</h2><ul>"
            + "".join(f'<li><a href="{html.escape(self.href(iri))}">{html.escape(text)}</a></li>' for text, iri in items)
            + "</ul>" for heading, items in listed.items())
        search = ('<h2>Search</h2><form role="search" onsubmit="return false"><label for="q">Find a page by its '
                  'label</label> <input type="search" id="q" autocomplete="off"></form><ul id="hits"></ul>'
                  f'<script src="/search.js"></script><script>{SEARCH_SCRIPT}</script>')
        return self.frame("kgpub", f"<p>{ways_in}</p>{search}{sections}", head)

    def search_data(self, entries: list[tuple[str, str, str]]) -> bytes:
        """``search.js``: every page's label, kind and link, for the front page's search (a script, so a site
        opened from disk can load it too)."""
        rows = [[label, kind, self.href(iri)] for label, kind, iri in sorted(entries)]
        return ("window.KGPUB_SEARCH=" + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n").encode()


def _typed(document: bytes) -> str:
    """Expanded JSON-LD with each node's ``rdf:type`` written as ``@type``, the same statement in the form
    schema.org's readers (search engines) look for."""
    nodes = json.loads(document)
    for obj in nodes:
        types = obj.get(RDF_TYPE)
        if types and all(set(t) == {"@id"} for t in types):
            obj["@type"] = [t["@id"] for t in obj.pop(RDF_TYPE)]
    return json.dumps(nodes, ensure_ascii=False, separators=(",", ":"))


#: The front page's search: case- and accent-blind substring match over labels, the first 50 hits shown.
SEARCH_SCRIPT = """(function(){var d=window.KGPUB_SEARCH||[],q=document.getElementById('q'),h=document.getElementById('hits');
function n(s){return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g,'').toLowerCase();}
var k=d.map(function(r){return n(r[0]);});
function show(){var t=n(q.value.trim());h.textContent='';if(!t)return;var c=0;
for(var i=0;i<d.length&&c<50;i++){if(k[i].indexOf(t)<0)continue;c++;var li=document.createElement('li'),a=document.createElement('a');
a.href=d[i][2];a.textContent=d[i][0];li.appendChild(a);var s=document.createElement('small');s.textContent=' '+d[i][1];li.appendChild(s);h.appendChild(li);}
if(!c){var li=document.createElement('li');li.textContent='no page has that in its label';h.appendChild(li);}}
q.addEventListener('input',show);show();})();"""


def full_text_choices(seeds: Path | None) -> dict[str, bool]:
    """What the seeds' dataset.yaml says of publishing each article's full text (``full_text:``)."""
    if seeds is None or not (seeds / "dataset.yaml").is_file():
        return {}
    from kgpub.corpus.reader import load_dataset

    return load_dataset(seeds).full_text


def article_texts(pages: Pages, nodes: Iterable[str], seeds: Path | None,
                  choices: dict[str, bool] | None = None) -> dict[str, str]:
    """The text of each article of ``nodes`` that may be published (its licence allows it, or the dataset says
    so; see ``rights``), read from the seeds and checked against the hash the build recorded; every problem at
    once.  ``kgpub site`` and ``kgpub serve --seeds`` show these and no other."""
    import pyoxigraph as ox

    from kgpub.errors import OutputError, UsageError
    from kgpub.corpus.rights import text_published

    texts: dict[str, str] = {}
    if seeds is None:
        return texts
    problems: list[str] = []
    missing: list[str] = []
    read = 0
    articles = pages.base + "article/"
    for iri in nodes:
        node = ox.NamedNode(iri)
        if vocab.SCHEMA + "NewsArticle" not in pages.types(node):
            continue
        licences = pages.objects(node, vocab.DCTERMS + "license")
        choice = (choices or {}).get(iri[len(articles):]) if iri.startswith(articles) else None
        if not text_published(licences[0].value if licences else None, choice):
            continue
        names = pages.objects(node, vocab.KG + "sourceFile")
        digests = pages.objects(node, vocab.KG + "textSha256")
        if not names:
            continue
        path = seeds / names[0].value
        read += 1
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: cannot read the article's text: {exc.strerror}")
            if isinstance(exc, FileNotFoundError):
                missing.append(names[0].value)
            continue
        if not digests or hashlib.sha256(raw).hexdigest() != digests[0].value:
            problems.append(f"{path}: not the text the build quoted (its SHA-256 differs): build again first")
            continue
        texts[iri] = raw.decode("utf-8")
    if read and len(missing) == read:  # not one text: the wrong folder, said once, not once an article
        raise UsageError(f"{seeds}: not the seeds folder of this build: none of its {read} article text(s) "
                         f"is there (such as {missing[0]}); give --seeds the folder the build was made from")
    if problems:
        raise OutputError(problems)
    return texts
