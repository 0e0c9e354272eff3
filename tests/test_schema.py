"""The JSON Schemas: valid, in step with the ontology, and accepted by the seed files."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kgpub.corpus.schema import fast_check, validator
from kgpub.corpus import yaml_lines
from kgpub.pipeline import mapping
from kgpub.resources import ontology_file, schema_file
from conftest import SEEDS

KGT = "https://w3id.org/kgpub/type/"


def schema(name: str) -> dict:
    return json.loads(schema_file(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["facts", "entities", "dataset"])
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(name))


def scheme_members(scheme: str) -> set[str]:
    onto = Graph().parse(ontology_file())
    return {str(c)[len(KGT):] for c in onto.subjects(SKOS.inScheme, URIRef(KGT + scheme))}


def test_event_types_match_the_ontology() -> None:
    enum = schema("facts")["$defs"]["event"]["properties"]["type"]["anyOf"][0]["enum"]
    assert set(enum) == scheme_members("EventTypes")


def test_speech_act_types_match_the_ontology() -> None:
    defs = schema("facts")["$defs"]
    types = set(defs["accusation"]["properties"]["type"]["enum"]) | set(defs["threat"]["properties"]["type"]["enum"]) \
        | set(defs["statement"]["properties"]["act"]["enum"])
    assert types == scheme_members("SpeechActTypes")


def test_entity_types_match_the_mapping() -> None:
    assert set(schema("facts")["$defs"]["entityType"]["enum"]) == set(mapping.ENTITY_CLASSES)


def test_relation_and_claim_predicates_are_ontology_properties() -> None:
    onto = Graph().parse(ontology_file())
    defs = schema("facts")["$defs"]
    for name in [*defs["relation"]["properties"]["predicate"]["enum"], *defs["claim"]["properties"]["predicate"]["enum"]]:
        assert (mapping.KG[name], RDF.type, None) in onto, name


def test_seed_files_validate_against_their_schemas() -> None:
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (schema(n)["$id"], Resource.from_contents(schema(n))) for n in ("facts", "entities", "dataset"))

    def check(path, name):  # type: ignore[no-untyped-def]
        # YAML 1.2 as editors read it: dates stay strings, numbers are numbers.
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml_lines.Loader)  # noqa: S506
        return [e.message for e in jsonschema.Draft202012Validator(schema(name), registry=registry).iter_errors(doc)]

    assert check(SEEDS / "entities.yaml", "entities") == []
    assert check(SEEDS / "dataset.yaml", "dataset") == []
    for path in sorted(SEEDS.rglob("*.facts.yaml")):
        assert check(path, "facts") == [], path


def _mutations(doc):  # type: ignore[no-untyped-def]
    """The document with each value in turn removed, given a wrong type, emptied, or joined by an unknown key."""
    import copy

    def walk(node, path):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            for key, value in node.items():
                yield path + [key], value
                yield from walk(value, path + [key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield path + [i], value
                yield from walk(value, path + [i])

    for path, _ in list(walk(doc, [])):
        for change in ("drop", 7, -1, True, None, "", "not-an-id!", [], {}, ["x"], "2021-02"):
            mutated = copy.deepcopy(doc)
            parent = mutated
            for step in path[:-1]:
                parent = parent[step]
            if change == "drop":
                del parent[path[-1]]
            else:
                parent[path[-1]] = change
            yield mutated
        if isinstance(_, dict):
            mutated = copy.deepcopy(doc)
            target = mutated
            for step in path:
                target = target[step]
            target["unknown_key"] = 1
            yield mutated


@pytest.mark.parametrize("name,text", [("facts", "MINI_FACTS"), ("entities", "MINI_REGISTRY")])
def test_fast_schema_check_agrees_with_jsonschema_on_every_mutation(name: str, text: str) -> None:
    """fastjsonschema only decides valid/invalid on the happy path; it must never accept what jsonschema rejects."""
    import fastjsonschema

    import conftest

    doc = yaml.safe_load(getattr(conftest, text))
    checked = 0
    for mutated in [doc, *_mutations(doc)]:
        try:
            fast_check(name)(mutated)
            fast_ok = True
        except fastjsonschema.JsonSchemaException:
            fast_ok = False
        assert fast_ok == validator(name).is_valid(mutated), mutated
        checked += 1
    assert checked > 200


def test_fast_schema_check_accepts_the_seed_files() -> None:
    for path in sorted(SEEDS.rglob("*.yaml")):
        if path.name.endswith(".source.yaml"):  # a received text's source note, kept beside it, not an input
            continue
        name = "facts" if path.name.endswith(".facts.yaml") else path.stem.replace("entities", "entities")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        fast_check(name)(doc)
        assert validator(name).is_valid(doc)


def test_a_large_registry_is_checked_by_the_compiled_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry of thousands of entities is thousands of documents' worth of checking: jsonschema would take half
    a second at 2,230 of them, on every build, one-article rebuilds included.  Small documents still go to
    jsonschema (compiling costs ten of their checks); both decide the same (the test above)."""
    from kgpub.corpus import schema as module

    entity = {"id": "e0", "type": "Person", "name": "Someone"}
    large = {"entities": [{**entity, "id": f"e{i}"} for i in range(module.FAST_AFTER + 1)]}
    small = {"entities": [entity]}
    used: list[str] = []
    monkeypatch.setattr(module, "_checked", {})
    monkeypatch.setattr(module, "validator", lambda name: used.append("jsonschema") or validator(name))
    monkeypatch.setattr(module, "fast_check", lambda name: used.append("compiled") or fast_check(name))
    assert module.validate(small, "entities", "entities.yaml").problems == ()
    assert used == ["jsonschema"]
    monkeypatch.setattr(module, "_checked", {})
    used.clear()
    assert module.validate(large, "entities", "entities.yaml").problems == ()
    assert used == ["compiled"]
