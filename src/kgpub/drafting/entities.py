"""Who the article names: the registry's entities under any of their spellings, and candidates for new ones.

A registry name or alias is compared with the text's words under two keys, as ``identity`` compares an
article's entities with the registry: the folded words themselves, and their transliteration skeleton
(``identity.skeleton``: Qassem and Qasem, Kataib and Kataeb, Kadhimi and Kadhemi), a skeleton one edit
apart counting too when it is long enough and its words start alike (rapidfuzz's Levenshtein).  Longest
names first; a single word must be capitalised in the text ("Trump", not "trump"), an acronym written in
capitals ("US", not "us").  A possessive may stand between a name's words ("the Hashed's own security
directorate"); a person named in full is then named by the last word of that name alone; a country that
speaks or blames is its government, and an organisation attacked or stormed names its premises too
(see :func:`_surnames`, :func:`_governments`, :func:`_premises`).

What the registry does not know is proposed as a new entity: runs of capitalised words (typed from their
words and context: a title makes a person, "Forces" a state force, "Zone" a facility, "in" a place), the
unnamed sources and officials news copy cites ("security sources", "a senior US military official"), and
groups named by their backers ("Iran-backed militias").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kgpub.corpus.model import Entity
from kgpub.corpus.identity import NEAR_LENGTH
from kgpub.corpus.identity import skeleton as _skeleton
from kgpub.drafting.text import Token, fold, name_tokens, tokens


@dataclass
class Found:
    """An entity the article names: a registry id, or a proposed new one, with every place it is named."""

    id: str
    name: str
    types: tuple[str, ...]
    new: bool
    spans: list[tuple[int, int]] = field(default_factory=list)
    owner: str | None = None  # the entity it is a body of ("the Hashed's own security directorate")


@dataclass(frozen=True)
class _Name:
    id: str
    name: str
    acronym: bool
    lower: bool  # the registry writes it in lower case ("hardline groups"): any case matches


class Names:
    """The registry's names and aliases by their word keys, their skeletons and (for near matches) initials."""

    def __init__(self, registry: Iterable[Entity]) -> None:
        self.exact: dict[tuple[str, ...], list[_Name]] = {}
        self.skeletons: dict[tuple[str, ...], list[_Name]] = {}
        self.near: dict[tuple[int, str], list[tuple[str, _Name]]] = {}
        self.prefixes: dict[tuple[str, ...], list[_Name]] = {}
        self._skeleton_of: dict[str, str] = {}
        self._name_tokens: dict[str, tuple[str, ...]] = {}
        self.lengths: set[int] = set()
        self.longest = 1
        self.types: dict[str, tuple[str, ...]] = {}
        self.labels: dict[str, str] = {}
        self.keys_of: dict[str, list[tuple[str, ...]]] = {}  # every name's keys, by entity
        for entity in registry:
            self.types[entity.id] = entity.types
            self.labels[entity.id] = entity.name
            for name in (entity.name, *entity.aliases):
                keys = name_tokens(name)
                if not keys:
                    continue
                self.keys_of.setdefault(entity.id, []).append(keys)
                letters = [c for c in name if c.isalpha()]
                known = _Name(entity.id, name, len(keys) == 1 and len(letters) <= 6 and name.isupper(),
                              not any(c.isupper() for c in letters))
                self.exact.setdefault(keys, []).append(known)
                if len(keys) >= 4 and sum(w[0].isupper() for w in name.split()[1:]) <= 1:  # a description: its first words
                    self.prefixes.setdefault(keys[:3], []).append(known)
                skel = tuple(_skeleton(k) for k in keys)
                self.skeletons.setdefault(skel, []).append(known)
                joined = " ".join(skel)
                if len(joined) >= NEAR_LENGTH:
                    self.near.setdefault((len(keys), "".join(s[0] for s in skel)), []).append((joined, known))
                self.longest = max(self.longest, len(keys))
                self.lengths.add(len(keys))

    def government_of(self, country: str) -> str | None:
        """The registry's one government whose name holds the country's ("Government of the United States"
        for "United States"); None for what is no country, or when there is none or several."""
        if "Country" not in self.types.get(country, ()):
            return None
        names = self.keys_of.get(country, [])
        chosen = [g for g, kinds in self.types.items() if "Government" in kinds
                  and any(_contains(keys, c) for keys in self.keys_of.get(g, ()) for c in names)]
        return chosen[0] if len(chosen) == 1 else None

    def match(self, window: list[Token]) -> list[_Name]:
        """The registry names these words are, most exact first; empty when none."""
        keys = tuple(t.key for t in window)
        for known in (self.exact.get(keys, []), self._skeleton(window, keys), self.prefixes.get(keys, [])):
            fit = [k for k in known if _case_fits(k, window)]
            if fit:
                return fit
        return []

    def _skel(self, key: str) -> str:
        found = self._skeleton_of.get(key)
        if found is None:
            found = self._skeleton_of[key] = _skeleton(key)
        return found

    def _skeleton(self, window: list[Token], keys: tuple[str, ...]) -> list[_Name]:
        if any(len(k) < 4 or k.isdigit() for k in keys) or len("".join(keys)) < 5:
            return []  # short words: too many English words share a skeleton with a name
        skel = tuple(self._skel(k) for k in keys)
        found = self.skeletons.get(skel, [])
        if not found:
            joined = " ".join(skel)
            if len(joined) < NEAR_LENGTH:
                return []
            from rapidfuzz.distance import Levenshtein

            found = [k for other, k in self.near.get((len(keys), "".join(s[0] for s in skel)), ())
                     if Levenshtein.distance(joined, other, score_cutoff=1) <= 1]
        # a spelling varies inside a word, not at its ends: "Iraqi" is not "Iraq", "Hashed" is "Hashd"
        return [k for k in found if _same_ends(keys, self._tokens(k.name))]

    def _tokens(self, name: str) -> tuple[str, ...]:
        found = self._name_tokens.get(name)
        if found is None:
            found = self._name_tokens[name] = name_tokens(name)
        return found


