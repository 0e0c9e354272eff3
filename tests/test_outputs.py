"""Every option that writes a file: '-' is standard output, a regular file (or a new path) is replaced
atomically, and whatever else stands at the path (a symlink, a FIFO, a device) is written through or refused
with one line, never replaced by a regular file.  All in a temporary folder, never under /dev."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from kgpub.cli import main
from kgpub.errors import OutputError
from kgpub.execution import write_atomically
from kgpub.rdf import vocab
from hypothesis import given
from hypothesis import strategies as st

QUERY = "SELECT ?name WHERE { ?e kg:agent/rdfs:label ?name }"


@pytest.fixture
def here(tmp_path: Path) -> Path:
    """A folder of its own beside the build, to see that nothing is left in it."""
    folder = tmp_path / "here"
    folder.mkdir()
    return folder


def _query(built: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["query", "--data", str(built), QUERY, "-f", "json", *args])


def test_dash_is_standard_output(built: Path, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(here)
    result = _query(built, "-o", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["head"]["vars"] == ["name"]
    assert not (here / "-").exists()


def test_dot_slash_dash_is_a_file_named_dash(built: Path, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(here)
    result = _query(built, "-o", "./-")
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads((here / "-").read_text())["head"]["vars"] == ["name"]


def test_a_symlink_is_followed_not_replaced(built: Path, here: Path) -> None:
    target, link = here / "real.json", here / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    result = _query(built, "-o", str(link))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["head"]["vars"] == ["name"]
    assert sorted(p.name for p in here.iterdir()) == ["link.json", "real.json"]  # nothing left beside it


def test_a_dangling_symlink_makes_its_target(built: Path, here: Path) -> None:
    link = here / "link.json"
    link.symlink_to(here / "new.json")
    assert _query(built, "-o", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads((here / "new.json").read_text())["head"]["vars"] == ["name"]


@pytest.mark.parametrize("through_link", [False, True])
def test_a_fifo_is_written_through(built: Path, here: Path, through_link: bool) -> None:
    fifo = here / "pipe"
    os.mkfifo(fifo)
    path = fifo
    if through_link:
        path = here / "link"
        path.symlink_to(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = _query(built, "-o", str(path))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert json.loads(received[0])["head"]["vars"] == ["name"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a regular file put in its place
    assert sorted(p.name for p in here.iterdir()) == (["link", "pipe"] if through_link else ["pipe"])


def test_a_character_device_is_written_through(built: Path, here: Path) -> None:
    """A symlink in the temporary folder to the null device (the device itself is only read, never replaced)."""
    link = here / "null"
    link.symlink_to(os.devnull)
    result = _query(built, "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_a_folder_is_refused_with_one_line(built: Path, here: Path) -> None:
    folder = here / "answers"
    folder.mkdir()
    result = _query(built, "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr == f"{folder}: cannot write: is a folder, not a file\n"
    assert list(folder.iterdir()) == []


def test_a_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OutputError, match="is a socket, not a file"):
            write_atomically(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


def test_a_regular_file_is_replaced_atomically_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    before = os.stat(path).st_ino
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new" and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.stat(path).st_ino != before  # renamed over, not rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("command", ["build", "site"])
def test_a_folder_option_refuses_dash(command: str, mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["build", str(mini)] if command == "build" else ["site", "--data", str(tmp_path / "dist")]
    result = CliRunner().invoke(main, [*args, "--out", "-"])
    assert result.exit_code == 2
    assert "'-' means standard output, which cannot hold a folder" in result.stderr
    assert not (tmp_path / "-").exists()


def test_a_site_out_that_is_a_symlink_is_written_through(seed_build: Path, here: Path) -> None:
    real, link = here / "real", here / "link"
    real.mkdir()
    link.symlink_to(real)
    result = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(link), "--seeds", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and (real / "index.html").is_file()
    again = CliRunner().invoke(main, ["site", "--data", str(seed_build), "--out", str(link), "--seeds", str(SEEDS)])
    assert again.exit_code == 0 and "0 drawn again" in again.stdout
    assert sorted(p.name for p in here.iterdir()) == ["link", "real"]


@pytest.mark.parametrize("command", ["build", "site"])
@pytest.mark.parametrize("kind", ["file", "fifo"])
def test_a_folder_option_refuses_a_file_or_fifo(command: str, kind: str, seed_build: Path, here: Path) -> None:
    path = here / "out"
    if kind == "file":
        path.write_text("mine")
    else:
        os.mkfifo(path)
    args = (["build", str(SEEDS)] if command == "build" else ["site", "--data", str(seed_build), "--seeds", str(SEEDS)])
    result = CliRunner().invoke(main, [*args, "--out", str(path), "-q"] if command == "build" else [*args, "--out", str(path)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"{path}: ")
    assert stat.S_ISREG(os.lstat(path).st_mode) if kind == "file" else stat.S_ISFIFO(os.lstat(path).st_mode)
    assert [p.name for p in here.iterdir()] == ["out"]


@pytest.mark.parametrize("command", [
    ["query", "SELECT * WHERE { ?s ?p ?o }"],
    ["load", "http://127.0.0.1:9/ds", "--flavor", "fuseki"],  # refused before any request: nothing listens there
    ["serve", "--port", "9"],
    ["site", "--seeds", "."],
])
def test_every_command_that_reads_a_build_says_there_is_none_in_one_line(command: list[str], tmp_path: Path) -> None:
    """One error (NoBuildError, exit 2), worded once in output.folder, for query, load, serve and site alike."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, [*command, "--data", str(empty)])
    give = "--data FILE" if command[0] == "query" else "--data DIR"
    assert (result.exit_code, result.stderr) == (2, f"{empty}: no kg.trig here; run 'kgpub build' first or give {give}\n")


