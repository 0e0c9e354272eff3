"""The JSON Schemas of the curator's files, checked, and their findings worded for a curator.

The schemas in ``schemas/`` are the single definition of the format: editors use them for completion, and
kgpub validates against the very same files.  jsonschema finds every error and words it well; fastjsonschema
decides twenty times faster whether a document has none, so a large corpus pays for the wording only where
something is wrong.  A :class:`Document` keeps what the schema refused, so each later check reads only the
values it can trust and a run reports every mistake once, not its consequences.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from kgpub.corpus.yaml_lines import LinedDict, field_name, line_of
from kgpub.errors import Diagnostic
from kgpub.resources import schema_file


@cache
def validator(name: str) -> Any:
    """A JSON Schema validator for ``name``, with the sibling schemas resolvable by $ref."""
    import jsonschema
    from referencing import Registry, Resource

    schemas = {
        n: json.loads(schema_file(n).read_text(encoding="utf-8"))
        for n in ("facts", "entities", "dataset")
    }
    registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in schemas.values()
    )
    base = jsonschema.Draft202012Validator
    # JSON's data model has one number, so 2.0 is an integer to JSON Schema; YAML tells them apart, and a
    # curator who writes "occurrence: 2.0" has written something no integer field means
    strict = base.TYPE_CHECKER.redefine("integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(base, type_checker=strict)(schemas[name], registry=registry)


@cache
def fast_check(name: str) -> Any:
    """The same schema compiled to Python by fastjsonschema: 20x faster, but it stops at the first error.

    So it decides only whether a document is valid; the errors of an invalid
    one come from jsonschema, which finds all of them and words them well.  A
    test holds both to the same verdict on every document the tests use.
    """
    import fastjsonschema

    schemas = {}
    for n in ("facts", "entities", "dataset"):
        doc = json.loads(schema_file(n).read_text(encoding="utf-8"))
        schemas[doc["$id"]] = doc
    by_name = {uri.rsplit("/", 1)[-1].split(".", 1)[0]: doc for uri, doc in schemas.items()}
    return fastjsonschema.compile(by_name[name], handlers={"https": schemas.__getitem__}, use_default=False)


#: Documents of one schema a process checks with jsonschema before it compiles the schema with fastjsonschema:
#: compiling costs about as much as ten checks, so checking a few files never pays it (``kgpub check`` on each
#: save) and a corpus of thousands soon earns it back.  A document's entries count as documents: a registry of
#: thousands of entities costs jsonschema as much as thousands of facts files (half a second for 2,230, against a
#: fortieth of that compiled and checked).
FAST_AFTER = 8
_checked: dict[str, int] = {}


def _entries(doc: Any) -> int:
    """How many documents' worth of checking ``doc`` is: the longest list among its top-level values, at least 1."""
    lists = [len(v) for v in doc.values() if isinstance(v, list)] if isinstance(doc, dict) else []
    return max([1, *lists])


def _valid(doc: Any, schema: str) -> bool:
    """Whether ``doc`` (which holds no float: fastjsonschema would take 2.0 for an integer) conforms to ``schema``."""
    _checked[schema] = seen = _checked.get(schema, 0) + _entries(doc)
    if seen <= FAST_AFTER:
        return bool(validator(schema).is_valid(doc))
    import fastjsonschema

    try:
        fast_check(schema)(doc)
        return True
    except fastjsonschema.JsonSchemaException:
        return False


def expect(schema: str, documents: int) -> None:
    """Compile ``schema``'s fast check now when ``documents`` are about to be checked and that pays: a build
    or check forks its workers after this, and they share the compiled check instead of each compiling it."""
    if documents > FAST_AFTER:
        fast_check(schema)
        _checked[schema] = max(_checked.get(schema, 0), FAST_AFTER)


#: Schema errors about a mapping's keys (one missing, one unknown): its other values can still be checked.
_KEY_ERRORS = frozenset({"required", "additionalProperties"})


