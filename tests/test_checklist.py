"""Checklists: from tender file to a filled, checked, rendered checklist and back from Excel, without losing a word."""

from __future__ import annotations

import io
import shutil

import pytest
import yaml
from openpyxl import load_workbook

from inclusief_inkopen import checklist as cl
from inclusief_inkopen.checklists.render import render_html, render_markdown
from inclusief_inkopen.checklists.xlsx import read_xlsx, to_xlsx
from inclusief_inkopen.cli import main

from .conftest import EXAMPLES, ON


@pytest.fixture
def workdir(tmp_path):
    shutil.copy(EXAMPLES / "website-bewoners.yaml", tmp_path / "tender.yaml")
    return tmp_path


def _new(workdir, catalogue) -> cl.Checklist:
    checklist = cl.create(workdir / "tender.yaml", catalogue, on=ON)
    cl.save(checklist, workdir / "c.yaml")
    return checklist


def _decide_all(checklist: cl.Checklist) -> cl.Checklist:
    items = []
    for item in checklist.items:
        change = {"decision": "applied", "applied_as": "Bestek §3", "decided_by": "C. Manager", "decided_on": ON}
        if item.kind == "award-criterion":
            change["weight"] = 10
        items.append(item.model_copy(update=change))
    return checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"})


def test_a_new_checklist_has_an_open_item_per_suggestion_and_the_rest_for_the_record(workdir, catalogue):
    checklist = _new(workdir, catalogue)
    from inclusief_inkopen import evaluate, load_tender

    advice = evaluate(load_tender(workdir / "tender.yaml"), catalogue, on=ON)
    assert [i.id for i in checklist.items if i.applies == "yes"] == advice.suggestion_ids()
    assert {r.id for r in checklist.not_applicable} == {n.id for n in advice.not_applicable}
    assert all(i.decision == "open" for i in checklist.items)
    assert checklist.catalogue["sha256"] == catalogue.sha256 and checklist.tender_file.endswith("tender.yaml")
    assert cl.load(workdir / "c.yaml") == checklist  # the YAML keeps everything


def test_check_lists_every_open_item_and_missing_justification_weight_and_basis(workdir, catalogue):
    checklist = _new(workdir, catalogue)
    problems = cl.completeness(checklist, "c.yaml")
    waiting = {cid for q in checklist.questions for cid in q.criteria}
    asked = [i for i in checklist.items if not (i.applies == "unknown" and i.id in waiting)]
    assert len([p for p in problems if p.location.endswith(".decision")]) == len(asked)
    assert len([p for p in problems if p.location.endswith(".answer")]) == len(checklist.questions) > 0

    done = _decide_all(checklist)
    assert cl.completeness(done) == []
    mandatory = next(i for i, item in enumerate(done.items) if item.status == "mandatory")
    award = next((i for i, item in enumerate(done.items) if item.kind == "award-criterion"), None)
    items = list(done.items)
    items[mandatory] = items[mandatory].model_copy(update={"decision": "not-applied", "justification": " "})
    if award is not None:
        items[award] = items[award].model_copy(update={"weight": None})
    broken = done.model_copy(update={"items": items, "award_basis": "lowest-price"})
    text = "\n".join(str(p) for p in cl.completeness(broken, "c.yaml"))
    assert f"items[{mandatory}] ({items[mandatory].id}).justification: a mandatory item" in text
    if award is not None:
        assert f"items[{award}] ({items[award].id}).weight" in text
        assert "award_basis: award criteria are applied" in text
    recommended = next(i for i, item in enumerate(done.items) if item.status == "recommended")
    items = list(done.items)
    items[recommended] = items[recommended].model_copy(update={"decision": "not-applied", "justification": None})
    assert cl.completeness(done.model_copy(update={"items": items})) == []  # a recommendation needs no reason


