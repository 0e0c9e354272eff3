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
    code = "from kgpub.pipeline.cache import cache_secret; print(cache_secret().hex())"
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
    unchecked = "; the file's 81 quotes were not checked"  # a text that cannot be read leaves its quotes unread, and says so
    assert line == [f"{SEED_FACTS}:10: article.text: {value!r} {expected}{unchecked}"], result.stderr
    assert "hunter2" not in result.output and "root:" not in result.output and "Traceback" not in result.output


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """A local HTTP server that records every request: nothing may reach it."""
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("form", ["SERVICE <{url}/sparql> {{ ?s ?p ?o }}", "SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }}",
                                  "serv\\u0069ce <{url}/sparql> {{ ?s ?p ?o }}",
                                  "# SERVICE in a comment is fine\n SERVICE <{url}/x> {{ ?s ?p ?o }}"])
def test_defect_03_the_embedded_engine_makes_no_network_request(seed_build: Path, listener, form: str) -> None:  # type: ignore[no-untyped-def]
    url, seen = listener
    query = "SELECT * WHERE { " + form.format(url=url) + " }"
    result = CliRunner().invoke(main, ["query", query, "--data", str(seed_build)])
    assert result.exit_code == 2 and seen == []
    assert result.stderr == ("the query calls SERVICE, which would send requests to another host; "
                             "kgpub query refuses it unless --allow-service is given\n")
    assert kgpub.query('SELECT * WHERE { ?s rdfs:label "SERVICE <http://x/>" }', seed_build) is not None  # in a string
    allowed = CliRunner().invoke(main, ["query", "SELECT * WHERE { SERVICE <" + url + "/sparql> { ?s ?p ?o } }",
                                        "--data", str(seed_build), "--allow-service"])
    assert seen, allowed.stderr  # asked for, it goes


@pytest.mark.parametrize("update", [
    "PREFIX ex: <http://example.org/>\n# c\nINSERT DATA { ex:pwned ex:b ex:c }",
    "# a comment\nDELETE WHERE { ?s ?p ?o }",
    "BASE <http://x/> PREFIX a: <http://a/> # note\n CLEAR ALL",
    "PREFIX ex: <http://example.org/> #x\r\nLOAD <http://example.org/data>",
])
def test_defect_04_an_update_never_reaches_an_endpoint(listener, update: str) -> None:  # type: ignore[no-untyped-def]
    url, seen = listener
    result = CliRunner().invoke(main, ["query", update, "--endpoint", url + "/update"])
    assert result.exit_code == 2 and seen == []
    assert result.stderr.startswith("kgpub query is read-only: SPARQL UPDATE is refused")
    asked = CliRunner().invoke(main, ["query", "# a comment first\nSELECT * WHERE { ?s ?p ?o }", "--endpoint", url + "/sparql",
                                      "--store-default-graph"])
    assert asked.exit_code == 0 and seen == ["/sparql"]  # a query, sent as a query


