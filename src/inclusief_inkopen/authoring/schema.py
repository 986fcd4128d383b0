"""The published JSON Schemas, generated from the pydantic models (``docs/schema/*.json`` are copies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from inclusief_inkopen.advice.model import AdviceDocument
from inclusief_inkopen.base.parameters import Parameter
from inclusief_inkopen.checklists.checklist import Checklist
from inclusief_inkopen.contracts.contract import Contract
from inclusief_inkopen.contracts.ratings import StatusDocument
from inclusief_inkopen.rules.catalogue import (
    CatalogueInfo,
    CodeList,
    Criterion,
    LayerInfo,
    Source,
    ThemeFile,
    json_schema,
)
from inclusief_inkopen.tender.profile import TenderProfile


def _plain(model: type[BaseModel], title: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema(), "title": title}


def schemas() -> dict[str, dict[str, Any]]:
    theme = json_schema(ThemeFile, "Theme file (criteria/themes/*.yaml)")
    theme["properties"]["criteria"]["items"] = {"$ref": "#/$defs/Criterion"}
    criterion = json_schema(Criterion, "Criterion")
    theme["$defs"].update({k: v for k, v in criterion.get("$defs", {}).items()})
    in_file = {k: v for k, v in criterion.items() if k not in ("$defs", "$schema")}
    # Inside a theme file a criterion takes the file's theme unless it repeats it.
    in_file["required"] = [r for r in in_file["required"] if r != "theme"]
    theme["$defs"]["Criterion"] = in_file
    return {
        "tender-profile": _plain(TenderProfile, "Tender profile"),
        "criterion": criterion,
        "theme-file": theme,
        "parameter": _plain(Parameter, "Dated parameter (criteria/parameters/**/*.yaml)"),
        "sources": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Sources registry",
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/Source"},
            "$defs": {
                **Source.model_json_schema().get("$defs", {}),
                "Source": {k: v for k, v in Source.model_json_schema().items() if k != "$defs"},
            },
        },
        "code-list": _plain(CodeList, "Code list (criteria/lists/*.yaml)"),
        "checklist": _plain(Checklist, "Checklist (inclusief-inkopen checklist)"),
        "catalogue": _plain(CatalogueInfo, "Catalogue header (criteria/catalogue.yaml)"),
        "layer": _plain(LayerInfo, "Organisation layer header (layer.yaml)"),
        "advice": _plain(AdviceDocument, "Advice (output of evaluate)"),
        "contract": _plain(Contract, "Contract (inclusief-inkopen contract: commitments, KPIs, reports)"),
        "contract-status": _plain(StatusDocument, "Contract status (contract status --format json)"),
    }


def write_published(folder: str = "docs/schema") -> list[str]:
    """Write every schema to ``folder``.

    Run from the repository root: ``python -m inclusief_inkopen.authoring.schema``.
    """
    import json
    from pathlib import Path

    from inclusief_inkopen.base.files import atomic_write

    written = []
    Path(folder).mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        path = Path(folder) / f"{name}.schema.json"
        atomic_write(path, json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        written.append(str(path))
    return written


if __name__ == "__main__":
    for written_path in write_published():
        print(written_path)
