"""The ``inclusief-inkopen`` command.

User errors (a bad tender file, a broken catalogue) print a message naming the file, the place and what was
expected, and exit with status 2; no traceback. Failing rule tests or validation exit with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import Any

from inclusief_inkopen.base.errors import InclusiefInkopenError
from inclusief_inkopen.base.messages import say
from inclusief_inkopen.base.outputs import without_controls
from inclusief_inkopen.base.version import __version__

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _out(text: str) -> None:
    # Titles, ids and messages can come from notices and tender files: no terminal escape sequence gets through.
    sys.stdout.write(without_controls(text))


def _err(text: str) -> None:
    sys.stderr.write(without_controls(text))


def _json_text(data: Any) -> str:
    """Data as indented JSON, non-ASCII characters as they are."""
    import json  # here, not at the top: the commands most run never write JSON this way

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _scan_date(text: str) -> dt.date | str:
    """A date, or "issued": each notice on the date it was sent."""
    return "issued" if text == "issued" else _date(text)


def _catalogue(args: argparse.Namespace) -> Any:
    from inclusief_inkopen.rules.catalogues import load_catalogue

    return load_catalogue(args.catalogue, args.layer or (), trust_cache=True)


def cmd_advies(args: argparse.Namespace) -> int:
    from inclusief_inkopen.advice.evaluate import evaluate
    from inclusief_inkopen.advice.render import render_markdown, render_text
    from inclusief_inkopen.tender.profile import load_tender

    tender = load_tender(args.tender)
    advice = evaluate(tender, _catalogue(args), on=args.on)
    if args.format == "json":
        _out(advice.to_json(lang=args.lang) + "\n")
    elif args.format == "markdown":
        _out(render_markdown(advice, args.lang or "nl"))
    else:
        from inclusief_inkopen.notices.guesses import guesses_from_cpv

        # What the CPV codes make likely for the facts the tender leaves out, shown beside the questions.
        guesses = [g for g in guesses_from_cpv(tender.cpv or []) if getattr(tender, g.field, None) is None]
        _out(render_text(advice, args.lang or "nl", verbose=args.verbose, guesses=guesses))
    return 0


def cmd_criteria(args: argparse.Namespace) -> int:
    from inclusief_inkopen.authoring.reference import current, render_criterion

    catalogue = _catalogue(args)
    if args.action == "show":
        if not args.id:
            raise SystemExit("criteria show needs an id, e.g. 'inclusief-inkopen criteria show TOEG-DIG-01'")
        cid = args.id.upper()
        if cid not in catalogue.criteria:
            _err(f"error: unknown criterion {args.id!r}; 'inclusief-inkopen criteria' lists them\n")
            return EXIT_USAGE
        _out(render_criterion(catalogue, cid, args.lang))
        return 0
    words = (args.search or "").casefold().split()
    if args.product_group and args.product_group not in catalogue.product_groups:
        known = ", ".join(catalogue.product_groups)
        _err(f"error: unknown product group {args.product_group!r}; known: {known}\n")
        return EXIT_USAGE
    found = 0
    for c in catalogue:
        if args.product_group and args.product_group not in catalogue.groups_of(c.id):
            continue
        chosen = {"theme": c.theme, "kind": c.kind, "status": c.status, "phase": c.phase, "ambition": c.ambition}
        if any(getattr(args, name) is not None and getattr(args, name) != value for name, value in chosen.items()):
            continue
        text = " ".join([c.id, c.title.nl, c.title.en, c.text.nl, c.text.en]).casefold()
        if not all(word in text for word in words):
            continue
        found += 1
        _out(f"{c.id:<14} {c.status:<12} {c.kind:<20} {c.theme:<26} {current(c.title, catalogue).get(args.lang)}\n")
    if not found:
        _err({"nl": "geen criteria gevonden\n", "en": "no criteria found\n"}[args.lang])
        return EXIT_FAILED
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from inclusief_inkopen.rules.catalogues import load_catalogue
    from inclusief_inkopen.rules.freshness import check_freshness

    catalogue = load_catalogue(args.dir, args.layer or ())
    findings = check_freshness(catalogue, args.on or dt.date.today())
    for finding in findings:
        print(finding)
    errors = [f for f in findings if f.level == "error"]
    tests = sum(len(c.tests) for c in catalogue)
    print(
        f"{catalogue.title} (sha256 {catalogue.identity}): {len(catalogue)} criteria, "
        f"{len(catalogue.parameters)} parameters, {len(catalogue.sources)} sources, {tests} rule tests passed; "
        + (f"{len(errors)} freshness errors." if errors else "valid.")
    )
    return EXIT_FAILED if errors else 0


def cmd_test_rules(args: argparse.Namespace) -> int:
    from inclusief_inkopen.rules.catalogues import load_catalogue
    from inclusief_inkopen.rules.ruletests import run_rule_tests

    catalogue = load_catalogue(args.dir, args.layer or (), run_tests=False)
    results = run_rule_tests(catalogue)
    failed = [r for r in results if not r.passed]
    for r in results:
        if args.verbose or not r.passed:
            mark = "ok  " if r.passed else "FAIL"
            print(f"{mark} {r.criterion}: {r.name}" + ("" if r.passed else f"\n     {r.message}\n     ({r.file})"))
    print(f"rule tests: {len(results) - len(failed)} passed, {len(failed)} failed")
    incomplete = []
    if args.coverage:
        from inclusief_inkopen.rules.ruletests import coverage

        rows = coverage(catalogue, results)
        print(f"\n{'criterion':<14} {'applies':<8} {'not':<8} branches untested")
        for row in rows:
            mark = lambda ok: "yes" if ok else "NO"  # noqa: E731
            print(
                f"{row.criterion:<14} {mark(row.applies):<8} {mark(row.not_applicable):<8} "
                f"{row.branches - len(row.untested_branches)}/{row.branches:<6} {', '.join(row.untested_branches)}"
            )
        incomplete = [r for r in rows if not r.complete]
        branches = sum(r.branches for r in rows)
        untested = sum(len(r.untested_branches) for r in rows)
        print(
            f"coverage: {len(rows) - len(incomplete)}/{len(rows)} criteria tested both ways; "
            f"{branches - untested}/{branches} branches exercised"
        )
    return EXIT_FAILED if failed or incomplete else 0


def cmd_diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    from inclusief_inkopen.authoring.diff import diff_catalogues, render_diff
    from inclusief_inkopen.rules.catalogues import load_catalogue

    old = load_catalogue(args.old, run_tests=False)
    new = load_catalogue(args.new, run_tests=False)
    folder = Path(args.tenders) if args.tenders else Path("examples")
    tenders = sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml", ".json")) if folder.is_dir() else []
    _out(render_diff(diff_catalogues(old, new, tenders)))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from inclusief_inkopen.authoring.schema import schemas

    all_schemas = schemas()
    if args.name not in all_schemas:
        _err(f"error: unknown schema {args.name!r}; choose from {', '.join(all_schemas)}\n")
        return EXIT_USAGE
    _out(_json_text(all_schemas[args.name]))
    return 0


CHECKLIST_ACTIONS = ("check", "update", "render", "import-xlsx")
CHECKLIST_HELP = """checklist [new] TENDER_FILE -o CHECKLIST.yaml [--force]  a new checklist, every item open
checklist check CHECKLIST.yaml                what is still to do, and what changed since
checklist update CHECKLIST.yaml [--tender F]  re-evaluate and merge, keeping every decision
checklist render CHECKLIST.yaml --format html|markdown|xlsx -o FILE [--lang en]
checklist import-xlsx SHEET.xlsx --into CHECKLIST.yaml"""


def _checklist_parser(action: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"inclusief-inkopen checklist {action}".strip())
    if action == "new":
        p.add_argument("tender", metavar="TENDER_FILE")
        p.add_argument("-o", "--output", required=True, metavar="CHECKLIST.yaml")
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD")
        p.add_argument("--force", action="store_true", help="replace an existing checklist (a backup is kept)")
    elif action == "check":
        p.add_argument("checklist", metavar="CHECKLIST.yaml")
        p.add_argument("--tender", metavar="TENDER_FILE", help="check against this tender file instead")
    elif action == "update":
        p.add_argument("checklist", metavar="CHECKLIST.yaml")
        p.add_argument("--tender", metavar="TENDER_FILE", help="the tender file, if it moved or changed")
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD")
    elif action == "render":
        p.add_argument("checklist", metavar="CHECKLIST.yaml")
        p.add_argument("--format", choices=["html", "markdown", "xlsx"], required=True)
        p.add_argument("-o", "--output", required=True, metavar="FILE")
        p.add_argument("--lang", choices=["nl", "en"], default="nl")
    elif action == "import-xlsx":
        p.add_argument("sheet", metavar="SHEET.xlsx")
        p.add_argument("--into", required=True, metavar="CHECKLIST.yaml")
    p.add_argument("--catalogue", metavar="DIR")
    p.add_argument("--layer", metavar="DIR", action="append")
    return p


def cmd_checklist(args: argparse.Namespace) -> int:
    from inclusief_inkopen.checklists import checklist as cl

    rest = list(args.rest)
    if not rest or rest[0] in ("-h", "--help"):
        _out(CHECKLIST_HELP + "\n")
        return 0 if rest else EXIT_USAGE
    action = rest.pop(0) if rest[0] in CHECKLIST_ACTIONS else "new"
    opts = _checklist_parser(action).parse_args(rest)
    catalogue = _catalogue(opts) if opts.catalogue or opts.layer else None

    if action == "new":
        from pathlib import Path

        _not_an_input(opts.output, opts.tender)
        if Path(opts.output).exists() and not opts.force:
            _err(f"error: {opts.output} exists; use 'checklist update' to keep its decisions, or --force\n")
            return EXIT_USAGE
        checklist = cl.create(opts.tender, catalogue, opts.on)
        cl.save(checklist, opts.output)
        done, total = checklist.progress()
        _out(say("made", file=opts.output, total=total, skipped=len(checklist.not_applicable)) + "\n")
        return 0
    if action == "check":
        problems, changed, notes = cl.check(opts.checklist, catalogue, opts.tender)
        for note in notes:
            _out(say("note", note=note) + "\n")
        for kind in ("new", "gone", "changed"):
            if changed[kind]:
                _out(f"{kind}: {', '.join(changed[kind])}\n")
        for problem in problems:
            _out(f"{problem}\n")
        drift = any(changed.values())
        if drift:
            _out(say("advice_changed") + "\n")
        if problems:
            _out(say("not_complete", count=len(problems)) + (say("and_out_of_date") if drift else "") + "\n")
            return EXIT_FAILED
        if drift:
            _out(say("out_of_date", file=opts.checklist) + "\n")
            return EXIT_FAILED
        _out(say("complete", file=opts.checklist) + "\n")
        return 0
    if action == "update":
        merged, changed = cl.update(opts.checklist, opts.tender, catalogue, opts.on)
        summary = "; ".join(f"{k}: {', '.join(v)}" for k, v in changed.items() if v) or say("no_changes")
        done, total = merged.progress()
        _out(say("updated", file=opts.checklist, summary=summary, done=done, total=total) + "\n")
        return 0
    if action == "render":
        from inclusief_inkopen.base.files import atomic_write

        _not_an_input(opts.output, opts.checklist)
        checklist = cl.load(opts.checklist)
        if opts.format == "xlsx":
            from inclusief_inkopen.checklists.xlsx import write_xlsx

            write_xlsx(checklist, opts.output, opts.lang)
        else:
            from inclusief_inkopen.checklists.render import render_html, render_markdown

            text = render_html(checklist, opts.lang) if opts.format == "html" else render_markdown(checklist, opts.lang)
            atomic_write(opts.output, text)
        _out(f"{opts.output}\n")
        return 0
    from pathlib import Path

    from inclusief_inkopen.base.files import read_bytes
    from inclusief_inkopen.checklists.xlsx import read_xlsx

    sheet = Path(opts.sheet)
    checklist, raw = cl.read(opts.into)
    updated = read_xlsx(read_bytes(sheet), checklist, str(sheet))
    cl.save(updated, opts.into, read_as=raw)
    done, total = updated.progress()
    _out(say("updated", file=opts.into, summary="import-xlsx", done=done, total=total) + "\n")
    return 0


def _not_an_input(output: str, *inputs: str | None) -> None:
    """No command writes over one of its own inputs (``render c.yaml -o c.yaml`` would replace the checklist)."""
    import os

    from inclusief_inkopen.base.errors import InputError

    for given in inputs:
        if given and os.path.exists(output) and os.path.exists(given) and os.path.samefile(output, given):
            raise InputError.single(output, "", f"is also this command's input ({given}); write to another file")


def _write_or_print(text: str, output: str | None, what: str, inputs: tuple[str | None, ...] = ()) -> None:
    if output:
        _not_an_input(output, *inputs)
        from inclusief_inkopen.base.files import atomic_write

        atomic_write(output, text, backup=True)
        _err(f"{what}: {output}\n")
    else:
        _out(text)


def _is_notice(path: str) -> bool:
    """A notice file (eForms XML, or OCDS JSON) rather than a tender profile."""
    if path.lower().endswith(".xml"):
        return True
    if not path.lower().endswith(".json"):
        return False
    try:  # only the start is needed; the reader that follows reads the whole file and reports its errors
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(key in head for key in (b'"ocid"', b'"releases"', b'"records"'))


def cmd_import(args: argparse.Namespace) -> int:
    from inclusief_inkopen.notices.importing import import_notice, to_yaml

    imported = import_notice(args.notice)
    text = imported.model_dump_json(indent=2) + "\n" if args.format == "json" else to_yaml(imported, args.lang)
    _write_or_print(text, args.output, "tender profile", (args.notice,))
    return 0


def _draft_with_answers(path: str, args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The imported notice, and its draft profile with the buyer's answers (``--answers``) added."""
    from inclusief_inkopen.base.errors import TenderError
    from inclusief_inkopen.base.files import load_document
    from inclusief_inkopen.notices.importing import import_notice

    imported = import_notice(path)
    tender = dict(imported.tender)
    if args.answers:
        answers = load_document(args.answers)
        if not isinstance(answers, dict):
            raise TenderError.single(args.answers, "", "expected a mapping of tender fields")
        tender |= answers
    return imported, tender


