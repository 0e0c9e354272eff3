"""The data every node's page carries (``Pages.generic``): the node as embedded JSON-LD, written without a JSON-LD
writer, must be the writer's document byte for byte; and the values a build's pages keep across pages (a node's
link, a property's words, a term's schema.org equivalents) are the ones made afresh, their reads noted again."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgpub.rdf import vocab
from kgpub.web.pages import Link, Pages, _json, _typed

BASE = "https://example.org/id/"
NODE = ox.NamedNode(BASE + "n")
XSD = "http://www.w3.org/2001/XMLSchema#"


class Graph(Pages):
    """Pages over a list of triples, noting every node a page reads (as a static site's snapshot does)."""

    suffix = ".html"

    def __init__(self, triples: list[Any]) -> None:
        super().__init__(BASE, "/id/", {"kg": vocab.KG, "schema": vocab.SCHEMA})
        self.triples = triples
        self.reads: set[str] = set()

    def _read(self, iri: str) -> None:
        self.reads.add(iri)

    def outgoing(self, node: Any) -> list[Any]:
        if hasattr(node, "value"):
            self._read(node.value)
        return [t for t in self.triples if t.subject == node]

    def incoming(self, node: Any) -> list[Any]:
        self._read(node.value)
        return [t for t in self.triples if t.object == node]


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(vocab.KG + name)


ONTOLOGY = [ox.Triple(_p("Person"), ox.NamedNode(vocab.RDFS + "subClassOf"), _p("Agent")),
            ox.Triple(_p("Agent"), ox.NamedNode(vocab.RDFS + "subClassOf"), ox.NamedNode(vocab.SCHEMA + "Thing")),
            ox.Triple(_p("Person"), ox.NamedNode(vocab.RDFS + "subClassOf"), ox.NamedNode(vocab.SCHEMA + "Person")),
            ox.Triple(_p("memberOf"), ox.NamedNode(vocab.RDFS + "subPropertyOf"), ox.NamedNode(vocab.SCHEMA + "memberOf")),
            ox.Triple(_p("memberOf"), ox.NamedNode(vocab.RDFS + "label"), ox.Literal("member of"))]

VALUES = [ox.Literal("plain"), ox.Literal('a "quote"\n</script> & é ☃ \\ \t'), ox.Literal("bonjour", language="fr"),
          ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("2020-01", datatype=ox.NamedNode(XSD + "gYearMonth")),
          ox.Literal("x", datatype=ox.NamedNode(XSD + "string")), ox.BlankNode("b1"), ox.NamedNode(BASE + "other"),
          ox.NamedNode("https://elsewhere.example/thing"), ox.Literal("")]


def _writer(node: Any, pairs: list[tuple[str, Any]]) -> str:
    """What the page embedded before it wrote JSON-LD itself: the JSON-LD writer's document of the sorted triples."""
    triples = {ox.Triple(node, ox.NamedNode(p), o) for p, o in pairs}
    return _typed(ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.JSON_LD))


@pytest.mark.parametrize("types", [[_p("Person")], [_p("Person"), ox.Literal("a kind in words")], []])
def test_embedded_is_the_json_ld_writers_document(types: list[Any]) -> None:
    said = [(vocab.RDF + "type", t) for t in types]
    said += [(vocab.KG + f"p{i % 3}", v) for i, v in enumerate(VALUES)]
    said += [(vocab.KG + "memberOf", ox.NamedNode(BASE + "group")), (vocab.KG + "p0", VALUES[0])]  # a repeat
    said += [(vocab.KG + "p0-more", ox.Literal("a property whose IRI begins with another's"))]
    pages = Graph(ONTOLOGY)
    pairs = [*said, *pages.schema_pairs(said)]
    written = pages.embedded(NODE, said)
    assert written == _writer(NODE, pairs)
    node = json.loads(written)[0]
    assert node["https://schema.org/memberOf"] == [{"@id": BASE + "group"}]
    if types and all(isinstance(t, ox.NamedNode) for t in types):
        assert set(node["@type"]) == {vocab.KG + "Person", vocab.SCHEMA + "Person", vocab.SCHEMA + "Thing"}


