"""Shared fixtures: the seed build, and small inline corpora for unit tests; and a home folder of the session's own."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

#: The user's real home folder, which no test and no process a test starts may write into.
REAL_HOMES = frozenset(str(Path(home).resolve()) for home in (os.environ.get("HOME"), pwd.getpwuid(os.getuid()).pw_dir)
                       if home)
#: The session's own home: HOME and the XDG folders point here for the whole run, subprocesses included, so the
#: build cache's sealing key (``$XDG_STATE_HOME/kgpub``), ``~/.netrc`` and any tool's dotfiles are the session's.
SESSION_HOME = Path(tempfile.mkdtemp(prefix="kgpub-tests-home-"))
HOME_VARIABLES = {"HOME": SESSION_HOME, "XDG_STATE_HOME": SESSION_HOME / ".local" / "state",
                  "XDG_CACHE_HOME": SESSION_HOME / ".cache", "XDG_CONFIG_HOME": SESSION_HOME / ".config",
                  "XDG_DATA_HOME": SESSION_HOME / ".local" / "share"}
for _name, _path in HOME_VARIABLES.items():
    _path.mkdir(parents=True, exist_ok=True)
    os.environ[_name] = str(_path)  # set before kgpub is imported, so nothing reads the real home first
os.environ.pop("KGPUB_CACHE_SECRET", None)  # the key is the session's file, never one given from outside

import kgpub  # noqa: E402
from kgpub.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"

MINI_TEXT = (
    "BAGHDAD — Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021, "
    "officials said. The Beta government accused Alpha Brigade of the attack. "
    "Commander Omar Zed warned: “We will strike again.” Alpha Brigade denied it. "
    "Officials said Alpha Brigade is a faction of the Delta network."
)

MINI_REGISTRY = """
entities:
  - id: alpha-brigade
    type: ArmedGroup
    name: Alpha Brigade
    aliases: [Alpha]
  - id: delta-network
    type: ArmedGroup
    name: Delta network
  - id: beta-government
    type: Government
    name: Beta government
  - id: gamma-base
    type: Facility
    name: Gamma base
  - id: news-co
    type: Organization
    name: News Co
    wikidata: Q1
"""

MINI_FACTS = """
article:
  id: mini-1
  headline: Rockets hit Gamma base
  publisher: news-co
  language: en
  published: "2021-05-04"
entities:
  - id: omar-zed
    type: Person
    name: Omar Zed
    evidence: ["Commander Omar Zed"]
relations:
  - subject: alpha-brigade
    predicate: partOf
    object: delta-network
    evidence: ["Alpha Brigade is a faction of the Delta network"]
  - subject: omar-zed
    predicate: memberOf
    object: alpha-brigade
    role: commander
    evidence: ["Commander Omar Zed"]
events:
  - id: rocket-attack
    type: ShellingMissileAttack
    label: Rocket attack on the Gamma base
    date: "2021-05-03"
    place: gamma-base
    agent: alpha-brigade
    target: gamma-base
    evidence: ["Alpha Brigade fighters fired rockets at the Gamma base on 3 May 2021"]
accusations:
  - id: beta-accuses-alpha
    type: AccuseOfAggression
    accuser: beta-government
    accused: alpha-brigade
    concerns: rocket-attack
    allegation: carrying out the rocket attack
    claims:
      - {subject: rocket-attack, predicate: agent, object: alpha-brigade}
    evidence: ["The Beta government accused Alpha Brigade of the attack"]
threats:
  - id: zed-threat
    type: ThreatenMilitaryForce
    threatener: omar-zed
    threatened: beta-government
    evidence: ["“We will strike again.”"]
