"""What the article says, sentence by sentence: events, accusations, threats, statements, counts, dates, hedges.

Each is found from its trigger words (the lists below, one place to extend them) and drafted with the
sentence as its evidence.  Roles come only from patterns that are clear in the sentence: the entity named
just before an active verb acts, the one just after it undergoes; "were attacked ... by X" turns them
round; "blamed on X" has no accuser.  Dates are resolved by kgpub's own rules (``dates.RULES``) for
phrases relative to the article and by a plain reading of "January 3, 2020" or "Dec. 27" for absolute
ones; a phrase the rules cannot resolve is left for the curator.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from kgpub.corpus import dates
from kgpub.drafting.entities import Found
from kgpub.drafting.text import Sentence

# --------------------------------------------------------------------------- trigger words

#: (pattern, event type): the first that matches a trigger decides its type.
EVENT_TRIGGERS: tuple[tuple[str, str], ...] = (
    (r"(?:drone|air)\s?strikes?|airstrikes?|air raids?|bomb(?:ed|ing)\s+raids?", "AirDroneStrike"),
    (r"targeted killing|assassinat(?:ed|ion|e)", "TargetedKilling"),
    ((r"rocket (?:attacks?|fire)|rockets? (?:were |was )?fired|fired (?:\w+ )*rockets|shell(?:ed|ing)|mortars?|"
     r"missile attacks?"), "ShellingMissileAttack"),
    (r"roadside bombs?|IEDs?", "RoadsideBombing"),
    (r"invasion|invaded", "Invasion"),
    (r"arrest(?:ed|s)?|detain(?:ed|s)?|in detention|captured", "Arrest"),
    (r"released|let go|freed", "Release"),
    (r"hand(?:ed|s)? over|transferred|handover", "Handover"),
    (r"storm(?:ed|ing)|breached|broke into", "Storming"),
    (r"protests?|protesters|demonstrat(?:ors|ion|ions|ed)|rall(?:y|ied)", "Protest"),
    (r"riots?|rioters", "Riot"),
    (r"deploy(?:ed|s|ment)?|dispatched", "Deployment"),
    (r"ceasefire|cease-fire", "Ceasefire"),
    (r"truce|halt to attacks", "Truce"),
    (r"surveillance", "Surveillance"),
    (r"withdr(?:ew|aw|awn)|slimmed down|drawdown|evacuat(?:ed|ion)", "StaffWithdrawal"),
    (r"took office|sworn in|hands? over to", "TakingOffice"),
    (r"visit(?:ed|s)?|was in [A-Z]\w+ (?:last|this)", "Visit"),
    (r"mediat(?:e|ed|ion)", "Mediation"),
    (r"spread out|show of force|paraded", "ShowOfForce"),
    (r"strikes?|struck|striking", "AirDroneStrike"),
    (r"attack(?:ed|s|ing)?|killed|killing|bomb(?:ed|ing)s?|explosions?|blasts?|fired|opened fire|ambush(?:ed)?",
     "Attack"),
)
#: A speech event: a sentence that reports what someone said.
SPEECH = r"said|says|tweeted|stated|noted|added|told"
#: (pattern, statement act).
STATEMENT_TRIGGERS: tuple[tuple[str, str], ...] = (
    ((r"(?:no one|nobody|none|no group)\s+(?:has|have|had)\s+(?:yet\s+)?claimed|"
     r"(?:was|were|has been|have been)\s+(?:not\s+)?(?:yet\s+)?(?:not\s+)?claimed|unclaimed"), "NoClaimOfResponsibility"),
    ((r"claim(?:ed|s)? responsibility|took (?:\w+ ){0,2}action|ordered (?:[\w.]+ ){0,2}(?:air)?strikes|"
     r"directed, and|launched an? (?:air|drone )?strike"), "ClaimResponsibility"),
    (r"den(?:y|ies|ied)|rejected (?:the )?(?:claims?|accusations?)", "Deny"),
    (r"condemn(?:s|ed)?|denounc(?:e|es|ed)", "Condemn"),
    (r"demand(?:s|ed)?|insist(?:s|ed)|ordered", "Demand"),
    (r"appeal(?:s|ed)?|urg(?:e|es|ed|ing)|call(?:s|ed)? (?:on|for)", "Appeal"),
)
ACCUSATION_TRIGGER = r"accus(?:e|es|ed|ing)|blam(?:e|es|ed|ing)|h[eo]ld\w* (?:\w+ ){1,3}responsible|" \
                     r"(?:was|were|is|are) responsible"
#: Words that lay an attack at someone's door without "accuse": "orchestrated attacks", "developing plans to attack".
PLOT_TRIGGER = r"(?:with |has |have )?(?:links|ties) to|linked to|tied to|orchestrat(?:ed|es|ing)|mastermind(?:ed|ing)?|plott(?:ed|ing)|plans? to attack|planned (?:another |an )?attack|" \
               r"responsible for (?:organizing|organising|directing|planning|the attacks?)"
#: Words that accuse by naming the charge: treason, a criminal charge.
TREASON_TRIGGER = r"treacherous|traitors?|treason|treachery|betray(?:ed|al|s)?"
CHARGE_TRIGGER = r"(?:on|under) (?:the same |similar )?charges?|charged (?:with|over)|indicted"
THREAT_TRIGGER = r"threat(?:en|ens|ened|s)?|warn(?:s|ed|ing)?|ultimatum"
#: (pattern, certainty): words by which the article hedges what it reports.
HEDGES: tuple[tuple[str, str], ...] = (
    (r"it was not (?:immediately )?clear|it is not (?:yet )?clear|unconfirmed|could have|may have|might have",
     "possible"),
    ((r"reportedly|allegedly|is believed to|are believed to|suspected|sources (?:said|say|says|told)|"
     r"according to|would"), "probable"),
)

_NUMBERS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}
_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                 "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12})
_VAGUE = {"dozens": ("about", 24), "scores": ("about", 40), "hundreds": ("at_least", 200),
          "thousands": ("at_least", 2000), "tens of thousands": ("at_least", 20000)}
_MUNITIONS = {"rocket": "rockets", "missile": "missiles", "drone": "drones", "shell": "shells",
              "mortar": "shells", "bomb": "bombs", "vehicle": "vehicles", "car": "vehicles"}
_PEOPLE = ("casualty|casualties|people|persons|civilians?|soldiers?|troops|members?|fighters?|protesters?|demonstrators?|"
           "personnel|Americans?|Iraqis?|contractors?|service members?|militants?|children|women|men|"
           "policemen|officers?|guards?|partners?|staff|employees|diplomats?|workers?|pilgrims?")
_PEOPLE_VERBS = (("killed|dead|died|killing|deaths", "killed"), ("injured|wounded|hurt|injuring|wounding", "injured"),
                 ("arrested|arrest", "arrested"), ("detained|detaining", "detained"),
                 ("kidnapped|abducted", "kidnapped"), ("displaced", "displaced"), ("missing", "missing"),
                 ("protest|protesters|gathered|rally|demonstrat", "participants"),
                 ("deploy|dispatched", "participants"))
_NUMBER = (r"\d{1,3}(?:,\d{3})+|\d+|a dozen|dozen|tens of thousands|dozens|scores|hundreds|thousands|"
           + "|".join(sorted((w for w in _NUMBERS if " " not in w), key=len, reverse=True)))
_COUNT = re.compile(
    r"\b(?P<q>at least|at most|more than|over|up to|fewer than|less than|about|around|some|nearly|roughly|"
    r"approximately|an estimated|almost)?\s*\b(?P<n>" + _NUMBER + r")\b(?:\s+of)?"
    # the words between the number and the noun never hold another number or its qualifier: "dozens of at least
    # eight rockets" is eight rockets, said vaguely first
    r"(?P<adj>(?:\s+(?!(?:" + _NUMBER + r"|at|more|over|up|fewer|less|about|around|nearly|roughly|almost)\b)"
    r"[A-Za-z][\w-]*){0,3})\s+(?P<noun>rockets?|missiles?|drones?|shells?|mortars?|mortar rounds|"
    r"bombs?|vehicles?|cars?|" + _PEOPLE + r")\b", re.IGNORECASE)
#: "killed a U.S. defense contractor": one, said with an article.
_ONE = re.compile(r"\b(?P<verb>killed|killing|injured|injuring|wounded|wounding|arrested|kidnapped|abducted)\s+"
                  r"(?P<n>an?)\s+(?:[A-Za-z][\w.-]*\s+){0,3}?(?:" + _PEOPLE + r")\b")
_BARE_COUNT = re.compile(r"\b(?P<q>at least|more than|about|some|nearly)?\s*\b(?P<n>" + _NUMBER + r")\b\s+"
                         r"(?:were|was|had been|have been)\s+(?P<verb>killed|injured|wounded|arrested|detained|"
                         r"kidnapped|abducted)", re.IGNORECASE)

_MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_NAMES.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_NAMES["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ABSOLUTE = re.compile(r"\b(?P<m>" + _MONTH + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b",
                       re.IGNORECASE)
_RELATIVE = re.compile(
    r"\b(?:today|tonight|this (?:morning|afternoon|evening)|yesterday|last night|"
    r"(?:(?:early|late)\s+)?(?:(?:on|last)\s+)?" + _WEEKDAY + r"(?:\s+(?:morning|afternoon|evening|night))?|"
    r"last week|this week|last month|this month|last year|this year|"
    r"(?:early|mid|late)[\s-]+(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?:\s+\d{4})?|"
    r"in\s+(?:January|February|March|April|June|July|August|September|October|November|December|May)(?:\s+\d{4})?)\b")
_YEAR = re.compile(r"\b(?:in|since|during|of)\s+(?P<y>(?:19|20)\d{2})\b")


@dataclass
class Drafted:
    """One drafted fact, in the facts format's own keys (rendered as they are)."""

    section: str  # relations | events | accusations | threats | statements
    fields: dict[str, object]
    sentence: Sentence
    comment: str = ""
    counts: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class DateFound:
    value: dict[str, str] | str
    rule: str
    phrase: str
    shown: str  # the date it means, for the curator's comment
    start: int


