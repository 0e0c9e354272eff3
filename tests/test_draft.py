"""kgpub draft: a facts file started from an article's text; every quote anchors; nothing drafted is published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEEDS

import kgpub
from kgpub.corpus import dates
from kgpub.corpus import model
from kgpub.corpus import reader
from kgpub.corpus import texts
from kgpub.pipeline import provenance
from kgpub.cli import main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: A short report in the manner of a wire story (the facts the drafter must find, under other spellings).
STORY = """US blames militia for Green Zone rockets

The rocket attack on the Green Zone was blamed on Kataib Hizbollah, a faction of the Hashd al-Shaabi.

Iraq's military said an “outlawed group” fired at least eight rockets late Sunday, injuring one Iraqi soldier.

Kataib Hizbollah denies any involvement in the attack. No group has claimed responsibility.

Prime Minister Mustafa al-Kadhimi condemned the attack, and Qassem Suleimani's successor was not mentioned.

Washington accused Iran of arming the militias, security sources said.

“We will find them,” said Ahmed Mulla Talal, speaking near the Rasheed Hotel.
"""


def _draft(tmp_path: Path, text: str = STORY, published: str = "2020-12-21", **kw: str) -> tuple[Path, str]:
    article = tmp_path / "new.txt"
    article.write_text(text, encoding="utf-8")
    result = kgpub.draft(article, seeds=SEEDS, published=published, **kw)
    assert result.path == tmp_path / "new.facts.yaml"
    return article, result.path.read_text(encoding="utf-8")


def _load(facts_path: Path) -> model.Article:
    shared = reader.load_shared(SEEDS)
    root = facts_path.parent
    article, problems = reader.load_article(facts_path, root, shared.entity_index, shared.event_ids, drafts=True)
    assert article is not None and problems == [], problems
    return article


def _quotes(article: model.Article) -> list[model.Quote]:
    out = [q for items in (article.entities, article.relations, article.events, article.accusations, article.threats,
                           article.statements, article.mentions) for x in items for q in x.evidence]
    return out + [q for e in article.events for c in e.counts for q in c.evidence]


def test_a_draft_loads_in_the_facts_format_and_every_quote_anchors(tmp_path: Path) -> None:
    _, text = _draft(tmp_path)
    doc = yaml.safe_load(text)
    assert doc["article"]["published"] == "2020-12-21" and doc["article"]["headline"].startswith("US blames")
    article = _load(tmp_path / "new.facts.yaml")
    quotes = _quotes(article)
    assert len(quotes) > 20
    for q in quotes:
        provenance.locate(article.text, q, "new.txt")  # raises when a quote does not anchor


def test_the_seed_article_drafts_with_every_quote_anchored(tmp_path: Path) -> None:
    article = tmp_path / "afp.txt"
    shutil.copyfile(SEEDS / "articles" / "000_eb2d348de878cb8c.txt", article)
    kgpub.draft(article, seeds=SEEDS, published="2020-12", publisher="global-village-space")
    loaded = _load(tmp_path / "afp.facts.yaml")
    for q in _quotes(loaded):
        provenance.locate(loaded.text, q, "afp.txt")
    reports = [e for e in loaded.events if e.shared]
    assert [e.id for e in reports] == ["soleimani-strike"]  # "on January 3, 2020 with the targeted killing"
    assert {m.entity for m in loaded.mentions} >= {"mustafa-al-kadhemi", "qasem-soleimani", "kataeb-hezbollah",
                                                    "asaib-ahl-al-haq", "hashed-al-shaabi", "donald-trump"}


def test_every_drafted_item_is_marked(tmp_path: Path) -> None:
    _, text = _draft(tmp_path)
    doc = yaml.safe_load(text)
    assert doc["article"]["drafted"] is True
    from kgpub.corpus.checks import DRAFTABLE

    for section in DRAFTABLE:
        for item in doc.get(section, ()):
            assert item.get("drafted") is True, (section, item)
            for count in item.get("counts", ()):
                assert count["drafted"] is True


def test_blamed_on_drafts_an_accusation_with_no_accuser(tmp_path: Path) -> None:
    article = _load(_draft(tmp_path)[0].with_name("new.facts.yaml"))
    blamed = [a for a in article.accusations if "blamed on" in a.evidence[0].text]
    assert len(blamed) == 1
    assert blamed[0].accuser is None and blamed[0].accused == ("kataeb-hezbollah",)


def test_denies_drafts_a_deny_statement(tmp_path: Path) -> None:
    article = _load(_draft(tmp_path)[0].with_name("new.facts.yaml"))
    deny = [s for s in article.statements if s.act == "Deny"]
    assert len(deny) == 1 and deny[0].speaker == "kataeb-hezbollah"
    assert deny[0].evidence[0].text == "Kataib Hizbollah denies any involvement in the attack."
    assert [s.speaker for s in article.statements if s.act == "NoClaimOfResponsibility"] == [None]
    assert [s.speaker for s in article.statements if s.act == "Condemn"] == ["mustafa-al-kadhemi"]


def test_at_least_eight_rockets_drafts_a_count_with_its_qualifier(tmp_path: Path) -> None:
    article = _load(_draft(tmp_path)[0].with_name("new.facts.yaml"))
    counts = [c for e in article.events for c in e.counts]
    rockets = [c for c in counts if c.what == "rockets"]
    assert [(c.qualifier, c.value, c.low, c.evidence[0].text) for c in rockets] == [
        ("at_least", 8, 8, "at least eight rockets")]
    assert [(c.what, c.qualifier, c.value) for c in counts if c.what == "injured"] == [("injured", "exactly", 1)]


def test_late_sunday_resolves_against_the_publication_date(tmp_path: Path) -> None:
    """Monday 21 December 2020: "late Sunday" is 2020-12-20, by the weekday rule."""
    _, text = _draft(tmp_path)
    assert '{phrase: "late Sunday"}' in text and "2020-12-20 (weekday:" in text
    article = _load(tmp_path / "new.facts.yaml")
    rockets = next(e for e in article.events if any(c.what == "rockets" for c in e.counts))
    assert rockets.date is not None
    assert (rockets.date.edtf, rockets.date.phrase, rockets.date.rule) == ("2020-12-20", "late Sunday", "weekday")
    assert dates.resolve("late Sunday", (2020, 12, 21)).edtf == "2020-12-20"


def test_a_name_under_another_spelling_links_the_registry_entity(tmp_path: Path) -> None:
    article = _load(_draft(tmp_path)[0].with_name("new.facts.yaml"))
    mentioned = {m.entity: [q.text for q in m.evidence] for m in article.mentions}
    assert mentioned["kataeb-hezbollah"] == ["Kataib Hizbollah"] * 2 or set(mentioned["kataeb-hezbollah"]) == {"Kataib Hizbollah"}
    assert mentioned["qasem-soleimani"] == ["Qassem Suleimani"]
    assert mentioned["mustafa-al-kadhemi"] == ["Mustafa al-Kadhimi"]
    assert mentioned["hashed-al-shaabi"] == ["Hashd al-Shaabi"]
    assert "iraq" in mentioned and "Iraqi" not in mentioned["iraq"]  # the adjective is not the country
    assert not [e for e in article.entities if "hizbollah" in e.id]  # not proposed again as a new entity


def test_new_entities_are_proposed_with_a_type(tmp_path: Path) -> None:
    article = _load(_draft(tmp_path)[0].with_name("new.facts.yaml"))
    proposed = {e.name: e.types for e in article.entities}
    assert proposed["Ahmed Mulla Talal"] == ("Person",)
    assert proposed["Rasheed Hotel"] == ("Facility",)
    assert proposed["Security sources"] == ("UnnamedGroup",)
    assert "international-zone" in {m.entity for m in article.mentions}  # "Green Zone": a registry alias
    hedged = [e for e in (*article.events, *article.accusations) if e.judgement.hedge]
    assert all(e.judgement.certainty in ("probable", "possible") for e in hedged)



def _seeds_without_aliases(tmp_path: Path, *ids: str) -> Path:
    """A seeds folder whose registry lists these entities under their names alone (no alias to lean on)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    doc = yaml.safe_load((SEEDS / model.REGISTRY_FILE).read_text(encoding="utf-8"))
    for entity in doc["entities"]:
        if entity["id"] in ids:
            entity.pop("aliases", None)
    (seeds / model.REGISTRY_FILE).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return seeds


