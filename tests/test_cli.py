"""The command line: output, error messages and exit codes of every command and error path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgpub.cli import main
from conftest import MINI_FACTS, ROOT, write_corpus

FACTS_FILE = "articles/mini-1.facts.yaml"


def build_in(runner: CliRunner, root: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["build", str(root), "--out", str(out), *extra])


def test_build_prints_a_summary(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = build_in(runner, mini, tmp_path / "dist")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "validation: conforms: 0 violations, 0 warnings, 5 hints (warnings and hints not listed; --show-info lists them)",
        "built 1 article: 6 entities, 5 facts (1 events, 1 accusations, 1 threats, 2 relations, 0 statements), 147 triples"]
    assert re.search(r"wrote .*dist/: kg\.jsonld, kg\.nt, kg\.trig, kg\.ttl, ontology\.ttl, void\.ttl, articles/ \(1 file\)",
                     result.stdout)
    assert result.stderr == ""


def test_build_jobs_and_cache(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    first = build_in(runner, mini, tmp_path / "dist", "--jobs", "2")
    assert first.exit_code == 0 and "reused" not in first.stdout
    again = build_in(runner, mini, tmp_path / "dist", "-j", "1")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[1] == "reused 1 unchanged article from the last build"
    fresh = build_in(runner, mini, tmp_path / "dist", "--no-cache")
    assert fresh.exit_code == 0 and "reused" not in fresh.stdout and fresh.stderr == ""
    bad = build_in(runner, mini, tmp_path / "dist", "--jobs", "0")
    assert bad.exit_code == 2 and "--jobs" in bad.stderr and "Traceback" not in bad.stderr


def test_build_index(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = build_in(runner, mini, tmp_path / "dist")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "dist" / ".index" / "meta.json").is_file()
    result = build_in(runner, mini, tmp_path / "dist", "--no-index")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "dist" / ".index").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "seeds"]  # no index folder left behind


def test_build_quiet(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = build_in(runner, mini, tmp_path / "dist", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "dist" / "kg.ttl").exists()


ERROR_CASES = {
    "yaml syntax": (("headline: Rockets", "headline: [Rockets"),
                    f"{FACTS_FILE}:5:12: YAML syntax error: did not find expected ',' or ']'"),
    "unknown key": (("    label: Rocket attack", "    lable: Rocket attack"),
                    f"{FACTS_FILE}:26: events[0].lable: unknown key 'lable'; did you mean 'label'?"),
    "undefined id": (("agent: alpha-brigade", "agent: alpha-brigad"),
                     f"{FACTS_FILE}:29: events[0].agent: reference to undefined entity id 'alpha-brigad'; did you mean 'alpha-brigade'?"),
    "duplicate id": (("  - id: zed-threat", "  - id: rocket-attack"),
                     f"{FACTS_FILE}:43: threats[0].id: duplicate id 'rocket-attack': already defined at line 24"),
    "impossible date": (('date: "2021-05-03"', 'date: "2021-02-29"'),
                        f"{FACTS_FILE}:27: events[0].date: '2021-02-29' is not a date: February 2021 has 28 days"),
    "bad date": (('date: "2021-05-03"', 'date: "May 2021"'),
                 f"{FACTS_FILE}:27: events[0].date: 'May 2021' is not valid: write it as YYYY-MM-DD, YYYY-MM or YYYY (EDTF: 2019-12~, 2019-12-21/2019-12-31, 201X), only as precise as the article"),
    "quote not found": (("fired rockets at the Gamma base on", "fired rockets at Gamma base on"),
                        f"{FACTS_FILE}:31: evidence: quote not found in articles/mini-1.txt: "
                        "'Alpha Brigade fighters fired rockets at Gamma base on 3 May 2021'; "
                        "closest passage: 'Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021'"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_build_error_is_one_line_exit_2_and_writes_nothing(runner: CliRunner, tmp_path: Path, case: str) -> None:
    (old, new), message = ERROR_CASES[case]
    assert old in MINI_FACTS
    root = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace(old, new, 1))
    result = build_in(runner, root, tmp_path / "dist")
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists()


def test_build_missing_seeds_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = build_in(runner, tmp_path / "nowhere", tmp_path / "dist")
    assert (result.exit_code, result.stderr) == (2, f"{tmp_path / 'nowhere'}: no such folder\n")


def test_build_refuses_a_foreign_out_folder(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    result = build_in(runner, mini, tmp_path / "mine")
    assert result.exit_code == 2
    assert result.stderr == (f"{tmp_path / 'mine'}: not a kgpub build folder (no .kgpub-build file) and not empty; "
                             "refusing to replace it\n")


def test_build_bad_base(runner: CliRunner, mini: Path, tmp_path: Path) -> None:
    result = build_in(runner, mini, tmp_path / "dist", "--base", "not an iri")
    assert (result.exit_code, result.stderr) == (2, "--base 'not an iri': must be an http(s) IRI ending in '/' or '#'\n")


def test_internal_errors_are_one_line(runner: CliRunner, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kgpub.api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kgpub.api, "build", boom)
    result = build_in(runner, mini, tmp_path / "dist")
    assert result.exit_code == 70
    assert result.stderr == "kgpub: internal error: RuntimeError: disk on fire (set KGPUB_DEBUG=1 to see the traceback)\n"


def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and command.help, name
        assert f"`kgpub {name}`" in readme, f"kgpub {name} is not documented in README.md"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("kgpub, version ")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```sh\nbash scripts/test.sh\n```" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