def dates_in(sentence: Sentence, published: tuple[int, int | None, int | None] | None) -> list[DateFound]:
    """The dates a sentence gives, resolved: absolute ones read as written, relative ones by ``dates.RULES``."""
    out = []
    taken: list[tuple[int, int]] = []
    for match in _ABSOLUTE.finditer(sentence.text):
        month = _MONTH_NAMES[match["m"].lower().rstrip(".")]
        day = int(match["d"])
        if match["y"]:
            year = int(match["y"])
            rule = "as written"
        elif published is not None and published[1] is not None:
            year = published[0] if (month, day) <= (published[1], published[2] or 31) else published[0] - 1
            rule = "as written; the year is the latest not after the article's date"
        else:
            continue
        try:
            value = date(year, month, day).isoformat()
        except ValueError:
            continue
        out.append(DateFound(value, rule, match.group(), value, sentence.start + match.start()))
        taken.append(match.span())
    for match in _RELATIVE.finditer(sentence.text):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        phrase = " ".join(match.group().split())
        try:
            found = dates.resolve(phrase, published)
        except ValueError:
            continue
        value = phrase.removeprefix("in ") if phrase.startswith("in ") else phrase
        out.append(DateFound({"phrase": value}, f"{found.rule}: {dates.RULES[found.rule or '']}", phrase,
                             found.edtf, sentence.start + match.start()))
        taken.append(match.span())
    for match in _YEAR.finditer(sentence.text):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        out.append(DateFound(match["y"], "as written", match.group(), match["y"], sentence.start + match.start()))
    return sorted(out, key=lambda d: d.start)