def test_check_says_which_items_are_new_gone_or_changed_after_the_tender_changed(workdir, catalogue):
    cl.save(_decide_all(_new(workdir, catalogue)), workdir / "c.yaml")
    assert cl.check(workdir / "c.yaml", catalogue)[1] == {"new": [], "gone": [], "changed": []}
    tender = yaml.safe_load((workdir / "tender.yaml").read_text())
    tender.update(people_facing=True, digital=[], estimated_value_eur=100000)
    (workdir / "tender.yaml").write_text(yaml.safe_dump(tender))
    _, changed, notes = cl.check(workdir / "c.yaml", catalogue)
    assert "COMM-01" in changed["new"] and "TOEG-DIG-01" in changed["gone"]
    assert any("tender file" in n and "changed" in n for n in notes)


def test_update_keeps_every_decision_moves_gone_items_aside_and_keeps_a_backup(workdir, catalogue):
    decided = _decide_all(_new(workdir, catalogue))
    decided.items[0].justification = "Afgestemd met de budgethouder."
    cl.save(decided, workdir / "c.yaml")
    before = (workdir / "c.yaml").read_text()
    tender = yaml.safe_load((workdir / "tender.yaml").read_text())
    tender.update(people_facing=True, digital=["website"])
    (workdir / "tender.yaml").write_text(yaml.safe_dump(tender))

    merged, changed = cl.update(workdir / "c.yaml", catalogue=catalogue)
    assert (workdir / "c.yaml~").read_text() == before
    assert "COMM-01" in changed["new"]
    kept = {i.id: i for i in merged.items}
    for old in decided.items:
        if old.id in kept:
            assert (kept[old.id].decision, kept[old.id].justification) == (old.decision, old.justification)
    assert kept["COMM-01"].decision == "open"
    gone = {i.id for i in decided.items} - set(kept)
    assert gone == {i.id for i in merged.removed} and all(i.decision == "applied" for i in merged.removed)
    assert cl.load(workdir / "c.yaml") == merged


def test_an_item_whose_rule_changed_keeps_its_decision_and_asks_for_a_review(workdir, catalogue):
    old = _decide_all(_new(workdir, catalogue))
    fresh = cl.create(workdir / "tender.yaml", catalogue, on=ON)
    target = fresh.items[0].id
    changed_items = [
        i.model_copy(update={"fingerprint": "0" * 16, "status": "policy"}) if i.id == target else i for i in fresh.items
    ]
    merged = cl.merge(old, fresh.model_copy(update={"items": changed_items}))
    item = next(i for i in merged.items if i.id == target)
    assert item.decision == "applied" and "status changed" in item.review
    assert any(p.location.endswith(".review") for p in cl.completeness(merged))


def test_the_spreadsheet_round_trips_without_losing_a_word(workdir, catalogue):
    checklist = _decide_all(_new(workdir, catalogue))
    items = list(checklist.items)
    items[1] = items[1].model_copy(
        update={
            "decision": "not-applied",
            "applied_as": None,
            "justification": "Geen inwoners; zie nota 2026-14, regel 3–5 “€ 5.000”.",
        }
    )
    checklist = checklist.model_copy(update={"items": items})
    data = to_xlsx(checklist)
    sheet = load_workbook(io.BytesIO(data))["Checklist"]
    assert sheet.freeze_panes == "B2"
    assert any("niet toegepast" in str(v.formula1) for v in sheet.data_validations.dataValidation)
    assert sheet["G1"].value == "besluit" and sheet["N1"].value == "waarom (niet invullen)"
    back = read_xlsx(
        data,
        checklist.model_copy(update={"items": [i.model_copy(update={"decision": "open"}) for i in checklist.items]}),
    )
    assert back == checklist
    assert cl.to_yaml(back) == cl.to_yaml(checklist)


def _edited(data: bytes, cell: str, value) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book["Checklist"][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("G2", "ja", "Checklist!G2 (decision)"),
        ("J2", "veel", "Checklist!J2 (weight): expected a weight in %"),
        ("J2", 250, "Checklist!J2 (weight)"),
        ("L2", "gisteren", "Checklist!L2 (decided_on): expected a date"),
        ("A2", "XX-99", "Checklist!A2: unknown item id 'XX-99'"),
    ],
)
def test_a_hand_edited_sheet_is_checked_cell_by_cell(workdir, catalogue, cell, value, message):
    checklist = _new(workdir, catalogue)
    with pytest.raises(cl.ChecklistError, match="sheet.xlsx: " + message.replace("(", r"\(").replace(")", r"\)")):
        read_xlsx(_edited(to_xlsx(checklist), cell, value), checklist, "sheet.xlsx")