def _advice_for(path: str, args: argparse.Namespace) -> tuple[Any, Any]:
    """The advice for a tender file, or for a notice once it is complete; and the notice, if it was one."""
    from inclusief_inkopen.advice.evaluate import evaluate
    from inclusief_inkopen.base.errors import TenderError
    from inclusief_inkopen.tender.profile import load_tender, parse_tender

    if not _is_notice(path):
        return evaluate(load_tender(path), _catalogue(args), on=args.on), None
    imported, tender = _draft_with_answers(path, args)
    if not all(k in tender for k in ("title", "nature", "estimated_value_eur")):
        missing = [k for k in ("title", "nature", "estimated_value_eur") if k not in tender]
        raise TenderError.single(
            path,
            ", ".join(missing),
            "the notice does not say this; answer it in a file given with --answers (see 'import' for the questions)",
        )
    profile = parse_tender(tender, f"{path} (with {args.answers})" if args.answers else path)
    return evaluate(profile, _catalogue(args), on=args.on), imported.notice


def cmd_export(args: argparse.Namespace) -> int:
    from inclusief_inkopen.notices import eforms, ocds

    advice, notice = _advice_for(args.tender, args)
    lots = args.lots
    if not lots and notice is not None:
        lots = [lot.id for lot in notice.lots if lot.scheme == "Lot" and not lot.implicit] or None
    if not lots and advice.tender.get("lots"):
        lots = [f"LOT-{n:04d}" for n in range(1, int(advice.tender["lots"]) + 1)]
    if args.format == "ocds":
        text = ocds.dumps(ocds.export_lots(advice, lots))
    elif args.format == "xml":
        text = eforms.lots_xml(eforms.export_values(advice, lots)).decode("utf-8")
    else:
        values = eforms.export_values(advice, lots)
        text = _json_text([v.model_dump() for v in values])
    _write_or_print(text, args.output, "eForms values", (args.tender, args.answers))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from inclusief_inkopen.base.errors import TenderError
    from inclusief_inkopen.notices.compare import assess, render_text
    from inclusief_inkopen.notices.regimes import advised_as
    from inclusief_inkopen.tender.profile import parse_tender

    if not _is_notice(args.notice):
        raise SystemExit("compare needs a notice (eForms XML or OCDS JSON), not a tender profile")
    imported, tender = _draft_with_answers(args.notice, args)
    if advised_as(imported.regime) is not None and "nature" not in tender:
        raise TenderError.single(
            args.notice,
            "nature",
            "the notice does not say this; answer it in a file given with --answers (see 'import' for the questions)",
        )
    if args.answers:  # the buyer's answers are checked against the profile, named by their file
        parse_tender(
            {"title": "?", "estimated_value_eur": 0} | tender, f"{args.notice} (with {args.answers})"
        )  # fmt: skip
    comparison, _ = assess(imported, _catalogue(args), on=args.on, tender=tender)
    if args.format == "json":
        _out(comparison.model_dump_json(indent=2) + "\n")
    else:
        _out(render_text(comparison, args.lang))
    return EXIT_FAILED if args.strict and comparison.required_gaps else 0


