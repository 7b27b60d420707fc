"""Command line of the fieldwork: ``cxlab wave plan | send | remind | status | mark``.

:func:`add_wave_parser` registers the ``wave`` command on the main parser's
sub-commands; errors are :class:`cxlab.errors.CxlabError` subclasses, which
the main CLI prints as one line before exiting with status 2.

Examples
--------
::

    cxlab wave plan   --workspace workspaces/acme --wave 2026-Q4 --config wave.yaml
    cxlab wave send   --workspace workspaces/acme --wave 2026-Q4 --dry-run
    cxlab wave send   --workspace workspaces/acme --wave 2026-Q4 --via eml
    cxlab wave remind --workspace workspaces/acme --wave 2026-Q4
    cxlab wave status --workspace workspaces/acme --wave 2026-Q4 --json
    cxlab wave mark   --workspace workspaces/acme --wave 2026-Q4 --status bounced c@example.com K7
"""

from __future__ import annotations

import argparse
import json
import sys

from cxlab.errors import CxlabError

__all__ = ["add_wave_parser", "main"]


def _workspace(args):
    from cxlab.store import Workspace

    return Workspace(args.workspace)


def _config(args):
    from cxlab.fieldwork.config import load_config

    return load_config(args.config) if args.config else None


def _cmd_plan(args) -> int:
    from cxlab.fieldwork.config import stored_config
    from cxlab.fieldwork.planning import plan

    ws = _workspace(args)
    config = _config(args) or stored_config(ws, args.wave)
    result = plan(ws, args.wave, config)
    print(result)
    if args.show:
        # The links hold the personal tokens: never printed here.
        print(result.plan.drop(columns=["link"]).to_string(index=False))
        if len(result.excluded):
            print("excluded:")
            print(result.excluded.to_string(index=False))
    print(f"config stored in {result.config_path}")
    return 0


def _cmd_send(args) -> int:
    from cxlab.fieldwork.outreach import send

    result = send(
        _workspace(args),
        args.wave,
        via=args.via,
        out_dir=args.out_dir,
        config=_config(args),
        dry_run=args.dry_run,
        progress=not args.quiet,
    )
    print(result)
    return 0


def _cmd_remind(args) -> int:
    from cxlab.fieldwork.outreach import remind

    result = remind(
        _workspace(args),
        args.wave,
        after_days=args.after_days,
        max_reminders=args.max,
        via=args.via,
        out_dir=args.out_dir,
        config=_config(args),
        dry_run=args.dry_run,
        progress=not args.quiet,
    )
    print(result)
    return 0


def _cmd_status(args) -> int:
    from cxlab.fieldwork.funnel import status

    st = status(_workspace(args), args.wave, include_pii=args.include_pii)
    if args.json:
        print(json.dumps(st.to_json(), ensure_ascii=False, indent=2))
    else:
        print(st.summary(args.lang))
    return 0


def _cmd_mark(args) -> int:
    from cxlab.fieldwork.outreach import mark

    changed = mark(_workspace(args), args.wave, args.contacts, args.status, note=args.note)
    print(f"wave {args.wave}: {len(changed)} invitation(s) marked {args.status}: " + ", ".join(changed["contact_id"]))
    return 0


def add_wave_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``wave`` and its sub-commands on ``subparsers`` (from ``add_subparsers``).

    Each sub-command sets ``func`` (called with the parsed arguments, returns
    the exit code).

    >>> p = argparse.ArgumentParser(prog="cxlab")
    >>> _ = add_wave_parser(p.add_subparsers(dest="command"))
    >>> args = p.parse_args(["wave", "status", "--workspace", "ws", "--wave", "2026-Q3", "--json"])
    >>> args.wave_command, args.json, args.func.__name__
    ('status', True, '_cmd_status')
    """
    w = subparsers.add_parser(
        "wave",
        help="fieldwork: plan invitations, send, remind, mark, status",
        description="Fieldwork of a survey wave: who is asked, personal links, "
        "invitations and reminders by e-mail, the response funnel.",
    )
    sub = w.add_subparsers(dest="wave_command", required=True, metavar="{plan,send,remind,status,mark}")

    def common(p):
        p.add_argument("--workspace", required=True, help="workspace folder")
        p.add_argument("--wave", required=True, help="wave id, e.g. 2026-Q4")

    def sending(p):
        p.add_argument(
            "--via",
            choices=("smtp", "eml"),
            default="smtp",
            help="smtp: through the configured server; eml: drafts + mail-merge CSV in <workspace>/outbox/<wave>/",
        )
        p.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
        p.add_argument("--config", default=None, help="wave config (default: the one stored by plan)")
        p.add_argument("--out-dir", default=None, help="folder for .eml files (default <workspace>/outbox/<wave>)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("plan", help="select eligible contacts and create their personal links")
    common(p)
    p.add_argument("--config", default=None, help="wave config YAML (required the first time)")
    p.add_argument("--show", action="store_true", help="list the plan (without links) and the excluded")
    p.set_defaults(func=_cmd_plan)

    p = sub.add_parser("send", help="send the planned invitations")
    common(p)
    sending(p)
    p.set_defaults(func=_cmd_send)

    p = sub.add_parser("remind", help="remind those who have not responded")
    common(p)
    sending(p)
    p.add_argument("--after-days", type=int, default=None, help="days since the last message (config default 7)")
    p.add_argument("--max", type=int, default=None, help="most reminders per contact (config default 2)")
    p.set_defaults(func=_cmd_remind)

    p = sub.add_parser("status", help="the response funnel, response rate and silent clients")
    common(p)
    p.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    p.add_argument("--lang", choices=("ru", "en"), default="en")
    p.add_argument("--include-pii", action="store_true", help="add the silent clients' e-mails")
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("mark", help="record bounced / refused / unreachable invitations")
    common(p)
    p.add_argument("--status", required=True, choices=("bounced", "refused", "unreachable", "invited"))
    p.add_argument("--note", default=None, help="why, e.g. the bounce message")
    p.add_argument("contacts", nargs="+", metavar="EMAIL_OR_ID")
    p.set_defaults(func=_cmd_mark)
    return w


def main(argv=None) -> int:
    """Run ``wave ...`` on its own (``python -m cxlab.fieldwork.cli wave status ...``)."""
    parser = argparse.ArgumentParser(prog="cxlab")
    add_wave_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CxlabError as exc:
        print(f"cxlab wave {args.wave_command}: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
