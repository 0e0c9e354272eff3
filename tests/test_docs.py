"""Every command the documentation shows runs as shown, so no example goes stale.

The shell blocks (```sh, ```bash, ```console) of README.md and docs/*.md are read in order, page by page, and
each command is run in a private working folder holding a copy of the seeds (and, for the pages under docs/, a
copy of the seed build at ``dist/``; the README builds its own): ``kgpub`` as the installed command, a few
local tools (cp, mkdir, curl to 127.0.0.1) as they are. A server a block starts (``kgpub serve``, ``python -m
http.server``) is started on a free port, which then stands for the port written in the rest of the block, and
stopped when the block ends. Each command must exit 0, or the code an ``<!-- exits N -->`` comment just before
its block gives its last command; where a ```console block shows output, every line it shows must be printed,
in that order (a line ending in ``...`` stands for any line that begins the same).

A block that cannot run here is preceded by ``<!-- not run: REASON -->``; such blocks are counted, and the
count may only go down. A command this file does not know how to run fails the test, so a new example is
either run or says why not.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, SEEDS

BIN = Path(sys.executable).parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: How many blocks say why they are not run. Lower it when one becomes runnable; never raise it.
NOT_RUN_AT_MOST = 5

BLOCK = re.compile(r"^(?:<!--(?P<note>[^\n]*?)-->\n)?```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.M | re.S)
SHELL = ("sh", "bash", "console")


@dataclass
class Command:
    line: str
    shown: list[str] = field(default_factory=list)  # the output the page shows under it (console blocks)


@dataclass
class Block:
    page: Path
    lineno: int
    lang: str
    body: str
    note: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.lineno}"

    @property
    def not_run(self) -> str | None:
        """The reason given for not running the block, or None when it is run."""
        match = re.fullmatch(r"not run:\s*(.+)", self.note)
        return match.group(1) if match else None

    @property
    def exit_code(self) -> int:
        match = re.fullmatch(r"exits (\d+)", self.note)
        return int(match.group(1)) if match else 0

    def commands(self) -> list[Command]:
        """The block's commands, continuation lines joined; in a console block, with the output shown."""
        commands: list[Command] = []
        lines = iter(self.body.splitlines())
        for line in lines:
            if self.lang == "console":
                if not line.startswith("$ "):
                    assert commands, f"{self.where}: output before any command"
                    if line.strip():
                        commands[-1].shown.append(line)
                    continue
                line = line[2:]
            elif not line.strip() or line.lstrip().startswith("#"):
                continue
            while line.endswith("\\"):
                line = line[:-1] + " " + next(lines).strip()
            commands.append(Command(line))
        return commands


def blocks(page: Path) -> Iterator[Block]:
    text = page.read_text(encoding="utf-8")
    for match in BLOCK.finditer(text):
        yield Block(page, text.count("\n", 0, match.start("lang")) + 1, match.group("lang"), match.group("body"),
                    (match.group("note") or "").strip())


ALL = [block for page in PAGES for block in blocks(page)]


# --------------------------------------------------------------------------- what the pages hold


def test_the_docs_show_shell_blocks() -> None:
    shell = [b for b in ALL if b.lang in SHELL]
    assert len({b.page for b in shell}) >= 6 and len(shell) >= 12, [b.where for b in shell]


def test_every_block_not_run_says_why_and_their_count_only_goes_down() -> None:
    not_run = [b for b in ALL if b.lang in SHELL and b.note.startswith("not run")]
    for block in not_run:
        assert block.not_run and len(block.not_run.split()) >= 4, f"{block.where}: say why it is not run"
    assert len(not_run) <= NOT_RUN_AT_MOST, [b.where for b in not_run]


def test_commands_are_only_in_shell_blocks() -> None:
    """An unlabelled block that holds a command would escape the run: it must say its language."""
    for block in ALL:
        if block.lang not in SHELL:
            for line in block.body.splitlines():
                assert not re.match(r"(\$ |kgpub |\.venv/bin/|bash |python3? )", line), f"{block.where}: {line}"