def counts_in(sentence: Sentence) -> list[tuple[int, dict[str, object]]]:
    """The numbers a sentence gives, with what they count and how exactly: (offset, count without evidence)."""
    out: list[tuple[int, dict[str, object]]] = []
    for match in _COUNT.finditer(sentence.text):
        noun = match["noun"].lower()
        what = next((kind for stem, kind in _MUNITIONS.items() if noun.startswith(stem)), None)
        if what is None:
            what = _people_kind(sentence.text, match.start(), match.end())
        if what is None and noun.startswith("casualt"):
            what = "injured"  # harmed, not said to be dead
        if what is None:
            continue
        number = _qualified(match["q"], match["n"])
        if number is None:
            continue
        out.append((match.start(), {"what": what, **number, "_span": _trimmed(sentence.text, match.span())}))
    for match in _ONE.finditer(sentence.text):
        verb = match["verb"].lower()
        what = next(kind for words, kind in _PEOPLE_VERBS if any(verb.startswith(w[:5]) for w in words.split("|")))
        spans0: list[tuple[int, int]] = [c["_span"] for _, c in out]  # type: ignore[misc]
        if not any(a < match.end() and match.start() < b for a, b in spans0):
            out.append((match.start(), {"what": what, "exactly": 1, "_span": match.span()}))
    for match in _BARE_COUNT.finditer(sentence.text):
        verb = match["verb"].lower()
        what = next(kind for words, kind in _PEOPLE_VERBS if re.fullmatch(words, verb) or verb in words.split("|"))
        number = _qualified(match["q"], match["n"])
        spans: list[tuple[int, int]] = [c["_span"] for _, c in out]  # type: ignore[misc]
        if number is not None and not any(a <= match.start() < b for a, b in spans):
            out.append((match.start(), {"what": what, **number, "_span": _trimmed(sentence.text, match.span())}))
    return out


