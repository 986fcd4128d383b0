"""Product groups (issue "Criteria per product group"): groups as data, a tender's groups as a derived fact with
its reason, the criteria written for each group, honest statuses, and the command line and reference around them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from inclusief_inkopen import evaluate
from inclusief_inkopen.advice.render import render_text
from inclusief_inkopen.cli import main

from .conftest import ROOT

ON = dt.date(2026, 3, 1)


def _tender(**fields: object) -> dict[str, object]:
    return {"title": "t", "nature": "services", "estimated_value_eur": 300000} | fields


def test_at_least_fifteen_groups_each_with_two_criteria_written_for_it(catalogue):
    groups = catalogue.product_groups
    assert len(groups) >= 15
    for group, code_list in groups.items():
        assert code_list.product_group is not None and code_list.product_group.nl and code_list.product_group.en
        written = [c.id for c in catalogue if group in catalogue.groups_of(c.id)]
        assert len(written) >= 2, (group, written)
        # written for this group alone: no criterion of a group names another group
        assert all(catalogue.groups_of(cid) == [group] for cid in written), group


def test_statuses_are_honest_law_is_mandatory_a_voluntary_standard_never_and_says_or_equivalent(catalogue):
    for c in catalogue:
        if not catalogue.groups_of(c.id):
            continue
        kinds = {catalogue.sources[ref.source].kind for ref in c.legal_basis}
        if c.status == "mandatory":
            assert kinds & {"law", "eu-law"}, c.id
        standards = [ref.source for ref in c.legal_basis if catalogue.sources[ref.source].kind == "standard"]
        if standards and c.kind == "requirement":
            assert c.status != "mandatory", c.id
            assert "gelijkwaardig" in c.text.nl and "equivalent" in c.text.en, c.id


def test_a_tenders_groups_are_a_derived_fact_with_the_code_that_placed_it(catalogue):
    advice = evaluate(_tender(cpv=["60130000"]), catalogue, on=ON)
    fact = advice.derived["product_groups"]
    assert fact.value == ["pupil-transport"] and fact.inputs == ["cpv"]
    assert fact.text.nl == (
        "productgroepen: Leerlingen- en doelgroepenvervoer "
        "(CPV 60130000 Diensten voor speciaal personenvervoer over land)"
    )
    assert "Pupil and target-group transport (CPV 60130000 Special-purpose road passenger-transport services)" in (
        fact.text.en
    )
    data = json.loads(advice.to_json())
    assert data["derived"]["product_groups"]["value"] == ["pupil-transport"]


def test_a_code_broader_than_a_group_leaves_it_open_and_says_how_to_settle_it(catalogue):
    advice = evaluate(_tender(cpv=["60100000"]), catalogue, on=ON)  # road transport services: pupils or not?
    fact = advice.derived["product_groups"]
    assert fact.value == []
    # road transport covers pupil transport and public road transport: both groups are named
    assert fact.text.nl.startswith("productgroepen: geen; mogelijk ook ")
    assert "Leerlingen- en doelgroepenvervoer (CPV 60100000)" in fact.text.nl
    assert "Openbaar vervoer: bussen en haltes (CPV 60100000)" in fact.text.nl
    assert "give a more specific CPV code" in fact.text.en
    # the more specific code settles it
    settled = evaluate(_tender(cpv=["60130000"]), catalogue, on=ON).derived["product_groups"]
    assert "mogelijk" not in settled.text.nl


def test_a_tender_without_cpv_has_unknown_groups(catalogue):
    fact = evaluate(_tender(), catalogue, on=ON).derived["product_groups"]
    assert fact.value is None and "onbekend" in fact.text.nl


def test_pupil_transport_asks_whether_passengers_travel_in_their_wheelchair(catalogue):
    advice = evaluate(_tender(cpv=["60130000"]), catalogue, on=ON)
    asked = {q.field: q for q in advice.questions}
    assert "wheelchair_passengers" in asked
    assert set(asked["wheelchair_passengers"].criteria) >= {"PG-LLV-01", "PG-LLV-02"}
    answered = evaluate(_tender(cpv=["60130000"], wheelchair_passengers=True), catalogue, on=ON)
    applied = {s.id: s for s in answered.suggestions}
    assert applied["PG-LLV-01"].status == "mandatory"
    assert any(r.field == "cpv" and "productgroep Leerlingen" in r.text.nl for r in applied["PG-LLV-01"].reasons)


def test_the_advice_text_says_the_other_groups_criteria_in_one_line(catalogue):
    advice = evaluate(_tender(cpv=["90910000"]), catalogue, on=ON)
    text = render_text(advice, "nl")
    assert "[PG-CAT-01]" not in text
    others = [c.id for c in catalogue if catalogue.groups_of(c.id) and catalogue.groups_of(c.id) != ["cleaning"]]
    assert f"{len(others)} criteria voor andere productgroepen (" in text and "PG-CAT-01" in text
    assert "[PG-CAT-01]" in render_text(advice, "nl", verbose=True)


def test_criteria_can_be_listed_per_product_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "--product-group", "cleaning", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["PG-SCH-01", "PG-SCH-02"]
    assert main(["criteria", "--product-group", "pupils"]) == 2
    err = capsys.readouterr().err
    assert "unknown product group 'pupils'" in err and "pupil-transport" in err


def test_the_reference_has_a_page_per_product_group(catalogue):
    for group, code_list in catalogue.product_groups.items():
        page = (ROOT / "docs" / "catalogue" / "product-groups" / f"{group}.md").read_text("utf-8")
        assert page.startswith(f"# {code_list.product_group.nl}")
        for cid in (c.id for c in catalogue if group in catalogue.groups_of(c.id)):
            assert f"### {cid}:" in page
    index = (ROOT / "docs" / "catalogue.md").read_text("utf-8")
    assert "## Productgroepen" in index and "(catalogue/product-groups/pupil-transport.md)" in index
