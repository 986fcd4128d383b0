"""Extract the eForms SDK facts the library uses into ``src/inclusief_inkopen/data/eforms.json``.

Run from the repository root after updating ``tests/data/eforms`` from a new SDK release::

    python scripts/build_eforms_data.py

The package keeps only what it reads (about 40 fields and 11 code lists, with English and Dutch labels), so the
2 MB ``fields.json`` and the 700 kB of genericode do not ship. ``tests/test_interop.py`` regenerates the file
and fails if the committed copy differs, so the data always matches its source.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SDK = ROOT / "tests" / "data" / "eforms"
OUT = ROOT / "src" / "inclusief_inkopen" / "data" / "eforms.json"

# The nodes a reader stands on: the notice, a lot (or a PIN-only part) and one award criterion of a lot.
ANCHORS = ("ND-Root", "ND-Lot", "ND-Part", "ND-LotAwardCriterion")

FIELDS = [
    "BT-701-notice", "BT-02-notice", "BT-03-notice", "OPP-070-notice", "BT-04-notice", "BT-01-notice",
    "BT-05(a)-notice", "BT-271-Procedure", "BT-271-Procedure-Currency", "BT-271-Lot", "BT-271-Lot-Currency",
    "BT-161-NoticeResult", "BT-161-NoticeResult-Currency", "BT-118-NoticeResult", "BT-118-NoticeResult-Currency",
    "BT-21-Procedure", "BT-23-Procedure", "BT-27-Procedure", "BT-27-Procedure-Currency",
    "BT-262-Procedure", "BT-263-Procedure", "BT-105-Procedure", "BT-11-Procedure-Buyer",
    "BT-137-Lot", "BT-21-Lot", "BT-23-Lot", "BT-27-Lot", "BT-27-Lot-Currency", "BT-262-Lot", "BT-263-Lot",
    "BT-36-Lot", "BT-36-Lot-Unit", "BT-754-Lot", "BT-755-Lot", "BT-06-Lot", "BT-777-Lot", "BT-775-Lot",
    "BT-71-Lot", "BT-736-Lot",
    "BT-137-Part", "BT-21-Part", "BT-23-Part", "BT-27-Part", "BT-27-Part-Currency", "BT-262-Part", "BT-263-Part",
    "BT-36-Part", "BT-36-Part-Unit", "BT-71-Part", "BT-736-Part",
    "BT-539-Lot", "BT-734-Lot", "BT-541-Lot-WeightNumber",
]  # fmt: skip

CODELISTS = {
    "accessibility": "BT-754",
    "strategic-procurement": "BT-06",
    "social-objective": "BT-775",
    "reserved-procurement": "BT-71",
    "applicability_reserved-execution": "BT-736",
    "contract-nature": "BT-23",
    "procurement-procedure-type": "BT-105",
    "buyer-legal-type": "BT-11",
    "award-criterion-type": "BT-539",
    "innovative-acquisition": "BT-776",
    "cpv_social-service-cpv": "BT-262",
}


def relative_xpath(field: dict, nodes: dict[str, dict]) -> tuple[str, str]:
    """The field's XPath from its nearest anchor node, and that anchor."""
    parts = [field["xpathRelative"]]
    node = field["parentNodeId"]
    while node not in ANCHORS:
        parts.append(nodes[node]["xpathRelative"])
        node = nodes[node]["parentId"]
    return "/".join(reversed(parts)), node


def read_codelist(path: Path) -> dict[str, dict[str, str]]:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    codes: dict[str, dict[str, str]] = {}
    for row in tree.iter("Row"):  # genericode rows carry no namespace
        values = {v.get("ColumnRef"): (v.findtext("SimpleValue") or "").strip() for v in row.iter("Value")}
        codes[values["code"]] = {
            "en": values.get("eng_label") or values.get("Name", ""),
            "nl": values.get("nld_label", ""),
        }
    return codes


def build() -> dict:
    sdk = json.loads((SDK / "fields.json").read_text("utf-8"))
    nodes = {n["id"]: n for n in sdk["xmlStructure"]}
    by_id = {f["id"]: f for f in sdk["fields"]}
    fields = {}
    for field_id in FIELDS:
        f = by_id[field_id]
        xpath, anchor = relative_xpath(f, nodes)
        fields[field_id] = {
            "name": f["name"],
            "anchor": anchor,
            "xpath": xpath,
            "absolute": f["xpathAbsolute"],
            "type": f["type"],
            "codelist": ((f.get("codeList") or {}).get("value") or {}).get("id"),
        }
    anchors = {a: nodes[a]["xpathRelative"] for a in ANCHORS if a != "ND-Root"}
    anchors["ND-LotAwardCriterion"] = relative_xpath(
        {"xpathRelative": nodes["ND-LotAwardCriterion"]["xpathRelative"],
         "parentNodeId": nodes["ND-LotAwardCriterion"]["parentId"]}, nodes
    )[0]  # fmt: skip
    codelists = {
        name: {"business_term": bt, "codes": read_codelist(SDK / "codelists" / f"{name}.gc")}
        for name, bt in CODELISTS.items()
    }
    return {
        "source": (
            "eForms SDK, Publications Office of the EU, github.com/OP-TED/eForms-SDK commit "
            "3242fbf7c703810ce36eb797c467b54ce6ae7f0f; CC BY 4.0. Extracted by scripts/build_eforms_data.py."
        ),
        "sdk_version": sdk["sdkVersion"],
        "anchors": anchors,
        "fields": fields,
        "codelists": codelists,
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), "utf-8")
    sys.stdout.write(f"wrote {OUT.relative_to(ROOT)}\n")
