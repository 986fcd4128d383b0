"""Loading a catalogue from files: read, validate, check every rule, compile, and apply layers.

Every problem found is collected and reported together, each naming the file, the criterion id and the place
inside it, so an author can fix a catalogue in one pass.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from inclusief_inkopen.base.errors import CatalogueError, InputError, Problem
from inclusief_inkopen.base.files import parse_document, read_bytes
from inclusief_inkopen.base.parameters import Parameter
from inclusief_inkopen.base.values import Value
from inclusief_inkopen.rules.catalogue import (
    Catalogue,
    CatalogueInfo,
    CodeList,
    CompiledCriterion,
    Criterion,
    LayerInfo,
    LayerReceipt,
    Source,
    ThemeFile,
    is_eforms_option,
)
from inclusief_inkopen.rules.conditions import (
    AllOf,
    ListRef,
    Node,
    ParamRef,
    Predicate,
    check_condition,
    parameters_read,
    reads,
)
from inclusief_inkopen.rules.placeholders import PLACEHOLDER
from inclusief_inkopen.tender.facts import REQUIRED_LISTS, REQUIRED_PARAMETERS
from inclusief_inkopen.tender.profile import problems_from_validation

LAW_KINDS = frozenset({"law", "eu-law"})
# Outputs of which a notice carries one value: two criteria setting them must not both apply unless one
# overrides the other.
SINGLE_VALUED = ("accessibility", "reserved_participation")


def builtin_catalogue_dir() -> Path:
    # Resolved, so that in a source checkout messages point at criteria/ rather than the link to it.
    return (Path(__file__).parent.parent / "catalogue").resolve()


class _Collector:
    """Problems found while reading, and the bytes of every file read: each file is read once, and what is
    parsed is what is hashed."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.read: dict[Path, bytes] = {}

    def add(self, file: Path | str | None, location: str, message: str) -> None:
        self.problems.append(Problem(str(file) if file is not None else None, location, message))

    def model(self, model: type[BaseModel], data: Any, file: Path, prefix: str = "") -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(problems_from_validation(exc, str(file), prefix))
            return None

    def bytes_of(self, path: Path) -> bytes:
        found = self.read.get(path)
        if found is None:
            found = self.read[path] = read_bytes(path)
        return found

    def document(self, path: Path) -> Any:
        try:
            return parse_document(self.bytes_of(path), str(path))
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def content_hash(self, root: Path) -> str:
        """The hash of a folder as it was read here: a file parsed is hashed from the bytes that were parsed."""
        try:
            return _digest(root, self.bytes_of)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return ""


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _digest(root: Path, read: Callable[[Path], bytes]) -> str:
    digest = hashlib.sha256()
    for path in yaml_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(read(path).replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return digest.hexdigest()


def content_hash(root: Path) -> str:
    """sha256 over every catalogue file, by sorted relative path: the same files give the same hash anywhere."""
    return _digest(root, read_bytes)


def _follow_up_problems(
    criterion: Criterion, sources: dict[str, Source], params: dict[str, Any]
) -> list[tuple[str, str]]:
    """A follow-up block that cannot be followed: an unknown source, a unit that does not fit its metric, a target
    a contract cannot reach (a status for a count, nothing at all), an offer as target on anything but an award
    criterion."""
    follow = criterion.follow_up
    if follow is None:
        return []
    found = [
        (f".source[{i}]", f"unknown source {source!r}; add it to sources.yaml")
        for i, source in enumerate(follow.source)
        if source not in sources
    ]
    units = {
        "sr-value-eur": "EUR",
        "sr-placements": "count",
        "a11y-status": "A-E",
        "a11y-overdue-fixes": "count",
        "inspection-passed": "yes-no",
        "measures-reported": "yes-no",
        "declaration-valid": "yes-no",
    }
    if units[follow.metric] != follow.unit:
        found.append((".unit", f"the metric {follow.metric} is measured in {units[follow.metric]}, not {follow.unit}"))
    target = follow.target
    if [target.value, target.share_of_value, target.parameter].count(None) != 2:
        found.append((".target", "give one of value, share_of_value or parameter (from_offer only raises it)"))
    if target.parameter is not None and target.parameter not in params:
        found.append((".target.parameter", f"unknown parameter {target.parameter!r}"))
    if (target.share_of_value is not None or target.parameter is not None) and follow.unit != "EUR":
        found.append((".target.share_of_value", "a share of the contract value is an amount in EUR"))
    if follow.unit == "A-E" and target.value not in ("A", "B", "C", "D", "E"):
        found.append((".target.value", f"expected a status A to E, got {target.value!r}"))
    if follow.unit != "A-E" and isinstance(target.value, str):
        found.append((".target.value", f"expected a number, got {target.value!r}"))
    if target.from_offer and criterion.kind != "award-criterion":
        found.append((".target.from_offer", "only an award criterion has an offer to hold the supplier to"))
    return found


def _read_sources(root: Path, out: _Collector) -> dict[str, Source]:
    path = root / "sources.yaml"
    if not path.exists():
        return {}
    data = out.document(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        out.add(path, "", "expected a mapping of source id to source")
        return {}
    sources = {}
    for key, raw in data.items():
        source = out.model(Source, raw, path, str(key))
        if source is not None:
            sources[str(key)] = source
    return sources


def _read_parameters(root: Path, out: _Collector) -> dict[str, Parameter]:
    params = {}
    folder = root / "parameters"
    for path in yaml_files(folder):
        if path.name == "index.yaml":
            continue
        name = path.relative_to(folder).with_suffix("").as_posix()
        data = out.document(path)
        if data is None:
            continue
        param = out.model(Parameter, data, path)
        if param is not None:
            params[name] = param
    return params


def _read_lists(root: Path, out: _Collector) -> dict[str, CodeList]:
    lists = {}
    for path in yaml_files(root / "lists"):
        data = out.document(path)
        if data is None:
            continue
        code_list = out.model(CodeList, data, path)
        if code_list is not None:
            lists[path.stem] = code_list
    return lists


def _read_criteria(root: Path, out: _Collector) -> list[tuple[Criterion, Path]]:
    found: list[tuple[Criterion, Path]] = []
    for path in yaml_files(root / "themes"):
        data = out.document(path)
        if data is None:
            continue
        theme_file = out.model(ThemeFile, data, path)
        if theme_file is None:
            continue
        for index, raw in enumerate(theme_file.criteria):
            cid = raw.get("id", f"criteria[{index}]") if isinstance(raw, dict) else f"criteria[{index}]"
            if not isinstance(raw, dict):
                out.add(path, f"criteria[{index}]", "expected a mapping")
                continue
            raw = {"theme": theme_file.theme, **raw}
            if raw["theme"] != theme_file.theme:
                out.add(
                    path, f"{cid}.theme", f"criterion of theme {raw['theme']!r} in the file of {theme_file.theme!r}"
                )
                continue
            criterion = out.model(Criterion, raw, path, str(cid))
            if criterion is not None:
                found.append((criterion, path))
    return found


def _compiled(criterion: Criterion, path: Path) -> CompiledCriterion:
    """A criterion whose condition passed its checks, with the facts and parameters it reads."""
    node = criterion.applies_when
    return CompiledCriterion(
        criterion=criterion, file=str(path), reads=frozenset(reads(node)), parameters=frozenset(parameters_read(node))
    )


def _check(
    criteria: list[tuple[Criterion, Path]],
    sources: dict[str, Source],
    params: dict[str, Parameter],
    lists: dict[str, frozenset[str]],
    root: Path,
    out: _Collector,
) -> dict[str, CompiledCriterion]:
    for source_id, p in params.items():
        for day, entry in p.values.items():
            if entry.source and entry.source not in sources:
                out.add(
                    root / "parameters" / f"{source_id}.yaml",
                    f"values.{day}.source",
                    f"unknown source {entry.source!r}; add it to sources.yaml",
                )
    for name in sorted(REQUIRED_PARAMETERS - set(params)):
        out.add(root / "parameters" / f"{name}.yaml", "", "missing: the EU thresholds are needed by every evaluation")
    for name in sorted(REQUIRED_LISTS - set(lists)):
        out.add(root / "lists" / f"{name}.yaml", "", "missing: this code list is needed by every evaluation")

    compiled: dict[str, CompiledCriterion] = {}
    for criterion, path in criteria:
        cid = criterion.id
        if cid in compiled:
            out.add(path, cid, f"duplicate id; already defined in {compiled[cid].file}")
            continue
        errors = check_condition(criterion.applies_when, params, lists)
        for err in errors:
            out.add(path, f"{cid}.applies_when{err.path}", err.message)
        for i, ref in enumerate(criterion.legal_basis):
            if ref.source not in sources:
                out.add(
                    path, f"{cid}.legal_basis[{i}].source", f"unknown source {ref.source!r}; add it to sources.yaml"
                )
        for problem in _follow_up_problems(criterion, sources, params):
            out.add(path, f"{cid}.follow_up{problem[0]}", problem[1])
        if criterion.status == "mandatory" and not any(
            sources.get(ref.source) and sources[ref.source].kind in LAW_KINDS for ref in criterion.legal_basis
        ):
            out.add(path, f"{cid}.legal_basis", "a mandatory criterion must cite at least one law or EU-law source")
        for place, text in (("title", criterion.title), ("text", criterion.text)):
            for lang in ("nl", "en"):
                for name in PLACEHOLDER.findall(text.get(lang)):
                    if name not in params:
                        out.add(path, f"{cid}.{place}.{lang}", f"placeholder {{{{{name}}}}} names no parameter")
        if errors:
            continue
        compiled[cid] = _compiled(criterion, path)
    for cid, c in compiled.items():
        for i, other in enumerate(c.criterion.overrides):
            if other not in compiled:
                out.add(c.file, f"{cid}.overrides[{i}]", f"unknown criterion {other!r}")
    for problem in find_conflicts(compiled):
        out.problems.append(problem)
    return compiled


def _conjuncts(node: Node) -> list[Predicate]:
    if isinstance(node, Predicate):
        return [node]
    if isinstance(node, AllOf):
        return [p for child in node.children for p in _conjuncts(child)]
    return []


def _contradict(a: Predicate, b: Predicate) -> bool:
    """Whether two predicates on the same field can never hold together."""
    if a.field != b.field:
        return False
    if a.op == b.op and a.op in ("is_true", "not_empty"):
        return bool(a.operand != b.operand)
    values = {"eq": lambda p: {p.operand}, "in": lambda p: set(p.operand)}
    if a.op in values and b.op in values and not isinstance(a.operand, ParamRef | ListRef):
        return not (values[a.op](a) & values[b.op](b))
    return False


def exclusive(a: Node, b: Node) -> bool:
    """A sound (not complete) check that two conditions never hold for the same tender."""
    return any(_contradict(p, q) for p in _conjuncts(a) for q in _conjuncts(b))


def _related(a: Criterion, b: Criterion, compiled: dict[str, CompiledCriterion]) -> bool:
    return b.id in a.overrides or a.id in b.overrides


def find_conflicts(compiled: dict[str, CompiledCriterion]) -> list[Problem]:
    """Two criteria that can both set a different value of a single-valued eForms field need an ``overrides``."""
    problems = []
    items = sorted(compiled.values(), key=lambda c: c.criterion.id)
    for field in SINGLE_VALUED:
        setters = [
            c
            for c in items
            if c.criterion.eforms
            and getattr(c.criterion.eforms, field)
            and not is_eforms_option(c.criterion.kind, c.criterion.status, field)
        ]
        for i, a in enumerate(setters):
            for b in setters[i + 1 :]:
                ca, cb = a.criterion, b.criterion
                if getattr(ca.eforms, field) == getattr(cb.eforms, field):
                    continue
                if _related(ca, cb, compiled) or exclusive(ca.applies_when, cb.applies_when):
                    continue
                problems.append(
                    Problem(
                        a.file,
                        f"{ca.id}.eforms.{field}",
                        f"conflicts with {cb.id} ({b.file}): both can apply and set {field} to "
                        f"{getattr(ca.eforms, field)!r} and {getattr(cb.eforms, field)!r}; say which wins with "
                        f"'overrides'",
                    )
                )
    return problems


def _read_base(
    root: Path, out: _Collector
) -> tuple[
    CatalogueInfo | None, dict[str, Source], dict[str, Parameter], dict[str, CodeList], list[tuple[Criterion, Path]]
]:
    info_path = root / "catalogue.yaml"
    info = None
    if not root.is_dir():
        out.add(root, "", "catalogue folder not found")
    elif not info_path.exists():
        out.add(info_path, "", "missing; a catalogue folder starts with catalogue.yaml (name, version, format)")
    else:
        data = out.document(info_path)
        if data is not None:
            info = out.model(CatalogueInfo, data, info_path)
    return (
        info,
        _read_sources(root, out),
        _read_parameters(root, out),
        _read_lists(root, out),
        _read_criteria(root, out),
    )


def _apply_layer(
    layer_root: Path,
    base_name: str,
    sources: dict[str, Source],
    params: dict[str, Parameter],
    code_lists: dict[str, CodeList],
    criteria: list[tuple[Criterion, Path]],
    out: _Collector,
) -> tuple[LayerReceipt | None, list[tuple[Criterion, Path]]]:
    info_path = layer_root / "layer.yaml"
    if not info_path.exists():
        out.add(info_path, "", "missing; a layer folder starts with layer.yaml (name, version, format, base)")
        return None, criteria
    data = out.document(info_path)
    info: LayerInfo | None = out.model(LayerInfo, data, info_path) if data is not None else None
    if info is None:
        return None, criteria
    if info.base != base_name:
        out.add(info_path, "base", f"this layer goes over {info.base!r}, not over {base_name!r}")
    layer_sources = _read_sources(layer_root, out)
    replaced_sources = sorted(set(layer_sources) & set(sources))
    sources.update(layer_sources)
    layer_params = _read_parameters(layer_root, out)
    for name, p in layer_params.items():
        if name in params:
            merged = dict(params[name].values)
            merged.update(p.values)
            params[name] = p.model_copy(update={"values": dict(sorted(merged.items()))})
        else:
            params[name] = p
    layer_lists = _read_lists(layer_root, out)
    replaced_lists = sorted(set(layer_lists) & set(code_lists))
    code_lists.update(layer_lists)

    by_id = {c.id: (c, path) for c, path in criteria}
    for i, cid in enumerate(info.withdraw):
        if cid not in by_id:
            out.add(info_path, f"withdraw[{i}]", f"criterion {cid!r} is not in {base_name!r}; nothing to withdraw")
        by_id.pop(cid, None)
    for cid, changes in info.replace.items():
        if cid not in by_id:
            out.add(info_path, f"replace.{cid}", f"criterion {cid!r} is not in {base_name!r}; nothing to replace")
            continue
        if "id" in changes and changes["id"] != cid:
            out.add(info_path, f"replace.{cid}.id", "a replacement keeps the id")
            continue
        base, _ = by_id[cid]
        merged = copy.deepcopy(base.model_dump(mode="json", by_alias=True, exclude_none=True))
        merged.update(changes)
        replacement = out.model(Criterion, merged, info_path, f"replace.{cid}")
        if replacement is not None:
            by_id[cid] = (replacement, info_path)
    added = []
    for criterion, path in _read_criteria(layer_root, out):
        if criterion.id in by_id:
            out.add(path, criterion.id, f"already in {base_name!r}; change it with 'replace' in layer.yaml")
            continue
        by_id[criterion.id] = (criterion, path)
        added.append(criterion.id)
    receipt = LayerReceipt(
        name=info.name,
        version=info.version,
        sha256=out.content_hash(layer_root),
        added=tuple(sorted(added)),
        replaced=tuple(sorted(info.replace)),
        withdrawn=tuple(sorted(info.withdraw)),
        parameters=tuple(sorted(layer_params)),
        replaced_sources=tuple(replaced_sources),
        replaced_lists=tuple(replaced_lists),
    )
    return receipt, list(by_id.values())


class Parts(Value):
    """What a catalogue's files (and its layers') say, each file validated on its own: the input of ``assemble``."""

    __match_args__ = ("info", "sources", "parameters", "code_lists", "criteria", "receipts", "sha256")
    __slots__ = __match_args__
    info: CatalogueInfo
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    code_lists: dict[str, CodeList]
    criteria: list[tuple[Criterion, Path]]
    receipts: tuple[LayerReceipt, ...]
    # The content hash of the base folder, over the very bytes that were parsed (a file edited while it was read
    # cannot put one version's content under the other's hash).
    sha256: str

    def __init__(
        self,
        info: CatalogueInfo,
        sources: dict[str, Source],
        parameters: dict[str, Parameter],
        code_lists: dict[str, CodeList],
        criteria: list[tuple[Criterion, Path]],
        receipts: tuple[LayerReceipt, ...],
        sha256: str,
    ) -> None:
        self._set(
            info=info,
            sources=sources,
            parameters=parameters,
            code_lists=code_lists,
            criteria=criteria,
            receipts=receipts,
            sha256=sha256,
        )


def read_parts(root: Path, layer_roots: list[Path]) -> Parts:
    """Read and validate every file of a catalogue folder and its layers, or raise ``CatalogueError``."""
    out = _Collector()
    info, sources, params, code_lists, criteria = _read_base(root, out)
    receipts: list[LayerReceipt] = []
    seen: dict[Path, int] = {}
    for position, layer_root in enumerate(layer_roots):
        # A layer goes over the base once; given twice (or a chain that comes back to itself) it would add and
        # withdraw its own criteria.
        if layer_root.resolve() in seen:
            out.add(
                layer_root,
                "",
                f"layer given twice (as layer {seen[layer_root.resolve()] + 1} and "
                f"{position + 1}); each layer applies once",
            )
            continue
        seen[layer_root.resolve()] = position
        if not layer_root.is_dir():
            out.add(layer_root, "", "layer folder not found")
            continue
        receipt, criteria = _apply_layer(
            layer_root, info.name if info else "?", sources, params, code_lists, criteria, out
        )
        if receipt is not None:
            if any(r.name == receipt.name for r in receipts):
                out.add(layer_root / "layer.yaml", "name", f"a layer named {receipt.name!r} is already applied")
            receipts.append(receipt)
    sha = out.content_hash(root) if root.is_dir() else ""
    if info is None or out.problems:
        raise CatalogueError(out.problems or [Problem(str(root), "", "not a catalogue")])
    return Parts(info, sources, params, code_lists, criteria, tuple(receipts), sha)


def assemble(parts: Parts, root: Path, layer_roots: Iterable[Path] = (), *, checked: bool = False) -> Catalogue:
    """Check the parts against each other (sources, parameters, lists, conditions, conflicts) and compile them.

    ``checked``: these very parts passed the checks before, with this very code (a catalogue from the cache,
    whose key is the hash of both), so they are only compiled; the checks would find what they found then.
    """
    lists = {name: frozenset(cl.codes) for name, cl in parts.code_lists.items()}
    if checked:
        compiled = {criterion.id: _compiled(criterion, path) for criterion, path in parts.criteria}
    else:
        out = _Collector()
        for name, cl in parts.code_lists.items():
            if cl.source not in parts.sources:
                out.add(root / "lists" / f"{name}.yaml", "source", f"unknown source {cl.source!r}")
        compiled = _check(parts.criteria, parts.sources, parts.parameters, lists, root, out)
        if out.problems:
            raise CatalogueError(out.problems)
    return Catalogue(
        info=parts.info,
        sha256=parts.sha256,
        sources=parts.sources,
        parameters=parts.parameters,
        lists=lists,
        list_info=parts.code_lists,
        criteria=compiled,
        layers=parts.receipts,
        root=str(root),
        layer_roots=tuple(str(p) for p in layer_roots),
    )


def read_catalogue(
    path: str | os.PathLike[str] | None = None, layers: Iterable[str | os.PathLike[str]] = ()
) -> Catalogue:
    """Read, check and compile a catalogue folder (the built-in one by default) with optional layers over it.

    Its rule tests are not run here: ``rules.catalogues.load_catalogue`` composes reading and testing.
    """
    root = Path(path) if path is not None else builtin_catalogue_dir()
    layer_roots = [Path(p) for p in layers]
    return assemble(read_parts(root, layer_roots), root, layer_roots)
