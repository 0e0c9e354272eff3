"""A generated corpus of bad inputs: facts, registry and dataset files with every field given every kind of
wrong value, queries and parameters that are wrong or hostile, and endpoints that misbehave.

Every case asserts what a user must get: an exit code that says what happened (never 70, the internal
error), no traceback, one line per problem naming the file (and line and field) or the endpoint, no secret,
nothing written, and the previous build byte-identical.  The corpus prints its size.
"""

from __future__ import annotations

import http.server
import itertools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.cli import main
from conftest import SEEDS

pytestmark = pytest.mark.slow  # the 400-case bad-input corpus, a build each

FACTS = "articles/000_eb2d348de878cb8c.facts.yaml"
SECRET = "s3cret-pass-0451"

#: (file, the line's start, its replacement with {v} for the value)
FIELDS = [
    (FACTS, "  id: 000_eb2d348de878cb8c", "  id: {v}"),
    (FACTS, "  language: en", "  language: {v}"),
    (FACTS, '  published: "2020-12"', "  published: {v}"),
    (FACTS, "  publisher: ", "  publisher: {v}"),
    (FACTS, "  licence: ", "  licence: {v}"),
    (FACTS, "  rights_holder: afp", "  rights_holder: {v}"),
    (FACTS, '    date: "2020-01-03"', "    date: {v}"),
    (FACTS, "    agent: [us-forces, donald-trump]", "    agent: {v}"),
    (FACTS, "        occurrence: 2", "        occurrence: {v}"),
    (FACTS, "  - report: soleimani-strike", "  - report: {v}"),
    ("entities.yaml", "  - id: donald-trump", "  - id: {v}"),
    ("entities.yaml", "    wikidata: Q22686", "    wikidata: {v}"),
    ("entities.yaml", "    name: Donald Trump", "    name: {v}"),
    ("entities.yaml", "    type: Person", "    type: {v}"),
    ("dataset.yaml", 'created: "2026-11-24"', "created: {v}"),
    ("dataset.yaml", "license: https://creativecommons.org/licenses/by/4.0/", "license: {v}"),
    ("dataset.yaml", "base: https://w3id.org/kgpub/id/", "base: {v}"),
    ("dataset.yaml", "  000_eb2d348de878cb8c: false", "  000_eb2d348de878cb8c: {v}"),
]
VALUES = ["", "null", "42", "2.0", "true", "[]", "{}", "[a, b]", "{a: 1}", '"x\\n"', '"a\\u0000b"', '"\\e[31mred"',
          "!!int abc", "!!bool maybe", "!!timestamp abc", "'" + "x" * 300 + "'", "-1", '"<a b>"', "&a [*a]"]


@dataclass(frozen=True)
class FileCase:
    file: str
    line: str
    value: str

    @property
    def id(self) -> str:
        return f"{self.file.rsplit('/', 1)[-1]}:{self.line.strip()[:18]}={self.value[:12]}"


