"""Stage 3: every fact anchored to a verbatim quote at exact code-point offsets."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgpub.corpus import model
from kgpub.corpus import reader
from kgpub.pipeline import mapping
from kgpub.pipeline import provenance
from kgpub.errors import InputError
from kgpub.pipeline.mapping import KG, OA
from conftest import MINI_FACTS, MINI_TEXT, ROOT, write_corpus

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference  # noqa: E402

BASE = "https://example.org/id/"


def quote(text: str, occurrence: int | None = None) -> model.Quote:
    return model.Quote(text, occurrence, model.Source("f.facts.yaml", 7))


def test_locate_counts_code_points_not_bytes() -> None:
    text = "Iran’s “revered” général — Qasem Soleimani"
    span = provenance.locate(text, quote("Qasem Soleimani"), "a.txt")
    assert text[span.start:span.end] == "Qasem Soleimani"
    assert span.start == len("Iran’s “revered” général — ")
    assert span.suffix == "" and span.prefix.endswith("— ")


def test_prefix_and_suffix_are_bounded() -> None:
    text = "x" * 100 + "QUOTE" + "y" * 100
    span = provenance.locate(text, quote("QUOTE"), "a.txt")
    assert span.prefix == "x" * provenance.CONTEXT and span.suffix == "y" * provenance.CONTEXT


def test_occurrence_picks_the_nth_match() -> None:
    text = "he said no. she said no. they said no."
    assert provenance.locate(text, quote("said no", 3), "a.txt").start == text.rindex("said no")


def test_ambiguous_quote_needs_an_occurrence() -> None:
    with pytest.raises(InputError, match=r"f.facts.yaml:7: evidence: quote occurs 2 times in a.txt: 'no'; add 'occurrence: N' \(1 to 2\)"):
        provenance.locate("no and no", quote("no"), "a.txt")


def test_occurrence_out_of_range() -> None:
    with pytest.raises(InputError, match="occurrence 3 asked, but the quote occurs 2 times in a.txt"):
        provenance.locate("no and no", quote("no", 3), "a.txt")


def test_missing_quote_shows_the_closest_passage() -> None:
    text = "Outraged AAH fighters spread out through Baghdad’s streets and threatened to target him."
    with pytest.raises(InputError) as caught:
        provenance.locate(text, quote("fighters spread out through Baghdad's streets"), "a.txt")
    message = str(caught.value)
    assert message.startswith("f.facts.yaml:7: evidence: quote not found in a.txt:")
    assert "closest passage: 'fighters spread out through Baghdad’s streets'" in message


def test_closest_passage_on_unrelated_text_still_answers() -> None:
    assert provenance.closest_passage("alpha beta gamma", "zzz") in ("alpha", "beta", "gamma")  # a whole word of the text


def test_evidence_triples_follow_web_annotation(mini: Path) -> None:
    corpus = reader.load(mini)
    mapped = reference.anchor(corpus, reference.map_corpus(corpus, BASE))
    g = mapped.article_graphs["mini-1"]
    event = URIRef(BASE + "article/mini-1/rocket-attack")
    (resource,) = g.objects(event, KG.evidence)
    assert (resource, RDF.type, OA.SpecificResource) in g
    assert (resource, OA.hasSource, URIRef(BASE + "article/mini-1")) in g
    selectors = set(g.objects(resource, OA.hasSelector))
    (q,) = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g]
    (p,) = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g]
    exact = str(g.value(q, OA.exact))
    start, end = int(g.value(p, OA.start)), int(g.value(p, OA.end))
    assert MINI_TEXT[start:end] == exact == "Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"
    assert MINI_TEXT[:start].endswith(str(g.value(q, OA.prefix)))
    assert MINI_TEXT[end:].startswith(str(g.value(q, OA.suffix)))


def test_provenance_graph_records_file_and_line(mini: Path) -> None:
    corpus = reader.load(mini)
    mapped = reference.anchor(corpus, reference.map_corpus(corpus, BASE))
    prov = mapped.provenance_graphs["mini-1"]
    event = URIRef(BASE + "article/mini-1/rocket-attack")
    assert (event, KG.sourceFile, Literal("articles/mini-1.facts.yaml")) in prov
    assert int(prov.value(event, KG.sourceLine)) == 24
    assert (URIRef(BASE + "graph/mini-1"), RDF.type, KG.DataGraph) in prov
    assert not list(prov.subjects(RDF.type, KG.ClaimGraph))  # claims are reified in the article graph


def test_all_missing_quotes_are_reported_together(tmp_path: Path) -> None:
    text = MINI_FACTS.replace("Commander Omar Zed", "Commandant Omar Zed")
    with pytest.raises(InputError) as caught:  # reading the facts looks for every quote
        reader.load(write_corpus(tmp_path / "bad", facts=text))
    assert [d.line for d in caught.value.diagnostics] == [12, 22]
    corpus = reader.load(write_corpus(tmp_path / "good"))  # and so does anchoring, on a text changed since
    (article,) = corpus.articles
    changed = replace(corpus, articles=(replace(article, text=article.text.replace("Commander", "Commandant")),))
    with pytest.raises(InputError) as caught:
        reference.anchor(changed, reference.map_corpus(changed, BASE))
    assert [d.line for d in caught.value.diagnostics] == [12, 22]


def test_a_build_writes_the_same_lines_and_origins_as_the_rdflib_graphs_hold() -> None:
    """The build maps into N-Triples lines and takes origins from the facts; both must be what the graphs say."""
    from kgpub.output import blocks
    from kgpub.shacl import validation

    seed = Path(__file__).resolve().parents[1] / "seeds"
    corpus = reader.load(seed)
    mint = mapping.Minter(BASE, {e.id for e in corpus.registry}, frozenset(e.id for e in corpus.events))
    names = {**{e.id: e.name for e in corpus.registry}, **{e.id: e.label for e in corpus.events}}
    for article in corpus.articles:
        graph = mapping.map_article(article, mint, names)
        prov, _ = provenance.anchor_article(article, graph, mint)
        lines = mapping.map_article(article, mint, names, mapping.Lines)
        line_prov, _ = provenance.anchor_article(article, lines, mint, mapping.Lines)
        assert blocks.nt_lines(lines) == blocks.nt_lines(graph) and len(lines) > 150
        assert blocks.nt_lines(line_prov) == blocks.nt_lines(prov)
        assert provenance.origins(article, mint) == validation.origins_of(prov)