def _trimmed(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _people_kind(text: str, start: int, end: int) -> str | None:
    """What happened to the people counted: the verb nearest the number, within the clause."""
    before, after = text[max(0, start - 60):start].lower(), text[end:end + 40].lower()
    best: tuple[int, str] | None = None
    for words, kind in _PEOPLE_VERBS:
        for match in re.finditer(r"\b(?:" + words + r")", before):
            distance = len(before) - match.end()
            if best is None or distance < best[0]:
                best = (distance, kind)
        for match in re.finditer(r"\b(?:" + words + r")", after):
            if best is None or match.start() < best[0]:
                best = (match.start(), kind)
    return best[1] if best else None


def _qualified(qualifier: str | None, number: str) -> dict[str, object] | None:
    word = number.lower()
    if word in _VAGUE:
        key, value = _VAGUE[word]
        return {key: value}
    if word.replace(",", "").isdigit():
        value = int(word.replace(",", ""))
    elif word in _NUMBERS:
        value = _NUMBERS[word]
    else:
        return None
    q = (qualifier or "").lower()
    if q in ("at least",):
        return {"at_least": value}
    if q in ("more than", "over"):
        return {"at_least": value + 1}
    if q in ("up to", "at most"):
        return {"at_most": value}
    if q in ("fewer than", "less than"):
        return {"at_most": max(value - 1, 0)}
    if q:
        return {"about": value}
    return {"exactly": value}


def hedge_in(sentence: Sentence) -> tuple[str, str] | None:
    """(certainty, the hedging words as written) when the sentence hedges, else None."""
    for pattern, certainty in HEDGES:
        match = re.search(r"\b(?:" + pattern + r")\b", sentence.text, re.IGNORECASE)
        if match:
            return certainty, match.group()
    return None


def triggers(sentence: Sentence, pattern: str) -> list[re.Match[str]]:
    return list(re.finditer(r"\b(?:" + pattern + r")\b", sentence.text, re.IGNORECASE))


def event_types(sentence: Sentence) -> list[tuple[str, int, int]]:
    """(type, start, end) of every event trigger of the sentence, one per type, first occurrence."""
    out: dict[str, tuple[int, int]] = {}
    covered: list[tuple[int, int]] = []
    for pattern, kind in EVENT_TRIGGERS:
        for match in re.finditer(r"\b(?:" + pattern + r")\b", sentence.text, re.IGNORECASE if kind not in (
                "RoadsideBombing",) else 0):
            if any(a < match.end() and match.start() < b for a, b in covered):
                continue
            covered.append(match.span())
            out.setdefault(kind, match.span())
    return sorted(((k, sentence.start + a, sentence.start + b) for k, (a, b) in out.items()), key=lambda x: x[1])


def mentions_in(sentence: Sentence, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The names inside a sentence (``spans`` sorted by start)."""
    from bisect import bisect_left

    at = bisect_left(spans, (sentence.start, -1, ""))
    out = []
    while at < len(spans) and spans[at][0] < sentence.end:
        if spans[at][1] <= sentence.end:
            out.append(spans[at])
        at += 1
    return out


def before(mentions: list[tuple[int, int, str]], at: int, text: str, limit: int = 80,
           relative: bool = False) -> str | None:
    """The entity named last before ``at`` in the same clause (no full stop or semicolon between; no
    "which" or "who" either, unless ``relative``)."""
    best = None
    stops = r"[;.:]" if relative else r"[;.:]|\bwhich\b|\bwho\b"
    for a, b, some in mentions:
        if b <= at and at - b <= limit and not re.search(stops, text[b:at]):
            best = some
    return best


def after(mentions: list[tuple[int, int, str]], at: int, text: str, limit: int = 60,
          skip: tuple[str, ...] = ()) -> str | None:
    """The entity named first after ``at`` in the same clause."""
    for a, b, some in mentions:
        if a >= at and a - at <= limit and some not in skip and not re.search(r"[;.]", text[at:a]):
            return some
    return None


def by_agent(mentions: list[tuple[int, int, str]], at: int, text: str) -> str | None:
    """"... by X": the agent of a passive verb."""
    for a, b, some in mentions:
        if a > at and re.fullmatch(r".{0,60}\bby\s+(?:the\s+)?", text[at:a], re.DOTALL) and ";" not in text[at:a]:
            return some
    return None


def speaker_of(sentence: Sentence, mentions: list[tuple[int, int, str]], text: str) -> str | None:
    """Who a sentence quotes: "X said" or "said X" ("X told AFP": X only)."""
    for match in triggers(sentence, SPEECH):
        at = sentence.start + match.start()
        end = sentence.start + match.end()
        found = (None if match.group().lower() == "told" else after(mentions, end, text, limit=12)) \
            or before(mentions, at, text, limit=25)
        if found:
            return found
    return None


def is_place(found: Found) -> bool:
    return bool(set(found.types) & {"Place", "Country", "City", "Facility"})


def is_site(found: Found) -> bool:
    """A place that does not act (a city, a facility), unlike a country ("Iran fired"); a name only guessed
    to be a place may be a capital standing for its government ("which Washington blames")."""
    if found.new and found.types == ("Place",):
        return False
    return bool(set(found.types) & {"Place", "City", "Facility"}) and not set(found.types) & {"Organization"}


#: Lines a site adds around the story: links to other stories, photo credits.
BOILERPLATE = re.compile(r"^(?:\|\s*)?(?:Read more|Related|Photo By|VIRIN|Also read|Watch|Welcome to|Subscribe)\b",
                         re.IGNORECASE)


def passive(text: str, at: int) -> bool:
    return bool(re.search(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+\s+)?$", text[max(0, at - 25):at]))
