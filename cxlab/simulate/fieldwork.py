"""Fieldwork of the simulated agency: the calendar of waves, the invitations, who responds and when.

:func:`calendar` dates the quarterly waves (and the four quarters after the
last one, which only the truth of churn looks at).  :func:`invite` invites
every contact of an account that is active and at least three months old,
by e-mail or phone, and draws who is reached and who responds, with a
propensity that rises with the account's latent satisfaction
(``truth.response_model``).  :func:`respond` dates the responses between
the invitation (and its reminders) and the close of the wave, and numbers
them.  The calendar helpers and the progress bar serve the consumer scale
too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxlab.errors import ParameterError
from cxlab.simulate._frames import _frame
from cxlab.simulate._model import _RESPONSE_MODEL, _ROLE_RESPONSE, Design, _expit

if TYPE_CHECKING:
    from cxlab.simulate.population import Population

DAY = np.timedelta64(1, "D")


def _quarters(last_wave: str, n: int) -> list[tuple[int, int]]:
    m = re.fullmatch(r"\s*(\d{4})-?Q([1-4])\s*", str(last_wave))
    if not m:
        raise ParameterError(
            f"last_wave must look like '2026-Q3', got {last_wave!r}", parameter="last_wave", value=last_wave
        )
    idx = int(m.group(1)) * 4 + int(m.group(2)) - 1
    return [(i // 4, i % 4 + 1) for i in range(idx - n + 1, idx + 1)]


def _qstart(y: int, q: int) -> np.datetime64:
    return np.datetime64(f"{y:04d}-{3 * (q - 1) + 1:02d}-01", "D")


def _next_qstart(y: int, q: int) -> np.datetime64:
    return _qstart(y + (q == 4), q % 4 + 1)


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc)


@dataclass
class Calendar:
    """Quarterly waves: ``T`` in the data, then four more quarters (``TQ = T + 4``) for the truth of churn."""

    T: int
    TQ: int
    quarters: list[tuple[int, int]]
    wave_ids: list[str]
    opened: np.ndarray
    closed: np.ndarray
    period_start: np.datetime64


def calendar(rng, n_waves: int, last_wave: str) -> Calendar:
    """Waves ``n_waves`` quarters up to ``last_wave``, each opened in the third month of its quarter for 21 days."""
    T, H = n_waves, 4
    TQ = T + H
    quarters = _quarters(last_wave, T)
    yq = quarters[-1]
    for _ in range(H):
        yq = (yq[0] + (yq[1] == 4), yq[1] % 4 + 1)
        quarters.append(yq)
    wave_ids = [f"{y}-Q{qq}" for y, qq in quarters]
    opened = np.empty(TQ, dtype="datetime64[D]")
    for t, (y, qq) in enumerate(quarters):
        jitter = int(rng.integers(0, 5)) if t < T else 2
        opened[t] = np.datetime64(f"{y:04d}-{3 * qq:02d}-08", "D") + jitter
    closed = opened + 21
    period_start = _qstart(*quarters[0])
    return Calendar(T, TQ, quarters, wave_ids, opened, closed, period_start)


def invite(rng, t: int, cal: Calendar, pop: Population, s_t: np.ndarray, active: np.ndarray):
    """Invitations of wave ``t`` (a dict of columns, contacts by index) and the mask of those who respond."""
    op = cal.opened[t]
    op_ts = op.astype("datetime64[s]")
    start = pop.accounts.start
    cc, role, c_phone = pop.contacts.client, pop.contacts.role, pop.contacts.by_phone
    rm = _RESPONSE_MODEL

    tenure_ok = start <= np.datetime64((pd.Timestamp(op) - pd.DateOffset(months=3)).date(), "D")
    ci = np.flatnonzero(active[cc] & tenure_ok[cc])
    m_ = len(ci)
    ccl = cc[ci]
    phone = c_phone[ci]
    eta = rm["intercept"] + rm["latent"] * s_t[ccl] + _ROLE_RESPONSE[role[ci]] + rm["channel"]["phone"] * phone
    p_resp = _expit(eta)
    u1 = rng.random(m_)
    bounced = ~phone & (u1 < rm["p_bounce_email"])
    unreach0 = phone & (u1 < rm["p_unreachable_phone"])
    reached = ~(bounced | unreach0)
    resp = reached & (rng.random(m_) < p_resp)
    refused = reached & ~resp & (rng.random(m_) < np.where(phone, rm["p_refuse_phone"], rm["p_refuse_email"]))
    status = np.select(
        [resp, bounced, unreach0, refused, phone],
        ["responded", "bounced", "unreachable", "refused", "unreachable"],
        "delivered",
    )
    reminders = np.select(
        [resp, bounced | refused, unreach0],
        [rng.choice([0, 1, 2], m_, p=[0.5, 0.32, 0.18]), rng.integers(0, 2, m_) * refused, 0],
        np.where(rng.random(m_) < 0.85, 2, 1),
    )
    sent = np.where(
        phone,
        op_ts + rng.integers(0, 7, m_) * 86400 + 36000 + rng.integers(0, 8 * 3600, m_),
        op_ts + 32400 + rng.integers(0, 4 * 3600, m_),
    )
    sent = sent.astype("datetime64[s]")
    hexa = rng.integers(0, 2**32, (m_, 2), dtype=np.uint64)
    tokens = [f"{a:08x}{b:08x}" for a, b in hexa]
    invitations = {
        "wave_id": np.full(m_, cal.wave_ids[t], dtype=object),
        "contact_id": ci,
        "channel": np.where(phone, "phone", "email"),
        "sent_at": sent,
        "reminders": reminders,
        "status": status,
        "token": tokens,
        "latent": s_t[ccl],
    }
    return invitations, resp


def respond(rng, t: int, cal: Calendar, pop: Population, invitations: dict, resp: np.ndarray):
    """Responses of wave ``t`` in the order they arrive: contacts, their accounts, times and response ids."""
    cc = pop.contacts.client
    ci, reminders, sent = invitations["contact_id"], invitations["reminders"], invitations["sent_at"]
    cl = cal.closed[t]

    rc = ci[resp]
    R = len(rc)
    rcl = cc[rc]
    delay = (reminders[resp] * rng.uniform(4, 6, R) + rng.exponential(1.2, R)) * 86400
    submitted = sent[resp] + delay.astype("timedelta64[s]")
    limit = cl.astype("datetime64[s]") - rng.integers(3600, 3 * 86400, R).astype("timedelta64[s]")
    submitted = np.minimum(submitted, limit)
    submitted = np.maximum(submitted, sent[resp] + np.timedelta64(600, "s"))
    order = np.argsort(submitted, kind="stable")
    rc, rcl, submitted = rc[order], rcl[order], submitted[order]
    y, qq = cal.quarters[t]
    rid = [f"R{y}Q{qq}-{i + 1:05d}" for i in range(R)]
    return rc, rcl, submitted, rid


def waves_table(cal: Calendar, design: Design) -> pd.DataFrame:
    T = cal.T
    return _frame(
        "waves",
        {
            "wave_id": cal.wave_ids[:T],
            "opened_at": cal.opened[:T],
            "closed_at": cal.closed[:T],
            "questionnaire": [design.q.id] * T,
            "nps_scale": [design.nps_scale] * T,
            "rating_scale": [design.rating_scale] * T,
        },
    )


def invitations_table(parts: list[dict], contact_ids: list[str]) -> pd.DataFrame:
    """The invitations of every wave (``parts`` from :func:`invite`)."""

    def cat(key):
        return np.concatenate([p[key] for p in parts])

    inv_contact = cat("contact_id")
    return _frame(
        "invitations",
        {
            "wave_id": cat("wave_id"),
            "contact_id": [contact_ids[j] for j in inv_contact],
            "channel": cat("channel"),
            "sent_at": cat("sent_at"),
            "reminders": cat("reminders"),
            "status": cat("status"),
            "token": [tok for p in parts for tok in p["token"]],
        },
    )
