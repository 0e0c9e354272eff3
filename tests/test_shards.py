"""A build in shards (``kgpub build --shard I/N`` then ``kgpub merge``, or ``--shards N --dask``) writes the very
bytes a single build writes: every file of the build folder, the cache's manifest, units and layouts included.

The one exception is the query index's RocksDB folder (``.index/``), which two single builds of the same
corpus do not write alike either (file numbers, identities, timestamps): there the merged build must hold
the same quads, and ``meta.json`` the same files of the same sizes.  The checks that need the whole corpus
(an article id used twice, the SHACL shapes on the whole graph) run at the merge, exactly as in a single
build; every bad input is one line, exit 2, and nothing written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI_FACTS, ROOT, SEEDS, write_corpus

import kgpub
from kgpub.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_corpus as write_synthetic  # noqa: E402

BAD_VICTIM = MINI_FACTS.replace("    target: gamma-base\n", "    target: gamma-base\n    victim: gamma-base\n")


def shard_of(facts_file: str, shards: int) -> int:
    """The documented rule, written out here again: sha256 of the facts file's path in the seeds folder, mod N."""
    return int(hashlib.sha256(facts_file.encode("utf-8")).hexdigest(), 16) % shards


def files_of(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def index_quads(folder: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(folder / ".index" / "store"))
    return sorted(str(q) for q in store.quads_for_pattern(None, None, None, None))


def index_meta(folder: Path) -> dict[str, object]:
    """``meta.json`` without the modification times it records of the files (each build's own)."""
    meta = json.loads((folder / ".index" / "meta.json").read_text())
    meta["key"] = {name: value[0] if isinstance(value, list) else value for name, value in meta["key"].items()}
    return meta


def assert_same_build(single: Path, merged: Path) -> None:
    """Every file byte for byte, but the query index's RocksDB files, compared by what they hold."""
    ours, theirs = files_of(single), files_of(merged)
    assert ".cache/manifest.pickle" in ours and ".cache/units.log" in ours and "kg.trig" in ours
    assert sorted(ours) != [] and [n for n in ours if not n.startswith(".index/")] == \
        [n for n in theirs if not n.startswith(".index/")]
    for name, path in ours.items():
        if not name.startswith(".index/"):
            assert path.read_bytes() == theirs[name].read_bytes(), name
    assert index_meta(single) == index_meta(merged)
    quads = index_quads(single)
    assert len(quads) > 1000 and quads == index_quads(merged)


def settle(corpus: Path) -> None:
    """Wait until every file of ``corpus`` is older than the cache's racy window (2 s), so each build records
    the same sizes and times of them whenever it runs."""
    newest = max(max(p.stat().st_mtime, p.stat().st_ctime) for p in corpus.rglob("*") if p.is_file())
    time.sleep(max(0.0, newest + 2.2 - time.time()))


def build_parts(seeds: Path, tmp_path: Path, shards: int, *args: str) -> list[Path]:
    parts = []
    for index in range(shards):
        part = tmp_path / f"part-{index}"
        result = CliRunner().invoke(main, ["build", str(seeds), "--shard", f"{index}/{shards}", "-o", str(part), *args])
        assert result.exit_code == 0, result.output
        assert f"built shard {index}/{shards}:" in result.stdout
        parts.append(part)
    return parts


def facts_files(seeds: Path) -> list[str]:
    return sorted(p.relative_to(seeds).as_posix() for p in seeds.rglob("*.facts.yaml"))


# --------------------------------------------------------------------------- the same bytes


def test_four_shards_of_the_seeds_merged_are_the_single_build(tmp_path: Path) -> None:
    single = tmp_path / "single"
    assert CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(single), "-q"]).exit_code == 0
    parts = build_parts(SEEDS, tmp_path, 4)
    # each part holds the articles the documented rule gives it, and no whole-graph file
    held = {}
    for index, part in enumerate(parts):
        info = json.loads((part / "part.json").read_text())
        assert info["shard"] == index and info["shards"] == 4
        assert info["facts"] == [f for f in facts_files(SEEDS) if shard_of(f, 4) == index]
        held.update(dict.fromkeys(info["facts"], index))
        assert not (part / "kg.trig").exists() and not (part / ".index").exists()
    assert sorted(held) == facts_files(SEEDS) and len(set(held.values())) >= 3
    merged = tmp_path / "merged"
    result = CliRunner().invoke(main, ["merge", *map(str, reversed(parts)), "-o", str(merged)])  # any order
    assert result.exit_code == 0, result.output
    assert "built 7 articles" in result.stdout
    assert_same_build(single, merged)
    # the merged build is a build like any other: queried, and a rebuild into it reuses every article
    query = CliRunner().invoke(main, ["query", "ASK { ?s a kg:Accusation }", "--data", str(merged)])
    assert query.exit_code == 0 and "true" in query.stdout
    again = kgpub.build(SEEDS, merged)
    assert again.reused == 7