def _same_ends(keys: tuple[str, ...], other: tuple[str, ...]) -> bool:
    return len(keys) == len(other) and all(a[0] == b[0] and a[-1] == b[-1] for a, b in zip(keys, other))


def _case_fits(name: _Name, window: list[Token]) -> bool:
    if name.acronym:
        return all(t.upper for t in window)
    if name.lower:
        return True
    if len(window) == 1:
        return window[0].capital
    return any(t.capital for t in window)


def registry_mentions(text: str, toks: list[Token], names: Names) -> tuple[dict[str, Found], list[tuple[int, int, str]]]:
    """Every place the text names a registry entity: longest names first, no two overlapping.

    A group named by its backer ("Iran-backed militias") is not its backer: those words are left to
    :func:`new_entities`."""
    from bisect import bisect_left

    starts = [t.start for t in toks]
    backed = Mask(len(text))
    after_possessive = {b.start for a, b in itertools.pairwise(toks)
                        if b.key == "own" and re.fullmatch(r"['’ʼ]s ", text[a.end:b.start])}
    for m in _BACKED.finditer(text):
        inside = toks[bisect_left(starts, m.start(1)):bisect_left(starts, m.end(1))]
        if not names.match([t for t in inside if not t.article]):
            backed.mark(*m.span(1))
    words = [t for t in toks if not t.article and not backed.hit(t.start, t.start + 1) and not _initial(text, t)
             and t.start not in after_possessive]  # "the Hashed's own security directorate": "own" is no name's
    articles = {t.end: t for t in toks if t.article}
    found: dict[str, Found] = {}
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for length in range(min(names.longest, len(words) - i), 0, -1):
            if length not in names.lengths:
                continue
            window = words[i:i + length]
            if any(not _GAP.fullmatch(text[a.end:b.start]) for a, b in itertools.pairwise(window)):
                continue  # words of a name follow each other: nothing but spaces, hyphens or an "al-" between
            matched = names.match(window)
            if matched:
                start, end = _with_article(text, articles, window[0].start), window[-1].end
                if length == 1 and names.types[matched[0].id] == ("Person",):
                    start = _first_names(text, words, i, start)
                some = matched[0].id
                entry = found.setdefault(some, Found(some, names.labels[some], names.types[some], False))
                entry.spans.append((start, end))
                spans.append((start, end, some))
                if length > 1:  # "U.S. Embassy in Baghdad" names Baghdad too
                    for inner in _places_inside(text, window[1:], names):
                        found.setdefault(inner[2], Found(inner[2], names.labels[inner[2]], names.types[inner[2]],
                                                         False)).spans.append(inner[:2])
                i += length
                break
        else:
            i += 1
    _surnames(text, words, names, found, spans)
    _premises(text, names, found, spans)
    _governments(text, names, found, spans)
    return found, spans


