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
import errno
import json
import os
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
    # Every wave's churn scores, matrices and coded comments, so that the dashboard's first view reads them.
    _derive(ws, quiet=args.quiet)
    html = run.output_dir / "wave_report.html"
    print(f"open the report: {html}")
    print(f"executive dashboard in a browser: cxlab dashboard --workspace {ws.path}")
    return 0


def _read_mapping(path: str) -> dict | None:
    """The ``--mapping`` YAML file (file column -> canonical field); an :class:`InputError` naming the file.

    Every entry must be ``column: field`` with two plain values: a list, a
    nested mapping, an empty field or a column named twice is refused with
    the file and line, before anything is read or stored.
    """
    import yaml

    headline = "the mapping cannot be read; nothing was loaded"

    def refuse(reason: str, line: int | None = None) -> InputError:
        return InputError(Problem(path, line, None, reason), headline=headline)

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot read the file: {exc.strerror}"
        raise refuse(reason) from None
    try:
        yaml.safe_load(text)  # refuses tags safe_load does not know (!!python/...) before anything else
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # the same document with line numbers
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise refuse(f"not valid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return None
    shapes = {yaml.SequenceNode: "a list", yaml.MappingNode: "a nested mapping", yaml.ScalarNode: "a single value"}
    if not isinstance(root, yaml.MappingNode):
        raise refuse(
            f"a mapping is 'file column: canonical field' lines, not {shapes[type(root)]}", root.start_mark.line + 1
        )
    mapping: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":null"):
            raise refuse("a file column must be a name, not " + shapes.get(type(key), "empty"), line)
        if not isinstance(value, yaml.ScalarNode):
            raise refuse(
                f"column '{key.value}' must map to one field name (nps, overall, client_id, ...), "
                f"not {shapes[type(value)]}",
                value.start_mark.line + 1,
            )
        if value.tag.endswith(":null") or not value.value.strip():
            raise refuse(f"column '{key.value}' has no field; give one, or 'ignore'", line)
        if key.value in mapping:
            raise refuse(f"column '{key.value}' is mapped twice (first on line {lines[key.value]})", line)
        mapping[key.value], lines[key.value] = value.value.strip(), line
    return mapping


