"""Build the catalogue's Annex XIV and Article 77 code lists from the project's shared CPV data.

Inputs (``../shared/data/cpv/``): ``annex-xiv.yaml`` (Directive 2014/24/EU Annex XIV, rows as written and
expanded; an UNVERIFIED transcription, see that folder's README) and ``article-77.yaml`` (the Article 77(1) list,
verified against three national transpositions). Outputs in ``criteria/lists/``: ``annex-xiv.yaml``,
``annex-xiv-health-social.yaml`` (row 1 only, "Health, social and related services", for Aw 2.38 lid 2) and
``article-77.yaml``. Labels come from the bundled CPV 2008 table. Each list keeps the items as the law writes
them (``as_written``); a test expands them again against the CPV and compares.

    python scripts/build_code_lists.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "cpv"
LISTS = ROOT / "criteria" / "lists"
sys.path.insert(0, str(ROOT / "src"))

from inclusief_inkopen import cpv  # noqa: E402


def _items(items: list[dict]) -> list[str]:
    return [item["code"] if "code" in item else f"{item['from']} .. {item['to']}" for item in items]


def _write(name: str, header: str, body: dict) -> None:
    text = header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)
    (LISTS / f"{name}.yaml").write_text(text, encoding="utf-8")
    print(f"wrote {name}.yaml ({len(body['codes'])} codes)")


def _codes(full_codes: list[str]) -> dict[str, str]:
    return {cpv.compact(c): cpv.label(c, "nl") or "" for c in sorted(full_codes, key=cpv.compact)}


def main() -> None:
    annex = yaml.safe_load((SHARED / "annex-xiv.yaml").read_text(encoding="utf-8"))
    art77 = yaml.safe_load((SHARED / "article-77.yaml").read_text(encoding="utf-8"))
    unverified = (
        "# Directive 2014/24/EU Annex XIV as transcribed in shared/data/cpv (UNVERIFIED against the Official Journal:\n"
        "# see the list's notes). Built by scripts/build_code_lists.py; do not edit by hand.\n"
    )
    notes = {
        "nl": (
            "Rij 1 (gezondheidszorg en maatschappelijke dienstverlening) komt overeen met openbare bronnen "
            "(wetsvoorstel National Care Service (Scotland), LOU bilaga 2 a, bidservices.ie). "
            "De rijen 2 tot en met 15 zijn een "
            "transcriptie die niet met het Publicatieblad (PB L 94 van 28.3.2014, bijlage XIV) kon worden vergeleken. "
            "Reeksen 'A tot B' omvatten elke CPV-code van A tot en met B in CPV-volgorde. De code '794300000-7' "
            "(negen cijfers, rij 11) staat zo in de transcriptie en wordt gelezen als 79430000-7."
        ),
        "en": (
            "Row 1 (health, social and related services) agrees with public sources (National Care Service (Scotland) "
            "Bill, LOU bilaga 2 a, bidservices.ie). Rows 2 to 15 are a transcription that could not be compared with "
            "the Official Journal (OJ L 94 of 28.3.2014, Annex XIV). Ranges 'A to B' cover every CPV code from A to B "
            "inclusive in CPV order. The code '794300000-7' (nine digits, row 11) stands so in the transcription and "
            "is read as 79430000-7."
        ),
    }
    _write(
        "annex-xiv",
        unverified,
        {
            "description": {
                "nl": "Sociale en andere specifieke diensten (bijlage XIV Richtlijn 2014/24/EU; art. 2.6a en 2.38 Aw)",
                "en": "Social and other specific services (Annex XIV to Directive 2014/24/EU; ss. 2.6a and 2.38 Aw)",
            },
            "source": "dir-2014-24",
            "notes": notes,
            "as_written": [item for row in annex["rows"] for item in _items(row["items"])],
            "codes": _codes([c for row in annex["rows"] for c in row["expanded"]]),
        },
    )
    row1 = annex["rows"][0]
    _write(
        "annex-xiv-health-social",
        unverified,
        {
            "description": {
                "nl": "Bijlage XIV, rij 1: gezondheidszorg, maatschappelijke dienstverlening en aanverwante diensten "
                "(art. 2.38 lid 2 Aw)",
                "en": "Annex XIV, row 1: health, social and related services (s. 2.38(2) Aw)",
            },
            "source": "dir-2014-24",
            "notes": notes,
            "as_written": _items(row1["items"]),
            "codes": _codes(row1["expanded"]),
        },
    )
    _write(
        "article-77",
        "# Directive 2014/24/EU Article 77(1): services that may be reserved to public-service-mission organisations\n"
        "# (Aw 2.82a; eForms res-pub-ser). Built by scripts/build_code_lists.py; do not edit by hand.\n",
        {
            "description": {
                "nl": "Diensten die kunnen worden voorbehouden aan organisaties met een publieke taak "
                "(art. 77 lid 1 Richtlijn 2014/24/EU, art. 2.82a Aw)",
                "en": "Services that may be reserved to public-service-mission organisations "
                "(Art. 77(1) Directive 2014/24/EU, s. 2.82a Aw)",
            },
            "source": "dir-2014-24",
            "notes": {
                "nl": (
                    "De lijst is gelijk aan de citaten in drie nationale omzettingen (HU, IT, CY) en aan eForms-regel "
                    "BR-BT-00262-0200 (115 codes); de tekst van de richtlijn zelf kon niet worden geraadpleegd."
                ),
                "en": (
                    "The list equals the quotations in three national transpositions (HU, IT, CY) and eForms rule "
                    "BR-BT-00262-0200 (115 codes); the Directive's own text could not be consulted."
                ),
            },
            "as_written": _items(art77["items"]),
            "codes": _codes([c["code"] for c in art77["expanded"]]),
        },
    )


if __name__ == "__main__":
    main()