def _mentions(seeds: Path, tmp_path: Path, text: str) -> dict[str, list[str]]:
    article = tmp_path / "m.txt"
    article.write_text(text, encoding="utf-8")
    made = kgpub.draft(article, seeds=seeds, published="2020-12-21", out="-")
    doc = yaml.safe_load(made.yaml)
    return {m["entity"]: [q if isinstance(q, str) else q["quote"] for q in m["evidence"]] for m in doc.get("mentions", ())}


def test_a_surname_after_the_full_name_links_the_registry_person(tmp_path: Path) -> None:
    seeds = _seeds_without_aliases(tmp_path, "mustafa-al-kadhemi")
    later = _mentions(seeds, tmp_path, "Prime Minister Mustafa al-Kadhimi met the envoys on Monday.\n\n"
                                       "Later, Kadhimi said the talks had gone well.\n")
    assert later["mustafa-al-kadhemi"] == ["Mustafa al-Kadhimi", "Kadhimi"]
    alone = _mentions(seeds, tmp_path, "Kadhimi said the talks had gone well.\n")  # no full name first
    assert "mustafa-al-kadhemi" not in alone


def test_a_country_that_blames_is_its_government_and_an_attacked_embassy_its_compound(tmp_path: Path) -> None:
    found = _mentions(SEEDS, tmp_path, "The United States has blamed the militias for the attack.\n\n"
                                       "Protesters attacked the U.S. Embassy in Baghdad on Tuesday.\n\n"
                                       "The United States is a large country.\n")
    assert found["us-government"] == ["United States"]
    assert found["united-states"] == ["United States"]  # the second, which does nothing a government does
    assert found["us-embassy-compound"] == ["U.S. Embassy in Baghdad"]
    assert found["us-embassy-baghdad"] == ["U.S. Embassy in Baghdad"]