"""


def write_corpus(root: Path, facts: str = MINI_FACTS, registry: str | None = MINI_REGISTRY,
                 text: str = MINI_TEXT, name: str = "mini-1", dataset: str | None = None) -> Path:
    """Write a small seeds folder: registry, one article text and its facts file."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    if registry is not None:
        (root / "entities.yaml").write_text(textwrap.dedent(registry), encoding="utf-8")
    if dataset is not None:
        (root / "dataset.yaml").write_text(textwrap.dedent(dataset), encoding="utf-8")
    (root / "articles" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "articles" / f"{name}.facts.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return root


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A valid one-article seeds folder."""
    return write_corpus(tmp_path / "seeds")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def built(runner: CliRunner, mini: Path, tmp_path: Path) -> Path:
    """The small corpus built through the CLI."""
    out = tmp_path / "dist"
    assert runner.invoke(main, ["build", str(mini), "--out", str(out), "-q"]).exit_code == 0
    return out


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus built once for the whole session."""
    out = tmp_path_factory.mktemp("seed") / "dist"
    kgpub.build(SEEDS, out)
    return out


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seeds folder a test may break."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(found: object, what: str) -> None:
    """Skip, saying why, when a tool or server is missing; in CI, fail instead: nothing skips silently there."""
    if not found:
        if in_ci():
            pytest.fail(f"{what} is required in CI; scripts/test.sh installs it")
        pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A Virtuoso server on 127.0.0.1; skipped with a reason where not installed, required in CI."""
    import shutil as _shutil

    from servers import start_virtuoso, stop

    require(_shutil.which("virtuoso-t"), "Virtuoso (Debian virtuoso-opensource)")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.process)


#: Single slow tests in files whose other tests are quick (a file all of whose tests are slow says so itself,
#: with a module-level ``pytestmark = pytest.mark.slow``): file, test name (without parameters), and why.
SLOW_TESTS = {
    ("test_security.py", "test_fault_a_full_disk_at_any_point_loses_no_build"): "a build cut at every write",
    ("test_security.py", "test_fault_a_full_disk_during_a_patched_build"): "patched builds on a full disk",
    ("test_security.py", "test_defect_08_sigkill_at_any_point_of_a_build_loses_no_build"): "a build killed many times",
    ("test_security.py", "test_defect_08_two_builds_at_once_into_one_folder"): "concurrent builds",
    ("test_merge.py", "test_the_old_iri_answers_in_kgpub_serve"): "a running kgpub serve",
    ("test_hostile_values.py", "test_a_store_whose_count_is_not_a_number_fails_the_check"): "a real Oxigraph",
    ("test_hostile_values.py", "test_the_count_check_passes_plain_counts"): "a real Oxigraph",
    ("test_outputs.py", "test_a_site_out_that_is_a_symlink_is_written_through"): "the seed site",
    ("test_report_conflicts.py", "test_compiled_checks_and_pyshacl_agree_on_report_conflicts"): "pySHACL",
    ("test_security.py", "test_defect_01_a_crafted_cache_pickle_is_never_unpickled"): "several builds",
    ("test_security.py", "test_fault_a_read_only_output_is_refused_and_still_queried"): "a small disk, several builds",
    ("test_security.py", "test_defect_06_a_trickling_server_meets_the_deadline"): "waits out a deadline",
    ("test_security.py", "test_defect_06_a_local_query_has_a_time_limit"): "waits out a time limit",
    ("test_security.py", "test_defect_07_a_local_query_has_a_memory_limit"): "fills a memory limit",
    ("test_cli_contract.py", "test_load_on_an_unreachable_store_exits_3"): "waits out the retries",
    ("test_query.py", "test_every_shipped_query_is_documented_and_answers"): "every shipped query",
    ("test_query.py", "test_named_graphs_join_the_index_on_the_first_query_that_reads_them"): "several builds",
    ("test_changelog.py", "test_the_changeset_takes_a_store_from_one_release_to_the_next"): "two releases built",
    ("test_seed.py", "test_build_is_byte_identical_across_runs_and_hash_seeds"): "builds under several hash seeds",
    ("test_shards.py", "test_shards_of_a_synthetic_corpus_merged_are_the_single_build"): "300 articles built twice",
    ("test_shards.py", "test_shards_on_a_local_dask_cluster_give_the_single_build"): "a Dask cluster",
    ("test_shards.py", "test_shards_on_a_running_dask_scheduler_give_the_single_build"): "a Dask cluster",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark SLOW_TESTS slow; an entry whose file was collected but whose test was not is an error, so a renamed
    test cannot silently slip back into the inner loop."""
    files = {item.path.name for item in items}
    found = set()
    for item in items:
        key = (item.path.name, getattr(item, "originalname", item.name))
        if key in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
            found.add(key)
    if not config.getoption("keyword") and not config.getoption("markexpr"):
        missing = [f"{file}::{name}" for file, name in SLOW_TESTS if file in files and (file, name) not in found]
        if missing:
            raise pytest.UsageError(f"conftest.SLOW_TESTS names tests that do not exist: {', '.join(missing)}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The session's home goes with the session."""
    shutil.rmtree(SESSION_HOME, ignore_errors=True)


#: Lines the run's closing summary shows (counts that tests report: the bad-input corpus's size, ...).
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Which real servers the run started, and how often: the log shows what the tests ran against."""
    from collections import Counter

    from servers import STARTED

    if SUMMARY:
        terminalreporter.section("counts")
        for line in SUMMARY:
            terminalreporter.write_line(line)

    if STARTED:
        terminalreporter.section("servers started on 127.0.0.1")
        for what, times in sorted(Counter(STARTED).items()):
            terminalreporter.write_line(f"{times:>3} x {what}")
