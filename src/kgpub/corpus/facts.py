"""Stage 1 — read the curator's files into a checked, typed corpus.

Everything a curator can get wrong is caught here, before any RDF exists, and
reported with the file and line of the mistake: YAML syntax, unknown keys (with
the nearest valid one), wrong types, duplicate ids, references to ids that do
not exist, impossible dates, misquotes.  Every problem of every file in one
run: the schema's findings mark what later checks (``checks.CHECKS``) leave
alone, and each check reads the rest.  The JSON Schemas in ``schemas/`` are the
single definition of the format: editors use them for completion, and this
module validates against the very same files.
"""

from __future__ import annotations

import calendar
import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from kgpub.corpus.dates import TextDate

import yaml

from kgpub.errors import Diagnostic, InputError
from kgpub.resources import schema_file

FACTS_SUFFIX = ".facts.yaml"
REGISTRY_FILE = "entities.yaml"
DATASET_FILE = "dataset.yaml"
ROLES = ("agent", "victim", "participant", "target")
#: ids that would clash with the IRI paths kgpub mints beside entity IRIs.
RESERVED_IDS = frozenset({"article", "graph", "dataset", "event"})


# --------------------------------------------------------------------------- typed corpus


@dataclass(frozen=True)
class Source:
    """Where a fact was written: the file (relative to the seeds folder) and line."""

    file: str
    line: int


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day — never more than the text says."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def lexical(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def datatype(self) -> str:
        """The XSD datatype local name that keeps this precision."""
        if self.month is None:
            return "gYear"
        return "gYearMonth" if self.day is None else "date"


@dataclass(frozen=True)
class Quote:
    """A passage the curator copied from the article, to be found in its text."""

    text: str
    occurrence: int | None
    source: Source


@dataclass(frozen=True)
class Retraction:
    """A fact that was published, then withdrawn (``retracted:``) or corrected by another (``superseded_by:``).

    The data graphs drop the fact; a tombstone keeps what it was, when and why it was withdrawn.
    """

    date: str | None
    reason: str | None
    evidence: str | None = None  # the correction's words, verbatim from the article text
    superseded_by: str | None = None  # the id of the fact of the same article that corrects it


@dataclass(frozen=True)
class Withdrawal:
    """An article its publisher withdrew: every fact of it leaves the data graphs."""

    date: str
    reason: str


@dataclass(frozen=True)
class Entity:
    id: str
    types: tuple[str, ...]
    name: str
    aliases: tuple[str, ...]
    description: str | None
    wikidata: str | None
    evidence: tuple[Quote, ...]
    source: Source
    #: Registry only: the id of the entity this one was merged into (its own id stays usable, as an alias).
    merged_into: str | None = None


#: How sure the article is of a fact (GRaSP's factuality: certainty and polarity).
CERTAINTIES = ("certain", "probable", "possible", "denied")
#: What a statement does (``statements[].act``): each a kg: class and a concept of the speech act scheme.
ACTS = ("Deny", "ClaimResponsibility", "NoClaimOfResponsibility", "Condemn", "Demand", "Warn", "Appeal")


@dataclass(frozen=True)
class Judgement:
    """Who the article has a fact from, and how sure it is of it ("reportedly", "security sources said")."""

    certainty: str = "certain"  # one of CERTAINTIES
    according_to: str | None = None  # an entity id: the source the article attributes the fact to
    hedge: str | None = None  # the hedging words as the article writes them ("reportedly")

    @property
    def asserted(self) -> bool:
        """Only what the article states as certain becomes an assertion; the rest is reified."""
        return self.certainty == "certain"


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str
    object: str
    role: str | None
    evidence: tuple[Quote, ...]
    source: Source
    #: When the relation (a role, a membership) began and ended, as precisely as the text says.
    since: TextDate | None = None
    until: TextDate | None = None
    description: str | None = None
    judgement: Judgement = Judgement()
    retraction: Retraction | None = None


#: What a count counts (``counts[].what``): people by what happened to them, and munitions.
COUNT_KINDS = ("killed", "injured", "arrested", "detained", "kidnapped", "displaced", "missing", "participants",
               "rockets", "missiles", "drones", "shells", "bombs", "vehicles")
#: How exact a count is: the keys a count gives its number under.
COUNT_QUALIFIERS = ("exactly", "at_least", "at_most", "about", "between")


@dataclass(frozen=True)
class Count:
    """A number the article gives for an event ("at least 25 killed", "about 5,200", "three rockets")."""

    what: str
    qualifier: str  # one of COUNT_QUALIFIERS
    low: int | None  # the least it can be (None: not said)
    high: int | None  # the most it can be
    value: int | None  # the number said (for "about", "at least", "exactly")
    evidence: tuple[Quote, ...]
    source: Source
    index: int


@dataclass(frozen=True)
class Event:
    id: str
    types: tuple[str, ...]
    label: str
    description: str | None
    date: TextDate | None
    place: str | None
    roles: dict[str, tuple[str, ...]]
    person_count: int | None
    evidence: tuple[Quote, ...]
    source: Source
    #: A report of a shared event of the registry (``report: ID``): ``id`` is the shared event's.
    shared: bool = False
    counts: tuple[Count, ...] = ()
    judgement: Judgement = Judgement()
    #: Events of this article (or shared events) this one responds to, and those it led to.
    in_response_to: tuple[str, ...] = ()
    led_to: tuple[str, ...] = ()
    retraction: Retraction | None = None


