"""The corpus as typed data: what the curator's files say, once every check has passed.

Every later stage (mapping, provenance, pages, identity) reads these frozen dataclasses and never the YAML,
so a field is named, typed and documented once, here.  The reading (``reader``) and the checks (``checks``)
stand between the files and this model: an ``Article`` exists only when nothing in its file is wrong.
Which keys of a facts file name entities is said here too (:data:`ENTITY_REFERENCES`): the checks hold
them to the registry, and ``kgpub entities`` counts an article's mentions by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgpub.corpus.dates import TextDate
from kgpub.errors import Diagnostic

FACTS_SUFFIX = ".facts.yaml"
REGISTRY_FILE = "entities.yaml"
DATASET_FILE = "dataset.yaml"
ROLES = ("agent", "victim", "participant", "target")
#: ids that would clash with the IRI paths kgpub mints beside entity IRIs.
RESERVED_IDS = frozenset({"article", "graph", "dataset", "event"})


@dataclass(frozen=True)
class Source:
    """Where a fact was written: the file (relative to the seeds folder) and line."""

    file: str
    line: int


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
    published: TextDate | None  # exact: YYYY, YYYY-MM or YYYY-MM-DD (``dates.parse_date``)
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
    """A seeds folder as read: its dataset description, its registry, where its facts files are and, once every
    one of them is read (``reader.load``), its articles.  Nothing in it has been turned into RDF yet.

    A build reads the articles one by one, in its workers, from the corpus without them
    (``reader.load_shared``): what every article needs, sent to each worker once.
    """

    root: Path
    dataset: Dataset
    registry: tuple[Entity, ...]
    registry_file: str | None = None
    facts_paths: tuple[Path, ...] = ()
    #: What is wrong in the dataset description and the registry, and "no facts files" (a loaded corpus has none).
    problems: tuple[Diagnostic, ...] = ()
    events: tuple[SharedEvent, ...] = ()
    #: Ids the registry defines in entries with mistakes of their own (in ``problems``): an article may name
    #: them, but nothing can be mapped while they are wrong.
    unreadable: frozenset[str] = frozenset()
    #: The registry may define ids that could not be read at all (a YAML error, an entry without a readable
    #: id): the articles' references to undefined ids then say nothing, and are left unchecked.
    lost: bool = False
    #: A draft build (``build --drafts``): items marked ``drafted: true`` are built, apart from the corpus.
    drafts: bool = False
    #: Every article, when the corpus was read whole (``reader.load``); empty when a build reads them itself.
    articles: tuple[Article, ...] = ()

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


# --------------------------------------------------------------------------- which fields name entities


#: For each section of a facts file, the keys that hold ids of entities (one id or a list of them); ``claims``
#: are the claims inside each accusation.  The checks hold every such id to the registry and the article's own
#: entities (``checks.references``); an article mentions every entity they name (:func:`referenced_ids`).
ENTITY_REFERENCES: dict[str, tuple[str, ...]] = {
    "article": ("publisher", "source", "rights_holder"),
    "relations": ("subject", "object", "according_to"),
    "events": ("place", *ROLES, "according_to"),
    "accusations": ("accuser", "accused", "according_to"),
    "claims": ("subject", "object"),
    "threats": ("threatener", "threatened", "place", "according_to"),
    "statements": ("speaker", "addressee", "according_to"),
    "mentions": ("entity",),
}
#: The attribute of a typed fact that holds a key's ids, where it is not named as the key is.
_ATTRIBUTES = {"source": "agency", "addressee": "addressees"}


def _ids_at(item: Any, key: str) -> tuple[str, ...]:
    """The ids a typed fact holds under facts-file ``key``: a role, its judgement's source, or an attribute."""
    if key in ROLES:
        return tuple(item.roles[key])
    value = item.judgement.according_to if key == "according_to" else getattr(item, _ATTRIBUTES.get(key, key))
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def referenced_ids(article: Article) -> set[str]:
    """Every entity id an article refers to, under any key of :data:`ENTITY_REFERENCES`."""
    sections: dict[str, Iterable[Any]] = {
        "article": (article,), "relations": article.relations, "events": article.events,
        "accusations": article.accusations, "claims": (c for a in article.accusations for c in a.claims),
        "threats": article.threats, "statements": article.statements, "mentions": article.mentions,
    }
    return {some_id for section, items in sections.items() for item in items
            for key in ENTITY_REFERENCES[section] for some_id in _ids_at(item, key)}