def test_a_body_named_by_its_owner_is_proposed_with_the_owner(tmp_path: Path) -> None:
    seeds = _seeds_without_aliases(tmp_path, "hashed-security-directorate")
    article = tmp_path / "o.txt"
    article.write_text("The fighter was handed to the Hashed’s own internal directorate.\n\n"
                       "He served under Kadhemi’s command.\n", encoding="utf-8")
    doc = yaml.safe_load(kgpub.draft(article, seeds=seeds, published="2020-12-21", out="-").yaml)
    names = {e["name"]: e for e in doc["entities"]}
    assert names["Hashed’s internal directorate"]["evidence"] == ["Hashed’s own internal directorate"]
    assert not [n for n in names if "command" in n]  # a person's command is no body
    assert {"subject": names["Hashed’s internal directorate"]["id"], "predicate": "partOf",
            "object": "hashed-al-shaabi"}.items() <= next(r for r in doc["relations"]
                                                          if r["object"] == "hashed-al-shaabi").items()


def test_a_relation_sentence_drafts_a_relation_with_its_evidence(tmp_path: Path) -> None:
    text = ("Iraq’s Prime Minister Mustafa al-Kadhimi met the envoys.\n\n"
            "Qassem Suleimani, the head of the Quds Force, was killed in the strike.\n\n"
            "Kataib Hizbollah, a faction of the Hashd al-Shaabi, denied it.\n\n"
            "The rockets hit the International Zone in Baghdad.\n")
    article = tmp_path / "r.txt"
    article.write_text(text, encoding="utf-8")
    kgpub.draft(article, seeds=SEEDS, published="2020-12-21")
    loaded = _load(tmp_path / "r.facts.yaml")
    got = {(r.subject, r.predicate, r.object, r.role): [q.text for q in r.evidence] for r in loaded.relations}
    assert got == {
        ("mustafa-al-kadhemi", "memberOf", "iraqi-government", "Prime Minister"):
            ["Iraq’s Prime Minister Mustafa al-Kadhimi met the envoys."],
        ("qasem-soleimani", "memberOf", "quds-force", "head"):
            ["Qassem Suleimani, the head of the Quds Force, was killed in the strike."],
        ("kataeb-hezbollah", "partOf", "hashed-al-shaabi", None):
            ["Kataib Hizbollah, a faction of the Hashd al-Shaabi, denied it."],
        ("international-zone", "locatedIn", "baghdad", None): ["The rockets hit the International Zone in Baghdad."],
    }
    doc = yaml.safe_load((tmp_path / "r.facts.yaml").read_text(encoding="utf-8"))
    assert all(r["drafted"] is True for r in doc["relations"])
    for q in _quotes(loaded):
        provenance.locate(loaded.text, q, "r.txt")
    # no set phrase, no relation: two names in one sentence are not related by being there
    plain = tmp_path / "p.txt"
    plain.write_text("Qassem Suleimani and the Quds Force were mentioned by Kataib Hizbollah in Baghdad.\n", encoding="utf-8")
    assert "relations:" not in kgpub.draft(plain, seeds=SEEDS, published="2020-12-21", out="-").yaml

