"""`kgpub query` from the shell: inputs, formats, output files, exit codes and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgpub.cli import main


def q(runner: CliRunner, built: Path, *args: str, **kwargs):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["query", "--data", str(built), *args], **kwargs)


def test_select_table(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT ?name WHERE { ?e kg:agent/rdfs:label ?name }")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "name\n-------------\nAlpha Brigade\n"


def test_iris_are_shown_as_prefixed_names(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT ?e ?t WHERE { ?e kg:eventType ?t }")
    assert result.stdout.splitlines()[2].split() == ["id:article/mini-1/rocket-attack", "kgt:ShellingMissileAttack"]


@pytest.mark.parametrize(("fmt", "first_line"), [
    ("csv", "name"), ("tsv", "?name"), ("markdown", "| name |"), ("table", "name"),
])
def test_select_formats(runner: CliRunner, built: Path, fmt: str, first_line: str) -> None:
    result = q(runner, built, "SELECT ?name WHERE { ?e kg:agent/rdfs:label ?name }", "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == first_line
    assert "Alpha Brigade" in result.stdout


def test_select_json_and_xml(runner: CliRunner, built: Path) -> None:
    text = "SELECT ?name WHERE { ?e kg:agent/rdfs:label ?name }"
    doc = json.loads(q(runner, built, text, "-f", "json").stdout)
    assert doc["results"]["bindings"] == [{"name": {"type": "literal", "value": "Alpha Brigade"}}]
    xml = q(runner, built, text, "-f", "xml").stdout
    assert xml.startswith('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">')


def test_ask_exit_codes(runner: CliRunner, built: Path) -> None:
    yes, no = q(runner, built, "ASK { ?e a kg:Event }"), q(runner, built, "ASK { ?e a kg:Banana }")
    assert (yes.exit_code, yes.stdout, no.exit_code, no.stdout) == (0, "true\n", 1, "false\n")
    assert json.loads(q(runner, built, "ASK { ?e a kg:Event }", "-f", "json").stdout)["boolean"] is True


@pytest.mark.parametrize(("fmt", "marker"), [("turtle", "@prefix kg:"), ("ntriples", "<https://w3id.org/kgpub/ontology#agent>"),
                                             ("jsonld", '"@id"')])
def test_construct_formats(runner: CliRunner, built: Path, fmt: str, marker: str) -> None:
    result = q(runner, built, "CONSTRUCT { ?e kg:agent ?a } WHERE { ?e kg:agent ?a }", "-f", fmt)
    assert result.exit_code == 0 and marker in result.stdout


def test_describe(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "DESCRIBE id:alpha-brigade")
    assert result.exit_code == 0 and "Alpha Brigade" in result.stdout


def test_wrong_format_is_a_usage_error(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT * WHERE { ?s ?p ?o }", "-f", "turtle")
    assert result.exit_code == 2
    assert result.stderr == "--format turtle does not apply to a SELECT result (use table, csv, tsv, json, xml, markdown)\n"


def test_output_file(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    out = tmp_path / "answer.json"
    result = q(runner, built, "SELECT ?name WHERE { ?e kg:agent/rdfs:label ?name }", "-f", "json", "-o", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(out.read_text())["head"]["vars"] == ["name"]


def test_query_from_stdin_and_file(runner: CliRunner, built: Path, tmp_path: Path) -> None:
    stdin = q(runner, built, "-", input="ASK { ?e a kg:Threat }")
    assert stdin.exit_code == 0, stdin.stderr
    assert (stdin.exit_code, stdin.stdout) == (0, "true\n")
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?e a kg:Accusation }")
    assert q(runner, built, f"@{path}").stdout == "true\n"
    missing = q(runner, built, f"@{tmp_path / 'nope.rq'}")
    assert (missing.exit_code, missing.stderr) == (2, f"{tmp_path / 'nope.rq'}: cannot read the query: No such file or directory\n")


def test_list(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "--list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "about          About one entity  (--param entity=...)"
    assert "timeline       Timeline" in result.stdout


def test_shipped_query_with_param(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "about", "--param", "entity=id:alpha-brigade", "-f", "csv")
    assert result.exit_code == 0
    assert "agent,Rocket attack on the Gamma base,event" in result.stdout


def test_param_syntax(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "about", "--param", "entity")
    assert result.exit_code == 2 and "Invalid value for --param: 'entity': expected NAME=VALUE" in result.stderr


def test_missing_param(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "about")
    assert (result.exit_code, result.stderr) == (
        2, "query 'about' needs --param entity=VALUE (the entity, e.g. id:mustafa-al-kadhemi)\n")


def test_empty_result_says_so(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT ?x WHERE { ?x a kg:Banana }")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no results\n")
    as_json = q(runner, built, "SELECT ?x WHERE { ?x a kg:Banana }", "-f", "json")
    assert json.loads(as_json.stdout)["results"]["bindings"] == []


def test_syntax_error_shows_a_caret(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT ?x WHERE {\n  ?x a kg:Event .\n  FILTR(?x) }")
    assert result.exit_code == 2
    assert result.stderr == ("SPARQL syntax error at line 3, column 11: expected OPTIONAL\n"
                             "    FILTR(?x) }\n"
                             "            ^\n")


def test_unknown_prefix_is_named(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "SELECT * WHERE { ?s foo:bar ?o }")
    assert result.exit_code == 2
    assert result.stderr.startswith("SPARQL syntax error at line 1, column 28: unknown prefix 'foo:'\n")


def test_update_refused(runner: CliRunner, built: Path) -> None:
    result = q(runner, built, "DELETE WHERE { ?s ?p ?o }")
    assert result.exit_code == 2
    assert result.stderr.startswith("kgpub query is read-only: SPARQL UPDATE is refused")


def test_no_build(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["query", "-d", str(tmp_path), "ASK {}"])
    assert (result.exit_code, result.stderr) == (2, f"{tmp_path}: no kg.trig here; run 'kgpub build' first or give --data FILE\n")


def test_no_query(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query"])
    assert result.exit_code == 2 and "give a query" in result.stderr


def test_unreachable_endpoint(runner: CliRunner) -> None:
    result = runner.invoke(main, ["query", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "5", "ASK {}"])
    assert result.exit_code == 3  # an endpoint that failed, as for a load
    assert result.stderr.startswith("http://127.0.0.1:9/sparql: cannot reach the endpoint:")
    assert result.stderr.count("\n") == 1
