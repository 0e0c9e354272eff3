"""The command line's contract, the same for every command: the exit codes (0 ok, 1 non-conforming data or
ASK false, 2 bad input or usage, 3 a store or endpoint that failed, 70 internal), every option a message
names exists on that command, and a site is never written from a seeds folder that is not the build's."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import MINI_FACTS, ROOT, SEEDS, write_corpus
from servers import LocalHTTP

from kgpub.cli import main

BAD_VICTIM = MINI_FACTS.replace("    target: gamma-base\n", "    target: gamma-base\n    victim: gamma-base\n")


# --------------------------------------------------------------------------- real endpoints that fail


@pytest.fixture
def refusing() -> Iterator[str]:
    """A port on 127.0.0.1 held by a socket that is bound but never listens: every connection is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


class Answering(LocalHTTP):
    """A small HTTP server on 127.0.0.1 answering every request with one status (405: a URL that takes no
    POST, as a static web server does; 503: a store that is down behind its proxy)."""

    def __init__(self, status: int) -> None:
        super().__init__(lambda method, path, headers, body: (status, "text/plain", f"status {status}".encode()))


@pytest.fixture(params=[405, 503])
def failing(request: pytest.FixtureRequest) -> Iterator[str]:
    server = Answering(request.param)
    yield server.url
    server.close()


def _one_line(result, exit_code: int) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_query_on_an_unreachable_endpoint_exits_3(refusing: str) -> None:
    result = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", refusing + "/sparql", "--timeout", "5"])
    _one_line(result, 3)
    assert result.stderr.startswith(f"{refusing}/sparql: cannot reach the endpoint: ")


def test_query_on_an_endpoint_answering_an_http_error_exits_3(failing: str) -> None:
    for text in ("ASK {}", "SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        result = CliRunner().invoke(main, ["query", text, "--endpoint", failing + "/sparql", "--timeout", "5"])
        _one_line(result, 3)
        assert re.match(rf"{failing}/sparql: HTTP (405|503)", result.stderr), result.stderr


def test_shipped_query_on_an_endpoint_that_fails_exits_3(failing: str) -> None:
    result = CliRunner().invoke(main, ["query", "killed", "--endpoint", failing + "/sparql", "--timeout", "5"])
    _one_line(result, 3)


def test_load_on_an_unreachable_store_exits_3(refusing: str, seed_build: Path) -> None:
    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(main, ["load", refusing + "/ds", "--flavor", "fuseki", "--data", str(seed_build),
                                           "--timeout", "2", *extra])
        _one_line(result, 3)
        assert "cannot connect: Connection refused" in result.stderr


def test_load_on_a_store_answering_an_http_error_exits_3(failing: str, seed_build: Path) -> None:
    result = CliRunner().invoke(main, ["load", failing + "/ds", "--flavor", "fuseki", "--data", str(seed_build),
                                       "--timeout", "5"])
    _one_line(result, 3)
    assert re.match(rf"{failing}/ds/sparql: HTTP (405|503)", result.stderr), result.stderr


#: (command line, exit code) for each kind of outcome of each command that needs no server.
def _cases(tmp: Path, built: Path, bad_build: Path) -> list[tuple[list[str], int]]:
    missing = str(tmp / "missing")
    return [
        (["build", str(bad_build.parent / "seeds"), "--out", str(tmp / "refused")], 1),  # a SHACL violation
        (["build", missing, "--out", str(tmp / "x")], 2),
        (["build", str(SEEDS), "--out", str(tmp / "x"), "--base", "not an iri"], 2),
        (["build", "--jobs", "0"], 2),
        (["validate", str(built)], 0),
        (["validate", str(bad_build / "kg.ttl")], 1),
        (["validate", missing], 2),
        (["query", "ASK { ?e a kg:Event }", "--data", str(built)], 0),
        (["query", "ASK { ?e a kg:Banana }", "--data", str(built)], 1),
        (["query", "SELEKT", "--data", str(built)], 2),
        (["query", "ASK {}", "--data", missing], 2),
        (["query", "ASK {}", "--endpoint", "ftp://127.0.0.1/x"], 2),
        (["load", "not a url", "--data", str(built)], 2),
        (["load", "http://127.0.0.1:1/x", "--data", missing, "--flavor", "oxigraph"], 2),
        (["check", str(SEEDS)], 0),
        (["check", str(bad_build.parent / "seeds")], 0),  # a SHACL violation is build's to find
        (["check", missing], 2),
        (["entities", str(SEEDS)], 0),
        (["entities", missing], 2),
        (["site", "--data", missing, "--out", str(tmp / "s1")], 2),
        (["site", "--data", str(built), "--out", str(tmp / "s2"), "--seeds", missing], 2),
        (["serve", "--data", missing], 2),
        (["no-such-command"], 2),
    ]


@pytest.fixture
def bad_build(tmp_path: Path) -> Path:
    """A build written with --no-validate from facts whose victim is a facility: it does not conform."""
    root = write_corpus(tmp_path / "bad" / "seeds", facts=BAD_VICTIM)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "bad" / "dist"), "--no-validate",
                                       "-q"])
    assert result.exit_code == 0, result.output
    return tmp_path / "bad" / "dist"