FILE_CASES = [FileCase(f, line, v) for (f, line, _), v in itertools.product(FIELDS, VALUES)]
_REPLACE = {line: repl for _, line, repl in FIELDS}


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build of the seed, which no bad input may touch."""
    out = tmp_path_factory.mktemp("previous") / "dist"
    assert kgpub.build(SEEDS, out).written
    return out


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _clean(result, names: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code != 70 and "Traceback" not in result.output, result.output
    assert "internal error" not in result.output and SECRET not in result.output
    if result.exit_code not in (0, 1):
        # one line a problem; a syntax error's quoted line and caret under it (indented) belong to it
        lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("  ")]
        assert lines and all(line.startswith(names) for line in lines), result.stderr
        assert all("\x1b" not in line for line in lines)  # no terminal escapes from a curator's text


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_a_bad_file_is_refused_cleanly(case: FileCase, previous: Path, tmp_path: Path) -> None:
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    out = Path(shutil.copytree(previous, tmp_path / "dist"))
    before = _tree(out)
    path = seeds / case.file
    text = path.read_text(encoding="utf-8")
    original = next(line for line in text.splitlines() if line.startswith(case.line))
    path.write_text(text.replace(original, _REPLACE[case.line].format(v=case.value), 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(out), "-q"])
    _clean(result, (case.file, "articles/", "entities.yaml", "dataset.yaml", "--base"))
    if result.exit_code != 0:
        assert _tree(out) == before  # the previous build, byte for byte
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "seeds"]  # nothing left beside it
    checked = CliRunner().invoke(main, ["check", str(seeds), "-q"])  # the same lines, short of the SHACL ones
    assert checked.exit_code != 70 and "Traceback" not in checked.output and checked.stderr == "", checked.output
    lines = checked.stdout.splitlines()
    assert checked.exit_code == (2 if lines else 0) and set(lines) <= set(result.stderr.splitlines()), checked.output
    assert result.exit_code != 0 or not lines


# --------------------------------------------------------------------------- queries and parameters

QUERIES = [
    ("SELECT * WHERE { ?s ?p }", ()), ("SELEKT * WHERE { ?s ?p ?o }", ()), ("SELECT * WHERE { ?s undefined:p ?o }", ()),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", ()), ("# x\nDELETE WHERE { ?s ?p ?o }", ()), ("CLEAR ALL", ()),
    ("LOAD <http://127.0.0.1:9/x>", ()), ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", ()),
    ("about", ("entity=<foo>",)), ("about", ("entity=id:foo>bar",)), ("about", ("a b=1",)), ("about", ()),
    ("about", ("entity",)), ("about", ("entity=Iran",)), ("killed", ("x=1",)), ("no-such-query-name", ()),
    ("@/nonexistent/file.rq", ()), ("", ()), ("SELECT * WHERE { ?s ?p ?o } LIMIT -1", ()),
    ("SELECT (1/0 AS ?x) WHERE {}", ()), ('SELECT * WHERE { ?s ?p "\\uZZZZ" }', ()),
    ("about", ("entity=<http://x> } UNION { ?s ?p ?o",)), ("ASK { ?s ?p ?o", ()),
]


@pytest.mark.parametrize(("query", "params"), QUERIES, ids=[f"q{n}" for n in range(len(QUERIES))])
def test_a_bad_query_is_refused_cleanly(seed_build: Path, query: str, params: tuple[str, ...]) -> None:
    args = ["query", query, "--data", str(seed_build)]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1, 2), result.output
    _clean(result, ("SPARQL", "kgpub query", "the query", "query ", "--param", "/nonexistent", "give a query",
                    "no results", "no shipped query", "Error:", "Usage:", "Try "))


def test_a_query_file_that_is_not_utf8(seed_build: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p \"caf\xe9\" }".encode("latin-1"))
    result = CliRunner().invoke(main, ["query", f"@{bad}", "--data", str(seed_build)])
    assert result.exit_code == 2
    _clean(result, (str(bad), "@"))


# --------------------------------------------------------------------------- endpoints that misbehave


class Misbehaving:
    """A local server answering every request the same wrong way."""

    def __init__(self, how: str) -> None:
        outer = self
        self.how = how

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                how = outer.how
                if how == "closes":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'{"head": ')
                    return
                status, body, kind = {
                    "503": (503, b"Service Unavailable", "text/plain"),
                    "500": (500, f"error, you sent Authorization: {self.headers.get('Authorization')}".encode(), "text/plain"),
                    "401": (401, b"Unauthorized", "text/plain"),
                    "garbage": (200, b"\x00\xffnot json at all", "application/sparql-results+json"),
                    "html": (200, b"<html>login page</html>", "text/html"),
                    "redirect": (307, b"", "text/plain"),
                    "results-empty": (200, b'{"results": []}', "application/sparql-results+json"),
                    "count-abc": (200, b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"abc"}}]}}',
                                  "application/sparql-results+json"),
                }[how]
                self.send_response(status)
                if how == "redirect":
                    self.send_header("Location", "http://elsewhere.invalid/")
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://bob:{SECRET}@127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


BEHAVIOURS = ["503", "500", "401", "garbage", "html", "redirect", "results-empty", "count-abc", "closes"]


@pytest.fixture(params=BEHAVIOURS)
def misbehaving(request: pytest.FixtureRequest) -> Iterator[Misbehaving]:
    server = Misbehaving(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("command", ["query", "ask", "load", "load-dry"])
def test_a_misbehaving_endpoint_is_reported_cleanly(misbehaving: Misbehaving, command: str, seed_build: Path) -> None:
    url = misbehaving.url
    args = {"query": ["query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url + "/sparql", "--timeout", "5"],
            "ask": ["query", "ASK { ?s ?p ?o }", "--endpoint", url + "/sparql", "--timeout", "5"],
            "load": ["load", url + "/ds", "--flavor", "fuseki", "--data", str(seed_build), "--timeout", "5"],
            "load-dry": ["load", url + "/ds", "--flavor", "fuseki", "--data", str(seed_build), "--dry-run"]}[command]
    result = CliRunner().invoke(main, args)
    if (misbehaving.how, command) == ("count-abc", "query"):  # a well-formed answer: its rows are printed
        assert result.exit_code == 0 and result.stdout.split() == ["n", "---", "abc"]
    else:
        assert result.exit_code in (1, 2, 3), result.output
    _clean(result, ("http://127.0.0.1:",))
    assert "bob" not in result.output


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x", "http://127.0.0.1:99999/x", "not a url", "http://",
                                    "http://127.0.0.1:9/sparql"])
@pytest.mark.parametrize("command", ["query", "load"])
def test_an_unreachable_or_malformed_endpoint(target: str, command: str, seed_build: Path) -> None:
    args = (["query", "ASK {}", "--endpoint", target, "--timeout", "2"] if command == "query"
            else ["load", target, "--flavor", "oxigraph", "--data", str(seed_build), "--timeout", "2"])
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (2, 3), result.output
    _clean(result, (target,))


def test_the_corpus_is_large_enough() -> None:
    cases = len(FILE_CASES) + len(QUERIES) + 1 + len(BEHAVIOURS) * 4 + 5 * 2
    from conftest import SUMMARY

    SUMMARY.append(f"bad-input corpus: {cases} cases (tests/test_bad_inputs.py)")
    assert cases >= 250
