"""Values from the input that must not reach the terminal as they are, nor crash a command: terminal escape
sequences in a label, a newline in a file name, a provenance line that is not a number, a store whose COUNT
answer is not a number.  Each is shown escaped or reported in one line, never obeyed and never exit 70."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI_FACTS, write_corpus
from servers import LocalHTTP

from kgpub.cli import main
from kgpub.terminal import printable, printable_lines

#: Sets the terminal's title (OSC 0 ... BEL), then clears the screen (CSI 2 J), in a YAML double-quoted scalar.
HOSTILE = r"\e]0;pwned\a\e[2JRocket attack"
SHOWN = r"\x1b]0;pwned\x07\x1b[2JRocket attack"
FACTS = MINI_FACTS.replace("    label: Rocket attack on the Gamma base\n", f'    label: "{HOSTILE}"\n')
BAD_VICTIM = FACTS.replace("    target: gamma-base\n", "    target: gamma-base\n    victim: gamma-base\n")


def _no_raw_control(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)


def test_printable_escapes_every_control_character_and_keeps_text() -> None:
    assert printable("a\x1b[31mb\x07c\nd\re\x00\x9b\u202e") == r"a\x1b[31mb\x07c\nd\re\x00\x9b\u202e"
    assert printable("Qasem Soleimani — قاسم سليماني\u200f") == "Qasem Soleimani — قاسم سليماني\u200f"
    assert printable_lines("one\x1b\ntwo\tcell") == "one\\x1b\ntwo\tcell"
    assert printable("see http://bob:pw@127.0.0.1:9/x") == "see http://127.0.0.1:9/x"


def test_a_label_with_terminal_escapes_is_shown_escaped_by_the_shacl_report(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=BAD_VICTIM)
    runner = CliRunner()
    refused = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert refused.exit_code == 1, refused.output
    assert f"“{SHOWN}”" in refused.stderr
    _no_raw_control(refused.output)
    written = runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "dist"), "--no-validate", "-q"])
    assert written.exit_code == 0, written.output
    report = runner.invoke(main, ["validate", str(tmp_path / "dist")])
    assert report.exit_code == 1 and f"“{SHOWN}”" in report.stdout
    _no_raw_control(report.output)
    for fmt in ("json", "turtle"):  # the documents keep the value, written as an escape the language reads back
        document = runner.invoke(main, ["validate", str(tmp_path / "dist"), "--format", fmt])
        assert document.exit_code == 1
        _no_raw_control(document.stdout)
    results = json.loads(runner.invoke(main, ["validate", str(tmp_path / "dist"), "--format", "json"]).stdout)
    assert any(r["focus_label"] == "\x1b]0;pwned\x07\x1b[2JRocket attack" for r in results["results"])


def test_a_label_with_terminal_escapes_in_a_query_table_and_the_entities(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=FACTS.replace("    name: Omar Zed\n", f'    name: "{HOSTILE}"\n'))
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(root), "--out", str(tmp_path / "dist"), "-q"]).exit_code == 0
    for fmt in ("table", "markdown"):
        table = runner.invoke(main, ["query", "SELECT ?l WHERE { ?e a kg:Event ; rdfs:label ?l }", "--data",
                                     str(tmp_path / "dist"), "--format", fmt])
        assert table.exit_code == 0 and SHOWN in table.stdout
        _no_raw_control(table.stdout)
    csv = runner.invoke(main, ["query", "SELECT ?l WHERE { ?e a kg:Event ; rdfs:label ?l }", "--data",
                               str(tmp_path / "dist"), "--format", "csv"])
    assert "\x1b]0;pwned\x07" in csv.stdout  # piped data stays the data
    listed = runner.invoke(main, ["entities", str(root)])
    assert listed.exit_code == 0 and SHOWN in listed.stdout
    _no_raw_control(listed.stdout.replace("\t", " "))


def test_a_hostile_value_in_an_error_message_is_escaped(tmp_path: Path) -> None:
    facts = FACTS.replace("    agent: alpha-brigade\n", f'    agent: "alpha{HOSTILE[:-13]}"\n')
    root = write_corpus(tmp_path / "seeds", facts=facts)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "events[0].agent: 'alpha\\x1b]0;pwned\\x07\\x1b[2J' is not valid" in line
    _no_raw_control(result.stderr.replace("\n", ""))


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", name="two\nlines", facts=MINI_FACTS.replace(
        "    label: Rocket attack on the Gamma base\n", "    lable: Rocket attack on the Gamma base\n"))
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("articles/two\\nlines.facts.yaml:") and "unknown key 'lable'" in line
    missing = tmp_path / "no\nsuch"
    query = CliRunner().invoke(main, ["query", "ASK {}", "--data", str(missing)])
    assert query.exit_code == 2
    (line,) = query.stderr.splitlines()
    assert line.startswith(str(missing).replace("\n", "\\n") + ": ")


# --------------------------------------------------------------------------- provenance that does not fit


@pytest.mark.parametrize("line", ['"abc"', '"٣"^^xsd:integer', '"0"^^xsd:integer', '"-4"^^xsd:integer'])
def test_validate_a_trig_whose_source_line_is_not_a_number(built: Path, tmp_path: Path, line: str) -> None:
    trig = (built / "kg.trig").read_text(encoding="utf-8")
    fact = "https://w3id.org/kgpub/id/article/mini-1/rocket-attack"
    bad, count = re.subn(rf'(<{re.escape(fact)}> [^.]*?kg:sourceLine )\d+', rf"\g<1>{line}", trig)
    if count == 0:  # written as an explicit typed literal
        bad, count = re.subn(rf'(<{re.escape(fact)}>(?:[^.]|\.[^\n])*?kg:sourceLine )"?\d+"?(\^\^xsd:integer)?',
                             rf"\g<1>{line}", trig)
    assert count == 1, "the provenance of the rocket attack is in kg.trig"
    path = tmp_path / "bad.trig"
    path.write_text("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"{path}: provenance of <{fact}>: kg:sourceLine ")
    assert message.endswith("is not a line number (a positive integer)")


# --------------------------------------------------------------------------- a store whose COUNT is no number


class CountRewriter(LocalHTTP):
    """A proxy on 127.0.0.1 in front of a real Oxigraph that passes every request through and rewrites the
    number of each COUNT answer (as a store or a proxy with its own idea of numbers would)."""

    def __init__(self, upstream: str, rewrite) -> None:  # type: ignore[no-untyped-def]
        def passed(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
            kept = {k: v for k, v in headers.items() if k.lower() in ("content-type", "accept")}
            request = urllib.request.Request(upstream + path, data=body or None, method=method, headers=kept)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, kind, answer = response.status, response.headers.get("Content-Type", ""), response.read()
            except urllib.error.HTTPError as exc:
                status, kind, answer = exc.code, exc.headers.get("Content-Type", ""), exc.read()
            if b"COUNT" in body and "json" in kind:
                document = json.loads(answer)
                for row in document["results"]["bindings"]:
                    row["n"] = rewrite(row["n"])
                answer = json.dumps(document).encode()
            return status, kind, answer

        super().__init__(passed)


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[str]:
    from conftest import require
    from servers import oxigraph_binary, start_oxigraph, stop

    require(oxigraph_binary(), "the oxigraph server (PyPI oxigraph)")
    server = start_oxigraph()
    yield server.url
    stop(server.process)


_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
REWRITES = {
    "arabic-indic digits": lambda cell: {**cell, "value": cell["value"].translate(_ARABIC)},
    "digits with underscores": lambda cell: {**cell, "value": "_".join(cell["value"])},
    "a string": lambda cell: {**cell, "datatype": "http://www.w3.org/2001/XMLSchema#string"},
    "an IRI": lambda cell: {"type": "uri", "value": cell["value"]},
    "a word": lambda cell: {**cell, "value": "many"},
}


@pytest.mark.integration
@pytest.mark.parametrize("how", sorted(REWRITES))
def test_a_store_whose_count_is_not_a_number_fails_the_check(oxigraph: str, built: Path, how: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["load", oxigraph, "--flavor", "oxigraph", "--data", str(built), "--force"])
    assert first.exit_code == 0, first.output
    proxy = CountRewriter(oxigraph, REWRITES[how])
    try:  # nothing changed: the graphs are counted, not read back, so the counts decide
        again = runner.invoke(main, ["load", proxy.url, "--flavor", "oxigraph", "--data", str(built), "--timeout", "10"])
    finally:
        proxy.close()
    assert again.exit_code == 3, again.output
    (line,) = again.stderr.splitlines()
    assert line.startswith(f"{proxy.url}/query: malformed SPARQL results: a count that is not a number")


def test_the_count_check_passes_plain_counts(oxigraph: str, built: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["load", oxigraph, "--flavor", "oxigraph", "--data", str(built), "--force"]).exit_code == 0
    proxy = CountRewriter(oxigraph, lambda cell: cell)
    try:
        again = runner.invoke(main, ["load", proxy.url, "--flavor", "oxigraph", "--data", str(built)])
    finally:
        proxy.close()
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1].startswith("sent 0 of ")