def test_draft_never_writes_over_a_file_and_dash_prints(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "new.txt"
    article.write_text(STORY, encoding="utf-8")
    target = tmp_path / "new.facts.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = runner.invoke(main, ["draft", str(article), "--seeds", str(SEEDS), "--published", "2020-12-21"])
    assert result.exit_code == 2 and target.read_text() == "mine\n"
    assert result.stderr.strip().splitlines() == [(f"{target}: exists; kgpub draft never writes over a file "
                                                  "(give -o PATH, or -o - to print the draft)")]
    printed = runner.invoke(main, ["draft", str(article), "--seeds", str(SEEDS), "--published", "2020-12-21", "-o", "-"])
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.startswith("# yaml-language-server") and "drafted: true" in printed.stdout
    other = tmp_path / "elsewhere" / "x.facts.yaml"
    made = runner.invoke(main, ["draft", str(article), "--seeds", str(SEEDS), "-o", str(other)])
    assert made.exit_code == 0, made.stderr
    assert "text: \"../new.txt\"" in other.read_text(encoding="utf-8")
    assert made.stderr.startswith(f"wrote {other}: ")


# --------------------------------------------------------------------------- nothing drafted is published


def _seeds_with_draft(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    article = seeds / "articles" / "new.txt"
    article.write_text(STORY, encoding="utf-8")
    kgpub.draft(article, seeds=seeds, published="2020-12-21", publisher="afp")
    return seeds


def test_build_refuses_unconfirmed_items_one_line_each(runner: CliRunner, tmp_path: Path) -> None:
    seeds = _seeds_with_draft(tmp_path)
    drafted = seeds / "articles" / "new.facts.yaml"
    marks = [n for n, line in enumerate(drafted.read_text(encoding="utf-8").splitlines(), 1)
             if line.strip() == "drafted: true" or ", drafted: true}" in line]
    result = runner.invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "--quiet"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(marks) > 10
    assert [int(line.split(":")[1]) for line in lines] == marks
    assert all(line.startswith("articles/new.facts.yaml:") and "not confirmed" in line for line in lines)
    assert not (tmp_path / "dist").exists()


def test_check_reports_what_is_left_to_confirm(runner: CliRunner, tmp_path: Path) -> None:
    seeds = _seeds_with_draft(tmp_path)
    drafted = seeds / "articles" / "new.facts.yaml"
    lines = drafted.read_text(encoding="utf-8").splitlines(keepends=True)
    marks = [n for n, line in enumerate(lines, 1) if line.strip() == "drafted: true" or ", drafted: true}" in line]
    result = runner.invoke(main, ["check", str(seeds)])
    assert result.exit_code == 2
    reported = [line for line in (result.stdout + result.stderr).splitlines() if "not confirmed" in line]
    assert [int(line.split(":")[1]) for line in reported] == marks
    # confirm all but the first event: check names exactly that one
    first_event = next(n for n, line in enumerate(lines, 1) if line.startswith("events:")) + 2
    kept = {first_event}
    drafted.write_text("".join(line if (n in kept or line.strip() != "drafted: true") else ""
                               for n, line in enumerate(lines, 1)).replace(", drafted: true}", "}"), encoding="utf-8")
    again = runner.invoke(main, ["check", str(seeds)])
    left = [line for line in (again.stdout + again.stderr).splitlines() if "not confirmed" in line]
    assert len(left) == 1 and left[0].startswith("articles/new.facts.yaml:") and "events[0].drafted" in left[0]


def test_build_drafts_keeps_them_out_of_every_published_output(runner: CliRunner, tmp_path: Path) -> None:
    seeds = _seeds_with_draft(tmp_path)
    drafts = tmp_path / "drafts"
    result = runner.invoke(main, ["build", str(seeds), "--drafts", "--out", str(drafts), "--no-validate"])
    assert result.exit_code == 0, result.stderr
    assert "DRAFT build" in result.stdout and (drafts / "DRAFT").is_file()
    assert "new/event" in (drafts / "kg.nt").read_text(encoding="utf-8") or "/new" in (drafts / "kg.nt").read_text()
    for args in (["query", "accusations", "--data", str(drafts)],
                 ["load", "http://127.0.0.1:9/ds", "--data", str(drafts), "--dry-run"],
                 ["serve", "--data", str(drafts), "--port", "9"],
                 ["site", "--data", str(drafts), "--out", str(tmp_path / "site"), "--seeds", str(seeds)]):
        refused = runner.invoke(main, args)
        assert refused.exit_code == 2, (args, refused.stdout, refused.stderr)
        assert "a draft build" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "site").exists()
    # the corpus's own build never holds a drafted item, and a draft build never replaces it
    (seeds / "articles" / "new.facts.yaml").unlink()
    dist = tmp_path / "dist"
    assert runner.invoke(main, ["build", str(seeds), "--out", str(dist), "--quiet", "--no-validate"]).exit_code == 0
    assert "new" not in {p.stem for p in (dist / "articles").iterdir()}
    over = runner.invoke(main, ["build", str(seeds), "--drafts", "--out", str(dist), "--quiet", "--no-validate"])
    assert over.exit_code == 2 and "holds a build of the corpus" in over.stderr
    assert not (dist / "DRAFT").exists()


def test_confirming_is_deleting_the_marks(runner: CliRunner, tmp_path: Path) -> None:
    seeds = _seeds_with_draft(tmp_path)
    drafted = seeds / "articles" / "new.facts.yaml"
    drafted.write_text("".join(line for line in drafted.read_text(encoding="utf-8").splitlines(keepends=True)
                               if line.strip() != "drafted: true").replace(", drafted: true}", "}"), encoding="utf-8")
    result = runner.invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "--quiet", "--no-validate"])
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "dist" / "DRAFT").exists()