def test_no_build_is_a_usage_error_and_a_query_error(tmp_path: Path) -> None:
    """What callers caught before (QueryError in serve and site, UsageError in load) they still catch."""
    from kgpub.errors import NoBuildError, QueryError, UsageError
    from kgpub.output.folder import require_build

    with pytest.raises(NoBuildError) as caught:
        require_build(tmp_path)
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, QueryError)
    assert caught.value.exit_code == 2
    (tmp_path / "kg.trig").write_bytes(b"")
    assert require_build(tmp_path) == tmp_path


_SUBJECTS = st.sampled_from(["<https://w3id.org/kgpub/id/a>", "<https://w3id.org/kgpub/id/a/b>", "_:x",
                             "<https://w3id.org/kgpub/id/b>"])
_PREDICATES = st.sampled_from([f"<{vocab.RDF}type>", f"<{vocab.RDFS}label>", f"<{vocab.KG}agent>"])
_OBJECTS = st.sampled_from([f"<{vocab.KG}Person>", f"<{vocab.KG}Event>", "<https://schema.org/Thing>", '"x"'])


@given(st.lists(st.tuples(_SUBJECTS, _PREDICATES, _OBJECTS), max_size=30))
def test_void_counts_of_sorted_lines_equal_counts_by_sets(triples: list[tuple[str, str, str]]) -> None:
    """void.ttl's counts walk sorted lines, a subject's together; they are those of sets of subjects."""
    from collections import Counter

    from kgpub.output import void

    lines = sorted({f"{s} {p} {o} .\n" for s, p, o in triples})
    stats = void.stats_of(lines)
    unique = {(s, p, o) for s, p, o in triples}
    assert stats.triples == len(unique) and stats.subjects == len({s for s, _, _ in unique})
    assert stats.entities == len({s for s, p, o in unique if p == f"<{vocab.RDF}type>" and o.startswith(f"<{vocab.KG}")})
    assert stats.classes == Counter(o for _, p, o in unique if p == f"<{vocab.RDF}type>")
