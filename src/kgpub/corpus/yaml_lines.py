"""YAML with positions: every mapping, key and list item remembers its line, so every message names one.

PyYAML's values forget where they were written, and its safe loader turns ``2020-01-03`` into a date and keeps
the last of two equal keys silently.  This loader keeps dates as text, refuses duplicate keys, documents too
deep or too alias-heavy to expand (a few lines of "alias bomb" expand to billions of nodes) and values too long
for any output, each with its line and column; the JSON Schema checks (``schema``) and the checks of a facts
file (``checks``) then place their findings by :func:`line_of` and name them by :func:`field_name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from kgpub.errors import Diagnostic, InputError


class LinedDict(dict):
    """A dict that remembers the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[Any, tuple[int, int]]
    #: On a document's root: whether the YAML wrote a float anywhere (``2.0``), which no field takes.
    floats: bool = False


class LinedList(list):
    """A list that remembers the line of each of its items."""

    line: int = 0
    item_lines: list[int]
    floats: bool = False


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that kgpub refuses (too deep, too many aliases, a value too long): not a syntax error."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C scanner when available


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that keeps dates as text; nodes are turned into Python by :func:`_convert`.

    PyYAML would turn ``2020-01-03`` into a ``datetime.date`` and silently keep
    the last of two equal keys; both hide curator mistakes.
    """


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_STR = "tag:yaml.org,2002:str"


#: A facts file has no use for deep nesting or many aliases; beyond these a document is refused, not expanded
#: (an "alias bomb" of a few lines expands to billions of nodes).
MAX_DEPTH = 64
MAX_ALIASES = 100
#: Characters of one YAML value: a note or description, not a text (a longer line than 16 MiB breaks parsers).
MAX_VALUE = 100_000


class _Guard:
    """What one document's conversion has seen: the nodes on the current path, and how often a node came
    again (an alias)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.path: set[int] = set()
        self.aliases = 0
        self.floats = False  # JSON Schema's integer takes 2.0; a facts file's integers must be written as such


def _convert(loader: Any, node: yaml.Node, guard: _Guard | None = None, depth: int = 0) -> Any:
    """Python values from YAML nodes, recording the line of every key and item; deep, recursive or
    alias-heavy documents are refused with the line where it happens."""
    if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_VALUE:  # every output keeps a literal on one line
        raise _Refused(None, None, f"a value of {len(node.value):,} characters; a facts value may have "
                                   f"at most {MAX_VALUE:,} (the article's text belongs in its .txt file)",
                                   node.start_mark)
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):  # most nodes: no constructor to look up
        return node.value
    if guard is None:
        guard = _Guard()
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        key = id(node)
        if key in guard.path:
            raise _Refused(None, None, "a recursive alias (a node that contains itself)", node.start_mark)
        if key in guard.seen:
            guard.aliases += 1
            if guard.aliases > MAX_ALIASES:
                raise _Refused(None, None, f"more than {MAX_ALIASES} aliases of lists or mappings",
                                           node.start_mark)
        if depth > MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        guard.seen.add(key)
        guard.path.add(key)
        try:
            return _convert_collection(loader, node, guard, depth)
        finally:
            guard.path.discard(key)
    constructor = loader.yaml_constructors.get(node.tag)
    if constructor is None:
        return loader.construct_scalar(node)
    try:
        value = constructor(loader, node)
        if isinstance(value, float):
            guard.floats = True
        return value
    except (ValueError, TypeError, KeyError, AttributeError, yaml.constructor.ConstructorError) as exc:  # !!int abc
        raise yaml.MarkedYAMLError(None, None, f"{node.tag.rsplit(':', 1)[-1]} value {node.value!r} is not valid "
                                   f"({' '.join(str(exc).split())[:80]})", node.start_mark) from None


def _convert_collection(loader: Any, node: yaml.Node, guard: _Guard, depth: int) -> Any:
    if isinstance(node, yaml.MappingNode):
        data = LinedDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, guard, depth + 1)
            if isinstance(key, (dict, list)):
                raise yaml.MarkedYAMLError(None, None, "a mapping key must be a plain value", key_node.start_mark)
            if not isinstance(key, str):  # 1: x, true: y beside real keys: report them as the unknown keys they are
                key = str(key)
            if key in data:
                first = data.key_lines[key][0]
                raise _DuplicateKey(None, None, f"duplicate key {key!r} (first at line {first})", key_node.start_mark)
            data[key] = _convert(loader, value_node, guard, depth + 1)
            data.key_lines[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return data
    seq = LinedList(_convert(loader, child, guard, depth + 1) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


def position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of byte ``offset``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1


def read_yaml(path: Path, shown: str) -> Any:
    """Parse one YAML file, turning syntax errors into a located Diagnostic."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position(raw, exc.start)
        raise InputError([Diagnostic(shown, line, "", f"not UTF-8 text ({exc.reason}, byte {exc.start})",
                                     column)]) from None
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        guard = _Guard()
        doc = _convert(loader, node, guard)
        if isinstance(doc, (LinedDict, LinedList)):
            doc.floats = guard.floats
        return doc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: its place in the file, not in a string
        raise InputError([_unreadable_character(text, exc, shown)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        at_line = mark.line + 1 if mark else None
        at_column = mark.column + 1 if mark else None
        what = problem if isinstance(exc, _Refused) else f"YAML syntax error: {problem}"
        raise InputError([Diagnostic(shown, at_line, "", what, at_column)])
    except yaml.YAMLError as exc:
        raise InputError([Diagnostic(shown, None, "", f"YAML error: {' '.join(str(exc).split())}")])
    finally:
        loader.dispose()


def _unreadable_character(text: str, exc: yaml.reader.ReaderError, shown: str) -> Diagnostic:
    """Where the character PyYAML refused stands in the file, found by the character itself: the C scanner
    counts bytes and the Python one characters, and both name the stream "<unicode string>"."""
    import unicodedata

    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    at = text.find(char)
    line = column = None
    if at != -1:  # the first one: the scanner stops at the first it meets
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
    what = "control character" if unicodedata.category(char) == "Cc" else "character"
    return Diagnostic(shown, line, "", f"{what} U+{ord(char):04X} is not allowed in YAML "
                                       "(tabs and line breaks are; no other control characters)", column)


def line_of(doc: Any, path: Iterable[Any]) -> int | None:
    """The line of the element at ``path`` (keys and indexes) inside ``doc``."""
    node, line = doc, getattr(doc, "line", None)
    for step in path:
        if isinstance(node, LinedDict) and step in node:
            line = node.key_lines[step][0]
            node = node[step]
        elif isinstance(node, LinedList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def field_name(path: Iterable[Any]) -> str:
    """``events[3].evidence[0]`` from a jsonschema path."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out



def empty() -> LinedDict:
    """The document of an empty file: a mapping without keys, which its schema then finds what it lacks."""
    doc = LinedDict()
    doc.key_lines = {}
    return doc
