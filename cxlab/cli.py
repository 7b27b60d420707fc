"""Command line: ``cxlab demo | import | wave | actions | run-wave | export | metrics | dashboard``.

Every command prints what it did and where; a failure the user can fix is a
:class:`cxlab.errors.CxlabError`, printed as one line (file, row, column; or
notebook and cell) before exiting with status 2.  Anything else is a bug and
keeps its traceback.

Examples
--------
::

    cxlab demo
    cxlab wave plan --workspace workspaces/demo --wave 2026-Q4 --config wave.yaml
    cxlab wave send --workspace workspaces/demo --wave 2026-Q4
    cxlab wave status --workspace workspaces/demo --wave 2026-Q4
    cxlab actions create --workspace workspaces/demo --wave 2026-Q3
    cxlab actions update --workspace workspaces/demo A0004 --status done
    cxlab import --workspace workspaces/demo --wave 2026-Q4 responses.csv
    cxlab run-wave --workspace workspaces/demo --wave 2026-Q3 --lang en
    cxlab export --workspace workspaces/demo --format parquet --out out/
    cxlab dashboard --workspace workspaces/demo --lang en     # prints http://127.0.0.1:8866/?token=...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cxlab.errors import CxlabError, InputError, Problem

__all__ = ["main"]


def _cmd_demo(args) -> int:
    from cxlab.demo import build_demo
    from cxlab.pipeline import run_wave

    ws = build_demo(args.workspace, seed=args.seed, progress=not args.quiet)
    print(
        f"demo workspace: {ws.path} ({len(ws.clients())} clients, {len(ws.responses())} responses, "
        f"waves {', '.join(ws.wave_ids())})"
    )
    if args.no_run:
        return 0
    run = run_wave(ws, args.wave, lang=args.lang, min_n=args.min_n, reports_root=args.reports, progress=not args.quiet)
    print(run)
    html = run.output_dir / "wave_report.html"
    print(f"open the report: {html}")
    print(f"executive dashboard in a browser: cxlab dashboard --workspace {ws.path}")
    return 0


def _read_mapping(path: str) -> dict | None:
    """The ``--mapping`` YAML file (file column -> canonical field); an :class:`InputError` naming the file."""
    import yaml

    headline = "the mapping cannot be read; nothing was loaded"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot read the file: {exc.strerror}"
        raise InputError(Problem(path, None, None, reason), headline=headline) from None
    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError(
            Problem(path, row, None, f"not valid YAML: {getattr(exc, 'problem', exc)}"), headline=headline
        ) from None
    if mapping is not None and not isinstance(mapping, dict):
        raise InputError(
            Problem(path, None, None, "a mapping is 'file column: canonical field' lines"), headline=headline
        )
    return mapping


def _cmd_import(args) -> int:
    from cxlab.store import Workspace

    ws = Workspace(args.workspace)
    mapping = _read_mapping(args.mapping) if args.mapping else None
    status = 0
    for file in args.files:
        report = ws.import_wave(
            file,
            args.wave,
            mapping=mapping,
            tool=args.tool,
            questionnaire=args.questionnaire,
            errors="raise" if args.strict else "report",
        )
        print(report)
        if report.matched:
            print("  respondents found by: " + ", ".join(f"{k} {v}" for k, v in report.matched.items()))
        for msg in report.messages[1 if report.already_imported else 0 :]:
            print(f"  {msg}")
        if report.refused:
            # Partial imports exit 1, so that a script notices someone should look.
            status = 1
            print(f"  refused ({len(report.refused)}):")
            for problem in report.refused:
                print(f"    {problem}")
    return status


def _cmd_run_wave(args) -> int:
    from cxlab.pipeline import run_wave

    run = run_wave(
        args.workspace,
        args.wave,
        lang=args.lang,
        min_n=args.min_n,
        reports_root=args.reports,
        timeout=args.cell_timeout,
        progress=not args.quiet,
    )
    print(run)
    return 0


def _cmd_export(args) -> int:
    from cxlab.export import export_tables
    from cxlab.store import Workspace

    ws = Workspace(args.workspace)
    out = Path(args.out or Path("exports") / ws.name)
    paths = export_tables(ws, out, fmt=args.format, wave=args.wave, include_pii=args.include_pii)
    print(f"exported {len(paths)} file(s){' with contact PII' if args.include_pii else ' (no contact PII)'}:")
    for p in paths:
        print(f"  {p}")
    return 0


def _cmd_metrics(args) -> int:
    """Headline figures of a wave as JSON (for scripts)."""
    from cxlab.store import Workspace
    from cxlab.summary import SurveyData, summarize_wave

    ws = Workspace(args.workspace)
    wave = args.wave or ws.latest_wave()
    summary = summarize_wave(SurveyData.from_workspace(ws), wave, min_n=args.min_n)
    print(json.dumps(summary.to_json()["headline"], ensure_ascii=False, indent=2))
    return 0


def _cmd_dashboard(args) -> int:
    from cxlab.serve import serve_dashboard

    return serve_dashboard(
        args.workspace, port=args.port, host=args.host, token_file=args.token_file, min_n=args.min_n, lang=args.lang
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cxlab", description="Client-experience workbench: CSI, CSAT, NPS with intervals, per-wave reports."
    )
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="build the demo workspace from the simulator and run the latest wave")
    d.add_argument("--workspace", default="workspaces/demo")
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--wave", default=None, help="default: the latest wave")
    d.add_argument("--lang", choices=("ru", "en"), default="ru")
    d.add_argument("--min-n", type=int, default=10)
    d.add_argument("--reports", default="reports")
    d.add_argument("--no-run", action="store_true", help="only build the workspace")
    d.add_argument("--quiet", action="store_true")
    d.set_defaults(func=_cmd_demo)

    i = sub.add_parser("import", help="import survey exports into a wave (one transaction per file)")
    i.add_argument("--workspace", required=True)
    i.add_argument("--wave", default=None)
    i.add_argument(
        "--tool",
        default="auto",
        help="auto (default), google_forms, yandex_forms, surveymonkey, qualtrics, limesurvey, cxlab or generic",
    )
    i.add_argument("--mapping", default=None, help="YAML file: file column -> canonical field")
    i.add_argument("--questionnaire", default=None, help="template id or YAML file (default: the wave's)")
    i.add_argument(
        "--strict",
        action="store_true",
        help="refuse the whole file on any bad cell or row (default: load the rest, list refusals, exit 1)",
    )
    i.add_argument("files", nargs="+")
    i.set_defaults(func=_cmd_import)

    r = sub.add_parser("run-wave", help="execute the wave report: HTML, Excel pack, metrics.json, figures")
    r.add_argument("--workspace", required=True)
    r.add_argument("--wave", default=None, help="default: the latest wave with responses")
    r.add_argument("--lang", choices=("ru", "en"), default="ru")
    r.add_argument("--min-n", type=int, default=10)
    r.add_argument("--reports", default="reports")
    r.add_argument("--cell-timeout", type=int, default=600, help="seconds a notebook cell may run")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=_cmd_run_wave)

    e = sub.add_parser("export", help="write the canonical tables as csv, parquet or xlsx")
    e.add_argument("--workspace", required=True)
    e.add_argument("--format", choices=("csv", "parquet", "xlsx"), default="csv")
    e.add_argument("--wave", default=None)
    e.add_argument("--out", default=None, help="default: exports/<workspace>")
    e.add_argument("--include-pii", action="store_true", help="keep contact names, e-mails and phones")
    e.set_defaults(func=_cmd_export)

    from cxlab.fieldwork.cli import add_wave_parser

    add_wave_parser(sub)
    from cxlab.risk.cli import add_actions_parser

    add_actions_parser(sub)

    m = sub.add_parser("metrics", help="print a wave's headline figures as JSON")
    m.add_argument("--workspace", required=True)
    m.add_argument("--wave", default=None)
    m.add_argument("--min-n", type=int, default=10)
    m.set_defaults(func=_cmd_metrics)

    b = sub.add_parser(
        "dashboard",
        help="serve the executive dashboard (Voila) for one workspace, with a token",
        description="Serve notebooks/dashboard.ipynb with Voila for one workspace. The token is "
        "$CXLAB_DASHBOARD_TOKEN, else the one in --token-file, else a new one; the URL with it is "
        "printed. There is no --token option: command lines are visible to every user.",
    )
    b.add_argument("--workspace", required=True)
    b.add_argument("--port", type=int, default=8866)
    b.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    b.add_argument(
        "--token-file", default=None, help="file with the token on its first line (or YAML with dashboard_token:)"
    )
    b.add_argument("--min-n", type=int, default=10, help="smallest group shown")
    b.add_argument("--lang", choices=("ru", "en"), default=None, help="default: the workspace's language")
    b.set_defaults(func=_cmd_dashboard)
    return p


def main(argv=None) -> int:
    """Run a command; a :class:`CxlabError` prints one line on stderr and gives its exit code (2).

    Anything else is a bug and keeps its traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CxlabError as exc:
        print(f"cxlab {args.command}: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
