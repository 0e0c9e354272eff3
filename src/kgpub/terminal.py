"""What kgpub prints is safe to print: no control character from the input, no credential in a URL.

A label, a file name or a server's answer can hold terminal escape sequences
(``ESC ] 0 ; ... BEL`` sets a terminal's title, ``ESC [ 2 J`` clears it) or a
newline that would break a one-line message in two.  Every line the command
line prints goes through :func:`printable_lines` (reports, tables, summaries)
or, for one problem that must stay one line, :func:`printable`: each control
character is shown escaped, as Python writes it (``\\x1b``, ``\\n``), and the
``user:password@`` part of every URL is removed (``secrets.safe_url``).
"""

from __future__ import annotations

import re

from kgpub.secrets import safe_url

#: C0 controls, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates that reorder what
#: a terminal shows (the marks Arabic text uses, U+200E, U+200F, U+061C, are kept).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` as one line: every control character (a newline too) escaped, URLs without credentials."""
    return _CONTROL.sub(_escape, safe_url(text))


def printable_lines(text: str) -> str:
    """``text`` with its line breaks and tabs (the columns of ``kgpub entities``) kept and every other control
    character escaped, URLs without credentials."""
    return "\n".join("\t".join(printable(cell) for cell in line.split("\t")) for line in text.split("\n"))


_IN_DATA = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable_data(text: str) -> str:
    """A JSON or Turtle document safe to print: each control character but a line break or a tab written as
    the ``\\uXXXX`` escape both languages read back as that very character (it can only stand in a string)."""
    return _IN_DATA.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