#: Between the words of a name: spaces and hyphens, an "al-", a middle initial, or a possessive ("the
#: Hashed's security directorate", its "own" left out of the words compared).
_GAP = re.compile(r"[ \-‐‑]*(?:(?:al|el|ad|ar|as|ash|at|az|an|ed|es|et)[\-‐‑]|[A-Z]\. |['’ʼ]s (?:own )?)?",
                  re.IGNORECASE)


def _add(found: dict[str, Found], spans: list[tuple[int, int, str]], names: Names, some: str,
         start: int, end: int) -> None:
    found.setdefault(some, Found(some, names.labels[some], names.types[some], False)).spans.append((start, end))


def _surnames(text: str, words: list[Token], names: Names, found: dict[str, Found],
              spans: list[tuple[int, int, str]]) -> None:
    """A person named in full is then named by the last word of that name alone ("Mustafa al-Kadhemi ...
    Kadhemi said"), even when the registry lists no such alias; its spelling may vary as a name's does."""
    taken = Mask(len(text))
    for a, b, _ in spans:
        taken.mark(a, b)
    first: dict[str, tuple[str, int]] = {}  # a surname's key (and its skeleton) → the person, from where
    for a, b, some in sorted(spans):
        if names.types.get(some) != ("Person",):
            continue
        keys = name_tokens(text[a:b])
        if len(keys) < 2 or len(keys[-1]) < 4:
            continue
        for key in (keys[-1], "~" + _skeleton(keys[-1])):
            other = first.get(key)
            if other is not None and other[0] != some:
                first[key] = ("", other[1])  # two people of that surname: the surname alone names neither
            elif other is None:
                first[key] = (some, b)
    for t in words:
        if not t.capital or t.upper or taken.hit(t.start, t.end):
            continue
        hit = first.get(t.key) or (first.get("~" + _skeleton(t.key)) if len(t.key) >= 5 else None)
        if hit is None or not hit[0] or t.start < hit[1]:
            continue
        if re.match(r"['’ʼ]?s?[ \-‐‑]+[A-Z]", text[t.end:t.end + 3]):
            continue  # the first word of another name ("Kadhemi Street")
        _add(found, spans, names, hit[0], t.start, t.end)
        spans.append((t.start, t.end, hit[0]))


#: Words that make a facility's name of its owner's ("the United States Embassy compound in Baghdad").
_PREMISES = frozenset(["compound", "building", "premises", "headquarters", "grounds", "base"])
#: What is done to a place, not to an organisation: "attacked the U.S. Embassy", "the perimeter of the embassy".
_PHYSICAL = re.compile(r"(?:\b(?:attack(?:s|ed|ing)?(?:\s+on)?|storm(?:s|ed|ing)?|shell(?:s|ed|ing)?|"
                       r"fired\s+(?:on|at)|struck|hit|target(?:s|ed|ing)?|surround(?:s|ed|ing)?|perimeter\s+of|"
                       r"gates?\s+of|outside|inside|over)\s+(?:the\s+)?)$", re.IGNORECASE)


