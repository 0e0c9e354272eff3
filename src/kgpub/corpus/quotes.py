"""Where a quote sits in its article's text, or why it cannot be found there.

Kept apart from the RDF of ``provenance`` so ``kgpub check`` finds every
misquote without loading rdflib: a check run on each save must start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kgpub.errors import Diagnostic, InputError

if TYPE_CHECKING:
    from kgpub.corpus.model import Quote

#: Code points of context kept on each side of a quote (oa:prefix / oa:suffix).
CONTEXT = 32


@dataclass(frozen=True)
class Span:
    """Where a quote sits in its article: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def find_all(text: str, quote: str) -> list[int]:
    """Every start offset of ``quote`` in ``text``, overlapping matches included."""
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def closest_passage(text: str, quote: str) -> str:
    """The passage of ``text`` most like ``quote``, for error messages.

    rapidfuzz's partial-ratio alignment finds it in milliseconds even in a
    text of megabytes (difflib took a minute on 8 MB: a misquote must never
    cost that).
    """
    from rapidfuzz import fuzz

    if not text or not quote:
        return ""
    found = fuzz.partial_ratio_alignment(quote, text)
    if found is None:  # only for empty strings, excluded above
        return ""
    start, end = found.dest_start, found.dest_end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum() and found.dest_start - start < 40:
        start -= 1  # whole words, as the curator will copy them
    while 0 < end < len(text) and text[end].isalnum() and text[end - 1].isalnum() and end - found.dest_end < 40:
        end += 1
    return text[start:end].strip()


def _first_difference(quote: str, passage: str) -> str:
    """Where quote and passage first differ, with both characters named, when the difference is not visible:
    a no-break space, a typographic quote or a dash looks like its plain twin in any message."""
    import unicodedata

    if len(quote) != len(passage) and quote.split() != passage.split():
        return ""  # other words: the passage itself shows the difference
    at = next((i for i, (a, b) in enumerate(zip(quote, passage)) if a != b), None)
    if at is None:
        return ""
    a, b = quote[at], passage[at]
    if a.isascii() and a.isprintable() and b.isascii() and b.isprintable() and not (a.isspace() or b.isspace()):
        return ""

    def named(c: str) -> str:
        name = unicodedata.name(c, "") or {"\n": "LINE FEED", "\t": "TAB", "\r": "CARRIAGE RETURN"}.get(c, "")
        return f"U+{ord(c):04X} {name}".rstrip()
    return f"; they first differ at character {at + 1}: the text has {named(b)}, the quote {named(a)}"


def locate(text: str, quote: Quote, text_file: str) -> Span:
    """Find ``quote`` in ``text``; raise InputError with a useful hint when it is not there."""
    found = find(text, quote, text_file)
    if isinstance(found, Diagnostic):
        raise InputError([found])
    return found


def find(text: str, quote: Quote, text_file: str) -> Span | Diagnostic:
    """``quote``'s span in ``text``, or the Diagnostic that says why it has none (a check collects many)."""
    starts = find_all(text, quote.text)
    source = quote.source
    if not starts:
        hint = closest_passage(text, quote.text)
        return Diagnostic(source.file, source.line, "evidence",
                          f"quote not found in {text_file}: {_short(quote.text)!r}; "
                          f"closest passage: {_short(hint)!r}{_first_difference(quote.text, hint)}")
    if quote.occurrence is None and len(starts) > 1:
        return Diagnostic(source.file, source.line, "evidence",
                          f"quote occurs {len(starts)} times in {text_file}: {_short(quote.text)!r}; "
                          f"add 'occurrence: N' (1 to {len(starts)}) or quote a longer passage")
    index = quote.occurrence or 1
    if index > len(starts):
        return Diagnostic(source.file, source.line, "evidence.occurrence",
                          f"occurrence {index} asked, but the quote occurs {len(starts)} "
                          f"time{'s' if len(starts) > 1 else ''} in {text_file}")
    start = starts[index - 1]
    end = start + len(quote.text)
    return Span(start, end, quote.text, text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


