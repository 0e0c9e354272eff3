"""Regression tests for the holes a hostile or careless input opened, each named after its defect."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgpub
from kgpub.cli import main


class _Payload:
    """Unpickling this runs a command: what a crafted manifest.pickle in a build folder would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_defect_01_a_crafted_cache_pickle_is_never_unpickled(seeds_copy: Path, tmp_path: Path) -> None:
    """A build folder holding a crafted .cache/manifest.pickle (or layout.pickle, or a unit in units.log) is a
    cache miss: nothing in it is unpickled that this user's kgpub did not seal."""
    out = tmp_path / "dist"
    assert kgpub.build(seeds_copy, out).written
    cache = out / ".cache"
    for name in ("manifest.pickle", "layout.pickle"):
        marker = tmp_path / f"pwned-{name}"
        original = (cache / name).read_bytes()
        crafted = pickle.dumps((_Payload(marker), {}, {}))
        for blob in (crafted, os.urandom(32) + crafted, original[:32] + crafted):  # raw, a guessed MAC, a copied one
            (cache / name).write_bytes(blob)
            result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(out), "-q"])
            assert result.exit_code == 0, result.stderr
            assert not marker.exists(), f"{name}: the payload ran"
            assert "Traceback" not in result.stderr
    # a unit in the log replaced under a genuine manifest: its hash no longer matches, so it is never read
    marker = tmp_path / "pwned-unit"
    log = cache / "units.log"
    log.write_bytes(pickle.dumps(_Payload(marker)).ljust(len(log.read_bytes()), b"\0"))
    facts = seeds_copy / "articles" / "000_eb2d348de878cb8c.facts.yaml"
    os.utime(facts)  # force the rebuild to look at the cache again
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(out), "-q"])
    assert result.exit_code == 0 and not marker.exists()


def test_defect_01_the_cache_secret_lives_outside_the_build(tmp_path: Path) -> None:
    """The key is the user's, made once, readable by the user only, never in a build folder."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    env.pop("KGPUB_CACHE_SECRET", None)
    code = "from kgpub.cache import cache_secret; print(cache_secret().hex())"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    secret = tmp_path / "state" / "kgpub" / "cache-secret"
    assert first == again and len(first.strip()) == 64
    assert oct(secret.stat().st_mode & 0o777) == "0o600"


SEED_FACTS = "articles/000_eb2d348de878cb8c.facts.yaml"


def _text(seeds: Path, value: str) -> None:
    facts = seeds / SEED_FACTS
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("  text: 000_eb2d348de878cb8c.txt", f"  text: {value!r}"), encoding="utf-8")


@pytest.mark.parametrize(("value", "expected"), [
    ("../../../../../../etc/passwd", "lies outside the seeds folder (symlinks resolved); article texts must be inside it"),
    ("/etc/hostname", "lies outside the seeds folder (symlinks resolved); article texts must be inside it"),
    ("link-out.txt", "lies outside the seeds folder (symlinks resolved); article texts must be inside it"),
    ("a-fifo.txt", "is not a regular file (a folder, a device or a pipe); name the article's text file"),
    ("a-folder", "is not a regular file (a folder, a device or a pipe); name the article's text file"),
    ("loop.txt", "cannot be resolved (a symlink loop?)"),
])
def test_defect_02_article_texts_must_be_regular_files_inside_the_seeds_folder(
        seeds_copy: Path, tmp_path: Path, value: str, expected: str) -> None:
    articles = seeds_copy / "articles"
    (tmp_path / "secret.txt").write_text("the password is hunter2")
    (articles / "link-out.txt").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(articles / "a-fifo.txt")
    (articles / "a-folder").mkdir()
    (articles / "loop.txt").symlink_to(articles / "loop.txt")
    _text(seeds_copy, value)
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 2 and not out.exists()
    line = [ln for ln in result.stderr.splitlines() if "article.text" in ln]
    assert line == [f"{SEED_FACTS}:10: article.text: {value!r} {expected}"], result.stderr
    assert "hunter2" not in result.output and "root:" not in result.output and "Traceback" not in result.output
