"""The one SPARQL lexer: what in a query's text is a string, an IRI, a comment, a variable or a word.

Several questions about a query must be answered before, or instead of,
parsing it: does it read named graphs (so the index must hold them), does it
call a SERVICE or name its own dataset, is it an update, where does a
variable occur so it can be pre-bound.  Each answer is wrong if a keyword
inside a string, an IRI or a comment counts, so the patterns for those live
here once, and pre-binding (``prebinding``), the local and the remote engines
all read a query through them.  A regular lexer, not a parser: it answers in
microseconds and never fails, where a real parser (rdflib's) costs the import
of rdflib.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kgpub.errors import QueryError

#: A string in any of SPARQL's four quotings.
_STRING = r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
#: An IRI in angle brackets (the characters the grammar excludes from IRIREF stop it).
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
#: A comment, up to the end of its line.
_COMMENT = r"#[^\n]*"

_TOKEN = re.compile(
    rf"(?P<space>\s+)|(?P<comment>{_COMMENT})"
    rf"|(?P<string>{_STRING})"
    rf"|(?P<iri>{_IRI})"
    r"|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*)"
    r"|(?P<other>.)", re.DOTALL)
#: Text where a word is not a keyword: strings, IRIs and comments.
_NOT_KEYWORDS = re.compile(f"{_STRING}|{_IRI}|{_COMMENT}")


@dataclass(frozen=True)
class Token:
    kind: str  # space, comment, string, iri, var, word or other (one character)
    text: str


def tokens(text: str) -> list[Token]:
    """Every token of ``text``, spaces and comments included: joined, they give ``text`` back."""
    return [Token(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]


def significant(tokens: list[Token], start: int, step: int) -> Iterator[int]:
    """The positions of the tokens other than spaces and comments, from ``start`` onwards by ``step`` (±1)."""
    i = start
    while 0 <= i < len(tokens):
        if tokens[i].kind not in ("space", "comment"):
            yield i
        i += step


def word(token: Token) -> str:
    """A keyword as SPARQL reads it (keywords are case-insensitive): upper-cased; any other token as it is."""
    return token.text.upper() if token.kind == "word" else token.text


# --------------------------------------------------------------------------- keywords outside strings, IRIs, comments


def _keyword(*words: str) -> re.Pattern[str]:
    """One of ``words`` standing as a keyword: not part of a name, a variable or a prefixed name."""
    return re.compile(rf"(?<![\w?$:])(?:{'|'.join(words)})(?![\w:-])", re.IGNORECASE)


#: GRAPH patterns and FROM / FROM NAMED clauses: the only ways a query reads named graphs.
_GRAPH_KEYWORD = _keyword("GRAPH", "FROM")
_FROM = _keyword("FROM")
_SERVICE = _keyword("SERVICE")
#: SPARQL's codepoint escapes, which the grammar says are replaced before a query is parsed (so a keyword
#: may be written with them: SERV\u0049CE).
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _keywords_only(text: str) -> str:
    return _NOT_KEYWORDS.sub(" ", text)


def reads_named_graphs(text: str) -> bool:
    """Whether a query may read named graphs: it says GRAPH or FROM outside strings, IRIs and comments.

    A word that only looks like the keyword costs a one-off completion of the
    index (see :func:`kgpub.sparql.index.open_index`), never a wrong answer.
    """
    return _GRAPH_KEYWORD.search(_keywords_only(text)) is not None


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (FROM, FROM NAMED) outside strings, IRIs and comments."""
    return _FROM.search(_keywords_only(text)) is not None


def uses_service(text: str) -> bool:
    """Whether a query may call a SERVICE: the keyword outside strings, IRIs and comments, codepoint
    escapes decoded first as SPARQL's grammar does.  An over-approximation: a word that only looks like
    the keyword refuses the query (with the way to allow it), never lets a federated call through."""
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _SERVICE.search(_keywords_only(decoded)) is not None


# --------------------------------------------------------------------------- updates

READ_ONLY = ("kgpub query is read-only: SPARQL UPDATE is refused (the build is the source of truth; "
             "change the facts and run kgpub build)")
_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


def check_readonly(text: str) -> None:
    """Refuse an update with a clear message (pyoxigraph's query parser would refuse it anyway, less clearly)."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    while (match := _PROLOGUE.match(body)) is not None:
        body = body[match.end():]
    if _UPDATE.match(body):
        raise QueryError(READ_ONLY)