def cmd_scan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from inclusief_inkopen.base.files import atomic_write
    from inclusief_inkopen.notices.scan import (
        indicators,
        indicators_csv,
        mark_counted,
        notice_files,
        render_html,
        rows_csv,
        scan,
    )

    files = notice_files(args.paths)
    if not files:
        raise SystemExit("scan: no files found in " + ", ".join(args.paths))
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        from inclusief_inkopen.base.errors import InputError

        raise InputError.single(str(out), "", "is a file; scan -o names a folder for the report")
    out.mkdir(parents=True, exist_ok=True)
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        from inclusief_inkopen.notices.sources import kind_of

        # An archive holds an unknown number of notices until it has been read: then the bar only counts.
        total = None if any(kind_of(f.name) == "archive" for f in files) else len(files)
        bar = tqdm(total=total, unit="file", file=sys.stderr, disable=None, mininterval=0.5)
    try:
        rows = list(scan(args.paths, on=args.on, workers=args.workers, progress=bar.update if bar else None))
    finally:
        if bar:
            bar.close()
    found = mark_counted(rows)
    items = indicators(rows)
    atomic_write(out / "notices.csv", rows_csv(rows))
    atomic_write(out / "indicators.csv", indicators_csv(items))
    atomic_write(out / "report.html", render_html(rows, items, args.lang))
    kinds = ("ok", "gaps", "counted", "not-assessed", "error", "skipped")
    statuses = {s: sum(r.get("status") == s for r in rows) for s in kinds}
    summary = ", ".join(f"{n} {s}" for s, n in statuses.items() if n or s in ("ok", "gaps", "not-assessed", "error"))
    from_cn = sum(p.counted_kind == "contract-notice" for p in found)
    read = sum(r.get("status") != "skipped" for r in rows)
    _out(f"{read} notices from {len(files)} files: {summary}\n")
    _out(f"{len(found)} procedures, {from_cn} counted from their latest contract notice\n")
    for name in ("notices.csv", "indicators.csv", "report.html"):
        _out(f"  {out / name}\n")
    return 0