def test_a_sheet_from_another_tender_or_not_a_workbook_is_refused(workdir, catalogue):
    checklist = _new(workdir, catalogue)
    other = checklist.model_copy(update={"tender_sha256": "f" * 64})
    with pytest.raises(cl.ChecklistError, match="another tender"):
        read_xlsx(to_xlsx(checklist), other)
    with pytest.raises(cl.ChecklistError, match=r"not an \.xlsx workbook"):
        read_xlsx(b"PK\x03\x04 not really", checklist)


def test_html_and_markdown_show_progress_groups_reasons_and_escape_user_text(workdir, catalogue):
    checklist = _decide_all(_new(workdir, catalogue))
    items = list(checklist.items)
    items[0] = items[0].model_copy(update={"applied_as": "<script>alert(1)</script>"})
    checklist = checklist.model_copy(update={"items": items})
    page = render_html(checklist)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert f"{len(items)} van {len(items)} items besloten" in page and "Verplicht (wet)" in page
    assert not any(x in page for x in ("<link", "<script", " src=", "url(", "@import"))  # self-contained, offline
    english = render_html(checklist, "en")
    assert '<html lang="en">' in english and "items decided" in english
    md = render_markdown(checklist)
    assert md.startswith("# Checklist inclusief inkopen") and "- [x] **" in md and "## Voorbereiding" in md