def test_a_drafted_relation_is_refused_by_build_until_confirmed(runner: CliRunner, tmp_path: Path) -> None:
    seeds = _seeds_with_draft(tmp_path)
    drafted = seeds / "articles" / "new.facts.yaml"
    doc = yaml.safe_load(drafted.read_text(encoding="utf-8"))
    assert doc["relations"] and all(r["drafted"] is True for r in doc["relations"])  # "a faction of the Hashd"
    lines = drafted.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.startswith("relations:"))
    end = next(n for n, line in enumerate(lines) if n > start and line.strip() and not line.startswith(" "))
    in_relations = set(range(start, end))
    # confirm everything but the relations
    drafted.write_text("".join(line for n, line in enumerate(lines) if n in in_relations or line.strip() != "drafted: true")
                       .replace(", drafted: true}", "}"), encoding="utf-8")
    refused = runner.invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "--quiet", "--no-validate"])
    assert refused.exit_code == 2
    complaints = [c for c in refused.stderr.strip().splitlines() if not c.startswith("warning: --no-validate")]
    assert len(complaints) == len(doc["relations"]) and all("relations[" in c and "not confirmed" in c for c in complaints)
    assert not (tmp_path / "dist").exists()
    drafted.write_text("".join(line for line in drafted.read_text(encoding="utf-8").splitlines(keepends=True)
                               if line.strip() != "drafted: true"), encoding="utf-8")
    built = runner.invoke(main, ["build", str(seeds), "--out", str(tmp_path / "dist"), "--quiet", "--no-validate"])
    assert built.exit_code == 0, built.stderr

# --------------------------------------------------------------------------- bad input


def _bad(runner: CliRunner, tmp_path: Path, content: bytes | None, *extra: str) -> list[str]:
    article = tmp_path / "in.txt"
    if content is not None:
        article.write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(main, ["draft", str(article), "--seeds", str(SEEDS), *extra])
    assert result.exit_code == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    return result.stderr.strip().splitlines()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty: there is no text to draft from"),
    (b" \n\n  \n", "empty: there is no text to draft from"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file (NUL bytes), not an article text"),
    ("Caf\u00e9 au lait".encode("latin-1"), "not UTF-8 text (invalid continuation byte, byte 3)"),
    (b"text with an escape \x1b[31m inside", "control character U+001B"),
])
def test_bad_article_text(runner: CliRunner, tmp_path: Path, content: bytes, message: str) -> None:
    lines = _bad(runner, tmp_path, content)
    assert len(lines) == 1 and lines[0].startswith(str(tmp_path / "in.txt")) and message in lines[0]