def _database_url(args: argparse.Namespace) -> str:
    import os

    from inclusief_inkopen.web.store import default_url

    url = args.database_url or os.environ.get("INCLUSIEF_INKOPEN_DATABASE_URL")
    return url or default_url(args.data_dir or os.environ.get("INCLUSIEF_INKOPEN_DATA") or "inclusief-inkopen-data")


def _web_extra(exc: ImportError) -> SystemExit:
    return SystemExit(f"serve needs the web extra: pip install 'inclusief-inkopen[web]' ({exc.name} is missing)")


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    try:
        import uvicorn

        from inclusief_inkopen.web.app import create_app, warm_up
        from inclusief_inkopen.web.contracts import keep_warm
        from inclusief_inkopen.web.server import options
        from inclusief_inkopen.web.signin import SetupError, SignIn
        from inclusief_inkopen.web.store import migrate
    except ImportError as exc:
        raise _web_extra(exc) from None
    url = _database_url(args)
    given = {"user_header": args.user_header, "name_header": args.name_header, "groups_header": args.groups_header}
    if args.trusted_proxy:
        given["trusted_proxies"] = args.trusted_proxy
    if args.roles:
        given["roles_file"] = args.roles
    try:
        sign_in = SignIn.from_environment(**given)
        sign_in.check_bind(args.host, bool(args.trusted_proxy or os.environ.get("INCLUSIEF_INKOPEN_TRUSTED_PROXIES")))
    except SetupError as exc:
        raise SystemExit(f"serve: {exc}") from None
    shown = url.split("@")[-1] if "@" in url else url  # never print a password from a connection URL
    if args.workers < 1:
        raise SystemExit("serve: --workers must be 1 or more")
    how = {"oidc": f"sign-in: {sign_in.issuer}", "proxy": f"sign-in: header {sign_in.user_header}"}.get(
        sign_in.mode, "single user, this computer only"
    )
    if args.workers == 1:
        app = create_app(url, sign_in=sign_in)
        warm_up()
        keep_warm(app.state.store)  # the dashboard's ratings, kept fresh in the background
        _out(f"inclusief-inkopen {__version__}: http://{args.host}:{args.port}/ (database: {shown}; {how})\n")
        uvicorn.run(app, **options(args.host, args.port))
        return 0
    # Worker processes each build the app from the environment; the schema is migrated once, here, first.
    migrate(url)
    os.environ["INCLUSIEF_INKOPEN_DATABASE_URL"] = url
    for name, value in given.items():
        if value:
            os.environ[f"INCLUSIEF_INKOPEN_{name.upper()}"] = ",".join(value) if isinstance(value, list) else value
    where = f"http://{args.host}:{args.port}/"
    _out(f"inclusief-inkopen {__version__}: {where} ({args.workers} workers, database: {shown}; {how})\n")
    uvicorn.run(
        "inclusief_inkopen.web.app:app_from_environment",
        factory=True,
        workers=args.workers,
        **options(args.host, args.port),
    )
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    """After the award: a contract from a complete checklist, reports on its commitments, status and what is due."""
    import getpass

    from inclusief_inkopen.checklists import checklist as cl
    from inclusief_inkopen.contracts import contract as ct
    from inclusief_inkopen.contracts.ratings import overview

    if args.action == "new":
        offers = {}
        for given in args.offer or []:
            item_id, sep, amount = given.partition("=")
            if not sep:
                raise ct.ContractError.single("--offer", given, "expected CRITERION=7% or CRITERION=35000")
            offers[item_id.strip().upper()] = ct.Offer.parse(amount, f"--offer {given}")
        made = ct.from_checklist(
            cl.load(args.checklist),
            supplier=args.supplier,
            start=args.start,
            end=args.end,
            value_eur=args.value,
            awarded_on=args.awarded,
            delivery=args.delivery,
            offers=offers,
            department=args.department,
            catalogue=_catalogue(args),
            file=args.checklist,
        )
        ct.save(made, args.output)
        with_kpi = sum(c.kpi is not None for c in made.commitments)
        _out(f"{args.output}: {len(made.commitments)} commitments, {with_kpi} with a KPI\n")
        return 0
    contract = ct.load(args.contract)
    on = args.on or dt.date.today()
    if args.action == "report":
        evidence = []
        for given in args.evidence or []:
            kind, sep, path = given.partition("=")
            evidence.append(ct.evidence_file(kind, path) if sep else ct.EvidenceFile(kind=kind))  # type: ignore[arg-type]
        updated = ct.add_report(
            contract,
            args.commitment,
            on=on,
            by=args.by or getpass.getuser(),
            value=args.value,
            evidence=evidence,
            note=args.note,
            waived=args.waive,
            file=args.contract,
        )
        ct.save(updated, args.contract)
        _out(f"{args.contract}: {updated.reports[-1].id} for {args.commitment} on {on.isoformat()}\n")
        return 0
    view = overview(contract, on)
    if args.format == "json":
        data = view.to_data(args.lang)
        if args.action == "due":
            data = {k: data[k] for k in ("format", "contract", "on", "due")}
        _out(_json_text(data))
        return 0
    lang = args.lang or "nl"
    if args.action == "status":
        for s in view.statuses:
            _out(f"{s.commitment:<22} {s.rating or '-':<21} {s.because.get(lang)}\n")
            if s.remedy:
                _out(f"{'':<22} {'':<21} → {s.remedy.get(lang)}\n")
    for d in view.due:
        if d.state in ("due", "overdue") or (
            args.action == "due" and d.state == "later" and (d.due_on - on).days <= args.within
        ):
            _out(f"{d.due_on.isoformat()}  {d.state:<8} {d.commitment} ({d.moment})\n")
    return 0


