"""Relations the text states in a set phrase, drafted in the facts format's ``relations:`` form.

News copy states who belongs to what in a few fixed shapes, and only those are drafted (a relation
inferred from anything looser is the curator's to write):

* a title between an organisation and a person: "Iraq's Prime Minister Mustafa al-Kadhemi", "US
  President Donald Trump", "Hashed's deputy leader Abu Mahdi al-Muhandis" (``memberOf``, the title as
  ``role``; a country's official is a member of its government when the registry has one);
* an apposition after a person: "Qasem Soleimani, the head of the Quds Force", "Sajad Jiyad, a fellow
  at The Century Foundation", "Kadhemi, who is also Iraq's spy chief" (``memberOf``);
* an apposition after a group: "Asaib Ahl al-Haq, a faction of the Hashed al-Shaabi", "Kataeb
  Hezbollah, another hardline Hashed faction", "a movement that is formally part of the Iraqi security
  apparatus" (``partOf``; "an affiliate of" ``affiliatedWith``);
* "X-backed Y", "Y, backed by X" (``backedBy``); "Y under X's command", "Y commanded by X"
  (``commandedBy``); "X, affiliated with Y" (``affiliatedWith``);
* a country's body: "Iran's Revolutionary Guards" (``affiliatedWith``), a group's own body ("the
  Hashed's own security directorate", ``partOf``);
* a place in a place: "the International Zone in Baghdad" (``locatedIn``; a city's country is the
  registry's to say, not each article's).

Each relation is drafted once an article, with every sentence that states it as its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kgpub.drafting.entities import Found
from kgpub.drafting.extract import Drafted
from kgpub.drafting.text import Sentence, quote

Mention = tuple[int, int, str]

#: The nouns a role ends in: "the head", "a senior fellow", "deputy leader".
ROLE_HEADS = frozenset([
    "head", "leader", "chief", "commander", "spokesman", "spokeswoman", "spokesperson", "member", "members",
    "fellow", "founder", "director", "secretary", "minister", "president", "premier", "chairman", "chairwoman",
    "chair", "official", "officials", "fighter", "fighters", "officer", "analyst", "researcher", "adviser",
    "advisor", "envoy", "ambassador", "general", "gen", "journalist", "correspondent", "editor", "reporter",
    "emir", "mufti", "cleric", "deputy", "governor", "mayor", "speaker", "negotiator", "interlocutor",
    "representative", "professor", "staff", "employee", "agent", "operative", "lieutenant", "colonel",
    "captain", "admiral", "sheikh", "king", "prince", "chancellor",
])
#: The other words a title is made of: "Prime Minister", "Secretary of State", "Defense Secretary".
ROLE_WORDS = ROLE_HEADS | frozenset([
    "prime", "vice", "deputy", "senior", "top", "former", "acting", "foreign", "interior", "defense", "defence",
    "state", "of", "external", "operations", "military", "security", "intelligence", "spy", "press", "chief",
    "supreme", "national", "army", "joint", "staff", "lt", "maj", "dr", "sgt", "col", "capt", "adm", "gen",
])
#: The domain a title names ("Defense Secretary", "Foreign Minister"), as a ministry's name may spell it.
_DOMAINS = {"defense": ("defense", "defence"), "defence": ("defense", "defence"), "state": ("state",),
            "foreign": ("foreign",), "interior": ("interior",), "finance": ("finance",), "justice": ("justice",),
            "health": ("health",), "treasury": ("treasury",), "oil": ("oil",), "energy": ("energy",),
            "education": ("education",), "trade": ("trade",), "agriculture": ("agriculture",)}
_PARTS = {"faction": "partOf", "wing": "partOf", "branch": "partOf", "unit": "partOf", "arm": "partOf",
          "division": "partOf", "part": "partOf", "component": "partOf", "member": "partOf",
          "affiliate": "affiliatedWith", "ally": "alliedWith", "allies": "alliedWith", "proxy": "backedBy",
          "proxies": "backedBy"}
_POSSESSIVE = r"['’ʼ]s"
_WORD = r"[A-Za-z][\w.’'-]*"


class Relations:
    """The relations drafted so far in one article, each once, with the sentences that state it."""

    def __init__(self, text: str, everyone: dict[str, Found], government_of: Callable[[str], str | None],
                 backer: Callable[[str], str | None], registry_types: dict[str, tuple[str, ...]],
                 registry_names: dict[str, list[tuple[str, ...]]]) -> None:
        self.text = text
        self.everyone = everyone
        self.government_of = government_of
        self.backer = backer  # the registry entity a word names ("Iran" of "Iran-backed"), if any
        self.registry_types = registry_types
        self.registry_names = registry_names  # every registry entity's names, as word keys
        self.out: dict[tuple[str, str, str, str], Drafted] = {}

    def sentence(self, s: Sentence, ms: list[Mention]) -> None:
        """Every relation ``s`` states between the entities it names (``ms``, by start)."""
        ms = [m for m in ms if m[2] in self.everyone]
        for found in self._owned(ms):
            self._add(s, *found)
        for i, m in enumerate(ms):
            for rel in (*self._titled(s, ms, i), *self._apposed(s, ms, i), *self._backed(s, ms, i),
                        *self._commanded(s, ms, i), *self._located(ms, i), *self._country_body(ms, i)):
                self._add(s, *rel)

    def drafted(self) -> list[Drafted]:
        return list(self.out.values())

    # ------------------------------------------------------------------ the shapes

    def _titled(self, s: Sentence, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"Iraq's Prime Minister Mustafa al-Kadhemi", "Defense Secretary Mark Esper": the person is a member
        of the department the title names (the registry's one "Department"/"Ministry" of the title's
        domain), else of what names the title just before it (a country: its government)."""
        text = self.text
        a, b, some = ms[i]
        if not self._person(some):
            return []
        words = text[a:b].split()
        lead = next((k for k in range(min(5, len(words) - 1), 0, -1) if _is_title(" ".join(words[:k]))), 0)
        role, title_at = " ".join(words[:lead]), a
        if not role:  # the title before the name
            before = re.search(rf"(?:{_WORD}\s+){{1,5}}$", text[max(s.start, a - 60):a])
            if before:
                pieces = before.group().split()
                k = next((k for k in range(len(pieces), 0, -1) if _is_title(" ".join(pieces[-k:]))), 0)
                role = " ".join(pieces[-k:]) if k else ""
                title_at = a - len(before.group()) + before.group().find(pieces[-k]) if k else a
        if not role:
            return []
        owner = None
        if i > 0:
            pa, pb, candidate = ms[i - 1]
            if candidate != some and self._body_like(candidate) and re.fullmatch(rf"(?:{_POSSESSIVE})?\s+", text[pb:title_at]):
                owner = candidate
        target = self.department(role) or (self._body(owner, role) if owner else None)
        return [(some, "memberOf", target, role)] if target else []

    def _apposed(self, s: Sentence, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"X, the head of Y", "X, who is also Y's spy chief", "X, a faction of Y", "X, another Y faction",
        "X ... is formally part of Y", "X, backed by Y", "X, affiliated with Y"."""
        text = self.text
        a, b, some = ms[i]
        rest = text[b:s.end]
        later = [m for m in ms[i + 1:] if m[2] != some]
        out: list[tuple[str, str, str, str | None]] = []
        lead = r"(?:\s*\([^)]*\))?,\s+(?:(?:who|which|that)\s+(?:is|was|are|were|has\s+been)\s+(?:also\s+)?)?"
        if self._person(some):
            role = re.match(lead + r"(?:the\s+|a\s+|an\s+|its\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:of|for|at|in|with)\s+",
                            rest)
            if role and role.group(1).split()[-1].lower() in ROLE_HEADS:
                target = self._first_body(later, b + role.end())
                if target:
                    out.append((some, "memberOf", self._body(target, role.group(1)), " ".join(role.group(1).split())))
            owned = re.match(lead + r"(?:the\s+)?$", text[b:later[0][0]]) if later else None
            after = re.match(rf"{_POSSESSIVE}\s+([\w -]+)", text[later[0][1]:s.end]) if owned and later else None
            if after and not self._person(later[0][2]):  # "X, who is also Iraq's spy chief"
                words = after.group(1).split()[:4]
                ends = [k for k in range(len(words), 0, -1) if words[k - 1].lower() in ROLE_HEADS]
                if ends:
                    role_words = " ".join(words[:ends[0]])
                    out.append((some, "memberOf", self._body(later[0][2], role_words), role_words))
            return out
        part = re.match(lead + r"(?:the\s+|a\s+|an\s+|another\s+|one\s+)(?:[\w-]+\s+){0,3}?(" + "|".join(_PARTS)
                        + r")s?\s+of\s+", rest)
        if part:
            target = self._first_body(later, b + part.end())
            if target:
                out.append((some, _PARTS[part.group(1).lower()], target, None))
        if later:
            nxt = later[0]
            between = text[b:nxt[0]]
            if re.match(lead + r"(?:the\s+|a\s+|an\s+|another\s+|one\s+)(?:[\w-]+\s+){0,2}$", between):
                tail = re.match(r"(?:" + _POSSESSIVE + r")?\s+(" + "|".join(_PARTS) + r")s?\b", text[nxt[1]:s.end])
                if tail and not self._person(nxt[2]):
                    out.append((some, _PARTS[tail.group(1).lower()], nxt[2], None))
        if later and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[b:later[0][0]]) and self._body_like(later[0][2]) \
                and not set(self.everyone[some].types) & {"Country", "Government"} \
                and "Country" not in self.everyone[later[0][2]].types:
            out.append((some, "partOf", later[0][2], None))  # "the Quds Force of the Islamic Revolutionary Guard Corps"
        formally = re.match(r"[^.;]{0,60}?\b(?:is|are|was|were|remains?)\s+(?:\w+ly\s+)?(?:a\s+)?part\s+of\s+", rest)
        if formally:
            target = self._first_body(later, b + formally.end())
            if target:
                out.append((some, "partOf", target, None))
        for pattern, predicate in ((r",?\s+(?:(?:which|who)\s+(?:is|are|was|were)\s+)?(?:\w+ly\s+)?backed\s+by\s+", "backedBy"),
                                   (r",?\s+(?:(?:which|who)\s+(?:is|are|was|were)\s+)?(?:\w+ly\s+)?affiliated\s+with\s+",
                                    "affiliatedWith"),
                                   (r",?\s+(?:(?:which|who)\s+(?:is|are|was|were)\s+)?allied\s+(?:with|to)\s+", "alliedWith")):
            found = re.match(pattern, rest)
            if found:
                target = self._first_body(later, b + found.end(), limit=5)
                if target:
                    out.append((some, predicate, target, None))
        return out

    def _backed(self, s: Sentence, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"Iran-backed militias" (a name the article gives, not the registry's own): backed by Iran."""
        text = self.text
        a, b, some = ms[i]
        if not self.everyone[some].new:
            return []  # a registry name that says "Iran-backed" is the registry's to relate
        backed = re.match(r"(?:the\s+)?([A-Z][\w]*)-(?:backed|funded|sponsored|armed)\b", text[a:b])
        if not backed:
            return []
        backer = self.backer(backed.group(1))
        if backer is None or backer == some:
            return []
        return [(some, "backedBy", backer, None)]

    def _commanded(self, s: Sentence, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"forces under Kadhemi's command", "a force commanded by X", "led by X"."""
        text = self.text
        a, b, some = ms[i]
        if i == 0 or not self._person(some):
            return []
        if not (re.search(r"\bunder\s+(?:the\s+)?$", text[max(s.start, a - 12):a])
                and re.match(rf"{_POSSESSIVE}\s+(?:\w+\s+)?command\b", text[b:s.end])) \
                and not re.search(r"\b(?:commanded|led|headed)\s+by\s+$", text[max(s.start, a - 16):a]):
            return []
        pa, pb, unit = ms[i - 1]
        if self._person(unit) or self._site(unit) or a - pb > 30 or re.search(r"[,;.]", text[pb:a]):
            return []
        return [(unit, "commandedBy", some, None)]

    def _located(self, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"the International Zone in Baghdad": a site (not a city or a country) in a place, named after
        it or inside its own name ("the U.S. Embassy compound in Baghdad")."""
        text = self.text
        a, b, some = ms[i]
        kinds = set(self.everyone[some].types)
        if not kinds & {"Facility", "Place"} or kinds & {"City", "Country", "Organization"}:
            return []
        inside = re.search(r"\s(?:in|inside)\s+(?:the\s+)?([A-Z]\w*)$", text[a:b])
        if inside:
            place = self.backer(inside.group(1))
            if place and place != some and set(self._types(place)) & {"City", "Country", "Place"}:
                return [(some, "locatedIn", place, None)]
        if i + 1 >= len(ms):
            return []
        na, nb, place = ms[i + 1]
        if place == some or not set(self.everyone[place].types) & {"City", "Country", "Place"}:
            return []
        if not re.fullmatch(r"\s+(?:in|inside)\s+(?:the\s+)?", text[b:na]):
            return []
        return [(some, "locatedIn", place, None)]

    def _country_body(self, ms: list[Mention], i: int) -> list[tuple[str, str, str, str | None]]:
        """"Iran's Revolutionary Guards": an organisation or force of a country is affiliated with it (two
        names, or one the registry spells with the country's possessive)."""
        text = self.text
        a, b, some = ms[i]
        kinds = set(self.everyone[some].types)
        inner = re.match(rf"(?:the\s+)?([A-Z]\w*){_POSSESSIVE}\s+\w", text[a:b])
        if inner and kinds & {"Organization", "StateForce", "ArmedGroup"} and not kinds & {"Government"}:
            country = self.backer(inner.group(1))
            if country and country != some and "Country" in self._types(country):
                return [(some, "affiliatedWith", country, None)]
        if i + 1 >= len(ms) or "Country" not in kinds:
            return []
        na, nb, body = ms[i + 1]
        kinds = set(self.everyone[body].types)
        if body == some or not kinds & {"Organization", "StateForce", "ArmedGroup"} or kinds & {"Government"} \
                or self.everyone[body].owner or not re.fullmatch(rf"{_POSSESSIVE}\s+", text[b:na]):
            return []
        return [(body, "affiliatedWith", some, None)]

    def _owned(self, ms: list[Mention]) -> list[tuple[str, str, str, str | None]]:
        """A body named by its owner ("the Hashed's own security directorate"): part of a group, affiliated
        with a country."""
        out: list[tuple[str, str, str, str | None]] = []
        for _, _, some in ms:
            owner = self.everyone[some].owner
            if owner is None or owner not in self.everyone:
                continue
            country = "Country" in self.everyone[owner].types
            out.append((some, "affiliatedWith" if country else "partOf", owner, None))
        return out

    # ------------------------------------------------------------------ helpers

    def _person(self, some: str) -> bool:
        return "Person" in self.everyone[some].types or "UnnamedPerson" in self.everyone[some].types

    def department(self, role: str) -> str | None:
        """The registry's one department or ministry of a title's domain ("Defense Secretary": the
        Department of Defense; "Secretary of State": the Department of State), if exactly one."""
        domain = {_DOMAINS[w] for w in (w.lower().strip(".,") for w in role.split()) if w in _DOMAINS}
        if len(domain) != 1:
            return None
        spellings = set(domain.pop())
        chosen = [some for some, keys in self.registry_names.items()
                  if "Organization" in self.registry_types.get(some, ())
                  and any({"department", "ministry"} & set(k) and spellings & set(k) for k in keys)]
        return chosen[0] if len(chosen) == 1 else None

    def _types(self, some: str) -> tuple[str, ...]:
        found = self.everyone.get(some)
        return found.types if found is not None else self.registry_types.get(some, ())

    def _body_like(self, some: str) -> bool:
        """Whether ``some`` may be what a person or a group belongs to: no person and no site; a new name's
        type is a guess ("Hashed al-Shaabi" proposed as a person), so only a facility rules it out."""
        found = self.everyone[some]
        if found.new:
            return "Facility" not in found.types
        return not self._person(some) and not self._site(some)

    def _site(self, some: str) -> bool:
        return bool(set(self.everyone[some].types) & {"City", "Place", "Facility"})

    def _body(self, owner: str, role: str) -> str:
        """A country's official or officer belongs to its government (when the registry has one): the
        ``role`` says which office, the government is what holds it."""
        if "Country" in self.everyone[owner].types:
            return self.government_of(owner) or owner
        return owner

    def _first_body(self, later: list[Mention], at: int, limit: int = 60) -> str | None:
        """The first organisation, group or government named from ``at`` on in the clause (a country
        before it is its modifier: "Iran's Revolutionary Guards"); a country when nothing else is named."""
        text = self.text
        country = None
        for a, b, some in later:
            if a < at:
                continue
            if a - at > limit or re.search(r"[;.]|,\s", text[at:a]):
                break
            if not self._body_like(some):
                continue
            if "Country" in self.everyone[some].types:
                country = country or some
                continue
            return some
        return country

    def _add(self, s: Sentence, subject: str, predicate: str, obj: str, role: str | None) -> None:
        if subject == obj:
            return
        key = (subject, predicate, obj, role or "")
        evidence = quote(self.text, s.start, s.end)
        known = self.out.get(key)
        if known is not None:
            quotes = known.fields["evidence"]
            assert isinstance(quotes, list)
            if evidence not in quotes:
                quotes.append(evidence)
            return
        fields: dict[str, object] = {"subject": subject, "predicate": predicate, "object": obj}
        if role:
            fields["role"] = role
        fields["evidence"] = [evidence]
        self.out[key] = Drafted("relations", fields, s)


def _is_title(words: str) -> bool:
    keys = [w.lower().strip(".,") for w in words.split()]
    return bool(keys) and all(k in ROLE_WORDS for k in keys) and any(k in ROLE_HEADS for k in keys) \
        and keys[-1] != "of"