def test_the_cli_runs_every_checklist_command_with_clear_exit_codes(workdir, capsys, catalogue):
    c, t = str(workdir / "c.yaml"), str(workdir / "tender.yaml")
    assert main(["checklist", t, "-o", c, "--on", "2026-03-01"]) == 0
    assert main(["checklist", t, "-o", c]) == 2  # never overwrites a checklist by accident
    assert main(["checklist", "check", c]) == 1
    assert "not decided yet" in capsys.readouterr().out
    cl.save(_decide_all(cl.load(c)), c)
    assert main(["checklist", "check", c]) == 0
    for fmt, name in (("html", "c.html"), ("markdown", "c.md"), ("xlsx", "c.xlsx")):
        assert main(["checklist", "render", c, "--format", fmt, "-o", str(workdir / name)]) == 0
        assert (workdir / name).stat().st_size > 500
    assert main(["checklist", "import-xlsx", str(workdir / "c.xlsx"), "--into", c]) == 0
    assert main(["checklist", "update", c]) == 0
    assert main(["checklist", "check", c]) == 0
    (workdir / "bad.yaml").write_text("format: inclusief-inkopen/checklist/v1\ntender: {}\nitems: [{id: X}]\n")
    assert main(["checklist", "check", str(workdir / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: tender_sha256: required field is missing" in err and "items[0] (X).title" in err


def test_a_checklist_file_satisfies_the_published_schema(workdir, catalogue):
    import json

    import jsonschema

    from .conftest import ROOT

    _new(workdir, catalogue)
    schema = json.loads((ROOT / "docs" / "schema" / "checklist.schema.json").read_text())
    data = yaml.safe_load((workdir / "c.yaml").read_text())
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)
    data["items"][0]["decision"] = "misschien"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_the_sheet_speaks_the_chosen_language_and_reads_back_either(workdir, catalogue):
    checklist = _decide_all(_new(workdir, catalogue))
    english = load_workbook(io.BytesIO(to_xlsx(checklist, "en")))
    sheet, about = english["Checklist"], english["Over"]
    assert [c.value for c in sheet[1]][:8] == [
        "id",
        "title",
        "status",
        "kind",
        "phase",
        "applies",
        "decision",
        "applied as",
    ]
    assert sheet["G2"].value == "applied" and about["A5"].value == "award basis"
    assert about["B5"].value == "best price-quality ratio"
    assert any("lowest price" in str(v.formula1) for v in about.data_validations.dataValidation)
    dutch = load_workbook(io.BytesIO(to_xlsx(checklist, "nl")))
    assert (
        dutch["Checklist"]["G2"].value == "toegepast" and dutch["Over"]["B5"].value == "beste prijs-kwaliteitverhouding"
    )
    assert dutch["Checklist"]["N2"].value  # the reasons, to read
    opened = checklist.model_copy(
        update={"items": [i.model_copy(update={"decision": "open"}) for i in checklist.items]}
    )
    for lang in ("nl", "en"):
        assert read_xlsx(to_xlsx(checklist, lang), opened) == checklist


def test_only_an_award_criterion_takes_a_weight_in_the_sheet(workdir, catalogue):
    checklist = _new(workdir, catalogue)
    row = next(n for n, item in enumerate(checklist.items, start=2) if item.kind != "award-criterion")
    with pytest.raises(cl.ChecklistError, match=rf"Checklist!J{row} \(weight\): only an award criterion has a weight"):
        read_xlsx(_edited(to_xlsx(checklist), f"J{row}", 20), checklist, "sheet.xlsx")


def test_cli_renders_the_sheet_in_english_when_asked(workdir, capsys):
    c = str(workdir / "c.yaml")
    assert main(["checklist", str(workdir / "tender.yaml"), "-o", c]) == 0
    assert main(["checklist", "render", c, "--format", "xlsx", "--lang", "en", "-o", str(workdir / "c.xlsx")]) == 0
    assert load_workbook(workdir / "c.xlsx")["Checklist"]["G1"].value == "decision"


def test_a_checklist_for_an_unfinished_tender_asks_the_question_once_and_its_answer_decides(tmp_path):
    tender = tmp_path / "tender.yaml"
    tender.write_text(
        "title: Klantportaal\nnature: services\nestimated_value_eur: 400000\ndigital: [website]\ncpv: ['72413000']\n"
        "physical: []\npeople_facing: false\nstaffing: false\nsupply_chain_risk: []\n"
    )
    path = tmp_path / "c.yaml"
    cl.save(cl.create(tender, on=ON), path)
    checklist = cl.load(path)
    [users] = [q for q in checklist.questions if q.field == "end_users"]
    assert {"TOEG-NINC-01", "ONTW-ALG-01"} <= set(users.criteria)  # two that exclude each other wait for one answer
    problems = cl.completeness(checklist, "c.yaml")
    decisions = {p.location.split("(")[1].split(")")[0] for p in problems if p.location.endswith(".decision")}
    assert not decisions & {"TOEG-NINC-01", "ONTW-ALG-01"}
    assert any(p.location.startswith("questions[") and "ONTW-ALG-01" in p.message for p in problems)
    assert "Open vragen over de opdracht" in render_markdown(checklist)

    answered = checklist.model_copy(
        update={
            "questions": [
                q.model_copy(update={"answer": ["residents"]}) if q is users else q for q in checklist.questions
            ]
        }
    )
    cl.save(answered, path)
    before = tender.read_bytes()
    merged, _ = cl.update(path)
    assert tender.read_bytes() == before  # the answer lives in the checklist, not in the buyer's file
    applies = {i.id: i.applies for i in merged.items}
    assert applies.get("ONTW-ALG-01") == "yes" and "TOEG-NINC-01" not in applies
    assert [q.answer for q in merged.questions if q.field == "end_users"] == [["residents"]]
    assert all(q.field != "end_users" or q.answer for q in merged.questions)
    problems = cl.completeness(merged, "c.yaml")
    assert not any("end_users" in p.location for p in problems)


@pytest.mark.parametrize(
    ("lang", "made", "todo", "decision"),
    [
        ("nl", "items te besluiten", "niet compleet: nog", "nog niet besloten: toegepast of niet toegepast"),
        ("en", "items to decide", "not complete:", "not decided yet: applied or not-applied"),
    ],
)
def test_checklist_messages_in_the_language_asked_for(workdir, capsys, monkeypatch, lang, made, todo, decision):
    monkeypatch.setenv("INCLUSIEF_INKOPEN_LANG", lang)
    c = str(workdir / "c.yaml")
    assert main(["checklist", str(workdir / "tender.yaml"), "-o", c]) == 0
    assert made in capsys.readouterr().out
    assert main(["checklist", "check", c]) == 1
    out = capsys.readouterr().out
    assert todo in out and decision in out