def test_shards_of_a_synthetic_corpus_merged_are_the_single_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_synthetic(corpus, 300, seed=11)
    settle(corpus)
    single = kgpub.build(corpus, tmp_path / "single")
    assert single.written and single.articles == 300
    parts = [tmp_path / f"part-{i}" for i in range(4)]
    sizes = [kgpub.build(corpus, part, shard=(i, 4)).articles for i, part in enumerate(parts)]
    assert sum(sizes) == 300 and min(sizes) > 40  # the hash spreads the articles
    merged = kgpub.merge(parts, tmp_path / "merged")
    assert merged.written and merged.triples == single.triples and merged.report is not None
    assert merged.report.results == single.report.results  # type: ignore[union-attr]
    assert_same_build(tmp_path / "single", tmp_path / "merged")


def test_one_shard_is_the_whole_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "seeds")
    kgpub.build(corpus, tmp_path / "single")
    kgpub.build(corpus, tmp_path / "part", shard="0/1")
    kgpub.merge([tmp_path / "part"], tmp_path / "merged")
    assert_same_build(tmp_path / "single", tmp_path / "merged")


def test_a_shard_may_hold_no_article(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "seeds")
    mine = shard_of("articles/mini-1.facts.yaml", 3)
    results = [kgpub.build(corpus, tmp_path / f"p{i}", shard=(i, 3)) for i in range(3)]
    assert [r.articles for r in results] == [int(i == mine) for i in range(3)]
    kgpub.build(corpus, tmp_path / "single")
    kgpub.merge([tmp_path / f"p{i}" for i in range(3)], tmp_path / "merged")
    assert_same_build(tmp_path / "single", tmp_path / "merged")


# --------------------------------------------------------------------------- on Dask


def test_shards_on_a_local_dask_cluster_give_the_single_build(tmp_path: Path) -> None:
    kgpub.build(SEEDS, tmp_path / "single")
    merged = kgpub.build(SEEDS, tmp_path / "dask", shards=4, dask="local")
    assert merged.written and merged.articles == 7
    assert_same_build(tmp_path / "single", tmp_path / "dask")


def test_shards_on_a_running_dask_scheduler_give_the_single_build(tmp_path: Path) -> None:
    """A cluster started apart (processes on 127.0.0.1), reached by its scheduler's address as a real one is."""
    import logging

    from distributed import LocalCluster

    corpus = tmp_path / "corpus"
    write_synthetic(corpus, 60, seed=5)
    settle(corpus)
    kgpub.build(corpus, tmp_path / "single")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = CliRunner().invoke(main, ["build", str(corpus), "--shards", "3", "--dask", cluster.scheduler_address,
                                           "-o", str(tmp_path / "dask")])
    assert result.exit_code == 0, result.output
    assert "built 60 articles" in result.stdout
    assert_same_build(tmp_path / "single", tmp_path / "dask")


def test_without_dask_installed_the_option_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--shards", "2", "--dask", "local", "-o", str(tmp_path / "d")])
    one_line(result)
    assert "pip install 'kgpub[dask]'" in result.stderr
    assert not (tmp_path / "d").exists()


# --------------------------------------------------------------------------- whole-corpus checks at the merge


def test_a_graph_that_breaks_the_shapes_passes_its_shard_and_stops_the_merge(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "seeds", facts=BAD_VICTIM)
    single = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path / "single")])
    assert single.exit_code == 1 and "Violation: kg:victim" in single.stderr
    parts = build_parts(corpus, tmp_path, 2)  # a shard checks its articles alone: no shapes
    merged = CliRunner().invoke(main, ["merge", *map(str, parts), "-o", str(tmp_path / "merged")])
    assert merged.exit_code == 1
    assert merged.stderr == single.stderr.replace(str(tmp_path / "single"), str(tmp_path / "merged"))
    assert not (tmp_path / "merged").exists()