@pytest.fixture
def echoing():  # type: ignore[no-untyped-def]
    """A server that answers 500 with the request's headers in its body, as some proxies do."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _echo(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            if "Authorization" not in self.headers:  # ask for credentials, as a protected store does
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            echoed = sorted(self.headers.items(), key=lambda kv: kv[0] != "Authorization")  # the header first
            body = ("bad request; you sent:\n" + "".join(f"{k}: {v}\n" for k, v in echoed)).encode()
            self.send_response(400)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _echo

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_defect_05_credentials_are_never_printed(echoing: int, built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    port = echoing
    secret = "s3cret-Pass"
    token = base64.b64encode(f"bob:{secret}".encode()).decode()
    runner = CliRunner()
    for args in (["load", f"http://bob:{secret}@127.0.0.1:{port}/ds", "--flavor", "fuseki", "--data", str(built)],
                 ["load", f"http://bob:{secret}@127.0.0.1:{port}/ds", "--flavor", "fuseki", "--data", str(built), "--dry-run"],
                 ["query", "ASK {}", "--endpoint", f"http://bob:{secret}@127.0.0.1:{port}/sparql"]):
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 2, 3), result.output
        assert secret not in result.output and token not in result.output, result.output
        assert "Traceback" not in result.output
        if result.exit_code:
            assert f"http://127.0.0.1:{port}/" in result.stderr and "bob:" not in result.stderr
            assert "HTTP 400" in result.stderr and "Authorization: ***" in result.stderr  # echoed, masked
    monkeypatch.setenv("KGPUB_PASSWORD", secret)
    result = runner.invoke(main, ["query", "ASK {}", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--user", "bob"])
    assert result.exit_code == 3 and secret not in result.output and token not in result.output


def test_defect_09_the_build_never_deletes_what_is_not_its_own(seeds_copy: Path, tmp_path: Path) -> None:
    import shutil

    runner = CliRunner()
    out = tmp_path / "dist"
    assert runner.invoke(main, ["build", str(seeds_copy), "--out", str(out), "-q"]).exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    # the seeds folder inside the output folder
    inner = Path(shutil.copytree(seeds_copy, out / "seeds"))
    result = runner.invoke(main, ["build", str(inner), "--out", str(out), "-q"])
    assert result.exit_code == 2 and inner.is_dir()
    assert result.stderr == (f"{out}: holds the seeds folder {inner}; a build replaces its output folder whole, "
                             "so write it elsewhere\n")
    shutil.rmtree(inner)
    # a file a user added
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(main, ["build", str(seeds_copy), "--out", str(out), "-q"])
    assert result.exit_code == 2 and (out / "notes.txt").read_text() == "mine"
    assert result.stderr == (f"{out}: holds files a build did not write (notes.txt); a build replaces the folder "
                             "whole and would delete them: move them out first\n")
    (out / "notes.txt").unlink()
    assert sorted(p.name for p in out.iterdir()) == before
    # an --out that is a symlink
    link = tmp_path / "published"
    link.symlink_to(out)
    result = runner.invoke(main, ["build", str(seeds_copy), "--out", str(link), "-q"])
    assert result.exit_code == 2 and link.is_symlink()
    assert result.stderr == f"{link}: is a symlink; give the folder it points to ({out}) as --out\n"
    assert runner.invoke(main, ["build", str(seeds_copy), "--out", str(out), "-q"]).exit_code == 0


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "more than 100 aliases of lists or mappings"),
    ("article: &r [*r]\n", "a recursive alias (a node that contains itself)"),
    ("article: " + "[" * 200 + "]" * 200 + "\n", "nested more than 64 levels deep"),
    ("article:\n  id: !!int abc\n", "int value 'abc' is not valid"),
    ("article:\n  id: !!bool maybe\n", "bool value 'maybe' is not valid"),
    ("article:\n  id: !!float abc\n", "float value 'abc' is not valid"),
])
def test_defect_07_yaml_bombs_and_bad_tags_are_refused_at_once(seeds_copy: Path, tmp_path: Path, yaml_text: str,
                                                               expected: str) -> None:
    import time

    (seeds_copy / SEED_FACTS).write_text(yaml_text, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist")])
    assert time.monotonic() - started < 20
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith(SEED_FACTS)]
    assert expected in line, line


def test_defect_07_a_misquote_in_a_long_text_is_refused_fast(seeds_copy: Path, tmp_path: Path) -> None:
    """The closest-passage hint for a quote not in a 4 MB text costs milliseconds, not a minute."""
    import time

    article = seeds_copy / "articles" / "000_eb2d348de878cb8c.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + ("filler words about nothing in particular " * 95_000), encoding="utf-8")
    facts = seeds_copy / SEED_FACTS
    facts.write_text(facts.read_text(encoding="utf-8").replace("the Baghdad drone strike", "the Bagdad drone strike"),
                     encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2 and "closest passage: 'the Baghdad drone strike'" in result.stderr
    assert time.monotonic() - started < 30


@pytest.fixture
def trickler():  # type: ignore[no-untyped-def]
    """A server that answers one byte a second, for ever (bounded: it stops when the test ends)."""
    import socket
    import threading
    import time

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(120):
                if stop.is_set():
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(1)

    def accept() -> None:
        sock.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield sock.getsockname()[1]
    stop.set()
    sock.close()


def test_defect_06_a_trickling_server_meets_the_deadline(trickler: int, built: Path) -> None:
    import time

    runner = CliRunner()
    for args in (["query", "ASK {}", "--endpoint", f"http://127.0.0.1:{trickler}/sparql", "--timeout", "2",
                  "--store-default-graph"],
                 ["load", f"http://127.0.0.1:{trickler}/ds", "--flavor", "fuseki", "--data", str(built), "--timeout", "1.5"]):
        started = time.monotonic()
        result = runner.invoke(main, args)
        elapsed = time.monotonic() - started
        assert result.exit_code in (2, 3) and "no complete answer within" in result.stderr, result.output
        assert elapsed < 20, elapsed  # the load retries 4 times, each bounded
        assert "Traceback" not in result.output


_CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_defect_06_a_local_query_has_a_time_limit(seed_build: Path) -> None:
    """A cross product of the seed build (10^10 rows) is stopped at --timeout with one clear line."""
    result = subprocess.run([sys.executable, "-m", "kgpub", "query", _CROSS, "--data", str(seed_build),
                             "--timeout", "1.5"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "the query ran longer than 1.5 s and was stopped; narrow it (LIMIT, more specific patterns) or raise --timeout"]
    with pytest.raises(kgpub.errors.QueryError, match="longer than 0.5 s"):
        kgpub.query(_CROSS, seed_build, timeout=0.5)
    assert kgpub.query("ASK { ?s ?p ?o }", seed_build, timeout=5).value is True  # type: ignore[union-attr]


def test_defect_07_a_local_query_has_a_memory_limit(seed_build: Path) -> None:
    """Sorting a cross product needs gigabytes: stopped at --max-memory, no panic, no traceback, exit 2."""
    sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"
    result = subprocess.run([sys.executable, "-m", "kgpub", "query", sort, "--data", str(seed_build),
                             "--max-memory", "200M", "--timeout", "120"], capture_output=True, text=True, timeout=150)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "the query needed more than 200.0 MiB of memory and was stopped; "
        "narrow it (LIMIT, more specific patterns) or raise --max-memory"]
    ok = subprocess.run([sys.executable, "-m", "kgpub", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         "--data", str(seed_build), "--max-memory", "200M", "--format", "csv"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.splitlines()[0] == "n", ok.stderr


@pytest.mark.parametrize("value", ["12", "abc", "0.5K"])
def test_defect_07_a_memory_limit_must_be_a_size(value: str, seed_build: Path) -> None:
    result = CliRunner().invoke(main, ["query", "ASK {}", "--data", str(seed_build), "--max-memory", value])
    assert result.exit_code == 2 and "--max-memory" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_defect_06_a_timeout_must_be_a_positive_number(value: str) -> None:
    result = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", value])
    assert result.exit_code == 2 and "--timeout" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("file", "old", "new", "field"), [
    (SEED_FACTS, "  id: 000_eb2d348de878cb8c", '  id: "000_eb2d348de878cb8c\\n"', "article.id"),
    (SEED_FACTS, "  language: en", '  language: "en\\n"', "article.language"),
    ("entities.yaml", "    wikidata: Q22686", '    wikidata: "Q22686\\n"', "entities[0].wikidata"),
    ("entities.yaml", "  - id: donald-trump", '  - id: "donald-trump\\n"', "entities[0].id"),
    ("dataset.yaml", "base: https://w3id.org/kgpub/id/", 'base: "https://w3id.org/kgpub/id/\\n"', "base"),
    ("dataset.yaml", "license: https://creativecommons.org/licenses/by/4.0/",
     'license: "https://creativecommons.org/licenses/by/4.0/\\n"', "license"),
])
def test_defect_11_a_trailing_newline_is_not_valid(seeds_copy: Path, tmp_path: Path, file: str, old: str, new: str,
                                                   field: str) -> None:
    path = seeds_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2 and not (tmp_path / "dist").exists()
    lines = [ln for ln in result.stderr.splitlines() if f": {field}: " in ln]
    assert lines and lines[0].startswith(f"{file}:") and "is not valid" in lines[0], result.stderr
    assert "Traceback" not in result.output and "Parser error" not in result.output


# --------------------------------------------------------------------------- defect 8: a crash-safe swap


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and ".index" not in p.parts}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_defect_08_a_swap_killed_between_its_renames_is_recovered(seeds_copy: Path, tmp_path: Path) -> None:
    """The middle state of a two-rename swap (the previous build parked, no output folder) is put back."""
    from kgpub import execution

    out = tmp_path / "dist"
    assert kgpub.build(seeds_copy, out).written
    before = _tree(out)
    parked = tmp_path / ".dist.old-killed"
    parked.mkdir()
    os.rename(out, parked / "dist")
    (tmp_path / ".dist.tmp-killed").mkdir()
    (tmp_path / ".dist.index-killed").mkdir()
    execution.recover(out)
    assert _tree(out) == before and _leftovers(out) == []


def test_defect_08_the_swap_is_one_atomic_exchange(seeds_copy: Path, tmp_path: Path) -> None:
    from kgpub import execution

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a"), (b / "x").write_text("b")
    assert execution._exchange(a, b)  # Linux: renameat2(RENAME_EXCHANGE)
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def _synthetic(tmp_path: Path, articles: int) -> Path:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    from synth import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, articles, seed=3)
    return corpus


def test_defect_08_sigkill_at_any_point_of_a_build_loses_no_build(tmp_path: Path) -> None:
    """SIGKILL a full build and a patched one at several points: the output folder is always a complete build
    (the previous or the new one), and the next build leaves no temporary folder."""
    import signal
    import time

    corpus = _synthetic(tmp_path, 150)
    out = tmp_path / "dist"
    command = [sys.executable, "-c", "from kgpub.cli import main; main()", "build", str(corpus), "--out", str(out), "-q"]
    env = {**os.environ, "PYTHONPATH": str(Path(kgpub.__file__).parents[1])}
    assert subprocess.run(command, env=env, capture_output=True, timeout=300).returncode == 0
    complete = [_tree(out)]
    facts = sorted(corpus.rglob("*.facts.yaml"))
    kills = 0
    for n, delay in enumerate((0.2, 0.5, 0.9, 1.4, 2.0, 3.0)):
        changed = facts[n] if n % 2 else facts[0]  # one article: a patched build; below, many: a full build
        for f in ([changed] if n % 2 else facts[: len(facts) // 2]):
            f.write_text(f.read_text().replace("report", f"report{n}", 1))
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        assert out.is_dir() and (out / ".kgpub-build").exists(), f"no build after a kill at {delay} s"
        state = _tree(out)
        assert subprocess.run(command, env=env, capture_output=True, timeout=300).returncode == 0
        assert _leftovers(out) == [], _leftovers(out)
        complete.append(_tree(out))  # the new build, complete: what the killed one was making
        assert state in complete[-2:], f"a partial build after a kill at {delay} s"
    assert kills >= 3


def test_defect_08_two_builds_at_once_into_one_folder(tmp_path: Path) -> None:
    corpus = _synthetic(tmp_path, 60)
    out = tmp_path / "dist"
    command = [sys.executable, "-c", "from kgpub.cli import main; main()", "build", str(corpus), "--out", str(out), "-q"]
    env = {**os.environ, "PYTHONPATH": str(Path(kgpub.__file__).parents[1])}
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0, second.stderr.read()
    assert (out / "kg.ttl").exists() and _leftovers(out) == []
    assert kgpub.validate([out]).conforms()


def test_defect_13_an_edit_of_the_same_size_with_its_time_restored_is_rebuilt(seeds_copy: Path, tmp_path: Path) -> None:
    import time

    out = tmp_path / "dist"
    facts = seeds_copy / SEED_FACTS
    old_time = time.time() - 3600
    os.utime(facts, (old_time, old_time))
    assert kgpub.build(seeds_copy, out).written
    stat = facts.stat()
    text = facts.read_text(encoding="utf-8")
    edited = text.replace("label: The US embassy withdraws", "label: The UK embassy withdraws")
    assert len(edited) == len(text) and edited != text
    facts.write_text(edited, encoding="utf-8")
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as cp -p or rsync -t leave it
    time.sleep(0.01)
    assert kgpub.build(seeds_copy, out).reused == 6  # every article but the edited one from the cache
    assert kgpub.query('ASK { ?e rdfs:label "The UK embassy withdraws its non-essential staff" }', out).value


def test_defect_13_the_netrc_password_is_used_with_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kgpub.secrets import netrc_password

    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login curator password from-netrc\n")
    os.chmod(tmp_path / ".netrc", 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert netrc_password("http://127.0.0.1:3030/ds", "curator") == "from-netrc"
    assert netrc_password("http://127.0.0.1:3030/ds", "someone-else") is None


def test_defect_12_a_registry_mistake_comes_first_not_after_a_hundred_undefined_references(
        seeds_copy: Path, tmp_path: Path) -> None:
    registry = seeds_copy / "entities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("    type: Person\n", "    type: Persn\n", 1),
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    # each registry entry is read on its own: a wrong type hides nothing, so the mistake is the only line
    assert len(lines) == 1, lines
    assert lines[0].startswith("entities.yaml:9: ") and "'Persn' is not allowed here; did you mean 'Person'?" in lines[0]
    assert "undefined" not in result.stderr and "not checked" not in result.stderr


@pytest.mark.parametrize("args", [
    ["load", "http://127.0.0.1:9/ds", "--flavor", "nonsense"],
    ["load", "http://127.0.0.1:9/ds", "--flavor", "gsp"],
    ["load", "ftp://127.0.0.1/ds", "--flavor", "fuseki"],
    ["load", "http://127.0.0.1:99999/ds", "--flavor", "fuseki"],
    ["load", "not a url", "--flavor", "fuseki"],
    ["load", "http://127.0.0.1:9/ds", "--flavor", "fuseki", "--data", "{empty}"],
    ["load", "http://127.0.0.1:9/sparql-graph-crud-auth", "--flavor", "virtuoso", "--default-graph", "--data", "{built}"],
    ["query", "ASK {}", "--endpoint", "not a url"],
    ["query", "ASK {}", "--endpoint", "ftp://127.0.0.1/sparql"],
])
def test_defect_13_usage_errors_exit_2(args: list[str], built: Path, tmp_path: Path) -> None:
    """A wrong option or target is a usage error (2), as click's own; 3 is kept for a store that failed."""
    args = [a.replace("{empty}", str(tmp_path)).replace("{built}", str(built)) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[-1].startswith("Error: "), lines  # ours: one line; click's: its usage block
    assert "Traceback" not in result.output


SEED_TEXT = "articles/000_eb2d348de878cb8c.txt"
QUOTED = "I will hold Iran responsible"


def _build_refused(seeds: Path, out: Path) -> list[str]:
    result = CliRunner().invoke(main, ["build", str(seeds), "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not out.exists()
    return result.stderr.splitlines()


def test_defect_12_a_nul_in_a_text_is_refused_at_its_line_and_column(seeds_copy: Path, tmp_path: Path) -> None:
    text = seeds_copy / SEED_TEXT
    raw = text.read_bytes()
    at = raw.index(b"\n", raw.index(b"\n") + 1) + 6  # line 3, column 6
    text.write_bytes(raw[:at] + b"\x00" + raw[at:])
    assert _build_refused(seeds_copy, tmp_path / "dist") == [
        f"{SEED_TEXT}:3:6: control character U+0000: a text may hold tabs and line breaks, no other control characters; the file's 81 quotes were not checked"]


def test_defect_12_a_bad_byte_is_refused_at_its_line(seeds_copy: Path, tmp_path: Path) -> None:
    text = seeds_copy / SEED_TEXT
    raw = text.read_bytes()
    at = raw.index(QUOTED.encode()) + 2
    row = raw[:at].count(b"\n") + 1
    column = len(raw[raw.rfind(b"\n", 0, at) + 1:at].decode("utf-8")) + 1  # in characters, not bytes
    text.write_bytes(raw[:at] + b"\xff" + raw[at:])
    (line,) = _build_refused(seeds_copy, tmp_path / "dist")
    assert line.startswith(f"{SEED_TEXT}:{row}:{column}: not UTF-8 text (invalid start byte"), line


def test_defect_12_the_hint_names_an_invisible_difference(seeds_copy: Path, tmp_path: Path) -> None:
    """A no-break space in the text looks like the quote's space: the hint names both characters."""
    text = seeds_copy / SEED_TEXT
    content = text.read_text(encoding="utf-8")
    text.write_text(content.replace(QUOTED, QUOTED.replace(" ", "\u00a0", 1), 1), encoding="utf-8")
    lines = _build_refused(seeds_copy, tmp_path / "dist")
    hint = [ln for ln in lines if "quote not found" in ln]
    assert hint and hint[0].endswith("the text has U+00A0 NO-BREAK SPACE, the quote U+0020 SPACE"), lines


@pytest.mark.parametrize("base", ["http://exa%mple.org/", "http://example.org/a b/"])
def test_defect_12_a_wrong_dataset_base_is_reported_in_dataset_yaml(seeds_copy: Path, tmp_path: Path, base: str) -> None:
    dataset = seeds_copy / "dataset.yaml"
    lines = dataset.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("base:"))
    lines[at] = f"base: {base!r}"
    dataset.write_text("\n".join(lines) + "\n")
    (line,) = _build_refused(seeds_copy, tmp_path / "dist")
    assert line.startswith(f"dataset.yaml:{at + 1}: base: {base!r} "), line
    cli = CliRunner().invoke(main, ["build", str(seeds_copy), "--out", str(tmp_path / "d2"), "--base", base])
    assert cli.exit_code == 2 and cli.stderr.startswith(f"--base {base!r}: "), cli.output


def test_defect_13_a_huge_note_is_refused_at_its_line(seeds_copy: Path, tmp_path: Path) -> None:
    facts = seeds_copy / SEED_FACTS
    content = facts.read_text(encoding="utf-8")
    facts.write_text(content.replace("article:\n", "article:\n  note: " + "x" * 2_000_000 + "\n", 1), encoding="utf-8")
    (line,) = _build_refused(seeds_copy, tmp_path / "dist")
    row = content.splitlines().index("article:") + 2
    assert line.startswith(f"{SEED_FACTS}:{row}:") and "a value of 2,000,000 characters" in line, line


def test_defect_13_a_failed_load_names_a_few_graphs_not_all() -> None:
    from kgpub.stores import _graph_list

    graphs = [f"https://w3id.org/kgpub/id/article/{i}/graph" for i in range(1203)]
    line = _graph_list(graphs)
    assert len(line) < 300 and line.endswith("and 1200 more")
    assert _graph_list(graphs[:2]) == ", ".join(graphs[:2]) and _graph_list([]) == "none"


# --------------------------------------------------------------------------- fault injection: disk full, read-only


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 32 MiB tmpfs of its own (the tests run as root, as the test script does): filled or made read-only at will."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot mount a tmpfs for the disk-full test (run as root): {mounted.stderr}"
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _run_build(seeds: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kgpub", "build", str(seeds), "--out", str(out), "-q", *extra],
                          capture_output=True, text=True, timeout=300)


def test_fault_a_full_disk_at_any_point_loses_no_build(small_disk: Path, tmp_path: Path) -> None:
    """The new build fills the disk at a different point each time (ballast of growing size): every run either
    succeeds whole or fails with one line and exit 2, the previous build byte-identical, nothing left beside it."""
    corpus = _synthetic(tmp_path, 40)  # a build of about 7.5 MB beside the seed build's 4 MB (and its lines, on disk meanwhile)
    out = small_disk / "dist"
    assert _run_build(Path("seeds").resolve(), out).returncode == 0
    outcomes = set()
    for room_mb in (0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 9, 11, 16, 20, 26):  # what the ballast leaves free
        before = _tree(out)
        ballast = small_disk / "ballast"
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        ballast.write_bytes(b"\0" * max(0, free - int(room_mb * (1 << 20))))
        result = _run_build(corpus, out)
        ballast.unlink()
        assert result.returncode in (0, 2), result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        if result.returncode == 2:
            assert result.stderr.splitlines() == [f"{out}: cannot write the build: No space left on device"], result.stderr
            assert _tree(out) == before
            outcomes.add("full")
        else:
            assert (out / "kg.trig").is_file() and (out / "articles").is_dir() and _tree(out) != before
            outcomes.add("built")
            assert kgpub.query("ASK { ?s ?p ?o }", out).value is True  # type: ignore[union-attr]
        assert _leftovers(out) == [] and sorted(p.name for p in small_disk.iterdir()) == ["dist"]
        _run_build(Path("seeds").resolve(), out)  # back to the small build for the next round
    assert outcomes == {"full", "built"}


def test_fault_a_full_disk_during_a_patched_build(small_disk: Path, seeds_copy: Path) -> None:
    """One article changed (the build patches the previous one) on a disk with almost no room left."""
    out = small_disk / "dist"
    assert _run_build(seeds_copy, out).returncode == 0
    facts = seeds_copy / SEED_FACTS
    outcomes = set()
    for n, room_kb in enumerate((50, 400, 1500, 6000)):
        before = _tree(out)
        facts.write_text(facts.read_text(encoding="utf-8") + f"# edit {n}\n", encoding="utf-8")
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        ballast = small_disk / "ballast"
        ballast.write_bytes(b"\0" * max(0, free - room_kb * 1024))
        result = _run_build(seeds_copy, out)
        ballast.unlink()
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr, result.stderr
        if result.returncode == 2:
            assert result.stderr.splitlines() == [f"{out}: cannot write the build: No space left on device"]
            assert _tree(out) == before
            outcomes.add("full")
        else:
            assert (out / "kg.trig").is_file()
            outcomes.add("built")
        assert _leftovers(out) == [] and sorted(p.name for p in small_disk.iterdir()) == ["dist"]
    assert "full" in outcomes


def test_fault_a_read_only_output_is_refused_and_still_queried(small_disk: Path, seeds_copy: Path) -> None:
    out = small_disk / "dist"
    assert _run_build(seeds_copy, out, "--no-index").returncode == 0
    before = _tree(out)
    facts = seeds_copy / SEED_FACTS
    facts.write_text(facts.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = _run_build(seeds_copy, out)
    assert result.returncode == 2 and result.stderr.splitlines() == [
        f"{out}: cannot create the output folder: Read-only file system"], result.stderr
    assert _tree(out) == before and _leftovers(out) == []
    asked = subprocess.run([sys.executable, "-m", "kgpub", "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                            "--data", str(out), "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0 and int(asked.stdout.splitlines()[1]) > 1000, asked.stderr  # indexed in memory


# --------------------------------------------------------------------------- defect 10: no exit 70 on bad input


_FACTS_EDITS = [
    ("        occurrence: 2\n", "        occurrence: 2.5\n", "occurrence"),
    ("        occurrence: 2\n", "        occurrence: true\n", "evidence[1].occurrence: expected integer, got true"),
    ("  language: en\n", "  language: en\n  1: x\n  true: y\n", "article"),
    ("  language: en\n", "  language: en\n  nested: " + "[" * 500 + "]" * 500 + "\n", ""),
    ("  language: en\n", "  language: en\n  loop: &r [*r]\n", ""),
    ("  language: en\n", "  language: !!timestamp abc\n", ""),
]


@pytest.mark.parametrize(("old", "new", "field"), _FACTS_EDITS)
def test_defect_10_bad_facts_are_input_errors_not_internal_errors(seeds_copy: Path, tmp_path: Path, old: str,
                                                                 new: str, field: str) -> None:
    facts = seeds_copy / SEED_FACTS
    text = facts.read_text(encoding="utf-8")
    assert old in text
    facts.write_text(text.replace(old, new, 1), encoding="utf-8")
    lines = _build_refused(seeds_copy, tmp_path / "dist")
    assert lines and all(line.startswith(SEED_FACTS + ":") or line.startswith("entities.yaml") for line in lines), lines
    assert any(field in line for line in lines), lines


def test_defect_10_a_text_that_is_a_folder_hides_no_other_error(seeds_copy: Path, tmp_path: Path) -> None:
    """With --jobs 2 too: the folder is one located line, and the other articles' errors are still listed."""
    import shutil

    corpus = _synthetic(tmp_path, 12)
    facts = sorted(corpus.rglob("*.facts.yaml"))
    text = facts[0].with_name(facts[0].name.replace(".facts.yaml", ".txt"))
    text.unlink()
    text.mkdir()
    facts[1].write_text(facts[1].read_text(encoding="utf-8").replace("  language: en", "  language: 7", 1),
                        encoding="utf-8")
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "dist"), "--jobs", jobs])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        shown = {line.split(":", 1)[0] for line in result.stderr.splitlines()}
        assert {facts[0].relative_to(corpus).as_posix(), facts[1].relative_to(corpus).as_posix()} <= shown, result.stderr
    shutil.rmtree(text)


@pytest.mark.parametrize("args", [
    ["query", "about", "--param", "entity=<foo>"],
    ["query", "about", "--param", "entity=id:foo>bar"],
    ["query", "SELECT * WHERE { ?s ?p ?o }", "--param", "a b=1"],
    ["query", "@{bad_file}"],
    ["validate", "{bad_trig}"],
    ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "-1"],
])
def test_defect_10_bad_queries_and_files_are_usage_errors(args: list[str], seed_build: Path, tmp_path: Path) -> None:
    bad_file = tmp_path / "latin1.rq"
    bad_file.write_bytes("SELECT * WHERE { ?s ?p \"caf\xe9\" }".encode("latin-1"))
    bad_trig = tmp_path / "bad.trig"
    bad_trig.write_text('@prefix kg: <https://w3id.org/kgpub/ontology#> .\n'
                        '<http://e/g> { <http://e/a> kg:sourceLine "abc" . }\n')
    args = [a.replace("{bad_file}", str(bad_file)).replace("{bad_trig}", str(bad_trig)) for a in args]
    if args[0] == "query" and "--endpoint" not in args:
        args += ["--data", str(seed_build)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 70 and "Traceback" not in result.output and "internal error" not in result.output, \
        result.output
    assert result.exit_code in (0, 2), result.output