def test_embedded_leaves_a_term_it_does_not_write_to_the_writer() -> None:
    rtl = ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL)
    said = [(vocab.KG + "name", rtl), (vocab.KG + "name", ox.Literal("y"))]
    written = Graph([]).embedded(NODE, said)
    assert '"@direction":"rtl"' in written and written == _writer(NODE, said)
    assert Graph([]).embedded(NODE, []) == "[]"


def test_kept_values_are_made_afresh_values_with_their_reads() -> None:
    graph = [*ONTOLOGY, ox.Triple(NODE, _p("memberOf"), ox.NamedNode(BASE + "group")),
             ox.Triple(ox.NamedNode(BASE + "group"), ox.NamedNode(vocab.RDFS + "label"), ox.Literal("The group")),
             ox.Triple(NODE, ox.NamedNode(vocab.RDF + "type"), _p("Person"))]
    kept = Graph(graph)
    first = kept.generic(NODE.value)
    for _ in range(2):
        fresh = Graph(graph)
        expected = fresh.generic(NODE.value)
        kept.reads = set()
        again = kept.generic(NODE.value)
        assert again == expected == first
        assert kept.reads == fresh.reads and BASE + "group" in fresh.reads
        assert vocab.KG + "Agent" in fresh.reads  # the schema.org classes are found through kg:Agent
    assert kept.link(ox.NamedNode(BASE + "group")) == Link("The group", "/id/group.html")
    assert kept.words(vocab.KG + "memberOf") == "member of"


_IRI_PARTS = st.sampled_from([*"abxyz019-._~/é☃", "%20", "\U0001f600", "&amp", "'"])
_IRIS = st.builds(lambda parts, end: BASE + "".join(parts) + end, st.lists(_IRI_PARTS, max_size=8),
                  st.sampled_from(["", "?q=1", "#f", "?a=b&c=d#g"]))
_LITERALS = st.one_of(
    st.builds(ox.Literal, st.text(max_size=20)),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), st.text(max_size=10),
              st.sampled_from(["en", "fr", "ar", "en-gb", "zh-hant-tw"])),
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)), st.text(max_size=10),
              st.one_of(st.sampled_from([XSD + "string", XSD + "date", XSD + "integer", vocab.RDF + "HTML"]), _IRIS)))
_OBJECTS = st.one_of(_LITERALS, st.builds(ox.NamedNode, _IRIS),
                     st.builds(ox.BlankNode, st.text(st.sampled_from("abc019"), min_size=1, max_size=6)))
_PREDICATES = st.sampled_from([vocab.RDF + "type", vocab.KG + "p", vocab.KG + "p0", vocab.KG + "p0-more",
                               vocab.KG + "memberOf", vocab.SCHEMA + "name", "https://elsewhere.example/p"])


@settings(max_examples=300, deadline=None)
@given(said=st.lists(st.tuples(_PREDICATES, _OBJECTS), max_size=12))
def test_embedded_is_the_writers_document_for_any_statements(said: list[tuple[str, Any]]) -> None:
    """The fast path equals the reference on any statements: any text (quotes, controls, astral characters),
    language tags, datatypes, IRIs, blank nodes, repeats, types among other values."""
    pages = Graph(ONTOLOGY)
    assert pages.embedded(NODE, said) == _writer(NODE, [*said, *pages.schema_pairs(said)])


_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.text()),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=12)


@settings(max_examples=500, deadline=None)
@given(value=_JSON)
def test_the_pages_json_is_the_standard_librarys_text(value: Any) -> None:
    """orjson writes a page's JSON-LD as the standard library's encoder does (no ASCII escapes, no spaces): any text,
    controls, astral characters and line separators included, keys in their order."""
    assert _json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