def test_an_article_id_used_in_two_shards_stops_the_merge_as_it_stops_a_build(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "seeds")
    other = next(n for n in (f"copy-{i}" for i in range(100))
                 if shard_of(f"articles/{n}.facts.yaml", 2) != shard_of("articles/mini-1.facts.yaml", 2))
    write_corpus(corpus, name=other)  # the same facts, id mini-1, in a file of the other shard
    single = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path / "single")])
    assert single.exit_code == 2 and "duplicate article id 'mini-1'" in single.stderr
    parts = build_parts(corpus, tmp_path, 2)
    merged = CliRunner().invoke(main, ["merge", *map(str, parts), "-o", str(tmp_path / "merged")])
    assert merged.exit_code == 2
    assert merged.stderr == single.stderr
    assert not (tmp_path / "merged").exists()


def test_an_article_s_own_mistake_stops_its_shard(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "seeds", facts=MINI_FACTS.replace("agent: alpha-brigade", "agent: nobody"))
    single = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path / "single")])
    assert single.exit_code == 2
    index = shard_of("articles/mini-1.facts.yaml", 2)
    shard = CliRunner().invoke(main, ["build", str(corpus), "--shard", f"{index}/2", "-o", str(tmp_path / "part")])
    assert shard.exit_code == 2 and shard.stderr == single.stderr
    assert not (tmp_path / "part").exists()


# --------------------------------------------------------------------------- bad input: one line, exit 2, nothing written


