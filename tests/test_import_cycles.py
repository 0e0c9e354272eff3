"""No import cycle among kgpub's modules: each room imports only the rooms below it.

A cycle makes a module impossible to understand, test or move on its own, and
Python resolves it by import order, so it breaks on an innocent reordering.
The test reads every module under ``src/kgpub`` with ``ast`` and takes every
import it finds, at module level and inside functions alike (a function-level
import is still a dependency; it only hides the cycle from the interpreter
until the function runs).  A name imported from a package (``from kgpub.shacl
import report``) counts as the submodule when there is one, as the package's
``__init__`` otherwise.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "kgpub"



def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its ``__init__``)."""
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its text."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_innermost(alias.name, known))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else _innermost(base, known))
    return {m for m in found if m in known and m != name} | ({name} & found)


def _innermost(dotted: str, known: set[str]) -> str:
    """The longest prefix of ``dotted`` that is one of the package's modules ('' if none)."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return ""


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def components(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with a cycle in them (Tarjan's algorithm), in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.add(w)
                if w == v:
                    break
            if len(members) > 1 or v in edges.get(v, ()):
                out.append(frozenset(members))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out, key=sorted)


def one_cycle(component: frozenset[str], edges: dict[str, set[str]]) -> list[str]:
    """A concrete cycle through the component's first module, for the failure message (a → b → a)."""
    start = min(component)
    paths = {start: [start]}
    todo = [start]
    while todo:  # breadth first: the shortest way back
        v = todo.pop(0)
        for w in sorted(edges[v] & component):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                todo.append(w)
    raise AssertionError(f"no cycle through {start}")  # a component always has one


def test_the_walk_sees_module_level_and_function_level_imports() -> None:
    edges = graph()
    assert "kgpub.shacl.report" in edges["kgpub.shacl.validation"]  # a module-level import
    assert "kgpub.shacl.validation" in edges["kgpub.api"]  # only ever imported inside functions there
    assert "kgpub.errors" in edges["kgpub"]  # the package's __init__
    assert len(edges) > 40


def test_cycles_are_found_and_named() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    found = components(edges)
    assert found == [frozenset("abc"), frozenset("e")]
    assert one_cycle(found[0], edges) == ["a", "b", "c", "a"]


def test_no_import_cycle_among_kgpub_modules() -> None:
    edges = graph()
    found = components(edges)
    new = [" → ".join(one_cycle(c, edges)) for c in found]
    assert not new, "import cycles in src/kgpub:\n" + "\n".join(new)