@dataclass(frozen=True)
class Document:
    """A YAML document with what its JSON Schema found wrong in it, so each later check reads only the parts
    it can trust.

    ``broken``: paths (keys and indexes) of values the schema refuses (a wrong type, enum or pattern): the
    schema's message says what is wrong there, and any other message about them would be a consequence.
    ``flawed``: paths of every schema error, the mappings with a missing or unknown key included: the other
    values inside such a mapping can be checked, but the mapping cannot be read whole.
    """

    doc: Any
    problems: tuple[Diagnostic, ...] = ()
    broken: frozenset[tuple[Any, ...]] = frozenset()
    flawed: frozenset[tuple[Any, ...]] = frozenset()

    def reachable(self, *path: Any) -> bool:
        """Nothing at ``path`` or above it is broken: the value there is what the curator meant to write."""
        return not self.broken or not any(path[:k] in self.broken for k in range(len(path) + 1))

    def typable(self, *path: Any) -> bool:
        """Reachable with no schema error at all at or inside ``path``: a check may read the value whole, and it
        can become a typed fact."""
        n = len(path)
        return self.reachable(*path) and not any(len(f) >= n and f[:n] == path for f in self.flawed)

    def get(self, *path: Any) -> Any:
        """The value at ``path`` when it is there and typable, else None."""
        node = self.doc
        for step in path:
            in_mapping = isinstance(node, dict) and not isinstance(step, int) and step in node
            if not (in_mapping or (isinstance(node, list) and isinstance(step, int) and step < len(node))):
                return None
            node = node[step]
        return node if not self.flawed or self.typable(*path) else None

    def items(self, section: str) -> list[tuple[int, Any]]:
        """The reachable mappings of the list ``section`` of the document, with their indexes."""
        seq = self.doc.get(section) if isinstance(self.doc, dict) else None
        if not isinstance(seq, list) or not self.reachable(section):
            return []
        if not self.broken:
            return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict)]
        return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict) and self.reachable(section, i)]

    def line(self, *path: Any) -> int | None:
        return line_of(self.doc, path)

    def lost(self, section: str) -> bool:
        """``section`` is there but not a list of mappings that can be read: ids it defines may be unknown."""
        value = self.doc.get(section) if isinstance(self.doc, dict) else None
        if value is None:
            return False
        return not isinstance(value, list) or not self.reachable(section) or len(self.items(section)) < len(value)


def validate(doc: Any, schema: str, shown: str) -> Document:
    """``doc`` with every way it breaks its JSON Schema, worded for a curator, and where."""
    if not getattr(doc, "floats", False) and _valid(doc, schema):  # fastjsonschema takes 2.0 for an integer
        return Document(doc)
    from jsonschema.exceptions import best_match

    out = []
    broken, flawed = set(), set()
    for error in validator(schema).iter_errors(doc):
        while error.context:  # anyOf: report the branch meant for this kind of value
            inside = [e for e in error.context if len(e.absolute_path) > len(error.absolute_path)]
            fitting = inside or [e for e in error.context if e.validator != "type"] or list(error.context)
            error = best_match(fitting)
        path = tuple(error.absolute_path)
        flawed.add(path)
        if error.validator not in _KEY_ERRORS:
            broken.add(path)
        found = _describe(doc, error, list(path), shown)
        if found is not None:
            out.append(found)
    return Document(doc, tuple(out), frozenset(broken), frozenset(flawed))


def _describe(doc: Any, error: Any, path: list[Any], shown: str) -> Diagnostic | None:
    """Turn one jsonschema error into a Diagnostic with a line and a useful message."""
    line = line_of(doc, path)
    name = field_name(path)
    instance = error.instance
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)[0]
        near = difflib.get_close_matches(str(extra), allowed, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"valid keys: {', '.join(allowed)}"
        key_line = instance.key_lines[extra][0] if isinstance(instance, LinedDict) else line
        where = field_name([*path, extra])
        return Diagnostic(shown, key_line, where, f"unknown key {extra!r}; {hint}")
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in instance][0]
        allowed = error.schema.get("properties", {})
        if any(k not in allowed and difflib.get_close_matches(str(k), [missing], cutoff=0.5) for k in instance):
            return None  # the unknown-key message already names this key as the likely fix
        return Diagnostic(shown, line, name or "(top level)", f"missing required key {missing!r}")
    if error.validator == "enum":
        choices = [str(c) for c in error.validator_value]
        near = difflib.get_close_matches(str(instance), choices, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"one of: {', '.join(choices)}"
        return Diagnostic(shown, line, name, f"{instance!r} is not allowed here; {hint}")
    if error.validator in ("minLength", "minItems") or (
        error.validator == "pattern" and isinstance(instance, str) and not instance.strip()
    ):
        return Diagnostic(shown, line, name, "must not be empty")
    if error.validator == "maxLength":
        return Diagnostic(shown, line, name, f"{str(instance)[:40]!r}… is {len(instance)} characters long; "
                                                   f"at most {error.validator_value} are allowed")
    if error.validator == "pattern":
        what = error.schema.get("description", f"must match {error.validator_value}")
        return Diagnostic(shown, line, name, f"{instance!r} is not valid: {what}")
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        if "integer" in expected and isinstance(instance, float):
            return Diagnostic(shown, line, name, f"expected integer, got {instance!r}; write a whole number "
                                                       "without a decimal point")
        return Diagnostic(shown, line, name, f"expected {expected}, got {_type_name(instance)}")
    return Diagnostic(shown, line, name, error.message)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    for kind, name in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "text"),
                       (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return type(value).__name__