def _premises(text: str, names: Names, found: dict[str, Found], spans: list[tuple[int, int, str]]) -> None:
    """An organisation attacked, stormed or surrounded is its premises: the mention names both, and the
    facts drafted from the sentence take the place (the registry's facility whose name is the
    organisation's with "compound", "building" or "headquarters" added)."""
    premises: dict[str, str] = {}
    for some, kinds in names.types.items():
        if "Facility" not in kinds:
            continue
        for keys in names.keys_of.get(some, ()):
            plain = tuple(k for k in keys if k not in _PREMISES)
            if len(plain) < len(keys):
                for org, org_keys in names.keys_of.items():
                    if org != some and "Facility" not in names.types[org] and plain in org_keys:
                        premises.setdefault(org, some)
    for i, (a, b, some) in enumerate(spans):
        place = premises.get(some)
        if place is not None and _PHYSICAL.search(text[max(0, a - 40):a]):
            _add(found, spans, names, place, a, b)
            spans[i] = (a, b, place)


#: A country that speaks, blames or threatens is its government ("The United States has blamed ...").
_GOVERNS = re.compile(r"[”\"’']?\s+[“\"]?(?:(?:has|have|had|also|strongly|again|repeatedly|publicly|formally)\s+[“\"]?)*"
                      r"(?:condemn|blam|accus|threat|warn|den(?:y|ies|ied)|demand|call(?:s|ed)?\s+on|urg|insist|"
                      r"reject|announc|vow|pledg|said\b|says\b|hold|held)", re.IGNORECASE)


def _governments(text: str, names: Names, found: dict[str, Found], spans: list[tuple[int, int, str]]) -> None:
    """The registry's government of a country (:meth:`Names.government_of`), for the country named as the
    one who speaks or acts politically."""
    for i, (a, b, some) in enumerate(spans):
        if not _GOVERNS.match(text, b):
            continue
        government = names.government_of(some)
        if government is None:
            continue
        _add(found, spans, names, government, a, b)
        spans[i] = (a, b, government)
        mine = found[some]
        mine.spans.remove((a, b))
        if not mine.spans:
            del found[some]


