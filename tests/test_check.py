"""`kgpub check` and every independent problem of every file in one run, for `check` and `build` alike."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.corpus import reader
from kgpub.cli import main
from kgpub.errors import Diagnostic
from conftest import MINI_FACTS, MINI_REGISTRY, SEEDS, write_corpus

FACTS_FILE = "articles/mini-1.facts.yaml"

#: Five mistakes of five kinds in one facts file, none the consequence of another.
FIVE = [
    (("    label: Rocket attack", "    lable: Rocket attack"),
     f"{FACTS_FILE}:26: events[0].lable: unknown key 'lable'; did you mean 'label'?"),
    (("agent: alpha-brigade", "agent: alpha-brigad"),
     f"{FACTS_FILE}:29: events[0].agent: reference to undefined entity id 'alpha-brigad'; did you mean 'alpha-brigade'?"),
    (('date: "2021-05-03"', 'date: "2021-02-30"'),
     f"{FACTS_FILE}:27: events[0].date: '2021-02-30' is not a date: February 2021 has 28 days"),
    (('"Alpha Brigade is a faction of the Delta network"', '"Alpha Brigade is a fraction of the Delta network"'),
     (f"{FACTS_FILE}:17: evidence: quote not found in articles/mini-1.txt: 'Alpha Brigade is a fraction of the Delta "
     "network'; closest passage: 'Alpha Brigade is a faction of the Delta network'")),
    (("type: AccuseOfAggression", "type: AccuseOfAgression"),
     f"{FACTS_FILE}:34: accusations[0].type: 'AccuseOfAgression' is not allowed here; did you mean 'AccuseOfAggression'?"),
]


def broken(*changes: tuple[str, str], facts_text: str = MINI_FACTS) -> str:
    for old, new in changes:
        assert old in facts_text, old
        facts_text = facts_text.replace(old, new, 1)
    return facts_text


def check_lines(runner: CliRunner, root: Path) -> tuple[int, list[str]]:
    result = runner.invoke(main, ["check", str(root), "-q"])
    assert "Traceback" not in result.output and result.stderr == ""
    return result.exit_code, result.stdout.splitlines()


def build_lines(runner: CliRunner, root: Path, out: Path) -> tuple[int, list[str]]:
    result = runner.invoke(main, ["build", str(root), "--out", str(out), "-q"])
    assert "Traceback" not in result.output and result.stdout == ""
    assert not out.exists()
    return result.exit_code, result.stderr.splitlines()


# --------------------------------------------------------------------------- one run, every problem


def test_five_independent_mistakes_are_five_lines_of_one_run(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=broken(*(change for change, _ in FIVE)))
    expected = sorted((line for _, line in FIVE), key=lambda line: int(line.split(":")[1]))
    assert build_lines(runner, root, tmp_path / "dist") == (2, expected)
    assert check_lines(runner, root) == (2, expected)


@pytest.mark.parametrize("n", range(len(FIVE)))
def test_each_mistake_alone_is_its_one_line(runner: CliRunner, tmp_path: Path, n: int) -> None:
    """The same line with or without the others: no mistake hides or rewords another."""
    change, line = FIVE[n]
    root = write_corpus(tmp_path / "seeds", facts=broken(change))
    assert check_lines(runner, root) == (2, [line])


def test_mistakes_in_several_files_and_the_registry_are_listed_together(runner: CliRunner, tmp_path: Path) -> None:
    registry = MINI_REGISTRY.replace("    name: Gamma base", "    name: Gamma base\n    wikidata: 42")
    root = write_corpus(tmp_path / "seeds", facts=broken(FIVE[0][0]), registry=registry)
    other = broken(("id: mini-1", "id: mini-2"), ('date: "2021-05-03"', 'date: "2021-13"'))
    write_corpus(root, facts=other, registry=None, name="mini-2")
    assert check_lines(runner, root) == (2, [
        FIVE[0][1],
        "articles/mini-2.facts.yaml:27: events[0].date: '2021-13' is not a date: there is no month 13",
        "entities.yaml:16: entities[3].wikidata: expected string, got a number",
    ])


def test_a_registry_entry_with_a_mistake_keeps_its_id_known(runner: CliRunner, tmp_path: Path) -> None:
    """An article naming it is not told the id is undefined, and its own typos are still found."""
    registry = MINI_REGISTRY.replace("    type: Facility", "    type: Facilty")
    root = write_corpus(tmp_path / "seeds", facts=broken(FIVE[1][0]), registry=registry)
    assert check_lines(runner, root) == (2, [
        FIVE[1][1], "entities.yaml:14: entities[3].type: 'Facilty' is not allowed here; did you mean 'Facility'?"])
    assert build_lines(runner, root, tmp_path / "dist")[1] == check_lines(runner, root)[1]


def test_a_registry_that_lost_ids_names_its_mistake_first(runner: CliRunner, tmp_path: Path) -> None:
    """A registry that cannot be read leaves the articles' references unchecked: its mistake, at its line,
    comes before the one line that says so."""
    registry = MINI_REGISTRY.replace("    name: Delta network", "    name: [Delta network")
    root = write_corpus(tmp_path / "seeds", registry=registry)
    code, lines = build_lines(runner, root, tmp_path / "dist")
    assert code == 2 and lines[0] == "entities.yaml:10:7: YAML syntax error: did not find expected ',' or ']'"
    assert lines[1:] == [("entities.yaml: 11 reference(s) in the articles to ids the registry should define were not "
                         "checked: fix entities.yaml first")]
    assert check_lines(runner, root) == (2, lines)


def test_an_entry_without_a_readable_id_leaves_undefined_references_unchecked(runner: CliRunner, tmp_path: Path) -> None:
    text = broken(("  - id: omar-zed", "  - idd: omar-zed"))
    root = write_corpus(tmp_path / "seeds", facts=text)
    assert check_lines(runner, root) == (2, [
        f"{FACTS_FILE}:9: entities[0].idd: unknown key 'idd'; did you mean 'id'?",
        (f"{FACTS_FILE}: 2 references to ids defined nowhere not checked: entities[0] defines no readable id, "
        "which they may name; fix that first"),
    ])


def test_a_wrong_publication_date_says_which_phrases_it_left_unresolved(runner: CliRunner, tmp_path: Path) -> None:
    text = broken(('published: "2021-05-04"', 'published: "2021-02-30"'),
                  ('date: "2021-05-03"', 'date: {phrase: yesterday}'))
    root = write_corpus(tmp_path / "seeds", facts=text)
    assert check_lines(runner, root) == (2, [
        f"{FACTS_FILE}:7: article.published: '2021-02-30' is not a date: February 2021 has 28 days",
        f"{FACTS_FILE}:7: article.published: 1 date phrase relative to it not resolved: fix it first",
    ])


def test_a_missing_text_says_its_quotes_were_not_checked(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=broken(FIVE[1][0]))
    (root / "articles" / "mini-1.txt").unlink()
    assert check_lines(runner, root) == (2, [
        (f"{FACTS_FILE}:2: article.text: article text file articles/mini-1.txt does not exist; "
        "the file's 6 quotes were not checked"),
        FIVE[1][1],
    ])


def test_a_duplicate_article_id_is_found_beside_other_mistakes(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=broken(FIVE[0][0]))
    write_corpus(root, registry=None, name="mini-2")
    assert check_lines(runner, root) == (2, [
        FIVE[0][1], ("articles/mini-2.facts.yaml:2: article.id: duplicate article id 'mini-1': already used by "
                    "articles/mini-1.facts.yaml")])


# --------------------------------------------------------------------------- generated bad inputs


def test_a_control_character_is_located_in_the_file(runner: CliRunner, tmp_path: Path) -> None:
    """Not at "position 60" of "<unicode string>": the file's line and column, whatever precedes it."""
    for char, name in (("\x07", "U+0007"), ("\x00", "U+0000"), ("\x1b", "U+001B")):
        text = broken(("headline: Rockets hit", f"headline: Roçkets hit{char}"))
        root = write_corpus(tmp_path / name, facts=text)
        code, lines = build_lines(runner, root, tmp_path / "dist")
        assert (code, lines) == (2, [(f"{FACTS_FILE}:4:24: control character {name} is not allowed in YAML "
                                     "(tabs and line breaks are; no other control characters)")])
        assert check_lines(runner, root) == (2, lines)


