"""``kgpub draft`` — a new article's facts file started from its text; nothing in it trusted.

Curating an article is mostly mechanical: finding which registry entities the text names under
whatever spelling the outlet uses, copying quotes exactly, resolving "late Sunday" against the
publication date, spotting "blamed", "denied", "at least eight".  The drafter does that part and
leaves the judgement to a person: every item it writes carries ``drafted: true``, which
``kgpub build`` refuses until a person has read the item against the text and deleted the mark.

Every quote it writes is a slice of the article (with ``occurrence`` when the passage recurs), so it
anchors by construction; the drafted file is checked by the facts loader itself before it is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgpub.errors import Diagnostic, InputError
from kgpub.corpus.dates import parse_date
from kgpub.corpus.model import FACTS_SUFFIX, RESERVED_IDS
from kgpub.corpus.texts import MAX_TEXT_BYTES, decoded
from kgpub.drafting import extract
from kgpub.drafting.entities import Found, Names, new_entities, registry_mentions
from kgpub.drafting.relations import Relations
from kgpub.drafting.render import render
from kgpub.drafting.text import Sentence, quote, sentences, tokens

__all__ = ["DraftResult", "draft", "draft_text"]

_SPEECH_TYPES = ("Statement", "Appeal")
_SPECIFIC_ATTACKS = ("AirDroneStrike", "TargetedKilling", "ShellingMissileAttack", "RoadsideBombing")


@dataclass(frozen=True)
class DraftResult:
    """The drafted facts file: its YAML, where it was written (None: not written), and how much it holds."""

    yaml: str
    path: Path | None
    counts: dict[str, int]

    def summary(self) -> str:
        held = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        where = f"wrote {self.path}" if self.path else "drafted"
        return f"{where}: {held}; every item is marked 'drafted: true' until you confirm it"


def default_output(article: Path) -> Path:
    """ARTICLE.txt → ARTICLE.facts.yaml beside it."""
    name = article.name.removesuffix(".txt")
    return article.with_name(name + FACTS_SUFFIX)


def draft(article: str | Path, *, seeds: str | Path = "seeds", published: str | None = None,
          url: str | None = None, publisher: str | None = None, out: str | Path | None = None,
          language: str = "en") -> DraftResult:
    """Draft the facts file of ``article`` (a UTF-8 text) against the registry of ``seeds``.

    Writes it to ``out`` (default: the article's name with ``.facts.yaml``), never over a file that
    exists; ``out="-"`` writes nothing and returns the YAML.  Raises InputError listing every problem
    of the input (the text, the seeds folder, the date, the URL, the output) at once, writing nothing.
    """
    from kgpub.corpus.reader import load_shared

    article = Path(article)
    problems: list[Diagnostic] = []
    text = _read_article(article, problems)
    seeds = Path(seeds)
    shared = None
    if not seeds.is_dir():
        problems.append(Diagnostic(str(seeds), None, "--seeds", "no such folder (the seeds folder with entities.yaml)"))
    else:
        shared = load_shared(seeds)
        problems += [p for p in shared.problems if not p.message.startswith("no *")]
        if shared.registry_file is None:
            problems.append(Diagnostic(str(seeds), None, "--seeds", "no entities.yaml here: not a seeds folder"))
    date_given = None
    if published is not None:
        try:
            date_given = parse_date(published)
        except ValueError as exc:
            problems.append(Diagnostic("--published", None, "", str(exc)))
    if url is not None and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
        problems.append(Diagnostic("--url", None, "", f"{url!r} is not an http(s) URL"))
    target = None if str(out) == "-" else Path(out) if out is not None else default_output(article)
    if target is not None and (target.exists() or target.is_symlink()):
        problems.append(Diagnostic(str(target), None, "", "exists; kgpub draft never writes over a file "
                                   "(give -o PATH, or -o - to print the draft)"))
    if problems:
        raise InputError(problems)
    assert text is not None and shared is not None
    text_ref = os.path.relpath(article.resolve(), (target.parent if target else article.parent).resolve())
    made = draft_text(text, registry=shared.registry, events=shared.events,
                      published=(date_given.year, date_given.month, date_given.day) if date_given else None,
                      article_id=_article_id(article, {e.id for e in shared.registry}), text_file=text_ref,
                      url=url, publisher=publisher, language=language, source_name=article.name)
    _check(made, text, shared, text_ref)
    if target is not None:
        _write_new(target, made.yaml)
        made = DraftResult(made.yaml, target, made.counts)
    return made


def _read_article(path: Path, problems: list[Diagnostic]) -> str | None:
    shown = str(path)
    if not path.is_file():
        problems.append(Diagnostic(shown, None, "", "no such file" if not path.exists() else "not a regular file"))
        return None
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        problems.append(Diagnostic(shown, None, "", f"is {size:,} bytes, more than the {MAX_TEXT_BYTES:,} an article "
                                                    "text may have"))
        return None
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        problems.append(Diagnostic(shown, None, "", "a binary file (NUL bytes), not an article text"))
        return None
    text = decoded(raw, shown)
    if isinstance(text, Diagnostic):
        problems.append(text)
        return None
    if not text.strip():
        problems.append(Diagnostic(shown, None, "", "empty: there is no text to draft from"))
        return None
    return text


def _article_id(path: Path, taken: set[str]) -> str:
    stem = path.name[:-4] if path.name.endswith(".txt") else path.stem
    some = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-._")[:90] or "article"
    if not some[0].isalnum():
        some = "a" + some
    return some + "-article" if some in taken or some in RESERVED_IDS else some


def _write_new(target: Path, content: str) -> None:
    """Write ``content`` to ``target`` whole, and only if no file is there (a link, not a rename, so a file
    made meanwhile is never replaced)."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".draft-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        try:
            os.link(temp, target)
        except FileExistsError:
            raise InputError([Diagnostic(str(target), None, "", "exists; kgpub draft never writes over a file")]) from None
    finally:
        os.unlink(temp)


def _check(made: DraftResult, text: str, shared: Any, text_ref: str) -> None:
    """Load the draft as ``kgpub build --drafts`` would and anchor every quote: a drafting bug is an internal
    error, never a file that does not load."""
    import tempfile

    from kgpub.corpus import reader
    from kgpub.pipeline import provenance

    with tempfile.TemporaryDirectory(prefix="kgpub-draft-") as folder:
        root = Path(folder)
        (root / "a.txt").write_text(text, encoding="utf-8")
        body = made.yaml.replace(f"  text: {_yaml_str(text_ref)}\n", "  text: a.txt\n", 1)
        (root / f"a{FACTS_SUFFIX}").write_text(body, encoding="utf-8")
        article, problems = reader.load_article(root / f"a{FACTS_SUFFIX}", root, shared.entity_index,
                                                shared.event_ids, drafts=True)
        if article is not None and not problems:
            quotes = [q for items in (article.entities, article.relations, article.events, article.accusations, article.threats,
                                      article.statements, article.mentions) for x in items for q in x.evidence]
            quotes += [q for e in article.events for c in e.counts for q in c.evidence]
            for q in quotes:
                try:
                    provenance.locate(article.text, q, "a.txt")
                except InputError as exc:
                    problems += exc.diagnostics
        if problems:
            raise RuntimeError("the draft does not load: " + "; ".join(str(p) for p in problems[:3]))


def _yaml_str(value: str) -> str:
    from kgpub.drafting.render import scalar

    return scalar(value)


# --------------------------------------------------------------------------- drafting


def draft_text(text: str, *, registry: Any = (), events: Any = (), published: tuple[int, int | None, int | None] | None = None,
               article_id: str = "article", text_file: str = "article.txt", url: str | None = None,
               publisher: str | None = None, language: str = "en", source_name: str = "") -> DraftResult:
    """The drafted facts file of ``text`` (see :func:`draft`); writes nothing."""
    registry = tuple(registry)
    registry_ids = {e.id for e in registry}
    shared_ids = {e.id for e in events}
    toks = tokens(text)
    said = sentences(text)
    names = Names(registry)
    known, known_spans = registry_mentions(text, toks, names)
    starts = {s.start for s in said}
    reserved = registry_ids | shared_ids | set(RESERVED_IDS) | {article_id}
    boilerplate = [(x.start, x.end) for x in said if extract.BOILERPLATE.match(x.text)]
    said = [x for x in said if not extract.BOILERPLATE.match(x.text)]
    fresh, fresh_spans = new_entities(text, toks, known_spans, starts, reserved, tuple(boilerplate),
                                      {some: f.types for some, f in known.items()})
    everyone: dict[str, Found] = {**known, **fresh}
    spans = sorted(known_spans + fresh_spans)
    facts = _Facts(text, everyone, spans, published, events, reserved | set(fresh))
    relations = Relations(text, everyone, names.government_of, lambda word: _registry_id(names, word), names.types,
                          names.keys_of)
    for sentence in said:
        facts.sentence(sentence)
        relations.sentence(sentence, extract.mentions_in(sentence, spans))
    drafted_facts = relations.drafted() + facts.finish()

    header: dict[str, object] = {"id": article_id, "text": text_file,
                                 "headline": _headline(text, said), "publisher": publisher or "", "language": language}
    local_entities = [f for f in fresh.values()]
    publisher_entity = None
    if publisher is None:
        publisher_entity = {"id": _unused("publisher", reserved | set(fresh)), "type": "Organization",
                            "name": "The publisher of this article (name it, or use a registry id)"}
        header["publisher"] = publisher_entity["id"]
    elif publisher not in registry_ids:
        publisher_entity = {"id": publisher, "type": "Organization", "name": publisher}
    if published is not None:
        header["published"] = "-".join(f"{v:02d}" if i else f"{v:04d}" for i, v in enumerate(published) if v is not None)
    if url:
        header["url"] = url
    yaml_text = render(header, text, known, local_entities, publisher_entity, drafted_facts, source_name)
    counts = {"registry entities": len(known), "new entities": len(fresh),
              **{section: sum(1 for d in drafted_facts if d.section == section)
                 for section in ("relations", "events", "accusations", "threats", "statements")},
              "counts": sum(len(d.counts) for d in drafted_facts)}
    return DraftResult(yaml_text, None, counts)


def _registry_id(names: Names, word: str) -> str | None:
    """The registry entity a single word names ("Iran" of "Iran-backed"), if exactly one."""
    found = {k.id for k in names.match(tokens(word))}
    return found.pop() if len(found) == 1 else None


def _unused(base: str, taken: set[str]) -> str:
    some, n = base, 2
    while some in taken:
        some, n = f"{base}-{n}", n + 1
    return some


def _headline(text: str, said: list[Sentence]) -> str:
    """The first line that reads as a title (short, no full stop, not a date or a banner), else the first sentence."""
    for line in text.splitlines()[:8]:
        line = line.strip()
        words = line.split()
        if not words or line.startswith(("|", "•", "-", "*")) or len(words) < 3 or len(words) > 20:
            continue
        if line.endswith((".", ":")) or extract._ABSOLUTE.search(line) and len(words) <= 5:
            continue
        return line
    first = said[0].text if said else text.strip()
    return " ".join(first.split())[:200]


class _Facts:
    """The facts drafted so far, sentence by sentence."""

    def __init__(self, text: str, everyone: dict[str, Found], spans: list[tuple[int, int, str]],
                 published: tuple[int, int | None, int | None] | None, shared_events: Any, taken: set[str]) -> None:
        self.text = text
        self.everyone = everyone
        self.spans = spans
        self.published = published
        self.shared_events = tuple(shared_events)
        self.taken = set(taken)
        self.out: list[extract.Drafted] = []
        self.numbers: dict[str, int] = {}
        self.last_person: str | None = None  # who "he" or "she" most likely is
        self.reports: dict[str, extract.Drafted] = {}  # the report drafted of each shared event
        self.first = 0  # where this sentence's items begin in ``out``

    def _id(self, base: str) -> str:
        while True:
            self.numbers[base] = self.numbers.get(base, 0) + 1
            some = f"{base}-{self.numbers[base]}"
            if some not in self.taken:
                self.taken.add(some)
                return some

    def sentence(self, s: Sentence) -> None:
        text = self.text
        self.first = len(self.out)
        every = extract.mentions_in(s, self.spans)
        ms = [m for m in every if not extract.is_site(self.everyone[m[2]])]  # who can act, speak, accuse
        self.places = [m for m in every if extract.is_place(self.everyone[m[2]])]
        found_dates = extract.dates_in(s, self.published)
        evidence = [quote(text, s.start, s.end)]
        statements = self._statements(s, ms, found_dates, evidence)
        accused_events: list[tuple[int, str]] = []
        events = self._events(s, every, found_dates, evidence)
        for e in events:
            if e.fields["type"] not in _SPEECH_TYPES:
                accused_events.append((_trigger_at(e, s), str(e.fields.get("_ref", e.fields["id"]))))
        self._accusations(s, ms, found_dates, evidence, accused_events)
        self._charges(s, ms, found_dates, evidence, accused_events)
        self._attributed(s, ms, found_dates, evidence, events, statements)
        people = [m[2] for m in ms if self.everyone[m[2]].types == ("Person",)]
        if people:
            self.last_person = people[-1]
        self._threats(s, ms, found_dates, evidence)
        if not statements and not any(set(_many(e.fields["type"])) & set(_SPEECH_TYPES) for e in events):
            speaker = extract.speaker_of(s, ms, text)
            sources = speaker is not None and self.everyone[speaker].types == ("UnnamedGroup",)
            told = re.search(r"\btold\b", s.text) and not re.search(r"[“”\"]", s.text)
            if speaker is not None and not sources and not told:  # "sources said", "told AFP": whom the
                self.out.append(extract.Drafted("events", {            # article has it from, not a statement
                    "id": self._id("statement-event"), "type": "Statement",
                    "label": f"{self.everyone[speaker].name} speaks: {_short(s.text)}", "agent": speaker,
                    **self._date(found_dates), "evidence": evidence}, s))

    def _date(self, found: list[extract.DateFound], near: int | None = None) -> dict[str, object]:
        if not found:
            return {}
        pick = min(found, key=lambda d: abs(d.start - near)) if near is not None else found[0]
        return {"date": pick.value, "_date_comment": f"{pick.shown} ({pick.rule})"}

    def _events(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                evidence: list[Any]) -> list[extract.Drafted]:
        text = self.text
        kinds = extract.event_types(s)
        if any(k in _SPECIFIC_ATTACKS for k, _, _ in kinds):
            kinds = [k for k in kinds if k[0] != "Attack"]
        made: list[extract.Drafted] = []
        for kind, a, b in kinds:
            trigger = text[a:b].lower()
            actors = [m for m in ms if not extract.is_site(self.everyone[m[2]]) or "Facility" in self.everyone[m[2]].types]
            roles: dict[str, object] = {}
            if extract.passive(text, a):
                undergoer = extract.before(actors, a, text)
                agent = extract.by_agent(actors, b, text)
            else:
                by = extract.by_agent(actors, b, text)
                agent = by if by and re.match(r"\s+by\b", text[b:b + 5]) else extract.before(actors, a, text, limit=60)
                undergoer = extract.after(actors, b, text, skip=(agent,) if agent else ())
                if agent is None:
                    agent = by
                if agent == undergoer:
                    undergoer = None
            if kind == "Statement":
                continue
            if agent:
                roles["agent"] = agent
            if undergoer and undergoer != agent:
                killing = kind == "TargetedKilling" or trigger.startswith(("kill", "assassinat"))
                roles["victim" if killing and self.everyone[undergoer].types == ("Person",) else "target"] = undergoer
            place = self._place(s, ms, a)
            if place:
                roles["place"] = place
            fields: dict[str, object] = {"id": self._id(_slug(kind)), "type": kind, "_at": (a, b),
                                         "label": f"{_words(kind)}: {_short(s.text)}", **self._date(found_dates, a),
                                         **roles, "evidence": evidence}
            hedge = extract.hedge_in(s)
            if hedge:
                fields["certainty"], fields["hedge"] = hedge
                source = self._source(ms)
                if source:
                    fields["according_to"] = source
            item = extract.Drafted("events", fields, s)
            made.append(item)
        for offset, count in extract.counts_in(s):
            if not made:
                break
            at = s.start + offset
            target = min(made, key=lambda e: abs(_trigger_at(e, s) - at))
            span: tuple[int, int] = count.pop("_span")  # type: ignore[assignment]
            start, end = span
            count["evidence"] = [quote(text, s.start + start, s.start + end)]
            target.counts.append(count)
        for item in made:
            self._match_shared(item, made)
        self.out.extend(made)
        return made

    def _match_shared(self, item: extract.Drafted, pending: list[extract.Drafted]) -> None:
        """A drafted event with a shared event's type and its date (or its place) is drafted as a report of it."""
        from kgpub.corpus import dates

        fields = item.fields
        kinds = set(_many(fields["type"]))
        when = None
        if "date" in fields:
            value = fields["date"]
            try:
                when = dates.resolve(value["phrase"], self.published) if isinstance(value, dict) else dates.parse(str(value))
            except ValueError:
                when = None
        for shared in self.shared_events:
            if not kinds & set(shared.types):
                continue
            same_day = (when is not None and shared.date is not None and when.earliest and when.latest
                        and shared.date.earliest and shared.date.latest
                        and when.earliest <= shared.date.latest and shared.date.earliest <= when.latest)
            same_place = shared.place is not None and fields.get("place") == shared.place
            if same_day or (when is None and same_place):
                earlier = self.reports.get(shared.id)
                if earlier is not None:  # one report an article: this sentence is more of its evidence
                    earlier.fields["evidence"] = [*earlier.fields["evidence"], *fields["evidence"]]  # type: ignore[misc]
                    earlier.counts.extend(item.counts)
                    for key in ("date", "_date_comment", "place", "agent", "victim", "target"):
                        if key in fields and key not in earlier.fields:
                            earlier.fields[key] = fields[key]
                    fields["_merged"] = True
                else:
                    fields["report"] = shared.id
                    if shared.place is not None and fields.get("place") != shared.place:
                        fields.pop("place", None)  # the registry says where: a second place would contradict it
                    self.reports[shared.id] = item
                    item.comment = f"the registry's shared event {shared.id!r} ({shared.label})"
                fields["_ref"] = shared.id
                return

    def _place(self, s: Sentence, ms: list[tuple[int, int, str]], at: int) -> str | None:
        text = self.text
        for a, b, some in ms:
            if not extract.is_place(self.everyone[some]):
                continue
            if re.search(r"\b(?:in|near|at|on|over|outside|inside)\s+(?:the\s+)?$", text[max(s.start, a - 12):a]) \
                    or (b <= at and extract.is_site(self.everyone[some]) and re.fullmatch(r"[’'s]*\s*(?:\w+\s+)?", text[b:at])):
                return some
        return None

    def _source(self, ms: list[tuple[int, int, str]]) -> str | None:
        for _, _, some in ms:
            if self.everyone[some].new and self.everyone[some].types in (("UnnamedGroup",), ("Person",)) \
                    and re.search(r"source|official", self.everyone[some].name, re.IGNORECASE):
                return some
        return None

    def _statements(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                    evidence: list[Any]) -> list[extract.Drafted]:
        text = self.text
        made: list[extract.Drafted] = []
        seen: set[str] = set()
        for pattern, act in extract.STATEMENT_TRIGGERS:
            for match in extract.triggers(s, pattern):
                a, b = s.start + match.start(), s.start + match.end()
                if act in seen or any(x.fields.get("_at") and x.fields["_at"][0] <= a < x.fields["_at"][1]  # type: ignore[index]
                                      for x in made):
                    continue
                seen.add(act)
                fields: dict[str, object] = {"id": self._id(_slug(act)), "act": act, "_at": (a, b)}
                if act != "NoClaimOfResponsibility":
                    speaker = extract.before(ms, a, text) or extract.speaker_of(s, ms, text)
                    if speaker:
                        fields["speaker"] = speaker
                    if act in ("Appeal", "Demand", "Condemn"):
                        addressee = extract.after(ms, b, text, skip=(speaker,) if speaker else ())
                        if addressee and act != "Condemn":
                            fields["addressee"] = addressee
                fields.update(self._date(found_dates, a))
                fields["evidence"] = evidence
                made.append(extract.Drafted("statements", fields, s))
        self.out.extend(made)
        return made

    def _accusations(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                     evidence: list[Any], events_here: list[tuple[int, str]]) -> None:
        text = self.text
        for match in extract.triggers(s, extract.ACCUSATION_TRIGGER):
            a, b = s.start + match.start(), s.start + match.end()
            word = match.group().lower()
            accuser: str | None
            tail = text[b:b + 5]
            if word.startswith("blam") and re.match(r"\s+on\b", tail):  # "blamed on X": nobody is said to blame
                accuser, accused = None, extract.after(ms, b, text)
            elif extract.passive(text, a):
                accused, accuser = extract.before(ms, a, text), extract.by_agent(ms, b, text)
            elif word.endswith("responsible") and word.startswith(("was", "were", "is", "are")):
                accused, accuser = extract.before(ms, a, text), extract.speaker_of(s, ms, text)
            elif word.endswith("responsible"):
                accuser = extract.before(ms, a, text)
                inner = [m for m in ms if a < m[0] and m[1] <= b]
                accused = inner[0][2] if inner else None
            else:
                accuser = extract.before(ms, a, text, limit=40)
                stop = re.search(r"\b(?:of|for|over)\b", text[b:s.end])
                inside = [m for m in ms if b <= m[0] and (stop is None or m[1] <= b + stop.start())]
                accused = next((m[2] for m in inside if m[2] != accuser), None)
                if accused is None and accuser is not None:  # "the groups which Washington blames for ..."
                    relative = [m for m in ms if m[1] <= a and re.search(r"\b(?:which|who|whom|that)\s",
                                                                         text[m[1]:a]) and m[2] != accuser]
                    accused = relative[-1][2] if relative else None
                if accused is None and accuser is not None:  # "the groups which Washington blames for ..."
                    relative = [m for m in ms if m[1] <= a and re.search(r"\b(?:which|who|whom|that)\s",
                                                                         text[m[1]:a]) and m[2] != accuser]
                    accused = relative[-1][2] if relative else None
            if accused is None or accused == accuser:
                continue
            fields: dict[str, object] = {"id": self._id("accusation"), "type": "Accuse"}
            if accuser:
                fields["accuser"] = accuser
            fields["accused"] = accused
            concerns = [some for at, some in sorted(events_here) if at >= b]
            if concerns:
                fields["concerns"] = concerns[0]
            allegation = re.match(r"[^.;]*?\b(?:of|for|over)\s+([^,.;“”\"]+)", text[b:s.end])
            if allegation and len(allegation.group(1).split()) <= 15:
                fields["allegation"] = " ".join(allegation.group(1).split())
            if concerns and word.startswith("blam"):
                fields["claims"] = [{"subject": concerns[0], "predicate": "agent", "object": accused}]
            fields.update(self._date(found_dates, a))
            fields["evidence"] = evidence
            self.out.append(extract.Drafted("accusations", fields, s, "no accuser: the text does not say who blames"
                                            if accuser is None else ""))

    def _charges(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                 evidence: list[Any], events_here: list[tuple[int, str]]) -> None:
        """"urging “treacherous Kadhemi”": an accusation of treason; "arrested ... on charges": of a crime."""
        text = self.text
        for pattern, kind in ((extract.TREASON_TRIGGER, "AccuseOfTreason"), (extract.CHARGE_TRIGGER, "AccuseOfCrime")):
            for match in extract.triggers(s, pattern)[:1]:
                a, b = s.start + match.start(), s.start + match.end()
                if kind == "AccuseOfTreason":
                    accused = extract.after(ms, b, text, limit=15) or extract.before(ms, a, text, limit=60)
                    accuser = extract.before(ms, a, text, limit=120, relative=True)
                    if accuser == accused:
                        accuser = extract.speaker_of(s, ms, text)
                else:
                    accused = extract.before(ms, a, text, limit=40)
                    accuser = extract.before([m for m in ms if m[2] != accused], a, text, limit=150)
                if accused is None or accused == accuser:
                    continue
                fields: dict[str, object] = {"id": self._id("accusation"), "type": kind}
                if accuser:
                    fields["accuser"] = accuser
                fields["accused"] = accused
                concerns = [some for at, some in sorted(events_here, reverse=True) if at <= a]
                if kind == "AccuseOfCrime" and concerns:
                    fields["concerns"] = concerns[0]
                fields.update(self._date(found_dates, a))
                fields["evidence"] = evidence
                self.out.append(extract.Drafted("accusations", fields, s))

    def _attributed(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                    evidence: list[Any], events: list[extract.Drafted], statements: list[extract.Drafted]) -> None:
        """Who did it, as someone says: "X was attacked by Y, Z said", "Z condemns the attack by Y", "Y
        orchestrated attacks": Z accuses Y (the article does not state it)."""
        text = self.text
        made: set[tuple[str | None, str]] = {(str(d.fields.get("accuser")), str(d.fields["accused"]))
                                             for d in self.out[self.first:] if d.section == "accusations"}
        speaker = extract.speaker_of(s, ms, text)
        condemner = next((str(x.fields["speaker"]) for x in statements if x.fields["act"] == "Condemn"
                          and "speaker" in x.fields), None)
        pairs: list[tuple[str | None, str, str | None, str]] = []
        for event in events:
            kinds = set(_many(event.fields["type"]))
            agent = event.fields.get("agent")
            if not isinstance(agent, str) or not kinds & {*_SPECIFIC_ATTACKS, "Attack"}:
                continue
            accuser = condemner or speaker
            if accuser and accuser != agent:
                pairs.append((accuser, agent, str(event.fields.get("_ref", event.fields["id"])), "AccuseOfAggression"))
        for match in extract.triggers(s, extract.PLOT_TRIGGER)[:1]:
            a = s.start + match.start()
            accused = extract.before(ms, a, text, limit=100, relative=True)
            if accused is None and re.search(r"\b(?:he|she|He|She)\b", text[s.start:a]):
                accused = self.last_person  # "He was the commander directly responsible for ..."
            if accused:
                pairs.append((speaker if speaker != accused else None, accused, None, "AccuseOfAggression"))
        for accuser, accused, concerns, kind in pairs:
            if (str(accuser), accused) in made:
                continue
            made.add((str(accuser), accused))
            fields: dict[str, object] = {"id": self._id("accusation"), "type": kind}
            if accuser:
                fields["accuser"] = accuser
            fields["accused"] = accused
            if concerns:
                fields["concerns"] = concerns
                fields["claims"] = [{"subject": concerns, "predicate": "agent", "object": accused}]
            fields.update(self._date(found_dates))
            fields["evidence"] = evidence
            self.out.append(extract.Drafted("accusations", fields, s, "" if accuser else
                                            "no accuser: the text does not say who says so"))

    def _threats(self, s: Sentence, ms: list[tuple[int, int, str]], found_dates: list[extract.DateFound],
                 evidence: list[Any]) -> None:
        text = self.text
        for match in extract.triggers(s, extract.THREAT_TRIGGER)[:1]:
            a, b = s.start + match.start(), s.start + match.end()
            threatener = extract.before(ms, a, text, limit=100) or extract.speaker_of(s, ms, text)
            if extract.passive(text, a) or match.group().lower() == "threats":
                threatened = extract.before(ms, a, text, limit=120, relative=True)
                threatener = extract.after(ms, b, text, limit=80, skip=(threatened,) if threatened else ())
            else:
                threatened = extract.after(ms, b, text, limit=80, skip=(threatener,) if threatener else ())
            if threatener is None or threatened is None or threatener == threatened:
                continue
            fields: dict[str, object] = {"id": self._id("threat"),
                                         "type": "Ultimatum" if re.search(r"\bunless\b", s.text) else "Threaten",
                                         "threatener": threatener, "threatened": threatened}
            condition = re.search(r"\b(?:if|unless)\b[^,.;“”\"]*", text[a:s.end])
            if condition:
                fields["condition"] = " ".join(condition.group().split())
            fields.update(self._date(found_dates, a))
            fields["evidence"] = evidence
            self.out.append(extract.Drafted("threats", fields, s))

    def finish(self) -> list[extract.Drafted]:
        return [d for d in self.out if not d.fields.get("_merged")]


def _trigger_at(item: extract.Drafted, s: Sentence) -> int:
    at = item.fields.get("_at")
    return at[0] if isinstance(at, tuple) else s.start


def _many(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


def _slug(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower()


def _words(kind: str) -> str:
    return _slug(kind).replace("-", " ").capitalize()


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