def test_a_huge_text_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    lines = _bad(runner, tmp_path, b"word " * (texts.MAX_TEXT_BYTES // 5 + 1))
    assert len(lines) == 1 and "more than the 4,194,304 an article text may have" in lines[0]


def test_a_missing_text_unknown_seeds_and_a_bad_date_all_at_once(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "in.txt"
    article.write_text(STORY, encoding="utf-8")
    result = runner.invoke(main, ["draft", str(article), "--seeds", str(tmp_path / "nowhere"),
                                  "--published", "21 December 2020", "--url", "not a url"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert any("nowhere: --seeds: no such folder" in line for line in lines)
    assert any(line.startswith("--published: '21 December 2020' is not a date") for line in lines)
    assert any(line.startswith("--url: 'not a url' is not an http(s) URL") for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt"]
    missing = runner.invoke(main, ["draft", str(tmp_path / "none.txt"), "--seeds", str(SEEDS)])
    assert missing.exit_code == 2 and missing.stderr.strip() == f"{tmp_path / 'none.txt'}: no such file"


def test_a_folder_that_is_not_a_seeds_folder(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    lines = _bad(runner, tmp_path, STORY.encode(), "--seeds", str(tmp_path / "empty"))
    assert lines == [f"{tmp_path / 'empty'}: --seeds: no entities.yaml here: not a seeds folder"]


def test_a_date_that_is_not_one(runner: CliRunner, tmp_path: Path) -> None:
    lines = _bad(runner, tmp_path, STORY.encode(), "--published", "2020-02-30")
    assert lines == ["--published: '2020-02-30' is not a date: February 2020 has 29 days"]


# --------------------------------------------------------------------------- any text



_PIECES = ["Kataib Hizbollah", "Qassem Suleimani", "al-Kadhimi", "the U.S. Embassy in Baghdad", "Iran’s", "“outlawed group”",
           "security sources said", "fired", "at least eight rockets", "late Sunday", "was blamed on", "denies",
           "Dr. Mark T. Esper", "attacked", "by", "Iran-backed militias", "on January 3, 2020", "reportedly",
           "no group has claimed responsibility", "warned", "unless", "a masked, gun-toting fighter", "killed",
           "dozens of", "civilians", "é", "\u00a0", "’s", ",", ".", "\n", "\n\n", "said", "He", "arrested 14 members of"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40))
def test_any_text_drafts_a_file_that_loads_with_every_quote_anchored(pieces: list[str]) -> None:
    """Whatever the words, the draft loads in the facts format and its every quote is where it says."""
    from kgpub import drafting

    text = " ".join(pieces)
    if not text.strip():
        return
    shared = reader.load_shared(SEEDS)
    made = drafting.draft_text(text, registry=shared.registry, events=shared.events, published=(2020, 12, 21),
                               text_file="a.txt")
    drafting._check(made, text, shared, "a.txt")  # loads it with the facts loader and anchors every quote


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Militants fired dozens of rockets at the base.", {"what": "rockets", "about": 24}),
    ("More than 24 protesters were arrested on Friday.", {"what": "arrested", "at_least": 25}),
    ("A rocket attack killed a U.S. defense contractor last week.", {"what": "killed", "exactly": 1}),
    ("The blast wounded up to 40 people.", {"what": "injured", "at_most": 40}),
    ("Thousands of protesters gathered outside the embassy.", {"what": "participants", "at_least": 2000}),
    # a vague word before an exact one: the exact one is the count, and its quote holds no other number
    ("They attacked dozens of at least eight rockets.", {"what": "rockets", "at_least": 8}),
])
def test_counts_and_their_qualifiers(sentence: str, expected: dict[str, object]) -> None:
    from kgpub.drafting import extract
    from kgpub.drafting.text import Sentence

    found = [{k: v for k, v in c.items() if k != "_span"} for _, c in extract.counts_in(Sentence(0, len(sentence), sentence))]
    assert found == [expected]


def test_the_readme_quotes_the_last_draft_benchmark() -> None:
    """The README's draft figures are those of benchmarks/results/draft.md, so neither goes stale alone."""
    import re

    root = Path(__file__).resolve().parent.parent
    results = (root / "benchmarks" / "results" / "draft.md").read_text(encoding="utf-8")
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    rows = re.findall(r"^\| (entity mentions|events|accusations|statements|relations|counts) \| ([\d.]+) \| ([\d.]+) \|",
                      results, re.M)
    assert len(rows) == 6
    for kind, precision, recall in rows:
        assert f"{kind} {precision} / {recall}" in readme, kind
