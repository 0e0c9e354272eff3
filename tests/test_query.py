"""Stage 6: embedded SPARQL over a build — shipped questions, parameters, index, W3C result formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kgpub
from kgpub.errors import QueryError
from kgpub.sparql.results import AskResult, GraphResult, SelectResult, render
from kgpub.sparql.shipped import shipped_queries

SEED_ARTICLE = "https://w3id.org/kgpub/id/article/000_eb2d348de878cb8c"


def rows(result: SelectResult, *names: str) -> list[tuple[str, ...]]:
    return [tuple(row[n]["value"] if n in row else "" for n in names) for row in result.rows]


def test_every_shipped_query_is_documented_and_answers(seed_build: Path) -> None:
    queries = shipped_queries()
    assert {q.name for q in queries} == {"about", "accusations", "contested", "corroboration", "counts",
                                         "disagreements", "factions", "killed", "no-wikidata", "threats", "timeline"}
    for q in queries:
        assert q.title and q.description, q.name
        params = {p.name: "id:mustafa-al-kadhemi" for p in q.params}
        result = kgpub.query(q.name, seed_build, params=params)
        # where sources disagree needs two sources of one event (tests/test_query_multisource.py)
        assert isinstance(result, SelectResult) and (result.rows or q.name == "disagreements"), q.name


def test_accusations(seed_build: Path) -> None:
    result = kgpub.query("accusations", seed_build)
    seed = [r[:3] for r in rows(result, "accuser", "accused", "allegation", "article") if r[3] == SEED_ARTICLE]
    assert seed == [
        ("Government of the United States", "Pro-Iran armed factions in Iraq", "responsibility for the rocket attacks on US interests in Iraq"),
        ("Iraqi elite security forces", "Kataeb Hezbollah", "the same charges as the arrested AAH fighter, planning attacks on US targets"),
        ("Iraqi security sources", "Arrested Asaib Ahl al-Haq fighter", "planning another attack on the US embassy"),
        ("Kataeb Hezbollah spokesman", "Mustafa al-Kadhemi", "treachery"),
        ("Pro-Iran armed factions in Iraq", "Mustafa al-Kadhemi", "complicity in the killing of Qasem Soleimani and Abu Mahdi al-Muhandis"),
        ("Unnamed group that threatened to cut off al-Kadhemi's ears", "Mustafa al-Kadhemi", "treason"),
    ]
    quotes = {r[0]: r[1] for r in rows(result, "allegation", "quote")}
    assert quotes["treason"] == "“cut off the ears… of the traitor”"
    assert len(result.rows) == 19  # one row per accusation: six of the AFP story's, thirteen of the six others'
    by_article = {(r[0], r[1]) for r in rows(result, "accused", "article")}
    assert ("Iran", "https://w3id.org/kgpub/id/article/state-2020-01-03") in by_article
    assert ("Qasem Soleimani", "https://w3id.org/kgpub/id/article/dod-2020-01-03") in by_article


def test_timeline_keeps_precision_and_order(seed_build: Path) -> None:
    result = kgpub.query("timeline", seed_build)
    dates = [r[0] for r in rows(result, "date")]
    def last_day(d: str) -> str:  # the README's rule: at the last day it allows (an interval: its end)
        end = d.split("/")[-1]
        return end + "-99-99"[len(end) - 4:]

    assert dates == sorted(dates, key=last_day)
    assert dates[:5] == ["2003", "2019-12-27", "2019-12-29", "2019-12-31", "2019"]
    strike = [r for r in rows(result, "date", "event", "type", "place") if r[0] == "2020-01-03"]
    assert strike == [("2020-01-03", "US drone strike in Baghdad that killed Qasem Soleimani and Abu Mahdi al-Muhandis",
                       "Air or drone strike; Targeted killing", "Baghdad")]
    june = {r[1] for r in rows(result, "date", "event") if r[0] == "2020-06"}
    assert june == {"Elite Iraqi forces arrest 14 members of Kataeb Hezbollah",
                    "The 14 Kataeb Hezbollah detainees are transferred to the Hashed",
                    "Thirteen of the Kataeb Hezbollah detainees are released within hours"}


def test_killed(seed_build: Path) -> None:
    result = kgpub.query("killed", seed_build)
    by = "Donald Trump; United States Armed Forces; United States Department of Defense"  # DoD: it "launched" it
    assert rows(result, "victim", "date", "place", "by") == [
        ("American civilian contractor killed near Kirkuk", "2019-12-27", "Kirkuk", ""),  # who fired: only accused
        ("Kataeb Hezbollah", "2019-12-29", "", "Donald Trump; United States Armed Forces"),  # a group victim
        ("Abu Mahdi al-Muhandis", "2020-01-03", "Baghdad", by),
        ("Qasem Soleimani", "2020-01-03", "Baghdad", by),
    ]


def test_factions(seed_build: Path) -> None:
    result = kgpub.query("factions", seed_build)
    hashed = [r[1] for r in rows(result, "network", "faction") if r[0] == "Hashed al-Shaabi"]
    assert hashed == ["Asaib Ahl al-Haq", "Hashed al-Shaabi security directorate", "Kataeb Hezbollah"]
    assert ("Iraqi security apparatus", "Kataeb Hezbollah", "Hashed al-Shaabi") in rows(result, "network", "faction", "via")


def test_threats(seed_build: Path) -> None:
    result = kgpub.query("threats", seed_build)
    pairs = rows(result, "threatener", "threatened", "type")
    assert len(pairs) == 9
    assert ("Government of the United States", "Government of Iraq", "Ultimatum") in pairs
    assert ("Mike Pompeo", "Pro-Iran armed factions in Iraq", "Threaten with military force") in pairs
    assert ("Donald Trump", "Iran", "Threaten") in pairs
    assert ("Asaib Ahl al-Haq", "Mustafa al-Kadhemi", "Ultimatum") in pairs
    assert ("Mustafa al-Kadhemi", "Pro-Iran armed factions in Iraq", "Threaten with military force") in pairs


def test_about_one_entity(seed_build: Path) -> None:
    result = kgpub.query("about", seed_build, params={"entity": "id:iran"})
    got = {(role, kind) for role, kind in rows(result, "role", "kind")}
    assert got == {("participant", "event"), ("object", "relation"), ("threatened", "threat"), ("accused", "accusation"),
                   ("addressee", "statement")}
    assert {r[0] for r in rows(result, "entity")} == {"https://w3id.org/kgpub/id/iran"}


def test_no_wikidata(seed_build: Path) -> None:
    names = {r[0] for r in rows(kgpub.query("no-wikidata", seed_build), "name")}
    assert "Qasem Soleimani" in names and "Donald Trump" not in names and "Iraq" not in names


@pytest.mark.parametrize("value", ['x" } UNION { ?s ?p ?o } #', "<https://w3id.org/kgpub/id/iran> }", "'; DROP"])
def test_parameters_are_bound_not_pasted(seed_build: Path, value: str) -> None:
    """A hostile value stays one literal: no rows, and no error, whatever it contains."""
    query = "SELECT ?name ?x WHERE { ?e rdfs:label ?name . FILTER(?name = ?x) }"
    result = kgpub.query(query, seed_build, params={"x": value})
    assert isinstance(result, SelectResult) and result.rows == []


def test_iri_parameter_is_checked(seed_build: Path) -> None:
    with pytest.raises(QueryError, match="--param entity: 'Iran' is not an IRI"):
        kgpub.query("about", seed_build, params={"entity": "Iran"})
    with pytest.raises(QueryError, match="query 'about' needs --param entity=VALUE"):
        kgpub.query("about", seed_build)
    with pytest.raises(QueryError, match="query 'killed' has no parameter 'x'"):
        kgpub.query("killed", seed_build, params={"x": "1"})


def test_claims_are_reified_and_never_asserted(seed_build: Path) -> None:
    assert kgpub.query("ASK { ?s kg:complicitIn ?o }", seed_build) == AskResult(False)
    assert kgpub.query("ASK { GRAPH ?g { ?s kg:complicitIn ?o } }", seed_build) == AskResult(False)
    assert kgpub.query("ASK { id:pro-iran-factions kg:agent ?e }", seed_build) == AskResult(False)
    claim = """ASK { ?a a kg:Accusation ; kg:accuser id:pro-iran-factions ; kg:claim ?c .
                   ?c a kg:Claim ; rdf:subject id:mustafa-al-kadhemi ; rdf:predicate kg:complicitIn ;
                      prov:wasAttributedTo id:pro-iran-factions }"""
    assert kgpub.query(claim, seed_build) == AskResult(True)


def test_update_is_refused(seed_build: Path) -> None:
    for text in ["INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX x: <http://x/>\n# note\nDELETE WHERE { ?s ?p ?o }",
                 "clear all", "LOAD <http://127.0.0.1:1/x>"]:
        with pytest.raises(QueryError, match="read-only: SPARQL UPDATE is refused"):
            kgpub.query(text, seed_build)


def test_unknown_shipped_query(seed_build: Path) -> None:
    with pytest.raises(QueryError, match="no shipped query named 'killers'; shipped queries: about, accusations"):
        kgpub.query("killers", seed_build)


def test_query_from_file(seed_build: Path, tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:Event }")
    result = kgpub.query(f"@{tmp_path / 'q.rq'}", seed_build)
    assert rows(result, "n") == [("29",)]  # 24 of the AFP story's, and 5 shared events


def test_persistent_index_is_reused_and_refreshed(tmp_path: Path) -> None:
    from conftest import SEEDS

    out = tmp_path / "dist"
    kgpub.build(SEEDS, out)
    kgpub.query("ASK {}", out)
    meta = out / ".index" / "meta.json"
    first = meta.stat().st_mtime_ns
    kgpub.query("ASK {}", out)
    assert meta.stat().st_mtime_ns == first  # reused
    trig = out / "kg.trig"
    for name in ("kg.trig", "kg.nt"):  # an edited build (kg.nt holds the default graph, kg.trig the named ones)
        path = out / name
        path.write_bytes(path.read_bytes().replace(b"Qasem Soleimani", b"Qassem Suleimani"))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    result = kgpub.query('SELECT ?p WHERE { ?p rdfs:label "Qassem Suleimani" }', out)
    assert len(result.rows) == 1  # re-indexed
    assert json.loads(meta.read_text())["key"]["kg.trig"][1] == trig.stat().st_mtime_ns


@pytest.mark.parametrize("jobs", [1, 2])
def test_build_leaves_the_index_ready(tmp_path: Path, jobs: int) -> None:
    from conftest import SEEDS

    out = tmp_path / "dist"
    kgpub.build(SEEDS, out, jobs=jobs)
    meta = out / ".index" / "meta.json"
    made = meta.stat().st_mtime_ns
    assert len(kgpub.query("accusations", out).rows) == 19
    assert meta.stat().st_mtime_ns == made  # the build's index was used, not re-created
    kgpub.build(SEEDS, out, index=False)  # --no-index: the next query creates it
    assert not meta.exists()
    assert len(kgpub.query("accusations", out).rows) == 19 and meta.exists()


def test_named_graphs_join_the_index_on_the_first_query_that_reads_them(tmp_path: Path) -> None:
    """A build indexes the default graph; the first GRAPH query adds the named graphs, once, as a full index has them."""
    import pyoxigraph as ox
    from conftest import SEEDS

    from kgpub.sparql import index

    out = tmp_path / "dist"
    kgpub.build(SEEDS, out)
    meta = out / ".index" / "meta.json"
    assert json.loads(meta.read_text())["graphs"] is False
    assert len(kgpub.query("accusations", out).rows) == 19
    assert json.loads(meta.read_text())["graphs"] is False  # a default-graph query leaves it so
    claims = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s kg:sourceLine ?o } }"
    counted = rows(kgpub.query(claims, out), "n")
    assert counted != [("0",)] and json.loads(meta.read_text())["graphs"] is True
    completed = sorted(str(q) for q in ox.Store.read_only(str(out / ".index" / "store")))
    assert rows(kgpub.query(claims, out), "n") == counted and len(kgpub.query("accusations", out).rows) == 19
    shutil.rmtree(out / ".index")
    index.create_index(out, graphs=True)
    assert completed == sorted(str(q) for q in ox.Store.read_only(str(out / ".index" / "store")))
    with_from = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kgpub/ontology> WHERE { ?s ?p ?o }"
    assert rows(kgpub.query(with_from, out), "n") != [("0",)]


@pytest.mark.parametrize(("text", "reads"), [
    ("SELECT * { GRAPH ?g { ?s ?p ?o } }", True),
    ("select * from <urn:x> { ?s ?p ?o }", True),
    ("SELECT * FROM NAMED <urn:x> { ?s ?p ?o }", True),
    ("SELECT*{graph?g{?s?p?o}}", True),
    ("SELECT ?graph ?from { ?graph a ?from }", False),
    ('SELECT * { ?s <http://x/graph#from> "GRAPH" } # from the graph', False),
    ("PREFIX graph: <urn:x> SELECT * { ?s graph:from ?o }", False),
    ("SELECT * { ?s ?p '''a GRAPH\n''' }", False),
])
def test_queries_that_read_named_graphs_are_recognised(text: str, reads: bool) -> None:
    from kgpub.sparql.lexer import reads_named_graphs

    assert reads_named_graphs(text) is reads


def test_plain_rdf_file(seed_build: Path) -> None:
    result = kgpub.query("SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:Threat }", seed_build / "kg.ttl")
    assert rows(result, "n") == [("9",)]


def test_construct(seed_build: Path) -> None:
    result = kgpub.query("CONSTRUCT { ?e kg:victim ?v } WHERE { ?e kg:victim ?v }", seed_build)
    assert isinstance(result, GraphResult)
    turtle = render(result, "turtle", {"kg": "https://w3id.org/kgpub/ontology#", "id": "https://w3id.org/kgpub/id/"})
    assert b"@prefix kg:" in turtle and b"id:qasem-soleimani" in turtle
    assert json.loads(render(result, "jsonld", {}))


# --------------------------------------------------------------------------- W3C result formats

PREFIXES = {"kg": "https://w3id.org/kgpub/ontology#", "id": "https://w3id.org/kgpub/id/"}


@pytest.fixture(scope="module")
def select(seed_build: Path) -> SelectResult:
    result = kgpub.query("SELECT ?e ?date ?label WHERE { ?e kg:date ?date ; rdfs:label ?label } ORDER BY ?e", seed_build)
    assert isinstance(result, SelectResult)
    return result


def test_json_results_follow_the_w3c_format(select: SelectResult) -> None:
    doc = json.loads(render(select, "json", PREFIXES))
    assert doc["head"]["vars"] == ["e", "date", "label"]
    first = doc["results"]["bindings"][0]
    assert first["e"]["type"] == "uri"
    assert first["date"]["type"] == "literal" and first["date"]["datatype"].startswith("http://www.w3.org/2001/XMLSchema#")


def test_json_and_xml_results_read_back_with_rdflib(select: SelectResult) -> None:
    from rdflib.query import Result

    for fmt in ("json", "xml"):
        parsed = Result.parse(io.BytesIO(render(select, fmt, PREFIXES)), format=fmt)
        assert len(list(parsed)) == len(select.rows), fmt
        assert [str(v) for v in parsed.vars] == ["e", "date", "label"]


def test_xml_results_structure(select: SelectResult) -> None:
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(render(select, "xml", PREFIXES))
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["e", "date", "label"]
    assert len(root.findall("s:results/s:result", ns)) == len(select.rows)


def test_csv_and_tsv(select: SelectResult) -> None:
    table = list(csv.reader(io.StringIO(render(select, "csv", PREFIXES).decode())))
    assert table[0] == ["e", "date", "label"] and len(table) == len(select.rows) + 1
    tsv = render(select, "tsv", PREFIXES).decode().splitlines()
    assert tsv[0] == "?e\t?date\t?label" and tsv[1].startswith("<https://w3id.org/kgpub/id/")


def test_ask_results_formats() -> None:
    assert render(AskResult(True), None, PREFIXES) == b"true\n"
    assert json.loads(render(AskResult(False), "json", PREFIXES)) == {"head": {}, "boolean": False}
    assert b"<boolean>true</boolean>" in render(AskResult(True), "xml", PREFIXES)


def test_table_fits_the_width(select: SelectResult) -> None:
    text = render(select, "table", PREFIXES, width=60).decode()
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "…" in text
    assert "id:article/000_eb2d348de878cb8c/" in render(select, "table", PREFIXES).decode()


def test_wrong_format_for_the_result(select: SelectResult) -> None:
    with pytest.raises(QueryError, match="--format turtle does not apply to a SELECT result"):
        render(select, "turtle", PREFIXES)


def test_every_results_format_prints_a_select_and_an_ask(select: SelectResult) -> None:
    """One table of results formats: each prints a SELECT, and an ASK as a bare line or a W3C document."""
    import pyoxigraph as ox

    from kgpub.sparql.results import RESULTS_FORMATS

    for kind in RESULTS_FORMATS:
        assert select.rows[0]["label"]["value"] in render(select, kind.name, PREFIXES).decode(), kind.name
        asked = render(AskResult(True), kind.name, PREFIXES)
        if kind.boolean:
            assert bool(ox.parse_query_results(asked, format=getattr(ox.QueryResultsFormat, str(kind.w3c)))), kind.name
        else:
            assert asked == b"true\n", kind.name


def test_ask_and_construct_refuse_formats_that_do_not_fit() -> None:
    with pytest.raises(QueryError, match=r"^--format turtle does not apply to an ASK result \(use table, json or xml\)$"):
        render(AskResult(True), "turtle", PREFIXES)
    with pytest.raises(QueryError, match=r"^--format csv does not apply to a CONSTRUCT/DESCRIBE result "
                                         r"\(use turtle, ntriples, jsonld\)$"):
        render(GraphResult(b""), "csv", PREFIXES)


def test_a_data_file_of_unknown_syntax_is_refused_with_the_extensions_kgpub_reads(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("<urn:a> <urn:b> <urn:c> .\n")
    with pytest.raises(QueryError) as raised:
        kgpub.query("ASK { ?s ?p ?o }", notes)
    assert str(raised.value) == f"{notes}: unknown RDF format (expected one of .jsonld, .n3, .nq, .nt, .owl, .rdf, .trig, .ttl)"
    (tmp_path / "ttl").write_text("<urn:a> <urn:b> <urn:c> .\n")  # a file named like an extension has none
    with pytest.raises(QueryError, match="unknown RDF format"):
        kgpub.query("ASK { ?s ?p ?o }", tmp_path / "ttl")
    owl = tmp_path / "data.OWL"
    owl.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                   '<rdf:Description rdf:about="urn:a"><rdf:value>1</rdf:value></rdf:Description></rdf:RDF>')
    assert kgpub.query("ASK { <urn:a> ?p ?o }", owl) == AskResult(True)


def test_timeline_orders_partial_dates_by_the_last_day_they_allow(tmp_path: Path) -> None:
    """A year sits at its 31 December, a month at its last day; on the same day the precise date first;
    two events with one label stay two rows (grouped by IRI)."""
    from conftest import MINI_FACTS, write_corpus

    event = MINI_FACTS[MINI_FACTS.index("  - id: rocket-attack"):MINI_FACTS.index("accusations:")]
    more = "".join(event.replace("id: rocket-attack", f"id: attack-{n}").replace('date: "2021-05-03"', f'date: "{d}"')
                   .replace("label: Rocket attack on the Gamma base", f"label: {label}")
                   for n, (d, label) in enumerate([("2020", "Attack"), ("2020-05", "Attack"), ("2020-04-30", "Earlier"),
                                                    ("2020-05-31", "Last of May"), ("2019-12", "December")]))
    root = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace("accusations:", more + "accusations:"))
    assert kgpub.build(root, tmp_path / "dist").written
    result = kgpub.query("timeline", tmp_path / "dist")
    assert rows(result, "date", "event") == [
        ("2019-12", "December"), ("2020-04-30", "Earlier"), ("2020-05-31", "Last of May"), ("2020-05", "Attack"),
        ("2020", "Attack"), ("2021-05-03", "Rocket attack on the Gamma base")]
