"""The documentation's examples do what it says: the first query's rows (docs/querying.md), the seed's figures
(docs/seed.md), and the Fuseki commands of docs/stores.md, run as written against the real Fuseki they start."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SEEDS, require

from kgpub.cli import main

DOCS = ROOT / "docs"


def _section(page: str, title: str) -> str:
    """The section ``title`` of ``docs/PAGE``: from its heading to the next one of the same level."""
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_the_first_example_query_gives_each_victim_once(seed_build: Path) -> None:
    line = next(line for line in _section("querying.md", "Querying").splitlines() if line.startswith("kgpub query '"))
    args = shlex.split(line)[1:]
    result = CliRunner().invoke(main, [*args, "--data", str(seed_build), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert sorted(rows) == ["Abu Mahdi al-Muhandis,Baghdad", "Qasem Soleimani,Baghdad"]  # not each twice


def _evidence(node: object) -> int:
    if isinstance(node, dict):
        return sum(len(v) if k == "evidence" else _evidence(v) for k, v in node.items())
    if isinstance(node, list):
        return sum(_evidence(item) for item in node)
    return 0


def test_the_seed_table_counts_what_the_facts_hold(seed_build: Path) -> None:
    """Each article's row: own entities, events, reports of shared events, accusations, threats, statements,
    relations, then quotes; the quotes of all the rows are the graph's quote selectors."""
    total = 0
    seed_page = _section("seed.md", "The seed")
    paths = sorted((SEEDS / "articles").glob("*.facts.yaml"))
    assert len(paths) == 7
    for path in paths:
        facts = yaml.safe_load(path.read_text(encoding="utf-8"))
        article = path.name[: -len(".facts.yaml")]
        row = next(line for line in seed_page.splitlines() if line.startswith(f"| `{article}` "))
        cells = [c.strip() for c in row.split("|")]
        counts = [int(n) for n in cells[3].split(", ")]
        events = facts.get("events", [])
        assert counts == [len(facts.get("entities", [])), sum("report" not in e for e in events),
                          sum("report" in e for e in events), len(facts.get("accusations", [])),
                          len(facts.get("threats", [])), len(facts.get("statements", [])),
                          len(facts.get("relations", []))], article
        assert int(cells[4]) == _evidence(facts), article
        total += int(cells[4])
    quotes = CliRunner().invoke(main, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a oa:TextQuoteSelector }",
                                       "--data", str(seed_build), "--format", "csv"])
    assert quotes.stdout.split() == ["n", str(total)]


@pytest.mark.integration
@pytest.mark.slow
def test_the_fuseki_commands_work_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line of the block, in order, in an empty folder beside the clone's .cache and seeds; the port
    is a free one instead of 3030 (the flavor then given, as the port no longer says it)."""
    import shutil

    from servers import free_port, stop, wait_until_ready

    require(shutil.which("java"), "Java (Debian default-jdk-headless)")
    block = _section("stores.md", "Loading into a triple store").split("```sh\n", 1)[1].split("```", 1)[0]
    port = str(free_port())
    (tmp_path / ".cache").symlink_to(ROOT / ".cache")
    (tmp_path / "seeds").symlink_to(SEEDS)
    monkeypatch.chdir(tmp_path)
    server = None
    outputs = []
    try:
        for line in block.splitlines():
            words = shlex.split(line.replace("3030", port), comments=True)
            background = words[-1:] == ["&"]
            words = [w for w in words if w != "&"]
            if words[:2] == ["bash", "scripts/java-deps.sh"]:
                require((ROOT / ".cache" / "java" / "jena-fuseki-server-5.6.0.jar").is_file(),
                        "the Fuseki jar (bash scripts/java-deps.sh)")
            elif words[0] == "java":
                assert background
                server = subprocess.Popen(words, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wait_until_ready(f"http://127.0.0.1:{port}/ds/sparql?query=ASK%7B%7D", server, timeout=90)
            elif words[0] == "kgpub":
                args = words[1:] + (["--flavor", "fuseki"] if words[1] == "load" else [])
                result = CliRunner().invoke(main, args)
                assert result.exit_code == 0, (line, result.output)
                outputs.append(result.stdout)
            else:
                assert subprocess.run(words, check=False).returncode == 0, line
        load_lines = [line for line in block.splitlines() if line.startswith("kgpub load")]
        assert len(load_lines) == 2 and "--dry-run" in load_lines[0]
        dry, loaded, answer = outputs[-3:]
        assert dry.splitlines()[-1].startswith("would send 18 of 18 graphs")
        assert loaded.splitlines()[-1].startswith("sent 18 of 18 graphs") and "MISMATCH" not in loaded
        assert answer.startswith("| accuser | accused |")
        again = CliRunner().invoke(main, ["load", f"http://127.0.0.1:{port}/ds", "--flavor", "fuseki"])
        assert again.stdout.splitlines()[-1].startswith("sent 0 of 18 graphs")  # as docs/stores.md says
        assert (tmp_path / "fuseki-data").is_dir()
    finally:
        if server is not None:
            stop(server)
