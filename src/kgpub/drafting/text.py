"""The article as the drafter reads it: sentences, word tokens with their offsets, quotes that anchor.

Sentences come from syntok (MIT, pure Python, rule-based: a segmenter that keeps each token's offset in
the text, so every sentence is a slice of the article, not a re-spelling of it); it knows abbreviations
such as "U.S." and "Dr." that a full stop does not end.  pysbd returns sentences as strings without
their offsets, and NLTK's punkt needs its model downloaded at run time; a statistical model (spaCy)
would make drafts depend on weights and differ between machines.  Tokens are our own: a name is compared folded (case, diacritics,
apostrophe and quote style, the possessive "'s", the Arabic article "al-") while every match keeps the
offsets of the article's own characters, so a quote drafted from a match is the text itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kgpub.pipeline.provenance import find_all

#: The Arabic article before a name ("al-Kadhemi"): skipped in comparisons when a hyphen follows it.
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et"})
_APOSTROPHES = "'’‘ʼʻ`´ʿʾ"
_HYPHENS = "‐‑"
_TOKEN = re.compile(r"(?:[a-z]\.){2,}|[a-z0-9]+(?:'[a-z0-9]+)*")


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """One character folded to one: lower case, no diacritic, plain apostrophe and hyphen (offsets kept)."""
    if c in _APOSTROPHES:
        return "'"
    if c in _HYPHENS:
        return "-"
    base = unicodedata.normalize("NFKD", c)
    base = "".join(x for x in base if not unicodedata.combining(x)) or c
    low = base[0].lower()
    return low[0] if low else c


def fold(text: str) -> str:
    """``text`` folded character by character: same length, so offsets in it are offsets in ``text``."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Token:
    key: str  # folded, no apostrophes, no possessive 's, no dots
    start: int
    end: int
    capital: bool  # its first letter is upper case in the text
    upper: bool  # written in capitals ("AAH", "U.S.")
    article: bool  # "al" of "al-Kadhemi": skipped when names are compared


def tokens(text: str, folded: str | None = None) -> list[Token]:
    """The words of ``text`` with their offsets."""
    folded = fold(text) if folded is None else folded
    out = []
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        word = match.group()
        original = text[start:end]
        if word.endswith("'s"):
            word, end = word[:-2], end - 2
            original = original[:-2]
        key = word.replace("'", "").replace(".", "")
        if not key:
            continue
        article = key in ARTICLES and folded[end:end + 1] == "-"
        letters = [c for c in original if c.isalpha()]
        out.append(Token(key, start, end, bool(letters) and letters[0].isupper(),
                         len(letters) > 1 and all(c.isupper() for c in letters), article))
    return out


def name_tokens(name: str) -> tuple[str, ...]:
    """The keys of a registry name or alias, as :func:`tokens` makes them of the text."""
    return tuple(t.key for t in tokens(name) if not t.article)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The article's sentences (syntok), also cut at a line break that ends a heading or a caption."""
    from syntok import segmenter

    out = []
    for base, block in _blocks(text):  # paragraph by paragraph: syntok's time grows faster than its input
        for paragraph in segmenter.analyze(block):
            for sentence in paragraph:
                words = [t for t in sentence if t.value]
                if not words:
                    continue
                start = base + words[0].offset
                end = base + words[-1].offset + len(words[-1].value)
                if text[start:end].strip() == "":
                    continue
                out.extend(_cut_lines(text, start, end))
    return out


#: The longest passage given to syntok at once: a longer paragraph is cut after a full stop.
_BLOCK = 20_000


def _blocks(text: str) -> list[tuple[int, str]]:
    """The paragraphs of ``text`` with their offsets, none longer than about :data:`_BLOCK` characters."""
    out = []
    for match in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        start, end = match.span()
        while end - start > _BLOCK:
            cut = text.rfind(". ", start, start + _BLOCK)
            cut = cut + 2 if cut > start else start + _BLOCK
            out.append((start, text[start:cut]))
            start = cut
        out.append((start, text[start:end]))
    return out


def _cut_lines(text: str, start: int, end: int) -> list[Sentence]:
    pieces, at = [], start
    for match in re.finditer(r"\n", text[start:end]):
        cut = start + match.start()
        before = text[at:cut].rstrip()
        if before and not re.search(r"[a-z,;:\-–]$", before):  # a line that does not run on into the next
            pieces.append((at, at + len(before)))
            at = cut + 1
    pieces.append((at, end))
    out = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(Sentence(a, b, text[a:b]))
    return out


def quote(text: str, start: int, end: int) -> str | dict[str, object]:
    """The passage ``text[start:end]`` as a facts quote: with ``occurrence`` when it occurs more than once."""
    from bisect import bisect_left

    passage = text[start:end]
    starts = _occurrences(text, passage)
    if len(starts) == 1:
        return passage
    return {"quote": passage, "occurrence": bisect_left(starts, start) + 1}


_SEEN: dict[str, list[int]] = {}
_OF: list[str] = [""]  # the text _SEEN's offsets are in


def _occurrences(text: str, passage: str) -> list[int]:
    """Every start of ``passage`` in ``text``, found once per passage (a name quoted a thousand times)."""
    if _OF[0] is not text or len(_SEEN) > 100_000:
        _SEEN.clear()  # another text: its offsets say nothing of this one
        _OF[0] = text
    found = _SEEN.get(passage)
    if found is None:
        found = _SEEN[passage] = find_all(text, passage)
    return found