@dataclass(frozen=True)
class SharedEvent:
    """An event several articles report, defined once in the registry (``events:``); no evidence of its own."""

    id: str
    types: tuple[str, ...]
    label: str
    description: str | None
    date: TextDate | None
    place: str | None
    source: Source


@dataclass(frozen=True)
class Claim:
    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class Accusation:
    id: str
    type: str
    label: str | None
    accuser: str | None  # None: the text does not say who accuses ("it was blamed on ...")
    accused: tuple[str, ...]
    concerns: str | None
    allegation: str | None
    date: TextDate | None
    claims: tuple[Claim, ...]
    evidence: tuple[Quote, ...]
    source: Source
    description: str | None = None
    judgement: Judgement = Judgement()
    retraction: Retraction | None = None


@dataclass(frozen=True)
class Threat:
    id: str
    type: str
    label: str | None
    threatener: str
    threatened: tuple[str, ...]
    condition: str | None
    date: TextDate | None
    place: str | None
    evidence: tuple[Quote, ...]
    source: Source
    description: str | None = None
    judgement: Judgement = Judgement()
    retraction: Retraction | None = None


@dataclass(frozen=True)
class Statement:
    """A speech act beside accusations and threats: a denial, a claim (or the absence of a claim) of
    responsibility, a condemnation, a demand, a warning, an appeal."""

    id: str
    act: str  # one of ACTS
    speaker: str | None  # None: the text does not say who
    addressees: tuple[str, ...]
    #: The ids of what it is about or denies: facts of the article (accusation, event, threat, statement), shared
    #: events, or entities ("demanded the withdrawal of US forces").
    about: tuple[str, ...]
    content: str | None
    date: TextDate | None
    description: str | None
    evidence: tuple[Quote, ...]
    source: Source
    judgement: Judgement = Judgement()
    label: str | None = None
    retraction: Retraction | None = None


@dataclass(frozen=True)
class Mention:
    """Where an article names an entity (``mentions:``): checked like any fact's quotes, never published."""

    entity: str
    evidence: tuple[Quote, ...]
    source: Source