def cmd_store(args: argparse.Namespace) -> int:
    """Back up the web app's store as one archive, or restore one into an empty database."""
    try:
        from inclusief_inkopen.web.store import Store
    except ImportError as exc:
        raise _web_extra(exc) from None
    store = Store(_database_url(args))
    counts = (store.export_archive if args.action == "export" else store.import_archive)(args.archive)
    summary = ", ".join(f"{n} {table}" for table, n in counts.items())
    _out(f"{args.archive}: {summary}\n")
    return 0


class _Version(argparse.Action):
    """``--version`` names the built-in catalogue too: advice depends on both."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from inclusief_inkopen.base.files import load_document
        from inclusief_inkopen.rules.loader import builtin_catalogue_dir

        info = load_document(builtin_catalogue_dir() / "catalogue.yaml")
        _out(f"inclusief-inkopen {__version__} (catalogus {info.get('name')} {info.get('version')})\n")
        parser.exit()


# The published schemas by name (tests hold this to authoring.schema.schemas()); listed here so that the help
# shows them without building any.
SCHEMA_NAMES = (
    "tender-profile",
    "criterion",
    "theme-file",
    "parameter",
    "sources",
    "code-list",
    "checklist",
    "catalogue",
    "layer",
    "advice",
    "contract",
    "contract-status",
)


# Every command by the names it is called by (tests hold this to the parser's).
COMMANDS = (
    "advies",
    "advice",
    "criteria",
    "serve",
    "contract",
    "store",
    "validate",
    "test-rules",
    "diff",
    "checklist",
    "import",
    "export",
    "compare",
    "scan",
    "schema",
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line's parser; with ``command`` (one of ``COMMANDS``) only that command's, which parses
    that command's arguments the same way. Building every command's took a tenth of the start of ``advies``."""
    from typing import get_args

    from inclusief_inkopen.rules.catalogue import Kind, Phase, Status, Theme

    parser = argparse.ArgumentParser(
        prog="inclusief-inkopen",
        description="Inclusie, diversiteit en toegankelijkheid in inkoop en aanbesteding: advies per opdracht.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="the engine's version and the built-in catalogue's, and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def wanted(*names: str) -> bool:
        return command is None or command in names

    def catalogue_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--catalogue", metavar="DIR", help="catalogue folder (default: the built-in one)")
        p.add_argument("--layer", metavar="DIR", action="append", help="organisation layer over the catalogue")

    if wanted("advies", "advice"):
        p = sub.add_parser("advies", aliases=["advice"], help="advice for one tender (the main job)")
        p.add_argument("tender", metavar="TENDER_FILE", help="tender profile, YAML or JSON")
        p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
        p.add_argument(
            "--lang", choices=["nl", "en"], help="language of the advice (default nl; JSON: both unless one is given)"
        )
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="date the rules are taken on")
        p.add_argument("-v", "--verbose", action="store_true", help="show wording, verification and notes")
        catalogue_options(p)
        p.set_defaults(func=cmd_advies)

    if wanted("criteria"):
        p = sub.add_parser("criteria", help="list the catalogue, or 'criteria show ID'")
        p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
        p.add_argument("id", nargs="?")
        p.add_argument(
            "--search", metavar="WORDS", help="words in the title or wording, Dutch or English (all must occur)"
        )
        p.add_argument("--theme", choices=get_args(Theme))
        p.add_argument("--kind", choices=get_args(Kind))
        p.add_argument("--status", choices=get_args(Status))
        p.add_argument("--phase", choices=get_args(Phase))
        p.add_argument("--ambition", type=int, choices=[1, 2, 3])
        p.add_argument(
            "--product-group",
            metavar="GROUP",
            help="only the criteria written for this product group (e.g. pupil-transport)",
        )
        p.add_argument("--lang", choices=["nl", "en"], default="nl")
        catalogue_options(p)
        p.set_defaults(func=cmd_criteria)

    if wanted("serve"):
        p = sub.add_parser("serve", help="the web app and HTTP API (needs the web extra)")
        p.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
        )
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--data-dir", metavar="DIR", help="folder for the SQLite database (or INCLUSIEF_INKOPEN_DATA)")
        p.add_argument(
            "--database-url", metavar="URL", help="e.g. postgresql+psycopg://… (or INCLUSIEF_INKOPEN_DATABASE_URL)"
        )
        p.add_argument(
            "--user-header",
            metavar="NAME",
            help="header a trusted reverse proxy sets to the signed-in user (or INCLUSIEF_INKOPEN_USER_HEADER); "
            "OpenID Connect instead: INCLUSIEF_INKOPEN_OIDC_ISSUER, _OIDC_CLIENT_ID, _OIDC_CLIENT_SECRET",
        )
        p.add_argument(
            "--groups-header",
            metavar="NAME",
            help="header with the user's groups, comma-separated (with --user-header)",
        )
        p.add_argument("--name-header", metavar="NAME", help="header with the user's full name (with --user-header)")
        p.add_argument(
            "--roles",
            metavar="FILE",
            help="YAML file mapping the identity provider's groups to roles and departments "
            "(or INCLUSIEF_INKOPEN_ROLES_FILE)",
        )
        p.add_argument(
            "--trusted-proxy",
            metavar="ADDRESS",
            action="append",
            help="address of the proxy allowed to send those headers (repeatable; default 127.0.0.1 and ::1)",
        )
        p.add_argument("--workers", type=int, default=1, help="worker processes (one per core serves most requests)")
        p.set_defaults(func=cmd_serve)

    if wanted("contract"):
        p = sub.add_parser("contract", help="after the award: contract new|report|status|due")
        contract_sub = p.add_subparsers(dest="action", required=True)
        c = contract_sub.add_parser("new", help="a contract from a complete checklist: its commitments with their KPIs")
        c.add_argument("checklist", metavar="CHECKLIST.yaml")
        c.add_argument("--supplier", required=True, help="the organisation awarded the contract")
        c.add_argument("--start", type=_date, required=True, metavar="YYYY-MM-DD")
        c.add_argument("--end", type=_date, required=True, metavar="YYYY-MM-DD")
        c.add_argument("--value", type=float, required=True, metavar="EUR", help="the awarded value in euro")
        c.add_argument("--awarded", type=_date, metavar="YYYY-MM-DD", help="the award date (default: the start)")
        c.add_argument("--delivery", type=_date, metavar="YYYY-MM-DD", help="the delivery date (default: the end)")
        c.add_argument(
            "--offer", action="append", metavar="ID=7%", help="what the supplier offered on an award criterion"
        )
        c.add_argument("--department", help="the department the contract belongs to")
        c.add_argument("-o", "--output", required=True, metavar="CONTRACT.yaml")
        catalogue_options(c)
        c.set_defaults(func=cmd_contract)
        c = contract_sub.add_parser("report", help="a report on one commitment: value, evidence, note")
        c.add_argument("contract", metavar="CONTRACT.yaml")
        c.add_argument("--commitment", required=True, metavar="ID")
        c.add_argument("--value", help="an amount in euro, a count, a status A-E, or yes/no")
        c.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="the report's date (default today)")
        c.add_argument(
            "--evidence", action="append", metavar="KIND[=FILE]", help="evidence kind, with the file to hash"
        )
        c.add_argument("--note", help="a note (never personal data)")
        c.add_argument("--waive", metavar="REASON", help="set the commitment aside, with the reason")
        c.add_argument("--by", help="who enters it (default: this computer's user)")
        c.set_defaults(func=cmd_contract)
        for action, what in (("status", "each commitment's rating and why"), ("due", "what is due and overdue")):
            c = contract_sub.add_parser(action, help=what)
            c.add_argument("contract", metavar="CONTRACT.yaml")
            c.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="the date (default today)")
            c.add_argument("--format", choices=["text", "json"], default="text")
            c.add_argument("--lang", choices=["nl", "en"])
            c.add_argument("--within", type=int, default=31, metavar="DAYS", help="due: also what falls due within")
            c.set_defaults(func=cmd_contract)

    if wanted("store"):
        p = sub.add_parser(
            "store", help="back up the web app's store as one archive, or restore it (needs the web extra)"
        )
        p.add_argument(
            "action", choices=["export", "import"], help="export: write the archive; import: into an empty store"
        )
        p.add_argument("archive", metavar="FILE", help="the archive (.zip)")
        p.add_argument("--data-dir", metavar="DIR", help="folder of the SQLite database (or INCLUSIEF_INKOPEN_DATA)")
        p.add_argument(
            "--database-url", metavar="URL", help="e.g. postgresql+psycopg://… (or INCLUSIEF_INKOPEN_DATABASE_URL)"
        )
        p.set_defaults(func=cmd_store)

    if wanted("validate"):
        p = sub.add_parser("validate", help="validate a catalogue folder, with freshness checks")
        p.add_argument("dir", nargs="?", help="catalogue folder (default: the built-in one)")
        p.add_argument("--layer", metavar="DIR", action="append")
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="report what changes within 30 days of this date")
        p.set_defaults(func=cmd_validate)

    if wanted("test-rules"):
        p = sub.add_parser("test-rules", help="run the test cases kept beside the rules")
        p.add_argument("dir", nargs="?", help="catalogue folder (default: the built-in one)")
        p.add_argument("--layer", metavar="DIR", action="append")
        p.add_argument("-v", "--verbose", action="store_true")
        p.add_argument(
            "--coverage", action="store_true", help="report per criterion and branch what the tests exercise"
        )
        p.set_defaults(func=cmd_test_rules)

    if wanted("diff"):
        p = sub.add_parser("diff", help="what changed between two catalogue folders, and in the advice")
        p.add_argument("old", metavar="OLD_DIR")
        p.add_argument("new", metavar="NEW_DIR")
        p.add_argument("--tenders", metavar="DIR", help="tenders to compare the advice on (default: examples/)")
        p.set_defaults(func=cmd_diff)

    if wanted("checklist"):
        p = sub.add_parser(
            "checklist",
            help="checklist per tender: make, check, update, render (html, markdown, xlsx), import-xlsx",
            description=CHECKLIST_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            add_help=False,
        )
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=cmd_checklist)

    if wanted("import"):
        p = sub.add_parser("import", help="draft tender profile from an eForms notice (XML) or OCDS release (JSON)")
        p.add_argument("notice", metavar="NOTICE", help="eForms XML, or OCDS release, record or package JSON")
        p.add_argument("-o", "--output", metavar="TENDER.yaml", help="write here (atomically) instead of printing")
        p.add_argument("--format", choices=["yaml", "json"], default="yaml")
        p.add_argument("--lang", choices=["nl", "en"], default="nl")
        p.set_defaults(func=cmd_import)

    def notice_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--answers", metavar="FILE", help="tender fields the notice cannot tell (YAML or JSON)")
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="date the rules are taken on")
        catalogue_options(p)

    if wanted("export"):
        p = sub.add_parser("export", help="the advice's eForms values per lot (BT ids, codes), or as OCDS or XML")
        p.add_argument("tender", metavar="TENDER_OR_NOTICE")
        p.add_argument("--lots", nargs="+", metavar="LOT_ID", help="lot ids (default: from the notice, or LOT-0001 …)")
        p.add_argument("--format", choices=["json", "ocds", "xml"], default="json")
        p.add_argument("-o", "--output", metavar="FILE")
        notice_options(p)
        p.set_defaults(func=cmd_export)

    if wanted("compare"):
        p = sub.add_parser("compare", help="what a notice declares beside what the advice says it should declare")
        p.add_argument("notice", metavar="NOTICE")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--lang", choices=["nl", "en"], default="nl")
        p.add_argument("--strict", action="store_true", help="exit 1 when a required value is missing")
        notice_options(p)
        p.set_defaults(func=cmd_compare)

    if wanted("scan"):
        p = sub.add_parser("scan", help="compare many notices and report indicators (CSV and HTML)")
        p.add_argument("paths", nargs="+", metavar="DIR_OR_FILE")
        p.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="REPORT_DIR",
            help="folder for notices.csv, indicators.csv, report.html",
        )
        p.add_argument(
            "--on",
            type=_scan_date,
            metavar="YYYY-MM-DD|issued",
            help="date the rules are taken on (default: today); 'issued': each notice on the date it was sent (BT-05)",
        )
        p.add_argument("--workers", type=int, default=1, help="processes to use; 0 means all cores")
        p.add_argument("--lang", choices=["nl", "en"], default="nl")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        p.set_defaults(func=cmd_scan)

    if wanted("schema"):
        p = sub.add_parser("schema", help="print a published JSON Schema (tender, criterion, advice …)")
        p.add_argument("name", choices=SCHEMA_NAMES, metavar="NAME", help=f"one of: {', '.join(SCHEMA_NAMES)}")
        p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["checklist"] and argv[1:2] in (["-h"], ["--help"]):  # argparse keeps these from the sub-actions
        _out(CHECKLIST_HELP + "\n")
        return 0
    # A known command first: only its parser is built. Anything else (help, a typo, no command) gets the whole
    # parser, whose help and errors list every command.
    parser = build_parser(argv[0] if argv[:1] and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    # --lang given on the command line is the language of the messages too (base.messages); else the locale's.
    asked = getattr(args, "lang", None) if any(a == "--lang" or a.startswith("--lang=") for a in argv) else None
    before = os.environ.get("INCLUSIEF_INKOPEN_LANG")
    if asked:
        os.environ["INCLUSIEF_INKOPEN_LANG"] = asked
    try:
        code: int = args.func(args)
        return code
    except InclusiefInkopenError as exc:
        label = say("error")
        _err(f"{label}:\n{exc}\n" if "\n" in str(exc) else f"{label}: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        return 0
    except KeyboardInterrupt:
        _err("interrupted; files already written are whole, nothing was half-written\n")
        return EXIT_INTERRUPTED
    except OSError as exc:  # a full disk, a read-only or missing folder, a folder where a file was expected
        where = exc.filename if exc.filename is not None else "output"
        _err(f"{say('error')}: {where}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    finally:
        if asked:
            if before is None:
                os.environ.pop("INCLUSIEF_INKOPEN_LANG", None)
            else:
                os.environ["INCLUSIEF_INKOPEN_LANG"] = before


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
