"""Write a synthetic news corpus in kgpub's real facts format, for benchmarks and scale tests.

    python benchmarks/synth.py --articles 10000 --out /tmp/corpus [--seed 7] [--bad-rate 0.02]

Each article draws about eight actors and places from a shared registry (so the
same person recurs across articles), reports about four events with dates of
mixed precision, a few accusations and threats and a relation, and quotes
sentences that really occur in its generated text.  With ``--bad-rate R`` a
fraction R of the articles carries one deliberate error of a kind a curator
makes (a misquote, an unknown id, an impossible date, an accuser accusing
itself); ``errors.json`` lists them so tests can check every one is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

SYLLABLES = ["al", "ba", "da", "far", "ha", "ja", "ka", "la", "ma", "na", "qa", "ra", "sa", "ta", "wa", "za",
             "mir", "din", "rah", "sul", "kar", "bir", "han", "zar", "lev", "dor", "vik", "ost", "mun", "tel"]
EVENT_TYPES = {
    "AirDroneStrike": "a drone strike", "ShellingMissileAttack": "a rocket attack", "Arrest": "an arrest raid",
    "RoadsideBombing": "a roadside bombing", "Attack": "an armed attack", "ShowOfForce": "a show of force",
    "Release": "the release of detainees", "Visit": "a visit", "Truce": "a truce", "Statement": "a statement",
}
ACCUSATIONS = {"AccuseOfAggression": "the attack", "AccuseOfCrime": "smuggling weapons", "AccuseOfTreason": "treason",
               "Accuse": "complicity in the violence"}
THREATS = {"Threaten": "would pay a price", "ThreatenMilitaryForce": "would face a military response",
           "Ultimatum": "had three days to comply", "ThreatenUnconventionalViolence": "would be hunted down"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
BAD_KINDS = ("misquote", "unknown-id", "impossible-date", "self-accusation")
VIOLENT = {"AirDroneStrike", "ShellingMissileAttack", "RoadsideBombing", "Attack"}


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    name: str


def name(rng: random.Random, parts: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(parts))


def registry(rng: random.Random, size: int) -> list[Entity]:
    """A shared pool: people, armed groups, organisations, cities and countries."""
    kinds = [("Person", 0.45), ("ArmedGroup", 0.2), ("Organization", 0.1), ("City", 0.17), ("Country", 0.08)]
    out, used = [], set()
    for i in range(size):
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        label = name(rng, 2 if kind == "Person" else 1)
        if kind == "ArmedGroup":
            label = f"{label} Brigades"
        elif kind == "Organization":
            label = f"{label} Council"
        while label in used:
            label += " " + name(rng, 1)
        used.add(label)
        out.append(Entity(f"e{i:06d}", kind, label))
    return out


def yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def date_phrase(rng: random.Random, year: int) -> tuple[str, str]:
    """A date as the text says it, and as the facts file writes it (same precision)."""
    precision = rng.choice(["day", "month", "year"])
    month = rng.randint(1, 12)
    if precision == "day":
        day = rng.randint(1, 28)
        return f"on {MONTHS[month - 1]} {day}, {year}", f"{year:04d}-{month:02d}-{day:02d}"
    if precision == "month":
        return f"in {MONTHS[month - 1]} {year}", f"{year:04d}-{month:02d}"
    return f"in {year}", f"{year:04d}"


def article(rng: random.Random, index: int, pool: dict[str, list[Entity]], bad: str | None) -> tuple[str, str, str | None]:
    """The text and facts file of one article, and the deliberate error it carries (if any)."""
    aid = f"a{index:06d}"
    year = rng.randint(2015, 2023)
    people = rng.sample(pool["Person"], 3)
    groups = rng.sample(pool["ArmedGroup"], 2)
    network = rng.choice(pool["Network"])
    places = rng.sample(pool["City"], 2)
    org = rng.choice(pool["Organization"])
    sentences, events, accusations, threats = [], [], [], []
    for n in range(4):
        etype = rng.choice(list(EVENT_TYPES))
        agent, target = rng.choice(groups), rng.choice(people)
        place = places[n % 2]
        when, date = date_phrase(rng, year)
        quote = (f"{agent.name} carried out {EVENT_TYPES[etype]} against {target.name} in {place.name} {when}, "
                 f"according to witness number {n + 1}")
        sentences.append(quote + ".")
        events.append((f"event-{n + 1}", etype, quote, agent, target, place, date))
    for n in range(2):
        atype = rng.choice(list(ACCUSATIONS))
        accuser, accused = people[n], groups[n]
        quote = f"{accuser.name} accused {accused.name} of {ACCUSATIONS[atype]}"
        sentences.append(f"Separately, {quote}.")
        accusations.append((f"accusation-{n + 1}", atype, quote, accuser, accused, events[n][0]))
    ttype = rng.choice(list(THREATS))
    threatener, threatened = groups[0], people[2]
    tquote = f"{threatener.name} warned that {threatened.name} {THREATS[ttype]}"
    sentences.append(f"Later, {tquote}.")
    threats.append(("threat-1", ttype, tquote, threatener, threatened))
    rel_quote = f"{people[0].name}, a commander of {groups[0].name}"
    sentences.append(f"{rel_quote}, declined to comment to reporters from {org.name}.")
    spokes_quote = f"A spokesman for {groups[1].name}"
    sentences.append(f"{spokes_quote} said the group would respond.")
    faction_quote = f"{groups[1].name}, a faction of {network.name}"
    sentences.append(f"{faction_quote}, has grown in recent months.")
    text = f"{org.name} report {index}\n\n" + "\n\n".join(sentences) + "\n"

    error = None
    lines = [
        "article:", f"  id: {aid}", f"  headline: {yaml_str(org.name + ' report ' + str(index))}",
        f"  publisher: {org.id}", "  language: en", f'  published: "{year:04d}-12-31"',
        "entities:", "  - id: spokesman", "    type: Person",
        f"    name: {yaml_str('Spokesman of ' + groups[1].name)}", f"    evidence: [{yaml_str(spokes_quote)}]",
        "relations:", f"  - subject: {people[0].id}", "    predicate: memberOf", f"    object: {groups[0].id}",
        "    role: commander", f"    evidence: [{yaml_str(rel_quote)}]",
        "  - subject: spokesman", "    predicate: memberOf", f"    object: {groups[1].id}",
        "    role: spokesman", f"    evidence: [{yaml_str(spokes_quote)}]",
        f"  - subject: {groups[1].id}", "    predicate: partOf", f"    object: {network.id}",
        f"    evidence: [{yaml_str(faction_quote)}]",
        "events:",
    ]
    for i, (eid, etype, quote, agent, target, place, date) in enumerate(events):
        if bad == "impossible-date" and i == 0:
            date, error = f"{year:04d}-02-30", f"{aid}: impossible date"
        if bad == "misquote" and i == 1:
            quote, error = quote.replace(" carried out ", " carried  out "), f"{aid}: quote not found"
        agent_id = agent.id
        if bad == "unknown-id" and i == 2:
            agent_id, error = "nobody-" + agent.id, f"{aid}: undefined id"
        lines += [f"  - id: {eid}", f"    type: {etype}", f"    label: {yaml_str(quote)}", f'    date: "{date}"',
                  f"    place: {place.id}", f"    agent: {agent_id}", f"    target: {target.id}",
                  f"    evidence: [{yaml_str(quote)}]"]
        if etype in VIOLENT:
            lines.append(f"    victim: {target.id}")
    lines.append("accusations:")
    for i, (acid, atype, quote, accuser, accused, concerns) in enumerate(accusations):
        accused_id = accused.id
        if bad == "self-accusation" and i == 0:
            accused_id, error = accuser.id, f"{aid}: accuser accuses itself"
        lines += [f"  - id: {acid}", f"    type: {atype}", f"    accuser: {accuser.id}", f"    accused: {accused_id}",
                  f"    concerns: {concerns}", f"    allegation: {yaml_str(ACCUSATIONS[atype])}",
                  f"    evidence: [{yaml_str(quote)}]"]
    lines.append("threats:")
    for tid, ttype, quote, threatener, threatened in threats:
        lines += [f"  - id: {tid}", f"    type: {ttype}", f"    threatener: {threatener.id}",
                  f"    threatened: {threatened.id}", f"    evidence: [{yaml_str(quote)}]"]
    return text, "\n".join(lines) + "\n", error


def write_corpus(out: Path, articles: int, seed: int = 7, bad_rate: float = 0.0) -> dict[str, object]:
    """Write the corpus under ``out``; return a small manifest (also written as ``corpus.json``)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "articles").mkdir(parents=True)
    pool_size = max(80, articles // 2)
    entities = registry(rng, pool_size)
    by_type: dict[str, list[Entity]] = {}
    for e in entities:
        by_type.setdefault(e.type, []).append(e)
    # A few armed groups are networks that others are factions of; they are not drawn as actors.
    groups = by_type.get("ArmedGroup", [])
    by_type["Network"], by_type["ArmedGroup"] = groups[: max(2, len(groups) // 20)], groups[max(2, len(groups) // 20):]
    for kind, minimum in (("Person", 3), ("ArmedGroup", 2), ("Network", 1), ("City", 2), ("Organization", 1)):
        while len(by_type.get(kind, [])) < minimum:
            entity_type = "ArmedGroup" if kind == "Network" else kind
            extra = Entity(f"x{kind.lower()}{len(by_type.get(kind, []))}", entity_type, f"{name(rng, 2)} {kind}")
            entities.append(extra)
            by_type.setdefault(kind, []).append(extra)
    reg = ["entities:"]
    for e in entities:
        reg += [f"  - id: {e.id}", f"    type: {e.type}", f"    name: {yaml_str(e.name)}"]
    (out / "entities.yaml").write_text("\n".join(reg) + "\n", encoding="utf-8")
    (out / "dataset.yaml").write_text(
        "title: Synthetic corpus\ndescription: Generated by benchmarks/synth.py.\n"
        "license: https://creativecommons.org/publicdomain/zero/1.0/\ncreated: \"2026-01-01\"\n", encoding="utf-8")
    errors = []
    for i in range(articles):
        bad = rng.choice(BAD_KINDS) if rng.random() < bad_rate else None
        text, facts, error = article(rng, i, by_type, bad)
        folder = out / "articles" / f"{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"a{i:06d}.txt").write_text(text, encoding="utf-8")
        (folder / f"a{i:06d}.facts.yaml").write_text(facts, encoding="utf-8")
        if error:
            errors.append(error)
    manifest = {"articles": articles, "seed": seed, "bad_rate": bad_rate, "registry": len(entities), "errors": errors}
    (out / "errors.json").write_text(json.dumps(errors, indent=1) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-rate", type=float, default=0.0)
    args = parser.parse_args()
    manifest = write_corpus(args.out, args.articles, args.seed, args.bad_rate)
    print(f"wrote {args.articles} articles ({len(manifest['errors'])} with deliberate errors) "
          f"and a registry of {manifest['registry']} entities to {args.out}")


if __name__ == "__main__":
    main()
