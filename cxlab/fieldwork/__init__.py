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
from cxlab.fieldwork.common import ConfigError, FieldworkError
from cxlab.fieldwork.config import WaveConfig, load_config, parse_config, resolve_smtp, stored_config
from cxlab.fieldwork.funnel import (FieldworkStatus, ResponseRate, fieldwork_funnel, response_rate, status,
                                   wave_response_rate)
from cxlab.fieldwork.links import LinkTemplate, build_link
from cxlab.fieldwork.mail import render_email
from cxlab.fieldwork.outreach import SendResult, mark, remind, send
from cxlab.fieldwork.planning import PlanResult, eligibility, plan

__all__ = [
    "plan", "send", "remind", "mark", "status",
    "PlanResult", "SendResult", "FieldworkStatus", "ResponseRate",
    "WaveConfig", "load_config", "parse_config", "stored_config", "resolve_smtp",
    "LinkTemplate", "build_link", "eligibility", "fieldwork_funnel", "response_rate", "wave_response_rate",
    "render_email",
    "FieldworkError", "ConfigError",
]