def test_every_command_keeps_the_exit_code_contract(built: Path, bad_build: Path, tmp_path: Path) -> None:
    for args, code in _cases(tmp_path, built, bad_build):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == code, (args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output, args


def test_an_internal_error_exits_70_on_every_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import kgpub.api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    for name in ("build", "check", "validate", "query", "load", "entities", "site", "serve"):
        monkeypatch.setattr(kgpub.api, name, boom)
    for args in (["build"], ["check"], ["validate"], ["query", "ASK {}"], ["load", "http://127.0.0.1:1/x"], ["entities"],
                 ["site", "--seeds", str(tmp_path)], ["serve"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 70, (args, result.output)
        assert result.stderr.startswith("kgpub: internal error: RuntimeError: disk on fire"), args


def test_the_readme_states_the_contract() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Exit codes"):]
    for line in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 70 |"):
        assert line in section, line


# --------------------------------------------------------------------------- options named in messages


OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _options(name: str) -> set[str]:
    command = main.commands[name]
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")}


def _named_options_exist(name: str, text: str) -> list[str]:
    """The options ``text`` names that command ``name`` does not have ('kgpub OTHER --x' is OTHER's)."""
    wrong = []
    for line in text.splitlines():
        for match in OPTION.finditer(line):
            other = re.search(r"kgpub (\w+)(?:\s+[^\s'\"`]+)*\s+$", line[:match.start()])  # the same command line
            command = other.group(1) if other and other.group(1) in main.commands else name
            if match.group() not in _options(command) | {"--help", "--version"}:
                wrong.append(f"{command}: {match.group()} in {line!r}")
    return wrong


def test_build_show_info_lists_warnings_and_hints(mini: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(main, ["build", str(mini), "--out", str(tmp_path / "dist")])
    assert plain.exit_code == 0, plain.output
    assert "(warnings and hints not listed; --show-info lists them)" in plain.stdout
    assert "Info:" not in plain.output
    listed = runner.invoke(main, ["build", str(mini), "--out", str(tmp_path / "dist"), "--show-info"])
    assert listed.exit_code == 0, listed.output
    hints = [line for line in listed.stderr.splitlines() if line.startswith("  Info: ")]
    assert len(hints) == 5 and "no Wikidata link" in hints[0]
    assert listed.stdout.splitlines()[0] == "validation: conforms: 0 violations, 0 warnings, 5 hints"
    refused = runner.invoke(main, ["build", str(write_corpus(tmp_path / "bad", facts=BAD_VICTIM)),
                                   "--out", str(tmp_path / "refused"), "--show-info"])
    assert refused.exit_code == 1
    assert sum(line.startswith("  Info: ") for line in refused.stderr.splitlines()) == 5
    assert "  Violation: kg:victim" in refused.stderr


def test_every_option_a_message_names_exists_on_its_command(mini: Path, built: Path, bad_build: Path,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each command through its messages (summaries, hints, reports, errors) and check every --option."""
    runner = CliRunner()
    bad_seeds = bad_build.parent / "seeds"
    # an article's own entity the registry holds under another spelling: a warning, which build --strict refuses
    dup = write_corpus(tmp_path / "dup", facts=MINI_FACTS
                       .replace("entities:\n", "entities:\n  - id: alpha-b\n    type: ArmedGroup\n    name: Alpha brigade\n"
                                "    evidence: [\"Alpha Brigade fighters\"]\n", 1))
    runs = [
        ("build", ["build", str(mini), "--out", str(tmp_path / "d1")]),
        ("build", ["build", str(bad_seeds), "--out", str(tmp_path / "d2")]),
        ("build", ["build", str(mini), "--out", str(tmp_path / "d3"), "--no-validate"]),
        ("build", ["build", str(mini), "--out", str(tmp_path / "d4"), "--base", "x"]),
        ("build", ["build", str(tmp_path / "missing")]),
        ("check", ["check", str(mini)]),
        ("check", ["check", str(tmp_path / "missing")]),
        ("check", ["check", str(write_corpus(tmp_path / "typo", facts=MINI_FACTS.replace("label:", "lable:", 1)))]),
        ("check", ["check", str(dup)]),
        ("build", ["build", str(dup), "--out", str(tmp_path / "d5")]),
        ("validate", ["validate", str(built)]),
        ("validate", ["validate", str(bad_build)]),
        ("validate", ["validate", str(tmp_path / "x.weird")]),
        ("query", ["query", "about", "--data", str(built)]),
        ("query", ["query", "about", "--param", "entity=Iran", "--data", str(built)]),
        ("query", ["query", "nonesuch", "--data", str(built)]),
        ("query", ["query", "ASK {}", "--data", str(tmp_path / "missing")]),
        ("query", ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "--data", str(built)]),
        ("query", ["query", "SELECT * WHERE { ?s ?p ?o }", "-f", "turtle", "--data", str(built)]),
        ("query", ["query", "--list"]),
        ("load", ["load", "http://127.0.0.1:1/x", "--data", str(built)]),
        ("load", ["load", "http://127.0.0.1:1/x", "--flavor", "gsp", "--data", str(built)]),
        ("load", ["load", "http://127.0.0.1:1/x", "--flavor", "oxigraph", "--data", str(tmp_path / "missing")]),
        ("site", ["site", "--data", str(tmp_path / "missing")]),
        ("site", ["site", "--data", str(built), "--seeds", str(tmp_path / "missing")]),
        ("serve", ["serve", "--data", str(tmp_path / "missing")]),
    ]
    (tmp_path / "x.weird").write_text("")
    wrong = []
    for name, args in runs:
        result = runner.invoke(main, args)
        assert "Traceback" not in result.output, (args, result.output)
        wrong += _named_options_exist(name, result.output)
    assert wrong == []


def test_every_option_in_the_source_exists_on_some_command() -> None:
    """A message of the library names an option some command has (the run above checks it is the right one)."""
    every = set().union(*(_options(name) for name in main.commands)) | {"--help", "--version"}
    found = {}
    for path in sorted((ROOT / "src" / "kgpub").glob("*.py")):
        for match in OPTION.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(), path.name)
    assert {option: where for option, where in found.items() if option not in every} == {}


def test_the_check_above_can_fail() -> None:
    assert _named_options_exist("build", "validation: 3 hints (hints not listed; --list-hints lists them)") != []
    assert _named_options_exist("build", "see kgpub validate --input-format") == []
    assert _named_options_exist("build", "see kgpub query --input-format") != []


# --------------------------------------------------------------------------- site: the build's seeds only


def test_site_with_a_seeds_folder_that_does_not_exist_exits_2(seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(out),
                                       "--seeds", str(tmp_path / "WRONG")])
    _one_line(result, 2)
    assert result.stderr == (f"{tmp_path / 'WRONG'}: no such folder; give --seeds the seeds folder the build was "
                             "made from\n")
    assert list(tmp_path.iterdir()) == []


def test_site_with_a_seeds_folder_of_another_corpus_exits_2(seed_build: Path, mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(out), "--seeds", str(mini)])
    _one_line(result, 2)
    # the six texts the site would publish (the AFP one, in copyright, it never reads)
    assert result.stderr.startswith(f"{mini}: not the seeds folder of this build: none of its 6 article text(s) is "
                                    "there (such as articles/dod-2020-01-02.txt)")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["seeds"]


def test_site_default_seeds_must_exist_too(seed_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", "site"])
    _one_line(result, 2)
    assert result.stderr.startswith("seeds: no such folder")
    assert list(tmp_path.iterdir()) == []


def test_click_types_are_what_the_contract_assumes() -> None:
    """Usage errors are click's (exit 2), as the contract says."""
    assert click.UsageError.exit_code == 2


def test_serve_on_a_taken_port_exits_2_in_one_line(seed_build: Path) -> None:
    """The port is the user's choice: a taken one is a usage error, said in one line, not the server's log."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--data", str(seed_build), "--port", str(port)])
    finally:
        taken.close()
    _one_line(result, 2)
    assert result.stderr.startswith(f"127.0.0.1:{port}: cannot listen there: Address already in use")