def _cmd_import(args) -> int:
    from cxlab.store import Workspace

    ws = Workspace(args.workspace)
    mapping = _read_mapping(args.mapping) if args.mapping else None
    limits = _import_limits(ws, args)
    status = 0
    written = False  # --problems-file is started by the first file with refusals, added to by the next
    changed = False  # any file that changed the data: derived results are computed again
    for file in args.files:
        report = ws.import_wave(
            file,
            args.wave,
            mapping=mapping,
            tool=args.tool,
            questionnaire=args.questionnaire,
            errors="raise" if args.strict else "report",
            limits=limits,
            encoding=args.encoding,
            replace=args.replace,
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
            for problem in report.refused[:_SHOWN_PROBLEMS]:
                print(f"    {problem}")
            listed = _write_problems(report, ws, args.problems_file, first=not written)
            written = written or listed is not None
            more = len(report.refused) - _SHOWN_PROBLEMS
            if more > 0:
                print(f"    ... and {more:,} more; " + (f"all in {listed}" if listed else "the full list not written"))
            elif listed:
                print(f"    listed in {listed}")
        changed = changed or report.rows_loaded > 0 or report.rows_replaced > 0
    # After the imports' transactions committed, never inside one: a failure here leaves the data imported.
    if changed and not args.no_derive:
        _derive(ws, quiet=False)
    return status


def _derive(workspace, *, waves=None, quiet: bool = False) -> bool:
    """Store what the dashboard reads (churn scores, matrices, coded comments); one line said, never raised."""
    from cxlab.present.derived_results import derive

    try:
        summary = derive(workspace, waves=waves, progress=not quiet)
    except KeyboardInterrupt:  # what was derived is stored; the rest is computed when shown
        print("derived results interrupted: the dashboard computes the missing ones when shown")
        return False
    except Exception as exc:  # the data stand; the dashboard computes what is missing when shown
        print(f"derived results not stored ({type(exc).__name__}: {exc}); the dashboard computes them when shown")
        return False
    print(summary)
    return not summary.failed


def _cmd_derive(args) -> int:
    from cxlab.store import Workspace

    return 0 if _derive(Workspace(args.workspace), waves=args.waves, quiet=args.quiet) else 1


#: Refusals printed on the terminal for each file; the full list goes to a file (200,000 lines would not help).
_SHOWN_PROBLEMS = 20


def _write_problems(report, ws, problems_file: str | None, *, first: bool) -> Path | None:
    """Write every refusal of an import as CSV (file, row, column, reason); the path, or None when not written.

    Written to ``--problems-file`` (one file for all the command's files) or,
    when the terminal shows only the first refusals, to
    ``<workspace>/refusals/<import id>.csv``.  Text is neutralised like every
    CSV cxlab writes (a reason may quote a cell that starts with ``=``).
    """
    from cxlab.safe_text import safe_frame

    if problems_file:
        path, mode = Path(problems_file), "w" if first else "a"
    elif len(report.refused) > _SHOWN_PROBLEMS:
        path, mode = ws.path / "refusals" / f"{report.import_id or 'import'}.csv", "w"
    else:
        return None
    frame = safe_frame(report.refused_frame())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # CRLF rows, as every CSV cxlab writes: a bare CR inside a quoted cell then cannot end a row.
        frame.to_csv(path, mode=mode, header=mode == "w", index=False, encoding="utf-8", lineterminator="\r\n")
    except OSError as exc:
        print(f"    cannot write the list of refusals to {path}: {exc.strerror}")
        return None
    return path


def _import_limits(ws, args):
    """The defaults, then the workspace's ``import_limits``, then the ``--max-...`` options."""
    from cxlab.ingest.limits import Limits

    return Limits.from_settings(ws.meta).with_overrides(
        max_file_mb=args.max_file_mb,
        max_cell_chars=args.max_cell_chars,
        max_columns=args.max_columns,
        max_rows=args.max_rows,
    )


def _cmd_repair(args) -> int:
    """Clean stored text: control characters out, over-long cells cut; one transaction."""
    from cxlab.store import Workspace
    from cxlab.store.repair import repair_workspace

    ws = Workspace(args.workspace)
    print(repair_workspace(ws, max_cell_chars=_import_limits(ws, args).max_cell_chars, dry_run=args.dry_run))
    return 0


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
    paths = export_tables(ws, out, fmt=args.format, wave=args.wave, include_pii=args.include_pii, raw=args.raw)
    pii = " with contact PII" if args.include_pii else " (no contact PII; e-mails, phones and names in text masked)"
    print(f"exported {len(paths)} file(s){pii}{'; formula-like text as stored (--raw)' if args.raw else ''}:")
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
        args.workspace,
        port=args.port,
        host=args.host,
        token_file=args.token_file,
        min_n=args.min_n,
        lang=args.lang,
        max_kernels=args.max_kernels,
        preheat=args.preheat,
    )


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--max-...``: this run's import limits (default: workspace.json's import_limits, else cxlab's)."""
    parser.add_argument("--max-file-mb", type=float, default=None, help="refuse larger files (default 100)")
    parser.add_argument("--max-cell-chars", type=int, default=None, help="cut longer cells (default 10000)")
    parser.add_argument("--max-columns", type=int, default=None, help="refuse wider files (default 2000)")
    parser.add_argument("--max-rows", type=int, default=None, help="refuse longer files (default 500000)")


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
    _add_limit_options(i)
    i.add_argument(
        "--problems-file",
        default=None,
        metavar="CSV",
        help=f"write every refusal here (file, row, column, reason); without it, a file with more than "
        f"{_SHOWN_PROBLEMS} refusals lists them all in <workspace>/refusals/",
    )
    i.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="codec of a CSV file (koi8_r, latin_1, shift_jis, ...); default: decided by evidence (UTF-8, "
        "UTF-16, Russian cp1251), and a file that is not clearly one encoding is refused with the candidates",
    )
    i.add_argument(
        "--replace",
        action="store_true",
        help="correct responses stored wrong: responses of the file already stored in the wave with other "
        "content are replaced (default: refused); one transaction, an audit row in imports",
    )
    i.add_argument(
        "--no-derive",
        action="store_true",
        help="do not compute the derived results the dashboard reads (churn scores, matrices, coded "
        "comments); it then computes them when first shown, or run `cxlab derive`",
    )
    i.add_argument("files", nargs="+")
    i.set_defaults(func=_cmd_import)

    dv = sub.add_parser(
        "derive",
        help="compute and store the dashboard's slow results (churn scores, matrices, coded comments)",
    )
    dv.add_argument("--workspace", required=True)
    dv.add_argument("--wave", dest="waves", default=None, action="append", help="only this wave (repeatable)")
    dv.add_argument("--quiet", action="store_true")
    dv.set_defaults(func=_cmd_derive)

    fix = sub.add_parser(
        "repair",
        help="clean stored text: remove control characters, cut cells over the length limit (one transaction)",
    )
    fix.add_argument("--workspace", required=True)
    fix.add_argument("--dry-run", action="store_true", help="only say what would change")
    fix.add_argument(
        "--max-cell-chars", type=int, default=None, help="cut longer text (default: import_limits, else 10000)"
    )
    fix.set_defaults(func=_cmd_repair, max_file_mb=None, max_columns=None, max_rows=None)

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
    e.add_argument(
        "--include-pii",
        action="store_true",
        help="keep contact names, e-mails and phones, and the comments and notes unmasked",
    )
    e.add_argument(
        "--raw",
        action="store_true",
        help="write text that starts with = + - @ (a spreadsheet formula) as stored, without the leading '",
    )
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
        "printed. There is no --token option: command lines are visible to every user. A token may hold "
        "only A-Z a-z 0-9 - . _ ~. A closed page's kernel is shut down (or culled within two minutes); "
        "Ctrl-C or SIGTERM stops the server and all its kernels.",
    )
    b.add_argument("--workspace", required=True)
    b.add_argument("--port", type=int, default=8866)
    b.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    b.add_argument(
        "--token-file", default=None, help="file with the token on its first line (or YAML with dashboard_token:)"
    )
    b.add_argument("--min-n", type=int, default=10, help="smallest group shown")
    b.add_argument("--lang", choices=("ru", "en"), default=None, help="default: the workspace's language")
    b.add_argument(
        "--max-kernels",
        type=int,
        default=6,
        help="live kernels at most, the preheated ones included (default 6, about 400 MB each); "
        "a visitor beyond it is asked to try again later",
    )
    b.add_argument(
        "--preheat",
        type=int,
        default=1,
        help="kernels kept ready, with the workspace read, for the next visitors (default 1; 0: off)",
    )
    b.set_defaults(func=_cmd_dashboard)
    _add_lock_timeout(p)
    return p


