"""Rules of the source's layout that a reviewer would otherwise have to remember.

HTML is written in the templates under ``src/kgpub/web/templates`` (Jinja2, autoescaped), never in Python: a tag
in a Python string is markup built by hand, where an unescaped label is one forgotten call away."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: The HTML (and SVG) elements a page is made of.
ELEMENTS = ("a abbr article aside b blockquote body br button caption circle code dd details div dl dt em fieldset "
            "figcaption figure footer form g h1 h2 h3 h4 h5 h6 head header hr html i img input label legend li line "
            "link main mark meta nav ol option p path pre q rect script section select small span strong style sub "
            "summary sup svg table tbody td text textarea tfoot th thead time title tr u ul").split()
#: An opening tag (``<p>``, ``<a href``, ``<br/>``), not a regular expression's named group (``(?P<q>...)``); an end
#: tag or the start of one (``</``); a document type.
TAG = re.compile(r"(?<!\?P)<(?:" + "|".join(ELEMENTS) + r")(?=[\s>/])|</|<!doctype", re.IGNORECASE)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module with its line: constants, docstrings, and each f-string's text with its
    replacement fields as ``{}`` (so ``f"<td>{x}</td>"`` is read as ``<td>{}</td>``)."""
    found = []
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
                           for v in node.values)
            found.append((node.lineno, text))
            inside |= {id(v) for v in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside:
            found.append((node.lineno, node.value))
    return found


def html_literals(path: Path, root: Path = SRC.parent) -> list[str]:
    """``FILE:LINE: <tag`` for every HTML tag literal in a Python file (FILE relative to ``root``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [f"{path.relative_to(root)}:{line}: {match.group(0)!r} in {text[:60]!r}"
            for line, text in sorted(_strings(tree)) for match in [TAG.search(text)] if match]


def test_no_html_tag_literal_in_python_source() -> None:
    sources = sorted(SRC.rglob("*.py"))
    assert len(sources) > 30
    problems = [p for path in sources for p in html_literals(path)]
    assert problems == [], "HTML belongs in src/kgpub/web/templates:\n" + "\n".join(problems)


@pytest.mark.parametrize(("source", "flagged"), [
    ('x = "<p>"', True),
    ('x = f\'<a href="{h}">{t}\'', True),
    ('x = "text" + "</"', True),
    ('x = f"<td>{v}</td>"', True),
    ('x = "<!DOCTYPE html>"', True),
    ('def f(): """A <mark> of each quote."""', True),
    ('x = r"(?P<q>at least|about)"', False),
    ('x = f"?e <{ns}label> ?l"', False),
    ('x = "SELECT ?s WHERE { ?s a <http://schema.org/Thing> }"', False),
    ('x = "a < b and c > d"', False),
    ('x = "<\\\\/"', False),
])
def test_the_rule_finds_tags_and_only_tags(source: str, flagged: bool, tmp_path: Path) -> None:
    path = tmp_path / "src" / "probe.py"
    path.parent.mkdir()
    path.write_text("\n" + source + "\n", encoding="utf-8")
    found = html_literals(path, tmp_path)
    assert bool(found) is flagged, found
    if flagged:
        assert found[0].startswith("src/probe.py:2: ")  # the file and the line, for the one who fixes it


def test_the_rule_would_have_found_the_hand_built_pages(tmp_path: Path) -> None:
    """The pages as they were built before the templates: string concatenation, caught line by line."""
    path = tmp_path / "pages.py"
    path.write_text('''import html
def link(href, text):
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
def frame(title, body):
    return (f"<!doctype html><html lang=\\"en\\"><head><title>{html.escape(title)}</title>"
            "</head><body>" + body + "</body></html>")
''', encoding="utf-8")
    found = html_literals(path, tmp_path)
    assert [f.split(":")[1] for f in found] == ["3", "5", "6"]
