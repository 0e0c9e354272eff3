"""The drafted facts file as YAML a person reads and edits: the facts format's own keys, in its order,
with a comment where the drafter has something to say (the date a phrase resolves to, a registry name).

Every string is written double-quoted (JSON's escapes, which YAML shares, plus the line and paragraph
separators YAML would otherwise read as line breaks), so a quote's characters survive exactly.
"""

from __future__ import annotations

import json
from typing import Any

from kgpub.drafting.entities import Found
from kgpub.drafting.extract import Drafted
from kgpub.drafting.text import quote

_ORDER = {
    "relations": ("subject", "predicate", "object", "role", "evidence"),
    "events": ("report", "id", "type", "label", "date", "place", "agent", "victim", "target", "participant",
               "certainty", "according_to", "hedge", "evidence", "counts"),
    "accusations": ("id", "type", "accuser", "accused", "concerns", "allegation", "claims", "date", "evidence"),
    "threats": ("id", "type", "threatener", "threatened", "condition", "date", "evidence"),
    "statements": ("id", "act", "speaker", "addressee", "about", "date", "evidence"),
}
_COUNT_KEYS = ("what", "exactly", "at_least", "at_most", "about", "between", "evidence")


def scalar(value: object) -> str:
    """A YAML scalar: numbers and booleans as they are, strings double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = json.dumps(str(value), ensure_ascii=False)
    for raw, escaped in (("\u0085", "\\N"), ("\u2028", "\\L"), ("\u2029", "\\P"), ("\ufeff", "\\ufeff")):
        text = text.replace(raw, escaped)
    return text


def _value(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return scalar(value)


def _evidence(lines: list[str], quotes: list[Any], indent: str) -> None:
    lines.append(f"{indent}evidence:")
    for q in quotes:
        lines.append(f"{indent}  - {_value(q)}")


def render(header: dict[str, object], text: str, known: dict[str, Found], fresh: list[Found],
           publisher: dict[str, str] | None, facts: list[Drafted], source_name: str) -> str:
    lines = [
        "# yaml-language-server: $schema=https://w3id.org/kgpub/schemas/facts.schema.json",
        "#",
        f"# DRAFTED by 'kgpub draft' from {source_name}: nothing below is confirmed.",
        "# Read every item against the text; fix it, or delete it; then delete its 'drafted: true'.",
        "# 'kgpub build' refuses this file while one is left ('kgpub build --drafts' builds it apart).",
        "article:",
        "  drafted: true",
    ]
    for key, value in header.items():
        lines.append(f"  {key}: {scalar(value)}")
    if known:
        lines += ["", "# The registry's entities the text names, with the words it names them by.", "mentions:"]
        for found in sorted(known.values(), key=lambda f: f.spans[0]):
            lines.append(f"  - entity: {found.id}                # {found.name}")
            lines.append("    drafted: true")
            _evidence(lines, _quotes(text, found.spans), "    ")
    if fresh or publisher:
        lines += ["", "# Names the registry does not know: a type and an id proposed for each.", "entities:"]
        if publisher:
            lines += [f"  - id: {publisher['id']}", "    drafted: true", f"    type: {publisher['type']}",
                      f"    name: {scalar(publisher['name'])}"]
        for found in sorted(fresh, key=lambda f: f.spans[0]):
            lines += [f"  - id: {found.id}", "    drafted: true", f"    type: {_value(list(found.types)) if len(found.types) > 1 else found.types[0]}",
                      f"    name: {scalar(' '.join(found.name.split()))}"]
            _evidence(lines, _quotes(text, found.spans), "    ")
    for section in ("relations", "events", "accusations", "threats", "statements"):
        items = [d for d in facts if d.section == section]
        if not items:
            continue
        lines += ["", f"{section}:"]
        for item in items:
            _item(lines, item, section)
    return "\n".join(lines) + "\n"


def _item(lines: list[str], item: Drafted, section: str) -> None:
    fields = dict(item.fields)
    if "report" in fields:
        fields.pop("id", None)
        fields.pop("label", None)
    keys = [k for k in _ORDER[section] if k in fields] + [k for k in fields if k not in _ORDER[section]
                                                         and not k.startswith("_")]
    first = True
    for key in keys:
        if key in ("evidence", "counts"):
            continue
        prefix = "  - " if first else "    "
        comment = ""
        if key == "report" and item.comment:
            comment = f"   # {item.comment}"
        elif key == "date" and fields.get("_date_comment"):
            comment = f"   # {fields['_date_comment']}"
        elif key == "accused" and item.comment:
            comment = f"   # {item.comment}"
        lines.append(f"{prefix}{key}: {_value(fields[key])}{comment}")
        if first:
            lines.append("    drafted: true")
            first = False
    evidence = fields["evidence"]
    _evidence(lines, evidence if isinstance(evidence, list) else [evidence], "    ")
    if item.counts:
        lines.append("    counts:")
        for count in item.counts:
            parts = ", ".join(f"{k}: {_value(count[k])}" for k in _COUNT_KEYS if k in count)
            lines.append(f"      - {{{parts}, drafted: true}}")


def _quotes(text: str, spans: list[tuple[int, int]]) -> list[Any]:
    out, seen = [], set()
    for start, end in spans:
        q = quote(text, start, end)
        key = json.dumps(q, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out