def test_the_readme_links_every_page_and_every_link_resolves() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in PAGES[1:]:
        assert f"](docs/{page.name})" in readme, f"the README does not link docs/{page.name}"
    for page in PAGES:
        text = re.sub(r"^```.*?^```$", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = (page.parent / path).resolve() if path else page
            assert resolved.exists(), f"{page.relative_to(ROOT)}: broken link {target}"
            if anchor and resolved.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", resolved.read_text(encoding="utf-8"), re.M)
                slugs = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
                assert anchor in slugs, f"{page.relative_to(ROOT)}: no heading for {target}"


# --------------------------------------------------------------------------- running them


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Runner:
    """Runs one page's commands in one working folder, as a shell would, servers in the background."""

    def __init__(self, work: Path, home: Path) -> None:
        self.work = work
        self.env = {**os.environ, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
                    "COLUMNS": "200", "NO_COLOR": "1"}
        self.servers: list[subprocess.Popen[bytes]] = []
        self.ports: dict[str, str] = {}

    def block(self, block: Block) -> None:
        commands = block.commands()
        assert commands, f"{block.where}: an empty block"
        try:
            for i, command in enumerate(commands):
                expected = block.exit_code if i == len(commands) - 1 else 0
                self.command(block, command, expected)
        finally:
            self.stop()

    def command(self, block: Block, command: Command, expected: int) -> None:
        line = command.line
        for written, free in self.ports.items():
            line = re.sub(rf"(?<![\d.]){written}\b", free, line)
        words = shlex.split(line, comments=True)
        where = f"{block.where}: {command.line}"
        if words and words[-1] == "&":
            words = words[:-1]
        chain = [list(group) for group in _split(words, "&&")]
        for j, words in enumerate(chain):
            last = j == len(chain) - 1
            self.run(words, where, expected if last else 0, command.shown if last else [])

    def run(self, words: list[str], where: str, expected: int, shown: list[str]) -> None:
        env = dict(self.env)
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        words = [env["HOME"] + w[1:] if w == "~" or w.startswith("~/") else w for w in words]  # as a shell does
        if words[0] == ".venv/bin/kgpub":
            words = ["kgpub", *words[1:]]
        if words[:3] == ["python3", "-m", "venv"] or words[:2] == [".venv/bin/pip", "install"]:
            return  # the suite runs in an installed kgpub; test_the_first_command_runs_exactly_as_written runs these
        if words[:2] == ["kgpub", "serve"] or words[:3] in (["python", "-m", "http.server"],
                                                            ["python3", "-m", "http.server"]):
            self.serve(words, where, env)
            return
        if words[0] == "curl":
            for url in (w for w in words if "://" in w):
                assert urlsplit(url).hostname in ("127.0.0.1", "localhost"), f"{where}: only local hosts"
        elif words[0] not in ("kgpub", "cp", "mkdir", "ls", "cat"):
            pytest.fail(f"{where}: tests/test_docs.py does not know how to run {words[0]!r}; run it here, or mark "
                        "the block <!-- not run: REASON -->")
        if words[0] in ("python", "python3"):
            words = [sys.executable, *words[1:]]
        result = subprocess.run(words, cwd=self.work, env=env, capture_output=True, text=True, timeout=300,
                                check=False)
        output = f"{result.stdout}\n{result.stderr}"
        assert result.returncode == expected, f"{where}: exit {result.returncode}, not {expected}\n{output}"
        _assert_shown(shown, result.stdout, result.stderr, where)

    def serve(self, words: list[str], where: str, env: dict[str, str]) -> None:
        """Start the server the line names on a free port, which stands for the written one from now on."""
        if "--port" in words:
            at = words.index("--port") + 1
        else:
            at = max(i for i, w in enumerate(words) if w.isdigit())
        written, free = words[at], str(_free_port())
        self.ports[written] = free
        words = [*words[:at], free, *words[at + 1:]]
        if words[0] in ("python", "python3"):
            words = [sys.executable, *words[1:]]
        if words[0] == "kgpub":
            words = [str(BIN / "kgpub"), *words[1:]]
        process = subprocess.Popen(words, cwd=self.work, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.servers.append(process)
        import time

        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"{where}: the server stopped with exit code {process.returncode}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{free}/", timeout=5) as answer:
                    assert answer.status == 200, f"{where}: / answered {answer.status}"
                    return
            except OSError:
                assert time.monotonic() < deadline, f"{where}: the server did not answer within 60 s"
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.servers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.servers.clear()
        self.ports.clear()


def _split(words: list[str], separator: str) -> Iterator[list[str]]:
    group: list[str] = []
    for word in words:
        if word == separator:
            yield group
            group = []
        else:
            group.append(word)
    yield group


def _matches(shown: str, line: str) -> bool:
    return line.startswith(shown[:-3]) if shown.endswith("...") else line == shown


def _assert_shown(shown: list[str], stdout: str, stderr: str, where: str) -> None:
    """Every line shown is printed, in the order shown, on standard output or standard error."""
    streams = {"stdout": stdout.splitlines(), "stderr": stderr.splitlines()}
    at = dict.fromkeys(streams, 0)
    for line in shown:
        for name, lines in streams.items():
            found = next((i for i in range(at[name], len(lines)) if _matches(line, lines[i])), None)
            if found is not None:
                at[name] = found + 1
                break
        else:
            pytest.fail(f"{where}: the page shows {line!r}, the command did not print it (after what was "
                        f"already matched)\n--- stdout\n{stdout}\n--- stderr\n{stderr}")


def _setup_drafting(work: Path, home: Path) -> None:
    """docs/drafting.md drafts the seeds' last article anew from a text in the home folder."""
    article = work / "seeds" / "articles" / "voa-2020-12-21"
    article.with_suffix(".txt").rename(home / "new.txt")
    article.with_suffix(".facts.yaml").unlink()


SETUP = {"drafting.md": _setup_drafting}


def _runnable(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.lang in SHELL and b.not_run is None]


#: Each page with commands to run. Running them builds the seeds again and again and starts servers, so it is
#: slow: the inner loop keeps the checks of the pages above, and the whole suite runs every example.
RUNNABLE = [pytest.param(page, id=page.name) for page in PAGES if _runnable(page)]


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNABLE)
def test_every_shell_example_runs_as_shown(page: Path, tmp_path: Path, seed_build: Path) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    home.mkdir()
    shutil.copytree(SEEDS, work / "seeds")
    if page.parent.name == "docs":
        shutil.copytree(seed_build, work / "dist", symlinks=True)
    if page.name in SETUP:
        SETUP[page.name](work, home)
    runner = Runner(work, home)
    for block in _runnable(page):
        runner.block(block)


@pytest.mark.slow
def test_the_first_command_runs_exactly_as_written(tmp_path: Path) -> None:
    """The README's first command, word for word, in a fresh copy of the project: a new .venv, kgpub installed
    into it, the seeds built, and the accusations asked."""
    readme = next(b for b in blocks(ROOT / "README.md") if b.lang == "sh")
    [command] = readme.commands()
    assert command.line.startswith("python3 -m venv .venv && ")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    clone = tmp_path / "clone"
    for name in files.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(["bash", "-c", command.line], cwd=clone, env=env, capture_output=True, text=True,
                            timeout=900, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| accuser | accused | allegation | event | quote | article |" in result.stdout.splitlines(), result.stdout
    assert (clone / "dist" / "kg.trig").is_file()