#: cxlab.store.locking.LOCK_TIMEOUT_ENV (not imported: the store loads pandas, and `--help` should not wait for it).
_LOCK_TIMEOUT_ENV = "CXLAB_LOCK_TIMEOUT"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, not {text!r}")
    return value


def _add_lock_timeout(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    """``--lock-timeout SECONDS`` before or after any command's name (``cxlab --lock-timeout 5 import ...``,
    ``cxlab import --lock-timeout 5 ...``); below the top, an absent option leaves the top's value alone."""
    parser.add_argument(
        "--lock-timeout",
        type=_seconds,
        metavar="SECONDS",
        default=None if top else argparse.SUPPRESS,
        help=f"how long to wait while another process holds the workspace (default ${_LOCK_TIMEOUT_ENV}, else 60)",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases repeat a parser
                _add_lock_timeout(child, top=False)


def _check_args(args) -> None:
    """Refuse values argparse lets through: an empty ``--wave`` would silently mean "the latest wave"."""
    from cxlab.errors import ParameterError

    wave = getattr(args, "wave", None)
    if wave is not None and not wave.strip():
        raise ParameterError(
            "--wave is empty; give a wave id (e.g. 2026-Q3) or leave the option out", parameter="wave", value=wave
        )


#: errno values of a full, read-only or forbidden disk: the user's to fix, said in one line.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES})
#: The same cases as the C library words them, in DuckDB's IOException / TransactionException messages.
_DISK_MESSAGES = tuple(os.strerror(code) for code in sorted(_DISK_ERRNOS))


def _environment_error(exc: BaseException, args) -> str | None:
    """One line for a full, read-only or forbidden disk met anywhere in ``exc``'s chain; None for anything else.

    Only those known cases: any other exception is a bug and keeps its
    traceback.  A DuckDB error means the transaction that met it was rolled
    back (DuckDB writes a transaction whole or not at all).
    """
    workspace = getattr(args, "workspace", None)
    where = f" (workspace {workspace})" if workspace else ""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_ERRNOS:
            target = f": {current.filename}" if current.filename else ""
            what = current.strerror or os.strerror(current.errno)
            return f"{what}{target}{where}; free space or fix the permissions and run again"
        if type(current).__module__.split(".")[0] in ("duckdb", "_duckdb"):
            text = str(current)
            said = next((m for m in _DISK_MESSAGES if m in text), None)
            if said is not None:
                detail = text.split("Error: ", 1)[-1].splitlines()[0]
                return (
                    f"{said}{where}: {detail}; the transaction was rolled back, nothing of it was written; "
                    "free space or fix the permissions and run again"
                )
        current = current.__cause__ or current.__context__
    return None


def main(argv=None) -> int:
    """Run a command; a :class:`CxlabError` prints one line on stderr and gives its exit code (2).

    Anything else is a bug and keeps its traceback.
    """
    args = build_parser().parse_args(argv)
    # Through the environment, so that the report kernels and servers a command starts wait as long.
    before = os.environ.get(_LOCK_TIMEOUT_ENV)
    if args.lock_timeout is not None:
        os.environ[_LOCK_TIMEOUT_ENV] = repr(args.lock_timeout)
    try:
        _check_args(args)
        return args.func(args)
    except CxlabError as exc:
        print(f"cxlab {args.command}: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        line = _environment_error(exc, args)
        if line is None:
            raise  # a bug: its traceback is what a report needs
        print(f"cxlab {args.command}: error: {line}", file=sys.stderr)
        return CxlabError.exit_code
    finally:
        if args.lock_timeout is not None:  # main() may be called in-process (tests, scripts)
            if before is None:
                os.environ.pop(_LOCK_TIMEOUT_ENV, None)
            else:
                os.environ[_LOCK_TIMEOUT_ENV] = before


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