@pytest.mark.parametrize("value", ["2.0", "1.5", "2.0e+0"])
def test_an_integer_written_as_a_decimal_is_refused(runner: CliRunner, tmp_path: Path, value: str) -> None:
    seeds = Path(shutil.copytree(SEEDS, tmp_path / "seeds"))
    path = seeds / "articles" / "000_eb2d348de878cb8c.facts.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("        occurrence: 2\n") == 1
    path.write_text(text.replace("        occurrence: 2\n", f"        occurrence: {value}\n"), encoding="utf-8")
    number = repr(float(value))
    line = text.splitlines().index("        occurrence: 2") + 1
    expected = [(f"articles/000_eb2d348de878cb8c.facts.yaml:{line}: threats[6].evidence[1].occurrence: expected "
                 f"integer, got {number}; write a whole number without a decimal point")]
    assert build_lines(runner, seeds, tmp_path / "dist") == (2, expected)
    assert check_lines(runner, seeds) == (2, expected)


def test_every_integer_field_refuses_a_decimal(runner: CliRunner, tmp_path: Path) -> None:
    text = MINI_FACTS.replace("    target: gamma-base\n", "    target: gamma-base\n    personCount: 3.0\n"
                              "    counts: [{what: rockets, exactly: 3.0, evidence: ['fired rockets']}]\n")
    root = write_corpus(tmp_path / "seeds", facts=text)
    code, lines = build_lines(runner, root, tmp_path / "dist")
    assert code == 2 and [line.split(": ", 2)[1] for line in lines] == ["events[0].personCount", "events[0].counts[0].exactly"]
    assert check_lines(runner, root) == (code, lines)


# --------------------------------------------------------------------------- the command


def test_check_of_the_seed_is_clean(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SEEDS)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "checked 7 facts files and entities.yaml: no problems\n"


