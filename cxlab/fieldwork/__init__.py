"""Fieldwork: who is asked in a wave, the personal links, invitations, reminders, the response funnel.

The respondents answer in the agency's own form tool (Google Forms, Yandex
Forms, ...); cxlab prepares the personal links, sends the e-mails, and tracks
who answered.  One wave config (YAML, see ``templates/waves/example.yaml``)
holds the form link, the eligibility rules, the sender and the SMTP server.

===========  ==================================================================
plan         eligible contacts -> ``invitations`` rows (``planned``) with tokens
send         invitations by SMTP or as .eml drafts; each recorded as it goes
remind       reminders to those who have not responded, after N days, at most K
mark         bounced / refused / unreachable learnt elsewhere
status       the funnel, response rate with a Wilson interval, silent clients
===========  ==================================================================

Examples
--------
::

    from cxlab import Workspace
    from cxlab import fieldwork as fw

    ws = Workspace("workspaces/acme")
    result = fw.plan(ws, "2026-Q4", "wave.yaml")
    result.excluded                     # who is not asked, and why
    print(fw.send(ws, "2026-Q4"))
    print(fw.status(ws, "2026-Q4").summary("ru"))
"""

from importlib import import_module

# Names are loaded on first use (PEP 562): the report kernel needs only the funnel,
# not pydantic, jinja2 and smtplib.
_WHERE = {
    "ConfigError": "common",
    "FieldworkError": "common",
    "WaveConfig": "config",
    "load_config": "config",
    "parse_config": "config",
    "resolve_smtp": "config",
    "stored_config": "config",
    "FieldworkStatus": "funnel",
    "ResponseRate": "funnel",
    "fieldwork_funnel": "funnel",
    "response_rate": "funnel",
    "status": "funnel",
    "wave_response_rate": "funnel",
    "LinkTemplate": "links",
    "build_link": "links",
    "render_email": "mail",
    "SendResult": "outreach",
    "mark": "outreach",
    "remind": "outreach",
    "send": "outreach",
    "PlanResult": "planning",
    "eligibility": "planning",
    "plan": "planning",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f"cxlab.fieldwork.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'cxlab.fieldwork' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_WHERE))


__all__ = [
    "plan",
    "send",
    "remind",
    "mark",
    "status",
    "PlanResult",
    "SendResult",
    "FieldworkStatus",
    "ResponseRate",
    "WaveConfig",
    "load_config",
    "parse_config",
    "stored_config",
    "resolve_smtp",
    "LinkTemplate",
    "build_link",
    "eligibility",
    "fieldwork_funnel",
    "response_rate",
    "wave_response_rate",
    "render_email",
    "FieldworkError",
    "ConfigError",
]