def _contains(keys: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(keys[i:i + len(part)] == part for i in range(len(keys) - len(part) + 1))


def _initial(text: str, t: Token) -> bool:
    """A middle initial ("Donald J. Trump"): left out when names are compared."""
    return len(t.key) == 1 and t.capital and text[t.end:t.end + 2] == ". " and t.start > 0 and text[t.start - 1] == " "


def _places_inside(text: str, window: list[Token], names: Names) -> list[tuple[int, int, str]]:
    """The cities and countries a longer registry name contains (not its first word: "US embassy" is not "US")."""
    out = []
    for t in window:
        for known in names.match([t]):
            if set(names.types[known.id]) & {"City", "Country", "Place"}:
                out.append((t.start, t.end, known.id))
                break
    return out


def _first_names(text: str, words: list[Token], i: int, start: int) -> int:
    """"Michael R. Pompeo" for the registry's "Pompeo": a surname's first names and initials are the person's."""
    at = i
    while at > 0:
        prev = words[at - 1]
        if not prev.capital or prev.key in _TITLES or prev.key in _SKIP or not re.fullmatch(
                r"\.? (?:[A-Z]\. )?", text[prev.end:words[at].start] if at < len(words) else " "):
            break
        at -= 1
        start = prev.start
    return start


def _with_article(text: str, articles: dict[int, Token], start: int) -> int:
    """Start a name at its "al-" when the text writes one before it."""
    t = articles.get(start - 1)
    return t.start if t is not None and text[t.end] in "-‐‑" else start


class Mask:
    """Which characters of the text are taken: marking and asking cost the length of the passage, not the
    number of passages taken before (a text of megabytes names thousands of things)."""

    def __init__(self, size: int) -> None:
        self.taken = bytearray(size)

    def mark(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def hit(self, start: int, end: int) -> bool:
        return any(self.taken[start:end])


# --------------------------------------------------------------------------- new entities

_TITLES = frozenset(["president", "secretary", "minister", "prime", "defense", "defence", "state", "foreign", "gen", "general", "dr", "mr", "mrs", "ms", "sheikh", "sen", "senator", "rep", "lt", "col", "colonel", "capt", "captain", "sgt", "maj", "major", "adm", "admiral", "commander", "ayatollah", "imam", "king", "prince", "premier", "spokesman", "chief", "deputy", "leader", "ambassador", "vice", "elect"])
_ABBREVIATIONS = frozenset(["dr", "mr", "mrs", "ms", "gen", "lt", "col", "capt", "sgt", "maj", "adm", "st", "jr", "sen", "rep", "gov"])
_CONNECTORS = frozenset({"of", "al", "el", "bin", "ibn", "abu", "de", "the", "for"})
_SKIP = frozenset(["the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "my", "in", "on", "at", "by", "for", "from", "to", "with", "of", "and", "or", "but", "if", "as", "after", "before", "since", "while", "when", "where", "what", "who", "which", "why", "how", "one", "two", "read", "make", "think", "more", "also", "however", "meanwhile", "now", "then", "there", "here", "such", "despite", "although", "though", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "photo", "video", "image", "statement", "press", "news", "by", "said", "says", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])
_DEMONYMS = re.compile(r"(?:ians?|ese|ish|ern|cans?|eans?)$|^(?:iraqi|israeli|saudi|pakistani|yemeni|kuwaiti|qatari|"
                       r"omani|emirati|bahraini|afghani|somali|kurdi|azeri|iraqis|israelis|saudis|pakistanis|yemenis)$")
#: Common nouns that end a name begun by a capitalised word: "US forces", "Iraqi security apparatus".
_NOT_AFTER_HEAD = frozenset(["members", "member", "personnel", "officials", "official", "troops", "diplomats", "chief"])
_HEADS = frozenset(["forces", "troops", "military", "army", "government", "embassy", "administration", "service", "ministry", "militia", "militias", "groups", "security", "apparatus", "directorate", "compound", "intelligence", "republic", "police"])
_ORG = frozenset(["department", "ministry", "foundation", "agency", "embassy", "council", "office", "pentagon", "news", "press", "corporation", "committee", "university", "institute", "bank", "service", "organization", "organisation", "union", "party", "command", "nations", "mission", "company", "center", "centre", "association", "tank"])
_FORCE = frozenset(["force", "forces", "army", "navy", "corps", "guard", "guards", "division", "regiment", "battalion", "marines", "military", "police", "troops"])
_ARMED = frozenset(["hezbollah", "hizballah", "militia", "militias", "front", "brigades", "haq", "kataeb", "kataib", "asaib", "qaeda", "isis", "taliban", "mobilisation", "mobilization"])
_GOVERNMENT = frozenset(["government", "administration", "cabinet", "house"])
_FACILITY = frozenset(["zone", "airport", "airfield", "base", "bases", "compound", "palace", "embassy", "headquarters", "camp", "hotel"])
_PLACE_BEFORE = frozenset(["in", "near", "at", "from", "to", "across", "throughout", "into", "outside", "inside", "around"])
_COUNTRIES = frozenset(["united", "states", "kingdom", "arabia", "emirates", "iraq", "iran", "syria", "lebanon", "israel", "jordan", "kuwait", "turkey", "yemen", "afghanistan", "pakistan", "russia", "china", "france", "germany", "britain", "qatar", "bahrain", "egypt", "libya"])

_UNNAMED = re.compile(
    r"\b(?:(?:a|an|one|two|three|several|the|some)\s+)?"
    r"((?:(?:senior|top|high-ranking|local|U\.S\.|US|Iraqi|Iranian|American|Western|Israeli|security|military|"
    r"government|defen[cs]e|DOD|Pentagon|intelligence|police|medical|hospital|administration|embassy|state)\s+){0,3}"
    r"(?:official|officials|diplomat|diplomats|source|sources|politician|politicians|spokesman|spokeswoman|"
    r"spokesperson|analyst|witness|witnesses|commander))\b", re.IGNORECASE)
#: Someone the article describes without a name: "a masked, gun-toting fighter", "another group".
_SOMEONE = re.compile(r"\b(?:(?:[Aa]n?|[Oo]ne)\s+[“\"]?|(?=[Aa]nother\s))((?:[Aa]nother\s+)?(?:[A-Za-z][\w.-]*,?\s+){0,3}?"
                      r"(?:fighter|gunman|militant|man|woman|group|faction|spokesman|spokeswoman|contractor))\b(?!-| of\b)")
#: A body named by its owner: "the Hashed's own security directorate", "Iraq's military".
_OWNED = re.compile(r"(\w[\w.-]*)['’ʼ]s\s+(?:own\s+)?((?:[a-z-]+\s+){0,2}(?:directorate|ministry|office|council|"
                    r"committee|service|agency|department|unit|wing|branch|military|army|police|parliament|"
                    r"judiciary|navy|air\s+force))\b")
_BACKED = re.compile(r"\b((?:[A-Z][a-z]+-backed|[Pp]ro-[A-Z][a-z]+|[A-Z][a-z]+-aligned)\s+"
                     r"(?:armed\s+|paramilitary\s+|hardline\s+)?"
                     r"(?:militias?|groups?|forces|factions?|fighters|terrorists|paramilitaries))\b")


def new_entities(text: str, toks: list[Token], taken: list[tuple[int, int, str]],
                 sentence_starts: set[int], reserved: set[str],
                 skipped: tuple[tuple[int, int], ...] = (),
                 kinds: dict[str, tuple[str, ...]] | None = None) -> tuple[dict[str, Found], list[tuple[int, int, str]]]:
    """Candidate new entities: proper names the registry lacks, unnamed sources and officials, backed groups,
    the bodies a registry group or state is said to own ("the Hashed's own security directorate").

    ``skipped``: passages not to look in (a site's "Read more:" lines); ``kinds``: the types of the
    entities ``taken`` names."""
    occupied = Mask(len(text))
    for span in (*((a, b) for a, b, _ in taken), *skipped):
        occupied.mark(*span)
    headings = Mask(len(text))
    for a, b in _headings(text):
        headings.mark(a, b)
    sentence_starts = set(sentence_starts) | {m.end() for m in re.finditer(r"(?:^|\n)[ \t•*-]*", text)}
    found: dict[str, Found] = {}
    spans: list[tuple[int, int, str]] = []
    by_key: dict[str, str] = {}
    lowered = {t.key for t in toks if not t.capital}  # words the text also writes in lower case

    def add(name: str, types: tuple[str, ...], start: int, end: int, key: str | None = None,
            free_from: int | None = None) -> None:
        if occupied.hit(free_from if free_from is not None else start, end):
            return
        key = key or " ".join(t.key for t in tokens(name) if not t.article)
        some = by_key.get(key)
        if some is None:
            some = _new_id(name, reserved | set(found))
            by_key[key] = some
            found[some] = Found(some, name, types, True)
        found[some].spans.append((start, end))
        spans.append((start, end, some))
        occupied.mark(start, end)

    for match in _BACKED.finditer(text):
        add(match.group(1)[0].upper() + match.group(1)[1:], ("ArmedGroup",), *match.span(1))
    for match in _SOMEONE.finditer(text):
        phrase = match.group(1)
        if re.search(r"(?:,|\b(?:is|was|are|were|be))\s*$", text[max(0, match.start() - 6):match.start()]):
            continue  # "Kataeb Hezbollah, a group with links to ...": the group is the name before
        group = phrase.lower().endswith(("group", "faction"))
        add(phrase[0].upper() + phrase[1:], ("ArmedGroup",) if group else ("Person",), *match.span(1),
            key=" ".join(phrase.lower().replace(",", "").split()))
    for match in _UNNAMED.finditer(text):
        phrase = match.group(1)
        words = phrase.split()
        plural = words[-1].lower().endswith("s") and words[-1].lower() not in ("witness",)
        if len(words) == 1 and not plural and not match.group(0).lower().startswith(("a ", "an ", "one ")):
            continue  # "the official": a later mention of one named before
        kind = ("UnnamedGroup",) if plural else ("Person",)
        name = phrase[0].upper() + phrase[1:]
        key = " ".join(w.lower() for w in words)
        if len(words) == 1:  # "the sources said" after "Security sources say": the same sources
            key = next((k for k in reversed(list(by_key)) if k.endswith(" " + key)), key)
        add(name, kind, *match.span(1), key=key)
    free = [t for t in toks if not occupied.hit(t.start, t.end) and not headings.hit(t.start, t.end)]
    capital_inside = {t.key for t in toks if t.capital and not _starts_sentence(text, t.start, sentence_starts)}
    names = [n for n in _proper_names(text, free, sentence_starts, lowered)
             if not (_starts_sentence(text, n[0], sentence_starts) and len(text[n[0]:n[1]].split()) == 1
                     and name_tokens(text[n[0]:n[1]])[:1] and name_tokens(text[n[0]:n[1]])[0] not in capital_inside)]
    names.sort(key=lambda n: (n[1] - n[0] < 0, len(text[n[0]:n[1]].split()) == 1))  # full names first: "Esper" after them
    for start, end, types in names:
        name = text[start:end]
        head = name_tokens(name)
        if head and len(head) == 1:
            for key, some in by_key.items():  # "Esper" after "Mark T. Esper": the same person
                if key.split()[-1:] == [head[0]] and found[some].types == ("Person",):
                    add(name, types, start, end, key)
                    break
            else:
                add(name, types, start, end)
        else:
            add(name, types, start, end)
    owners = {(a, b): some for a, b, some in [*taken, *spans]}  # the registry's and the new ones
    kinds_of = {**(kinds or {}), **{some: f.types for some, f in found.items()}}
    for match in _OWNED.finditer(text):
        owner = next((some for (a, b), some in owners.items() if b == match.end(1) and a <= match.start(1) + 1), None)
        if owner is None or "Person" in kinds_of.get(owner, ("Person",)):
            continue  # "under Kadhemi's command": a person's command, office or army is no body of its own
        body = " ".join(match.group(2).split())
        force = body.split()[-1] in _FORCE
        start = next(a for (a, b), some in owners.items() if b == match.end(1) and some == owner)
        add(f"{text[start:match.end(1)]}’s {body}", ("StateForce",) if force else ("Organization",),
            start, match.end(2), key=f"{owner} {body}", free_from=match.start(2))
        if spans and spans[-1][:2] == (start, match.end(2)):
            found[spans[-1][2]].owner = owner
    return found, spans


def _proper_names(text: str, toks: list[Token], sentence_starts: set[int],
                  lowered: set[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Runs of capitalised words, typed; sentence-initial common words and demonyms left out."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, t in enumerate(toks):
        joined = bool(current) and _joined(text, current[-1], t)
        if (t.capital or (t.key in _CONNECTORS and current and i + 1 < len(toks) and toks[i + 1].capital
                          and _joined(text, t, toks[i + 1]))) and (not current or joined):
            current.append(t)
        else:
            if current:
                runs.append(current)
            current = [t] if t.capital else []
    if current:
        runs.append(current)
    position = {t.start: i for i, t in enumerate(toks)}
    out = []
    for run in runs:
        while run and run[-1].key in _CONNECTORS:
            run = run[:-1]
        if not run:
            continue
        at = position[run[-1].start]
        for extra in (2, 1):  # "US forces", "Iraqi intelligence service": a name ending in a common noun
            tail = toks[at + 1:at + 1 + extra]
            follows = toks[at + 1 + extra].key if at + 1 + extra < len(toks) else ""
            if len(tail) == extra and tail[-1].key in _HEADS and follows not in _NOT_AFTER_HEAD and all(not t.capital for t in tail) \
                    and all(_joined(text, a, b) for a, b in zip([run[-1], *tail], tail)):
                run = [*run, *tail]
                break
        titled = False
        while run and (run[0].key in _TITLES | _SKIP or (len(run) > 2 and run[1].key in _TITLES)) \
                and (len(run) > 1 or run[0].key in _SKIP):
            titled = titled or run[0].key in _TITLES or (len(run) > 1 and run[1].key in _TITLES)
            run = run[1:]
        if len(run) > 1 and _starts_sentence(text, run[0].start, sentence_starts) and run[0].key in lowered | _COMMON:
            run = run[1:]  # "Outraged AAH fighters": the first word is capitalised for the sentence only
        if not run:
            continue
        keys = [t.key for t in run]
        if any(ch.isdigit() for k in keys for ch in k) or re.match(r"-\d", text[run[-1].end:run[-1].end + 2]):
            continue
        if len(run) == 1:
            word = run[0]
            if word.key in _LONE or word.key in ("am", "pm") or (word.upper and len(word.key) <= 2 and "." in text[word.start:word.end]):
                continue  # "02:07 PM", "N.C."
            if word.key in _SKIP or word.key in _TITLES:
                continue
            if _starts_sentence(text, word.start, sentence_starts) and word.key in lowered | _COMMON:
                continue  # "Outraged", "Thirteen": a capital only because a sentence starts there
            if _DEMONYMS.search(word.key) and not word.upper and word.key not in _COUNTRIES | {"iran", "tehran", "oman"}:
                continue  # "Iraqi", "American", "Western": adjectives, not names
            if len(word.key) < 3 and not word.upper:
                continue
        out.append((run[0].start, run[-1].end, _type(text, run, titled)))
    return out


def _headings(text: str) -> list[tuple[int, int]]:
    """Title-case lines (a headline, a photo caption's title): their capitals say nothing of names."""
    out = []
    for match in re.finditer(r"[^\n]+", text):
        words = re.findall(r"[A-Za-z][\w'’.-]*", match.group())
        content = [w for w in words if w.lower() not in _SKIP | _CONNECTORS]
        if 2 <= len(words) <= 12 and content and sum(w[0].isupper() for w in content) >= 0.75 * len(content):
            out.append(match.span())
    return out


#: Words that are no name on their own ("the Embassy", "the Administration").
_LONE = frozenset(["administration", "embassy", "government", "group", "ministry", "army", "military", "forces", "police", "president", "marine", "marines", "department"])
_COMMON = frozenset(["people", "welcome", "outraged", "lacking", "another", "such", "even", "that", "it", "but", "thirteen"])


def _starts_sentence(text: str, at: int, starts: set[int]) -> bool:
    """Whether only punctuation or an opening quote lies between ``at`` and the start of its sentence."""
    for back in range(4):
        if at - back in starts and not any(c.isalnum() for c in text[at - back:at]):
            return True
    return False


def _joined(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end:b.start]
    if gap in (" ", "-"):
        return True
    return gap in (". ", ".") and (a.key in _ABBREVIATIONS or len(a.key) == 1)


def _type(text: str, run: list[Token], titled: bool) -> tuple[str, ...]:
    keys = {t.key for t in run}
    last = run[-1].key
    before = text[max(0, run[0].start - 12):run[0].start].lower().split()
    after = text[run[-1].end:run[-1].end + 12].lower().split()
    if keys & _ARMED:
        return ("ArmedGroup",)
    if last in _FACILITY:
        return ("Facility",)
    if keys & _GOVERNMENT:
        return ("Government",)
    if keys & _FORCE:
        return ("StateForce",)
    if keys & _ORG or run[-1].upper:
        return ("Organization",)
    if " ".join(t.key for t in run) in ("united states", "united kingdom", "saudi arabia", "united arab emirates") \
            or (len(run) == 1 and run[0].key in _COUNTRIES):
        return ("Country",)
    if titled or (after[:1] and after[0].strip(",.") in ("said", "says", "told", "added", "noted", "stated")) \
            or (before[-1:] == ["said"]):
        return ("Person",)
    if before[-1:] and before[-1] in _PLACE_BEFORE:
        return ("Place",)
    return ("Person",) if len([t for t in run if not t.article]) in (2, 3) else ("Place",)


def _new_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60].strip("-") or "entity"
    some, n = base, 2
    while some in taken:
        some, n = f"{base}-{n}", n + 1
    return some