def test_check_of_a_bad_file(runner: CliRunner, tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds", facts=broken(FIVE[0][0], FIVE[2][0]))
    result = runner.invoke(main, ["check", str(root)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [FIVE[0][1], FIVE[2][1]]
    assert result.stderr == "checked 1 facts file and entities.yaml: 2 problems\n"
    assert not (tmp_path / "dist").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["seeds"]


def test_check_of_a_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "nowhere")])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"{tmp_path / 'nowhere'}: no such folder\n")


def test_check_of_a_folder_without_facts(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["check", str(tmp_path / "empty")])
    assert (result.exit_code, result.stdout) == (2, f"{tmp_path / 'empty'}: no *.facts.yaml files found\n")


def test_check_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    assert "Usage: main check [OPTIONS] [SEEDS]" in result.stdout and "--quiet" in result.stdout


def test_check_reads_what_build_reads_and_writes_nothing(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "seeds")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = kgpub.check(root)
    assert result.ok and result.problems == () and result.facts_files == 1 and result.registry_file == "entities.yaml"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("case", ["yaml syntax", "unknown key", "undefined id", "duplicate id", "impossible date",
                                  "bad date", "quote not found"])
def test_check_and_build_report_the_same_lines(runner: CliRunner, tmp_path: Path, case: str) -> None:
    from test_cli import ERROR_CASES

    (old, new), message = ERROR_CASES[case]
    root = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace(old, new, 1))
    assert check_lines(runner, root) == (2, [message]) == build_lines(runner, root, tmp_path / "dist")


def test_a_check_added_to_the_list_runs_in_check_and_build(runner: CliRunner, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension point: a function of the FactsFile appended to CHECKS, and both commands report it."""
    from kgpub.corpus import checks

    def no_hedges(file: Any) -> Iterable[Diagnostic]:
        return [file.diagnostic(("events", i, "label"), "a label without the word 'attack'")
                for i, item in file.document.items("events") if "attack" not in str(item.get("label"))]

    monkeypatch.setattr(checks, "CHECKS", [*checks.CHECKS, no_hedges])
    root = write_corpus(tmp_path / "seeds", facts=broken(("label: Rocket attack", "label: Rocket fire")))
    expected = [f"{FACTS_FILE}:26: events[0].label: a label without the word 'attack'"]
    assert check_lines(runner, root) == (2, expected)
    assert build_lines(runner, root, tmp_path / "dist") == (2, expected)


def test_reading_the_seed_is_unchanged(tmp_path: Path) -> None:
    """The typed corpus comes out of the same files as before: every check passing changes nothing in it."""
    corpus = reader.load(SEEDS)
    assert [a.id for a in corpus.articles] == ["000_eb2d348de878cb8c", "dod-2020-01-02", "dod-2020-01-03",
                                               "state-2020-01-03", "state-2020-12-20", "voa-2020-01-01",
                                               "voa-2020-12-21"]
    assert kgpub.check(SEEDS).ok


def test_check_in_workers_finds_what_one_process_finds(tmp_path: Path) -> None:
    """A corpus large enough to fork: the same problems, in the same order, whatever the number of processes;
    each deliberate mistake of the generator that needs no graph is among them."""
    import json
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus as synth_corpus

    synth_corpus(tmp_path / "corpus", 40, seed=5, bad_rate=0.5)
    alone, forked = kgpub.check(tmp_path / "corpus", jobs=1), kgpub.check(tmp_path / "corpus", jobs=2)
    assert alone.problems == forked.problems and alone.facts_files == 40
    errors = json.loads((tmp_path / "corpus" / "errors.json").read_text())
    found = {Path(d.file).name.split(".")[0] for d in alone.problems}
    wanted = {e.split(":")[0] for e in errors if "accuses itself" not in e}  # that one is a SHACL shape's
    assert wanted and wanted <= found and len(found) == len(wanted)


def test_a_mistake_two_schema_rules_refuse_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    """An empty name breaks both minLength and the pattern: one mistake, one line; and the entry's id stays known."""
    root = write_corpus(tmp_path / "seeds", registry=MINI_REGISTRY.replace("    name: Alpha Brigade", '    name: ""'))
    expected = ["entities.yaml:5: entities[0].name: must not be empty"]
    assert build_lines(runner, root, tmp_path / "dist") == (2, expected)
    assert check_lines(runner, root) == (2, expected)


def test_the_dataset_description_is_checked_whole(runner: CliRunner, tmp_path: Path) -> None:
    """An unknown key no longer hides an impossible creation date of the same file."""
    dataset = (SEEDS / "dataset.yaml").read_text(encoding="utf-8")
    assert 'created: "2026-11-24"' in dataset
    dataset = dataset.replace('created: "2026-11-24"', 'created: "2026-02-30"\nlicence: CC-BY')
    root = write_corpus(tmp_path / "seeds", dataset=dataset)
    code, lines = build_lines(runner, root, tmp_path / "dist")
    assert code == 2 and [line.split(": ", 2)[1] for line in lines] == ["created", "licence"], lines
    assert check_lines(runner, root) == (code, lines)