def one_line(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.parametrize("spec, says", [("3/2", "shard I of 2 is 0 to 1"), ("2/2", "shard I of 2 is 0 to 1"),
                                        ("0/0", "must be at least 1"), ("1", "write it as I/N"),
                                        ("-1/2", "write it as I/N"), ("a/b", "write it as I/N")])
def test_a_bad_shard_is_one_line(spec: str, says: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--shard", spec, "-o", str(tmp_path / "p")])
    one_line(result)
    assert result.stderr.startswith(f"--shard {spec}") and says in result.stderr
    assert not (tmp_path / "p").exists()


def test_the_library_refuses_a_bad_shard_alike(tmp_path: Path) -> None:
    for shard in [(3, 2), (0, 0), (1, -1), (True, 2), "3/2"]:
        with pytest.raises(kgpub.KgpubError):
            kgpub.build(SEEDS, tmp_path / "p", shard=shard)  # type: ignore[arg-type]
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("args, says", [
    (["--shards", "2"], "--shards N and --dask SCHEDULER go together"),
    (["--dask", "local"], "--shards N and --dask SCHEDULER go together"),
    (["--shard", "0/2", "--shards", "2", "--dask", "local"], "give one or the other"),
    (["--shards", "0", "--dask", "local"], "--shards 0: the number of shards must be at least 1"),
])
def test_bad_shard_options_are_one_line(args: list[str], says: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(SEEDS), *args, "-o", str(tmp_path / "out")])
    one_line(result)
    assert says in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def seed_parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeds in 3 shards, made once for the refusals below (which never change them)."""
    root = tmp_path_factory.mktemp("parts")
    return [kgpub.build(SEEDS, root / f"p{i}", shard=(i, 3)).out_dir for i in range(3)]


def merge(*args: object) -> object:
    return CliRunner().invoke(main, ["merge", *map(str, args)])


def test_a_missing_shard_is_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    result = merge(seed_parts[0], seed_parts[2], "-o", tmp_path / "out")
    one_line(result)
    assert result.stderr.strip() == "missing shard 1/3: a merge joins every shard of 3"  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_a_shard_given_twice_is_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    again = tmp_path / "again"
    kgpub.build(SEEDS, again, shard=(1, 3))
    result = merge(*seed_parts, again, "-o", tmp_path / "out")
    one_line(result)
    assert f"{again}: shard 1/3 given twice (also {seed_parts[1]}); the shards overlap" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_shards_of_another_split_are_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    other = tmp_path / "of-two"
    kgpub.build(SEEDS, other, shard=(1, 2))
    result = merge(seed_parts[0], other, "-o", tmp_path / "out")
    one_line(result)
    assert f"{other}: shard 1/2, but {seed_parts[0]} is a shard of 3" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_shards_of_another_corpus_are_refused(seed_parts: list[Path], seeds_copy: Path, tmp_path: Path) -> None:
    registry = seeds_copy / "entities.yaml"
    registry.write_text(registry.read_text() + "\n", encoding="utf-8")
    other = tmp_path / "other"
    kgpub.build(seeds_copy, other, shard=(2, 3))
    result = merge(seed_parts[0], seed_parts[1], other, "-o", tmp_path / "out")
    one_line(result)
    assert f"{other}: a shard of another corpus than {seed_parts[0]}" in result.stderr  # type: ignore[attr-defined]
    # one more article in the corpus: another corpus too
    shutil.copy(SEEDS / "entities.yaml", registry)
    (seeds_copy / "articles" / "extra.facts.yaml").write_bytes(
        (seeds_copy / "articles" / "voa-2020-01-01.facts.yaml").read_bytes())
    kgpub.build(seeds_copy, other, shard=(2, 3))
    one_line(merge(seed_parts[0], seed_parts[1], other, "-o", tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_shards_built_with_other_options_are_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    other = tmp_path / "other"
    kgpub.build(SEEDS, other, shard=(2, 3), base="https://example.org/id/")
    result = merge(*seed_parts[:2], other, "-o", tmp_path / "out")
    one_line(result)
    assert f"{other}: built with other options than {seed_parts[0]} (IRI base" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_shards_of_another_kgpub_are_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(seed_parts[2], other)
    info = json.loads((other / "part.json").read_text())
    info.update(kgpub="0.0.9", code=hashlib.sha256(b"older code").hexdigest())
    (other / "part.json").write_text(json.dumps(info))
    result = merge(*seed_parts[:2], other, "-o", tmp_path / "out")
    one_line(result)
    assert f"{other}: made by another kgpub (version 0.0.9" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_a_merge_validating_with_other_shapes_is_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    shapes = Path(shutil.copytree(ROOT / "shapes", tmp_path / "shapes"))
    first = sorted(shapes.glob("*.ttl"))[0]
    first.write_text(first.read_text() + "\n# changed\n")
    result = merge(*seed_parts, "--shapes", shapes, "-o", tmp_path / "out")
    one_line(result)
    assert "built for other shapes than this merge validates with" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_what_is_no_part_is_refused(seed_parts: list[Path], tmp_path: Path) -> None:
    single = tmp_path / "single"
    kgpub.build(SEEDS, single)
    cases = [(tmp_path / "nowhere", "no such part folder"), (single, "not a partial build (no part.json)"),
             (SEEDS / "entities.yaml", "not a folder")]
    for path, says in cases:
        result = merge(*seed_parts, path, "-o", tmp_path / "out")
        one_line(result)
        assert result.stderr.startswith(f"{path}: ") and says in result.stderr, result.stderr  # type: ignore[attr-defined]
    garbled = Path(shutil.copytree(seed_parts[0], tmp_path / "garbled"))
    (garbled / "part.json").write_text("{not json")
    result = merge(garbled, *seed_parts[1:], "-o", tmp_path / "out")
    one_line(result)
    assert "is not a part this kgpub reads" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()
    # a build's commands refuse a part, saying what it is
    query = CliRunner().invoke(main, ["query", "ASK {}", "--data", str(seed_parts[0])])
    one_line(query)
    assert "a partial build (one shard of a corpus); join the shards with 'kgpub merge" in query.stderr


def test_a_part_another_key_sealed_is_never_unpickled(seed_parts: list[Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGPUB_CACHE_SECRET", "another machine's key")
    result = merge(*seed_parts, "-o", tmp_path / "out")
    one_line(result)
    assert f"{seed_parts[0]}: part.units was not sealed with this user's cache key" in result.stderr  # type: ignore[attr-defined]
    assert "KGPUB_CACHE_SECRET" in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_a_merge_never_writes_over_one_of_its_parts(seed_parts: list[Path], tmp_path: Path) -> None:
    parts = [Path(shutil.copytree(p, tmp_path / p.name)) for p in seed_parts]
    result = merge(*parts, "-o", parts[1])
    one_line(result)
    assert "is one of the shards being merged" in result.stderr  # type: ignore[attr-defined]
    assert (parts[1] / "part.json").is_file()


def test_a_part_is_replaced_whole_and_only_into_a_build_folder(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--shard", "0/2", "-o", str(taken)])
    one_line(result)
    assert (taken / "notes.txt").read_text() == "mine"
    part = tmp_path / "part"
    kgpub.build(SEEDS, part, shard=(0, 2))
    kgpub.build(SEEDS, part, shard=(1, 2))  # the folder is a build's: replaced whole
    assert json.loads((part / "part.json").read_text())["shard"] == 1