@dataclass(frozen=True)
class Article:
    id: str
    facts_file: str
    text_file: str
    text: str
    text_sha256: str
    headline: str
    publisher: str
    agency: str | None
    language: str
    published: PartialDate | None
    url: str | None
    note: str | None
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    events: tuple[Event, ...]
    accusations: tuple[Accusation, ...]
    threats: tuple[Threat, ...]
    source: Source
    statements: tuple[Statement, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: The rights in the text: its licence or rights statement (an IRI), who holds them when not the
    #: publisher (an entity id), the line that credits it, and whether the text stops short of the article.
    licence: str | None = None
    rights_holder: str | None = None
    attribution: str | None = None
    excerpt: bool = False
    withdrawn: Withdrawal | None = None


@dataclass(frozen=True)
class Dataset:
    title: str
    description: str
    license: str | None
    publisher: str | None
    homepage: str | None
    created: str | None
    base: str | None
    download: str | None
    #: A release (see ``releases``): written only when ``version`` is given, so older datasets build as before.
    version: str | None = None
    previous_version: str | None = None
    issued: str | None = None
    modified: str | None = None
    #: Article id -> whether its full text is published (site, serve) whatever its licence says.
    full_text: dict[str, bool] = field(default_factory=dict)
    #: Article id -> the line of dataset.yaml that says so (for a message naming an id no article has).
    full_text_lines: dict[str, int | None] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Corpus:
    """Everything the later stages need; nothing in it has been turned into RDF yet."""

    root: Path
    dataset: Dataset
    registry: tuple[Entity, ...]
    articles: tuple[Article, ...]
    registry_file: str | None = None
    entity_index: dict[str, Entity] = field(default_factory=dict, compare=False)
    events: tuple[SharedEvent, ...] = ()


# --------------------------------------------------------------------------- YAML with lines


class _Mapping(dict):
    """A dict that remembers the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[Any, tuple[int, int]]
    #: On a document's root: whether the YAML wrote a float anywhere (``2.0``), which no field takes.
    floats: bool = False


class _Sequence(list):
    """A list that remembers the line of each of its items."""

    line: int = 0
    item_lines: list[int]
    floats: bool = False


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that kgpub refuses (too deep, too many aliases, a value too long): not a syntax error."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C scanner when available


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that keeps dates as text; nodes are turned into Python by :func:`_convert`.

    PyYAML would turn ``2020-01-03`` into a ``datetime.date`` and silently keep
    the last of two equal keys; both hide curator mistakes.
    """


_Loader.yaml_implicit_resolvers = {
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
        data = _Mapping()
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
    seq = _Sequence(_convert(loader, child, guard, depth + 1) for child in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [child.start_mark.line + 1 for child in node.value]
    return seq


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
        line, column = _position(raw, exc.start)
        return Diagnostic(shown, line, "", f"not UTF-8 text ({exc.reason}, byte {exc.start})", column)
    match = _CONTROL.search(text)
    if match is not None:
        at = match.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        return Diagnostic(shown, line, "", f"control character U+{ord(match.group()):04X}: "
                          "a text may hold tabs and line breaks, no other control characters", column)
    return text


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of byte ``offset``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1


def _read_yaml(path: Path, shown: str) -> Any:
    """Parse one YAML file, turning syntax errors into a located Diagnostic."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        raise InputError([Diagnostic(shown, line, "", f"not UTF-8 text ({exc.reason}, byte {exc.start})",
                                     column)]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        guard = _Guard()
        doc = _convert(loader, node, guard)
        if isinstance(doc, (_Mapping, _Sequence)):
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


def _line_of(doc: Any, path: Iterable[Any]) -> int | None:
    """The line of the element at ``path`` (keys and indexes) inside ``doc``."""
    node, line = doc, getattr(doc, "line", None)
    for step in path:
        if isinstance(node, _Mapping) and step in node:
            line = node.key_lines[step][0]
            node = node[step]
        elif isinstance(node, _Sequence) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def _field_name(path: Iterable[Any]) -> str:
    """``events[3].evidence[0]`` from a jsonschema path."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


# --------------------------------------------------------------------------- schema validation


@cache
def _validator(name: str) -> Any:
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
def _fast_check(name: str) -> Any:
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
#: save) and a corpus of thousands soon earns it back.
FAST_AFTER = 8
_checked: dict[str, int] = {}


def _valid(doc: Any, schema: str) -> bool:
    """Whether ``doc`` (which holds no float: fastjsonschema would take 2.0 for an integer) conforms to ``schema``."""
    _checked[schema] = seen = _checked.get(schema, 0) + 1
    if seen <= FAST_AFTER:
        return bool(_validator(schema).is_valid(doc))
    import fastjsonschema

    try:
        _fast_check(schema)(doc)
        return True
    except fastjsonschema.JsonSchemaException:
        return False


def expect(schema: str, documents: int) -> None:
    """Compile ``schema``'s fast check now when ``documents`` are about to be checked and that pays: a build
    or check forks its workers after this, and they share the compiled check instead of each compiling it."""
    if documents > FAST_AFTER:
        _fast_check(schema)
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
        return _line_of(self.doc, path)

    def lost(self, section: str) -> bool:
        """``section`` is there but not a list of mappings that can be read: ids it defines may be unknown."""
        value = self.doc.get(section) if isinstance(self.doc, dict) else None
        if value is None:
            return False
        return not isinstance(value, list) or not self.reachable(section) or len(self.items(section)) < len(value)


def _schema_check(doc: Any, schema: str, shown: str) -> Document:
    """``doc`` with every way it breaks its JSON Schema, worded for a curator, and where."""
    if not getattr(doc, "floats", False) and _valid(doc, schema):  # fastjsonschema takes 2.0 for an integer
        return Document(doc)
    from jsonschema.exceptions import best_match

    out = []
    broken, flawed = set(), set()
    for error in _validator(schema).iter_errors(doc):
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
    line = _line_of(doc, path)
    field_name = _field_name(path)
    instance = error.instance
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)[0]
        near = difflib.get_close_matches(str(extra), allowed, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"valid keys: {', '.join(allowed)}"
        key_line = instance.key_lines[extra][0] if isinstance(instance, _Mapping) else line
        where = _field_name([*path, extra])
        return Diagnostic(shown, key_line, where, f"unknown key {extra!r}; {hint}")
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in instance][0]
        allowed = error.schema.get("properties", {})
        if any(k not in allowed and difflib.get_close_matches(str(k), [missing], cutoff=0.5) for k in instance):
            return None  # the unknown-key message already names this key as the likely fix
        return Diagnostic(shown, line, field_name or "(top level)", f"missing required key {missing!r}")
    if error.validator == "enum":
        choices = [str(c) for c in error.validator_value]
        near = difflib.get_close_matches(str(instance), choices, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"one of: {', '.join(choices)}"
        return Diagnostic(shown, line, field_name, f"{instance!r} is not allowed here; {hint}")
    if error.validator in ("minLength", "minItems") or (
        error.validator == "pattern" and isinstance(instance, str) and not instance.strip()
    ):
        return Diagnostic(shown, line, field_name, "must not be empty")
    if error.validator == "maxLength":
        return Diagnostic(shown, line, field_name, f"{str(instance)[:40]!r}… is {len(instance)} characters long; "
                                                   f"at most {error.validator_value} are allowed")
    if error.validator == "pattern":
        what = error.schema.get("description", f"must match {error.validator_value}")
        return Diagnostic(shown, line, field_name, f"{instance!r} is not valid: {what}")
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        if "integer" in expected and isinstance(instance, float):
            return Diagnostic(shown, line, field_name, f"expected integer, got {instance!r}; write a whole number "
                                                       "without a decimal point")
        return Diagnostic(shown, line, field_name, f"expected {expected}, got {_type_name(instance)}")
    return Diagnostic(shown, line, field_name, error.message)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    for kind, name in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "text"),
                       (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


# --------------------------------------------------------------------------- conversion


def parse_date(value: Any) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError on impossible dates."""
    text = str(value)
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: there is no month {month}")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{text!r} is not a date: {calendar.month_name[month]} {year} has {last} days")
    return PartialDate(year, month, day)


class _Reader:
    """Turns validated YAML documents into typed facts, collecting every problem."""

    def __init__(self, shown: str, doc: Any) -> None:
        self.shown = shown
        self.doc = doc
        self.problems: list[Diagnostic] = []

    def source(self, *path: Any) -> Source:
        return Source(self.shown, _line_of(self.doc, path) or 1)

    #: The article's publication date, against which relative phrases are resolved (None: not given).
    published: PartialDate | None = None

    def published_date(self, value: Any, *path: Any) -> PartialDate | None:
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problems.append(Diagnostic(self.shown, _line_of(self.doc, path), _field_name(path), str(exc)))
            return None

    def date(self, value: Any, *path: Any) -> TextDate | None:
        """A date as the text gives it (``dates``): EDTF, or a phrase relative to the article."""
        from kgpub.corpus import dates

        if value is None:
            return None
        try:
            if isinstance(value, dict):
                phrase = str(value["phrase"]).strip()
                if value.get("date") is not None:
                    given = dates.parse(value["date"])
                    return replace(given, phrase=phrase, rule="curator")
                published = self.published
                return dates.resolve(phrase, (published.year, published.month, published.day) if published else None)
            return dates.parse(value)
        except ValueError as exc:
            self.problems.append(Diagnostic(self.shown, _line_of(self.doc, path), _field_name(path), str(exc)))
            return None

    @staticmethod
    def judgement(item: dict[str, Any]) -> Judgement:
        return Judgement(item.get("certainty", "certain"), item.get("according_to"),
                         item["hedge"].strip() if item.get("hedge") else None)

    def count(self, item: dict[str, Any], *path: Any) -> Count:
        """One count of an event: its number under the key that says how exact it is."""
        qualifier = next(q for q in COUNT_QUALIFIERS if q in item)  # the schema requires exactly one
        number = item[qualifier]
        low: int | None
        high: int | None
        if qualifier == "between":  # low <= high: checked before (checks.counts)
            low, high = int(number[0]), int(number[1])
            value = None
        else:
            value = int(number)
            low = value if qualifier in ("exactly", "at_least") else None
            high = value if qualifier in ("exactly", "at_most") else None
        quotes = self.quotes(item["evidence"], *path, "evidence")  # held to the numbers they write: checks.counts
        return Count(item["what"], qualifier, low, high, value, quotes, self.source(*path), path[-1] + 1)

    def quotes(self, items: list[Any] | None, *path: Any) -> tuple[Quote, ...]:
        return tuple(quote(item, self.source(*path, i)) for i, item in enumerate(items or ()))

    def entity(self, item: dict[str, Any], *path: Any) -> Entity:
        types = item["type"]
        return Entity(
            id=item["id"],
            types=tuple(types) if isinstance(types, list) else (types,),
            name=item["name"].strip(),
            aliases=tuple(a.strip() for a in item.get("aliases", ())),
            description=item.get("description"),
            wikidata=item.get("wikidata"),
            evidence=self.quotes(item.get("evidence"), *path, "evidence"),
            source=self.source(*path),
            merged_into=item.get("merged_into"),
        )


_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                      "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}


def numbers_in(text: str) -> set[int]:
    """The numbers a quote writes, in digits ("31", "5,200") or in words up to ninety-nine ("Fourteen",
    "twenty-one"), so that a count can be held to its quote. Words like "dozens" or "thousands" are no number."""
    found = {int(d.replace(",", "")) for d in re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d])|\d+", text)}
    words = re.findall(r"[a-z]+", text.lower())
    for i, word in enumerate(words):
        if word in _TENS:
            unit = _UNITS.get(words[i + 1], 0) if i + 1 < len(words) and 0 < _UNITS.get(words[i + 1], 0) < 10 else 0
            found.add(_TENS[word] + unit)
        elif word in _UNITS and word != "zero" and not (i > 0 and words[i - 1] in _TENS and _UNITS[word] < 10):
            found.add(_UNITS[word])
    return found


def quote(item: str | dict[str, Any], source: Source) -> Quote:
    """One item of an ``evidence`` list: the passage alone, or ``{quote: ..., occurrence: N}``."""
    if isinstance(item, dict):
        return Quote(item["quote"], item.get("occurrence"), source)
    return Quote(item, None, source)


def _many(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


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


def _article(reader: _Reader, text: ArticleText) -> Article:
    """The typed article of a facts file in which no check found anything wrong."""
    doc = reader.doc
    meta = doc["article"]
    assert text.text is not None
    r = reader
    published = r.published = r.published_date(meta.get("published"), "article", "published")
    listed = {x["fact"]: x for x in doc.get("retractions", ())}
    events = tuple(
        Event(
            id=e["report"] if "report" in e else e["id"],
            types=_many(e.get("type")),
            label=e["label"].strip() if "label" in e else "",
            description=e.get("description"),
            date=r.date(e.get("date"), "events", i, "date"),
            place=e.get("place"),
            roles={role: _many(e.get(role)) for role in ROLES},
            person_count=int(e["personCount"]) if e.get("personCount") is not None else None,
            evidence=r.quotes(e["evidence"], "events", i, "evidence"),
            source=r.source("events", i),
            shared="report" in e,
            counts=tuple(r.count(c, "events", i, "counts", j) for j, c in enumerate(e.get("counts", ()))),
            judgement=r.judgement(e),
            in_response_to=_many(e.get("in_response_to")),
            led_to=_many(e.get("led_to")),
            retraction=_retraction(e, listed.get(e.get("report", e.get("id")))),
        )
        for i, e in enumerate(doc.get("events", ()))
    )
    accusations = tuple(
        Accusation(
            id=a["id"],
            type=a.get("type", "Accuse"),
            label=a.get("label"),
            accuser=a.get("accuser"),
            accused=_many(a["accused"]),
            concerns=a.get("concerns"),
            allegation=a.get("allegation"),
            date=r.date(a.get("date"), "accusations", i, "date"),
            claims=tuple(Claim(c["subject"], c["predicate"], c["object"]) for c in a.get("claims", ())),
            evidence=r.quotes(a["evidence"], "accusations", i, "evidence"),
            source=r.source("accusations", i),
            description=a.get("description"),
            judgement=r.judgement(a),
            retraction=_retraction(a, listed.get(a["id"])),
        )
        for i, a in enumerate(doc.get("accusations", ()))
    )
    threats = tuple(
        Threat(
            id=t["id"],
            type=t.get("type", "Threaten"),
            label=t.get("label"),
            threatener=t["threatener"],
            threatened=_many(t["threatened"]),
            condition=t.get("condition"),
            date=r.date(t.get("date"), "threats", i, "date"),
            place=t.get("place"),
            evidence=r.quotes(t["evidence"], "threats", i, "evidence"),
            source=r.source("threats", i),
            description=t.get("description"),
            judgement=r.judgement(t),
            retraction=_retraction(t, listed.get(t["id"])),
        )
        for i, t in enumerate(doc.get("threats", ()))
    )
    relations = tuple(
        Relation(
            subject=x["subject"],
            predicate=x["predicate"],
            object=x["object"],
            role=x.get("role"),
            evidence=r.quotes(x["evidence"], "relations", i, "evidence"),
            source=r.source("relations", i),
            since=r.date(x.get("since"), "relations", i, "since"),
            until=r.date(x.get("until"), "relations", i, "until"),
            description=x.get("description"),
            judgement=r.judgement(x),
            retraction=_retraction(x, None),
        )
        for i, x in enumerate(doc.get("relations", ()))
    )
    statements = tuple(
        Statement(
            id=x["id"], act=x["act"], speaker=x.get("speaker"), addressees=_many(x.get("addressee")),
            about=_many(x.get("about")), content=x["content"].strip() if x.get("content") else None,
            label=x["label"].strip() if x.get("label") else None,
            date=r.date(x.get("date"), "statements", i, "date"), description=x.get("description"),
            evidence=r.quotes(x["evidence"], "statements", i, "evidence"), source=r.source("statements", i),
            judgement=r.judgement(x), retraction=_retraction(x, listed.get(x["id"])),
        )
        for i, x in enumerate(doc.get("statements", ()))
    )
    return Article(
        id=meta["id"],
        facts_file=reader.shown,
        text_file=text.shown,
        text=text.text,
        text_sha256=hashlib.sha256(text.raw).hexdigest(),
        headline=meta["headline"].strip(),
        publisher=meta["publisher"],
        agency=meta.get("source"),
        language=meta["language"],
        published=published,
        url=meta.get("url"),
        note=meta.get("note"),
        licence=meta.get("licence"),
        rights_holder=meta.get("rights_holder"),
        attribution=meta["attribution"].strip() if meta.get("attribution") else None,
        excerpt=bool(meta.get("excerpt", False)),
        entities=tuple(r.entity(e, "entities", i) for i, e in enumerate(doc.get("entities", ()))),
        relations=relations,
        events=events,
        accusations=accusations,
        statements=statements,
        threats=threats,
        source=r.source("article"),
        mentions=tuple(Mention(m["entity"], r.quotes(m["evidence"], "mentions", i, "evidence"), r.source("mentions", i))
                       for i, m in enumerate(doc.get("mentions", ()))),
        withdrawn=Withdrawal(str(meta["withdrawn"]["date"]), meta["withdrawn"]["reason"].strip())
        if meta.get("withdrawn") else None,
    )


def _retraction(item: dict[str, Any], listed: dict[str, Any] | None) -> Retraction | None:
    """The retraction of a fact: its own ``retracted:``/``superseded_by:``, else the ``retractions:`` entry naming it."""
    own, by = item.get("retracted"), item.get("superseded_by")
    if own is None and by is None and listed is not None:
        own, by = listed, listed.get("superseded_by")
    if own is None and by is None:
        return None
    own = own or {}
    reason = own.get("reason")
    return Retraction(str(own["date"]) if own.get("date") else None, reason.strip() if reason else None,
                      own.get("evidence"), by)


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Shared:
    """What every article of a corpus needs: the dataset, the registry, and where the facts files are."""

    root: Path
    dataset: Dataset
    registry: tuple[Entity, ...]
    registry_file: str | None
    facts_paths: tuple[Path, ...]
    problems: tuple[Diagnostic, ...]
    events: tuple[SharedEvent, ...] = ()
    #: Ids the registry defines in entries with mistakes of their own (in ``problems``): an article may name
    #: them, but nothing can be mapped while they are wrong.
    unreadable: frozenset[str] = frozenset()
    #: The registry may define ids that could not be read at all (a YAML error, an entry without a readable
    #: id): the articles' references to undefined ids then say nothing, and are left unchecked.
    lost: bool = False
    #: A draft build (``build --drafts``): items marked ``drafted: true`` are built, apart from the corpus.
    drafts: bool = False

    @property
    def entity_index(self) -> dict[str, Entity]:
        return {e.id: e for e in self.registry}

    @property
    def event_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.events)

    @property
    def intact(self) -> bool:
        """Every entry of the registry was read: its entities and events can be mapped."""
        return not self.unreadable and not self.lost


def _empty() -> _Mapping:
    doc = _Mapping()
    doc.key_lines = {}
    return doc


def _parsed(path: Path, root: Path, schema: str, problems: list[Diagnostic]) -> Document | None:
    """A YAML document with its JSON Schema's findings (added to ``problems``); None when it is not YAML."""
    shown = path.relative_to(root).as_posix()
    try:
        doc = _read_yaml(path, shown)
    except InputError as exc:
        problems.extend(exc.diagnostics)
        return None
    document = _schema_check(_empty() if doc is None else doc, schema, shown)
    problems.extend(document.problems)
    return document


def load_shared(root: Path | str) -> Shared:
    """Read the dataset description and the registry, and list the facts files; collect every problem.

    Each registry entry is read on its own: an entry with a mistake is reported and left out, and its id
    stays known (``Shared.unreadable``), so the articles' references are checked in the same run.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError([Diagnostic(str(root), None, "", "no such folder")])
    problems: list[Diagnostic] = []
    dataset = _dataset(root, problems)
    registry: dict[str, Entity] = {}
    events: list[SharedEvent] = []
    unreadable: set[str] = set()
    lost = False
    registry_path = root / REGISTRY_FILE
    registry_shown = None
    if registry_path.is_file():
        registry_shown = registry_path.relative_to(root).as_posix()
        document = _parsed(registry_path, root, "entities", problems)
        if document is None:
            lost = True
        else:
            reader = _Reader(registry_shown, document.doc)
            defined, lost = _registry_entities(document, reader, registry, unreadable, problems)
            events, lost_events = _shared_events(document, reader, defined, registry, unreadable, problems)
            lost = lost or lost_events
            problems += _merge_problems(registry, defined, registry_shown)
    facts_paths = sorted(root.rglob(f"*{FACTS_SUFFIX}"), key=Path.as_posix)  # all under root: its order
    if not facts_paths:
        problems.append(Diagnostic(str(root), None, "", f"no *{FACTS_SUFFIX} files found"))
    return Shared(root, dataset, tuple(registry.values()), registry_shown, tuple(facts_paths), tuple(problems),
                  tuple(events), frozenset(unreadable), lost)


def merges(registry: Iterable[Entity]) -> dict[str, str]:
    """Each merged entity's id and the id it ends up as, following chains (a into b into c: a is c)."""
    into = {e.id: e.merged_into for e in registry if e.merged_into}
    final: dict[str, str] = {}
    for start in into:
        seen, current = {start}, into[start]
        while current in into and current not in seen:
            seen.add(current)
            current = into[current]
        final[start] = current
    return final


def _merge_problems(registry: dict[str, Entity], defined: dict[str, int], shown: str) -> list[Diagnostic]:
    """A merge into an entity the registry lacks, into itself, or around a loop (a into b into a): one line each."""
    problems = []
    into = {e.id: e.merged_into for e in registry.values() if e.merged_into}
    looped: set[str] = set()
    for start, target in sorted(into.items()):
        line = defined.get(start)
        if target == start:
            problems.append(Diagnostic(shown, line, "merged_into", f"{start!r} cannot be merged into itself"))
        elif target not in registry and target not in defined:
            problems.append(Diagnostic(shown, line, "merged_into", f"no entity {target!r} in the registry to merge "
                                                                  f"{start!r} into"))
        elif start not in looped:
            chain, current = [start], target
            while current in into and current not in chain:
                chain.append(current)
                current = into[current]
            if current in chain and current != chain[-1] or current == start:
                loop = chain[chain.index(current):]
                looped.update(loop)
                problems.append(Diagnostic(shown, defined.get(loop[0]), "merged_into", "merges loop: " + " → ".join(
                    [*(repr(x) for x in loop), repr(loop[0])]) + "; one entity of them must stay unmerged"))
    return problems


def _dataset(root: Path, problems: list[Diagnostic]) -> Dataset:
    """``dataset.yaml``'s description of the graph, or a default one (its problems added to ``problems``)."""
    dataset = Dataset(title=f"kgpub knowledge graph of {root.resolve().name}", description="", license=None,
                      publisher=None, homepage=None, created=None, base=None, download=None)
    path = root / DATASET_FILE
    document = _parsed(path, root, "dataset", problems) if path.is_file() else None
    if document is None:
        return dataset
    doc = document.doc
    for key in ("created", "issued", "modified"):
        value = document.get(key)
        if value is not None:
            try:
                parse_date(value)
            except ValueError as exc:
                problems.append(Diagnostic(path.relative_to(root).as_posix(), document.line(key), key, str(exc)))
    if document.flawed:
        return dataset
    return Dataset(title=doc["title"], description=doc["description"], license=doc["license"],
                   publisher=doc.get("publisher"), homepage=doc.get("homepage"), created=doc["created"],
                   base=doc.get("base"), download=doc.get("download"), version=doc.get("version"),
                   previous_version=doc.get("previous_version"), issued=doc.get("issued"), modified=doc.get("modified"),
                   full_text=dict(doc.get("full_text") or {}),
                   full_text_lines={key: document.line("full_text", key) for key in (doc.get("full_text") or {})})


def load_dataset(root: Path | str) -> Dataset:
    """Only the dataset description of a seeds folder (what ``kgpub site`` and ``serve`` need of it): raises
    :class:`InputError` with every problem of dataset.yaml."""
    problems: list[Diagnostic] = []
    dataset = _dataset(Path(root), problems)
    if problems:
        raise InputError(problems)
    return dataset


def _registry_entities(document: Document, reader: _Reader, registry: dict[str, Entity], unreadable: set[str],
                       problems: list[Diagnostic]) -> tuple[dict[str, int], bool]:
    """The registry's entities into ``registry`` (ids of entries with mistakes into ``unreadable``); returns
    the line of every id defined, and whether some entry's id could not be read."""
    shown = reader.shown
    doc = document.doc
    lost = document.lost("entities") or not isinstance(doc, dict) or "entities" not in doc
    defined: dict[str, int] = {}
    for i, item in document.items("entities"):
        some_id = document.get("entities", i, "id")
        line = reader.source("entities", i).line
        if not isinstance(some_id, str):
            lost = True
            continue
        if some_id in defined:
            problems.append(Diagnostic(shown, line, "id", f"duplicate id {some_id!r}: already defined at line "
                                                          f"{defined[some_id]}"))
            continue
        defined[some_id] = line
        if some_id in RESERVED_IDS:
            problems.append(Diagnostic(shown, line, "id", f"{some_id!r} is reserved; choose another id"))
            unreadable.add(some_id)
        elif item.get("evidence"):
            problems.append(Diagnostic(shown, line, "evidence",
                                       "registry entities carry no evidence; quote them in an article's facts"))
            unreadable.add(some_id)
        elif document.typable("entities", i):
            registry[some_id] = reader.entity(item, "entities", i)
        else:
            unreadable.add(some_id)
    return defined, lost


def _shared_events(document: Document, reader: _Reader, defined: dict[str, int], registry: dict[str, Entity],
                   unreadable: set[str], problems: list[Diagnostic]) -> tuple[list[SharedEvent], bool]:
    """The registry's shared events, each id new and each place a registry entity; and whether some entry's
    id could not be read."""
    lost = document.lost("events")
    out: dict[str, SharedEvent] = {}
    lines = dict(defined)
    for i, item in document.items("events"):
        some_id, line = document.get("events", i, "id"), document.line("events", i, "id")
        where = _field_name(["events", i, "id"])
        if not isinstance(some_id, str):
            lost = True
            continue
        if some_id in lines:
            problems.append(Diagnostic(reader.shown, line, where, f"duplicate id {some_id!r}: already defined at line "
                                                                  f"{lines[some_id]}"))
            continue
        lines[some_id] = reader.source("events", i).line
        if some_id in RESERVED_IDS:
            problems.append(Diagnostic(reader.shown, line, where, f"{some_id!r} is reserved; choose another id"))
            unreadable.add(some_id)
            continue
        place = document.get("events", i, "place")
        if isinstance(place, str) and place not in registry and place not in unreadable:
            near = difflib.get_close_matches(place, sorted(registry), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(Diagnostic(reader.shown, document.line("events", i, "place"),
                                       _field_name(["events", i, "place"]),
                                       f"reference to undefined entity id {place!r}{hint}"))
        date = reader.date(document.get("events", i, "date"), "events", i, "date")
        if document.typable("events", i):
            out[some_id] = SharedEvent(some_id, _many(item["type"]), item["label"].strip(), item.get("description"),
                                       date, place, reader.source("events", i))
        else:
            unreadable.add(some_id)
    problems.extend(reader.problems)
    reader.problems.clear()
    return list(out.values()), lost


@dataclass(frozen=True)
class ArticleRead:
    """What reading one facts file gave: its typed article when nothing is wrong, and every problem it has."""

    facts_file: str
    article: Article | None
    problems: tuple[Diagnostic, ...]
    id: str | None = None  # the article's id when it can be read: ids are compared across files
    source: Source | None = None


def read_article(path: Path, root: Path, registry: dict[str, Entity], shared_events: frozenset[str] = frozenset(),
                 unreadable: frozenset[str] = frozenset(), typed: bool = True, drafts: bool = False) -> ArticleRead:
    """One facts file (and its article text) checked by every check of ``checks.CHECKS``, each on the parts
    of the file the others left readable, so a run reports every problem, not the first kind found.

    Only a file without problems becomes a typed Article (``typed=False``: never, for a check alone).
    """
    from kgpub.corpus.checks import FactsFile, check_file  # the checks read this module's documents

    shown = path.relative_to(root).as_posix()
    try:
        doc = _read_yaml(path, shown)
    except InputError as exc:  # not YAML: nothing else in it can be read
        return ArticleRead(shown, None, tuple(exc.diagnostics))
    document = _schema_check(_empty() if doc is None else doc, "facts", shown)
    text = article_text(document, path, root, shown)
    problems = check_file(FactsFile(shown, document, text, registry, shared_events, unreadable, drafts))
    article_id = document.get("article", "id")
    if problems or not typed:
        known = article_id if isinstance(article_id, str) else None
        return ArticleRead(shown, None, tuple(problems), known, Source(shown, document.line("article") or 1))
    reader = _Reader(shown, doc)
    article = _article(reader, text)
    if reader.problems:  # what the checks found nothing wrong with reads without a problem; kept as a safeguard
        return ArticleRead(shown, None, tuple(reader.problems), article.id, article.source)
    return ArticleRead(shown, article, (), article.id, article.source)


def load_article(path: Path, root: Path, registry: dict[str, Entity],
                 shared_events: frozenset[str] = frozenset(),
                 unreadable: frozenset[str] = frozenset(), drafts: bool = False) -> tuple[Article | None, list[Diagnostic]]:
    """One facts file (and its article text) read and checked; every problem it has, not just the first.

    An item still marked ``drafted: true`` is a problem unless ``drafts`` (a draft build, kept apart)."""
    read = read_article(path, root, registry, shared_events, unreadable, drafts=drafts)
    return read.article, list(read.problems)


class _Identified(Protocol):
    """An article or what stands for one (a build's unit): its id, file and line."""

    @property
    def id(self) -> str | None: ...
    @property
    def facts_file(self) -> str: ...
    @property
    def source(self) -> Source | None: ...


def check_articles(articles: Iterable[_Identified], shared: Shared) -> list[Diagnostic]:
    """Problems between articles: an article id used twice, or also used by a registry entity."""
    problems = []
    seen: dict[str, str] = {}
    registry = {e.id for e in shared.registry} | shared.unreadable
    for article in articles:
        if article.id is None:
            continue
        line = article.source.line if article.source else None
        if article.id in seen:
            problems.append(Diagnostic(article.facts_file, line, "article.id",
                                       f"duplicate article id {article.id!r}: already used by {seen[article.id]}"))
            continue
        if article.id in registry:
            problems.append(Diagnostic(article.facts_file, line, "article.id",
                                       f"article id {article.id!r} is also an entity id in {shared.registry_file}"))
        seen[article.id] = article.facts_file
    return problems


def check_full_text(article_ids: Iterable[str], dataset: Dataset) -> list[Diagnostic]:
    """dataset.yaml's full_text may only name articles of the corpus: a misspelt id would silently leave the
    choice to the licence.  Asked only when every article could be read (else its id is unknown)."""
    return [Diagnostic(DATASET_FILE, dataset.full_text_lines.get(article_id), f"full_text.{article_id}",
                       f"no article has the id {article_id!r}")
            for article_id in sorted(set(dataset.full_text) - set(article_ids))]


def without_cascade(problems: list[Diagnostic], registry_file: str | None, lost: bool = True) -> list[Diagnostic]:
    """Every problem, but when the registry lost ids (``Shared.lost``), not the articles' references to ids it
    may define: one line, after the registry's own mistakes, says how many were left unchecked, instead of a
    hundred misleading "undefined entity" lines."""
    if not lost or registry_file is None or not any(d.file == registry_file for d in problems):
        return problems
    undefined = [d for d in problems if d.file != registry_file
                 and d.message.startswith(("reference to undefined", "report of undefined"))]
    if not undefined:
        return problems
    kept = [d for d in problems if d not in undefined]
    kept.append(Diagnostic(registry_file, None, "", f"{len(undefined)} reference(s) in the articles to ids the "
                                                    f"registry should define were not checked: fix {registry_file} first"))
    return kept


def load(root: Path | str) -> Corpus:
    """Read the seeds folder ``root``: registry, dataset description and every facts file.

    Raises :class:`InputError` listing every problem found, so nothing later in
    the pipeline ever sees half-valid input.
    """
    shared = load_shared(root)
    problems = list(shared.problems)
    registry = shared.entity_index
    articles: list[Article] = []
    reads = [read_article(path, shared.root, registry, shared.event_ids, shared.unreadable)
             for path in shared.facts_paths]
    for read in reads:
        problems.extend(read.problems)
        if read.article is not None:
            articles.append(read.article)
    problems.extend(check_articles(reads, shared))
    if len(articles) == len(reads):
        problems.extend(check_full_text((a.id for a in articles), shared.dataset))
    if problems:
        raise InputError(without_cascade(problems, shared.registry_file, shared.lost))
    return Corpus(root=shared.root, dataset=shared.dataset, registry=shared.registry, articles=tuple(articles),
                  registry_file=shared.registry_file, entity_index=registry, events=shared.events)
