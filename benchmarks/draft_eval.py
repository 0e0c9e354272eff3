"""``bench.py draft``: how much of each curated article ``kgpub draft`` finds by itself, leave one out.

For each article of the seeds, the registry loses what only that article introduced (the entities no
other article refers to, the shared events no other article reports), as if the article were new; the
text is drafted through the public API (``kgpub.draft``) against that registry, the draft is loaded
by the facts loader, and compared with the curated facts kind by kind:

* entity mentions: recall over the entities a fact of the curated file refers to (the header's publisher
  and agency aside), precision over the entities the draft names (registry mentions and proposed new
  entities): a drafted entity is right when it is an entity of the curated corpus, that is when it has
  the id of, or one of its names (name, alias, or the words the draft quotes) is a name under
  ``identity.name_key`` or ``identity.skeleton`` of, an entity of the full registry or of the article's
  curated file, or it quotes a passage that overlaps such an entity's evidence (a curated facts file has
  no list of mentions: "Iran" named in passing is right though no fact of the file refers to Iran);
* relations: a drafted relation is a curated one when their predicates are the same and their evidence
  passages overlap (subject and object ids are left out: in a leave-one-out draft an entity only the
  article introduced has a proposed id, not the curated one);
* events (speech aside), statements (``statements:`` and Statement/Appeal events), accusations, threats:
  a drafted item is a curated one of the same kind when their evidence passages overlap;
* counts: same ``what``, same numbers, overlapping quotes;
* dates: over the matched events and statements, the drafted date equal (as EDTF) to the curated one;
* anchors: every quote of the draft found in the text where it says (the share that anchors).

The totals are given apart for the articles whose text was read while the rules were written (listed in
``draft_seen.txt``) and for the others, the only ones that say how the drafter does on an article it has
never seen.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import kgpub
from kgpub.corpus import model
from kgpub.corpus import reader
from kgpub.corpus import identity
from kgpub.pipeline import provenance

_SPEECH = {"Statement", "Appeal"}
KINDS = ("entity mentions", "relations", "events", "accusations", "threats", "statements", "counts", "dates")
#: The articles whose text was read while the drafter's rules were written (benchmarks/draft_seen.txt): its
#: figures on them say how well it fits what it was tuned on, not how it does on an article never seen.
SEEN_FILE = Path(__file__).with_name("draft_seen.txt")


def seen_articles(path: Path = SEEN_FILE) -> set[str]:
    """The ids listed in ``path``, one a line (``#`` starts a comment); empty when there is no such file."""
    if not path.is_file():
        return set()
    return {line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()} - {""}


@dataclass
class Tally:
    found: int = 0  # drafted items that match a curated one
    drafted: int = 0
    recalled: int = 0  # curated items a drafted one matches
    curated: int = 0

    def add(self, other: Tally) -> None:
        self.found += other.found
        self.drafted += other.drafted
        self.recalled += other.recalled
        self.curated += other.curated

    @property
    def precision(self) -> float | None:
        return self.found / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.curated if self.curated else None


@dataclass
class ArticleScore:
    article: str
    seconds: float
    quotes: int
    anchored: int
    tallies: dict[str, Tally] = field(default_factory=dict)


def _spans(article: model.Article, quotes: tuple[model.Quote, ...]) -> list[tuple[int, int]]:
    out = []
    for q in quotes:
        try:
            span = provenance.locate(article.text, q, article.text_file)
            out.append((span.start, span.end))
        except kgpub.InputError:
            pass
    return out


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(x < d and c < y for x, y in a for c, d in b)


def _match(drafted: list[Any], curated: list[Any], same: Any) -> Tally:
    return Tally(sum(1 for d in drafted if any(same(d, c) for c in curated)), len(drafted),
                 sum(1 for c in curated if any(same(d, c) for d in drafted)), len(curated))


def _keys(names: list[str]) -> set[str]:
    return {k for n in names for k in (identity.name_key(n), "~" + identity.skeleton(n)) if k.strip("~")}


def leave_one_out(seeds: Path, corpus: model.Corpus, article: model.Article, into: Path) -> None:
    """A seeds folder at ``into`` whose registry lacks what only ``article`` introduced."""
    others = [a for a in corpus.articles if a.id != article.id]
    used_elsewhere = set().union(*(model.referenced_ids(a) for a in others)) if others else set()
    reported_elsewhere = {e.id for a in others for e in a.events if e.shared}
    mine = model.referenced_ids(article)
    doc = yaml.safe_load((seeds / model.REGISTRY_FILE).read_text(encoding="utf-8"))
    doc["entities"] = [e for e in doc["entities"] if e["id"] not in mine or e["id"] in used_elsewhere]
    kept = {e["id"] for e in doc["entities"]}
    doc["events"] = [e for e in doc.get("events", ()) if (e["id"] in reported_elsewhere
                     or e["id"] not in {x.id for x in article.events if x.shared}) and e.get("place") in kept | {None}]
    into.mkdir(parents=True)
    (into / model.REGISTRY_FILE).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def score_article(seeds: Path, corpus: model.Corpus, article: model.Article, work: Path) -> ArticleScore:
    loo = work / f"seeds-{article.id}"
    leave_one_out(seeds, corpus, article, loo)
    folder = loo / "articles"
    folder.mkdir()
    text_path = folder / "new.txt"
    shutil.copyfile(seeds / article.text_file, text_path)
    registry_ids = {e.id for e in reader.load_shared(loo).registry}
    publisher = article.publisher if article.publisher in registry_ids else None
    started = time.perf_counter()
    kgpub.draft(text_path, seeds=loo, published=article.published.lexical if article.published else None,
                url=article.url, publisher=publisher)
    seconds = time.perf_counter() - started
    shared = reader.load_shared(loo)
    drafted, problems = reader.load_article(folder / f"new{model.FACTS_SUFFIX}", loo, shared.entity_index,
                                           shared.event_ids, drafts=True)
    assert drafted is not None and not problems, problems
    return _compare(article, drafted, corpus, seconds)


def _compare(gold: model.Article, draft: model.Article, corpus: model.Corpus, seconds: float) -> ArticleScore:
    quotes = [q for items in (draft.entities, draft.relations, draft.events, draft.accusations, draft.threats, draft.statements,
                              draft.mentions) for x in items for q in x.evidence]
    quotes += [q for e in draft.events for c in e.counts for q in c.evidence]
    anchored = len(_spans(draft, tuple(quotes)))
    score = ArticleScore(gold.id, seconds, len(quotes), anchored)

    # ------------------------------------------------------------ entities
    registry = {e.id: e for e in corpus.registry}
    local = {e.id: e for e in gold.entities}
    wanted = (model.referenced_ids(gold) - {gold.publisher, gold.agency}) | set(local)
    curated = []
    for some in sorted(wanted):
        entity = local.get(some) or registry.get(some)
        if entity is None:
            continue
        names = [entity.name, *entity.aliases] + [q.text for q in entity.evidence]
        curated.append((some, _keys(names), _spans(gold, entity.evidence)))
    drafted = []
    for m in draft.mentions:
        drafted.append((m.entity, _keys([q.text for q in m.evidence] + [registry[m.entity].name]
                                        if m.entity in registry else [q.text for q in m.evidence]),
                        _spans(draft, m.evidence)))
    for e in draft.entities:
        if e.evidence:  # the placeholder publisher has none
            drafted.append((e.id, _keys([e.name, *(q.text for q in e.evidence)]), _spans(draft, e.evidence)))

    def same_entity(d: Any, c: Any) -> bool:
        return d[0] == c[0] or bool(d[1] & c[1]) or (bool(c[2]) and _overlap(d[2], c[2]))

    known = curated + [(e.id, _keys([e.name, *e.aliases]), []) for e in corpus.registry if e.id not in wanted]
    known += [(e.id, _keys([e.name, *e.aliases, *(q.text for q in e.evidence)]), _spans(gold, e.evidence))
              for e in gold.entities if e.id not in wanted]
    recall = _match(drafted, curated, same_entity)
    precision = _match(drafted, known, same_entity)
    score.tallies["entity mentions"] = Tally(precision.found, precision.drafted, recall.recalled, recall.curated)

    # ------------------------------------------------------------ facts by evidence
    def items(article: model.Article, kind: str) -> list[tuple[Any, list[tuple[int, int]]]]:
        if kind == "events":
            chosen: list[Any] = [e for e in article.events if not set(e.types) & _SPEECH]
        elif kind == "statements":
            chosen = [*article.statements, *(e for e in article.events if set(e.types) & _SPEECH)]
        else:
            chosen = list(getattr(article, kind))
        return [(x, _spans(article, x.evidence)) for x in chosen]

    def overlapping(d: Any, c: Any) -> bool:
        return _overlap(d[1], c[1])

    dates = Tally()
    for kind in ("events", "accusations", "threats", "statements"):
        mine, theirs = items(draft, kind), items(gold, kind)
        score.tallies[kind] = _match(mine, theirs, overlapping)
        if kind in ("events", "statements"):
            for d in mine:
                pairs = [c for c in theirs if overlapping(d, c)]
                if not pairs:
                    continue
                c = pairs[0]
                given, known = getattr(d[0], "date", None), getattr(c[0], "date", None)
                right = given is not None and known is not None and given.edtf == known.edtf
                dates.found += right
                dates.drafted += given is not None
                dates.recalled += right
                dates.curated += known is not None
    score.tallies["dates"] = dates

    def same_relation(d: Any, c: Any) -> bool:
        return bool(d[0].predicate == c[0].predicate and _overlap(d[1], c[1]))

    score.tallies["relations"] = _match(items(draft, "relations"), items(gold, "relations"), same_relation)

    def counts(article: model.Article) -> list[tuple[Any, list[tuple[int, int]]]]:
        return [(c, _spans(article, c.evidence)) for e in article.events for c in e.counts]

    def same_count(d: Any, c: Any) -> bool:
        a, b = d[0], c[0]
        return a.what == b.what and (a.low, a.high, a.value) == (b.low, b.high, b.value) and _overlap(d[1], c[1])

    score.tallies["counts"] = _match(counts(draft), counts(gold), same_count)
    return score


def evaluate(seeds: Path) -> list[ArticleScore]:
    corpus = reader.load(seeds)
    work = Path(tempfile.mkdtemp(prefix="kgpub-draft-bench-"))
    try:
        return [score_article(seeds, corpus, article, work) for article in corpus.articles]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _targets(total: dict[str, Tally]) -> dict[str, bool]:
    """Issue 28's targets, each met or not by these totals."""
    def at_least(value: float | None, floor: float) -> bool:
        return value is not None and value >= floor

    out = {"entity mentions recall": at_least(total["entity mentions"].recall, 0.90),
           "entity mentions precision": at_least(total["entity mentions"].precision, 0.85)}
    for kind in ("events", "accusations", "statements"):
        out[f"{kind} recall"] = at_least(total[kind].recall, 0.70)
    return out


def report(scores: list[ArticleScore], machine: str, command: str, seen: set[str] | None = None) -> list[str]:
    seen = seen_articles() if seen is None else seen

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    def sums(group: list[ArticleScore]) -> dict[str, Tally]:
        total = {kind: Tally() for kind in KINDS}
        for s in group:
            for kind in KINDS:
                total[kind].add(s.tallies[kind])
        return total

    def totals(group: list[ArticleScore]) -> list[str]:
        total = sums(group)
        out = ["| kind | precision | recall | drafted | matched | curated | recalled |", "|---|---:|---:|---:|---:|---:|---:|"]
        for kind in KINDS:
            t = total[kind]
            out.append(f"| {kind} | {pct(t.precision)} | {pct(t.recall)} | {t.drafted} | {t.found} | {t.curated} | "
                       f"{t.recalled} |")
        return out

    tuned = [s for s in scores if s.article in seen]
    unseen = [s for s in scores if s.article not in seen]
    quotes = sum(s.quotes for s in scores)
    anchored = sum(s.anchored for s in scores)
    lines = ["# Draft benchmark (kgpub draft, leave one out)", "", f"Machine: {machine}", "", f"Command: `{command}`", "",
             (f"Articles: {len(scores)} ({', '.join(s.article for s in scores)}), each drafted against the registry "
             "without what only it introduced, and compared with its curated facts (see benchmarks/draft_eval.py)."),
             "", "## Articles the rules were written on", ""]
    if tuned:
        lines += [(f"{len(tuned)} of {len(scores)} ({', '.join(s.article for s in tuned)}): their text was read while the "
                   "drafter's rules were written (benchmarks/draft_seen.txt). Leaving each out of the registry does not "
                   "hide its wording from the rules, so these figures say how well the drafter fits what it was tuned on, "
                   "not how it does on a new article."), "", *totals(tuned)]
    else:
        lines.append("None.")
    lines += ["", "## Articles the project has never seen", ""]
    if unseen:
        lines += [(f"{len(unseen)} of {len(scores)} ({', '.join(s.article for s in unseen)}): no rule was written "
                   "with their text at hand. These are the figures the targets of issue 28 are about."), "", *totals(unseen)]
    else:
        missed = [kind for kind, ok in _targets(sums(tuned)).items() if not ok]
        on_tuned = ("are met on the articles the drafter was tuned on" if not missed else
                    "are not all met even on the articles the drafter was tuned on (" + ", ".join(missed) + ")")
        lines.append("**None.** Every article of the corpus was read while the drafter's rules were written, so the figures "
                     "above are the only ones there are: the targets of issue 28 (entity mentions ≥ 0.90 recall and ≥ 0.85 "
                     f"precision; events, accusations and statements ≥ 0.70 recall) {on_tuned}, and are not measured on "
                     "any article it has never seen. A curated article added to the seeds without touching the rules, and "
                     "left out of benchmarks/draft_seen.txt, is counted here.")
    lines += ["", f"Quotes that anchor: **{anchored / quotes if quotes else 1:.2f}** ({anchored:,} of {quotes:,}).", "",
              "| article | seen | seconds | " + " | ".join(f"{k} P/R" for k in KINDS) + " |",
              "|---|---|---:|" + "---:|" * len(KINDS)]
    for s in scores:
        lines.append(f"| {s.article} | {'yes' if s.article in seen else 'no'} | {s.seconds:.2f} | " + " | ".join(
            f"{pct(s.tallies[k].precision)}/{pct(s.tallies[k].recall)}" for k in KINDS) + " |")
    mean = sum(s.seconds for s in scores) / len(scores) if scores else 0.0
    lines += ["", f"Seconds per article: **{mean:.2f}** on average (the first includes loading the drafter).", ""]
    return lines
