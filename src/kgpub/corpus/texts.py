"""Article texts: what kgpub accepts as the text a facts file's quotes are found in.

A text is read only from inside the seeds folder once every symlink is resolved, as a regular file of at most
:data:`MAX_TEXT_BYTES`, in UTF-8 without control characters: anything else (a path out of the folder, a pipe,
a corrupt byte) is a located problem of the facts file that names it, never an exception, so the other
checks of that file still run.  ``kgpub draft`` holds the texts it reads to the same rules (:func:`decoded`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from kgpub.corpus.model import FACTS_SUFFIX
from kgpub.corpus.schema import Document
from kgpub.corpus.yaml_lines import position
from kgpub.errors import Diagnostic


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decoded(raw: bytes, shown: str) -> str | Diagnostic:
    """``raw`` as UTF-8 text without control characters, else the Diagnostic at the line and column of the first bad one.

    A NUL or an escape character in an article is corruption (or an attempt
    to write to the reader's terminal), never text a quote can rest on; XML
    and JSON-LD outputs could not carry it either.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position(raw, exc.start)
        return Diagnostic(shown, line, "", f"not UTF-8 text ({exc.reason}, byte {exc.start})", column)
    match = _CONTROL.search(text)
    if match is not None:
        at = match.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        return Diagnostic(shown, line, "", f"control character U+{ord(match.group()):04X}: "
                          "a text may hold tabs and line breaks, no other control characters", column)
    return text



#: The largest article text kgpub reads: a news article is tens of kilobytes; a larger file is a mistake.
MAX_TEXT_BYTES = 4 * 1024 * 1024


def _unreadable_text(path: Path, root: Path) -> str | None:
    """Why ``path`` is not an article text kgpub may read, or None.

    A text must be a regular file inside the seeds folder once every symlink is
    resolved: a facts file naming ``../../etc/passwd`` (or a link out of the
    folder) would otherwise be read, and its content published in quotes'
    context or printed in a hint; a FIFO would hang the build, ``/dev/zero``
    exhaust memory.
    """
    import stat

    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return "cannot be resolved (a symlink loop?)"
    if not resolved.is_relative_to(root.resolve()):
        return "lies outside the seeds folder (symlinks resolved); article texts must be inside it"
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        return None  # reported as a missing file
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a folder, a device or a pipe); name the article's text file"
    if info.st_size > MAX_TEXT_BYTES:
        return f"is {info.st_size:,} bytes, more than the {MAX_TEXT_BYTES:,} an article text may have"
    return None


@dataclass(frozen=True)
class ArticleText:
    """The text a facts file's quotes must be found in, or why it cannot be read (``problem``)."""

    shown: str  # its file, relative to the seeds folder
    raw: bytes = b""
    text: str | None = None
    problem: Diagnostic | None = None


def article_text(document: Document, facts_path: Path, root: Path, shown: str) -> ArticleText:
    """The article text ``article.text`` names (by default the facts file's name with ``.txt``)."""
    named = document.get("article", "text")
    if named is None and isinstance(document.doc, dict) and isinstance(document.doc.get("article"), dict) \
            and "text" in document.doc["article"]:
        return ArticleText(str(document.doc["article"]["text"]))  # its schema error says why: nothing to read
    text_name = named or facts_path.name[: -len(FACTS_SUFFIX)] + ".txt"
    text_path = facts_path.parent / text_name
    text_shown = text_path.relative_to(root).as_posix() if text_path.is_relative_to(root) else str(text_name)
    line = document.line("article", "text")

    def problem(message: str) -> ArticleText:
        return ArticleText(text_shown, problem=Diagnostic(shown, line, "article.text", message))

    refused = _unreadable_text(text_path, root)
    if refused:
        return problem(f"{str(text_name)!r} {refused}")
    try:
        raw = text_path.read_bytes()
    except FileNotFoundError:
        return problem(f"article text file {text_shown} does not exist")
    except OSError as exc:
        return problem(f"{text_shown!r} cannot be read: {exc.strerror}")
    text = decoded(raw, text_shown)
    if isinstance(text, Diagnostic):
        return ArticleText(text_shown, raw, problem=text)
    return ArticleText(text_shown, raw, text)
