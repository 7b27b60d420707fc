"""What happens to the simulated accounts between two waves: churn, manager changes and other events.

An active account churns in the quarter after a wave with the hazard of
:func:`hazard`, logistic in its latent satisfaction and a recent manager
change (``truth.churn_model``); a churn is dated between the close of the
wave and the opening of the next one.  Manager changes are likelier after a
low score (client mean recommend <= 6), complaints after low satisfaction;
``downsized`` and ``expanded`` (which adds a service) follow satisfaction and
``renewed`` falls on contract anniversaries.  :class:`Events` holds the
state that events change (churn, manager changes) and the log of events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlab.simulate._frames import _frame, empty_table
from cxlab.simulate._model import _CHURN_MODEL, Design, _expit
from cxlab.simulate.fieldwork import DAY, Calendar
from cxlab.simulate.population import Accounts, Population

_CHURN_REASONS_LOW = ["ушли к другому агентству", "недовольство качеством работы", "не продлили контракт после тендера"]
_CHURN_REASONS_OTHER = ["сокращение маркетингового бюджета", "проект завершён", "коммуникации переведены в штат"]


def _add_years(d: np.datetime64, k: int) -> np.datetime64:
    ts = pd.Timestamp(d)
    try:
        out = ts.replace(year=ts.year + k)
    except ValueError:  # 29 February
        out = ts.replace(year=ts.year + k, day=28)
    return np.datetime64(out.date(), "D")


def hazard(t: int, s_t: np.ndarray, changed_q: np.ndarray) -> np.ndarray:
    """Churn hazard of every account for the quarter after wave (or quarter) ``t``."""
    cm = _CHURN_MODEL
    recent = (changed_q == t - 1) | (changed_q == t - 2)
    return _expit(cm["alpha"] + cm["beta"] * s_t + cm["gamma"] * recent)


@dataclass
class Events:
    """The accounts' state that events change, and the log of events.

    ``churn_q``: the wave after which an account churned (-1: it has not),
    ``churn_date``: when (NaT: not churned), ``changed_q``: the wave after
    which its manager last changed (-99: never).
    """

    churn_q: np.ndarray
    churn_date: np.ndarray
    changed_q: np.ndarray
    client: list = field(default_factory=list)
    date: list = field(default_factory=list)
    kind: list = field(default_factory=list)
    detail: list = field(default_factory=list)
    value: list = field(default_factory=list)

    @classmethod
    def start(cls, n: int) -> Events:
        """No account churned, no manager changed, no event yet."""
        return cls(
            churn_q=np.full(n, -1),
            churn_date=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
            changed_q=np.full(n, -99),
        )

    def add(self, c, date, kind, detail=None, val=np.nan):
        self.client.append(c)
        self.date.append(date)
        self.kind.append(kind)
        self.detail.append(detail)
        self.value.append(val)

    def renewals(self, accounts: Accounts, a, b):
        """Anniversaries in (a, b] of clients that have not churned by then."""
        start, value, churn_date = accounts.start, accounts.value, self.churn_date
        for c in range(len(start)):
            if start[c] > b:
                continue
            ys = range(
                max(1, pd.Timestamp(a).year - pd.Timestamp(start[c]).year),
                pd.Timestamp(b).year - pd.Timestamp(start[c]).year + 1,
            )
            for k in ys:
                d = _add_years(start[c], k)
                if a < d <= b and not (churn_date[c] <= d):
                    self.add(c, d, "renewed", None, float(value[c]))

    def table(self, client_ids: list[str]) -> pd.DataFrame:
        """The ``events`` table, by date, client and kind."""
        if not self.client:
            return empty_table("events")
        events = _frame(
            "events",
            {
                "client_id": [client_ids[c] for c in self.client],
                "date": np.array(self.date, dtype="datetime64[D]"),
                "kind": self.kind,
                "detail": self.detail,
                "value": np.array(self.value, dtype=float),
            },
        )
        return events.sort_values(["date", "client_id", "kind"], kind="stable", ignore_index=True)


def quarter_events(
    rng,
    t: int,
    design: Design,
    cal: Calendar,
    pop: Population,
    ev: Events,
    s_t: np.ndarray,
    h_t: np.ndarray,
    active: np.ndarray,
    nps: np.ndarray,
    rcl: np.ndarray,
) -> None:
    """Events from the close of wave ``t`` to the close of the next one (``nps``, ``rcl``: its answers)."""
    q, attr_ids, attr_off, svc_ids = design.q, design.attr_ids, design.attr_off, design.svc_ids
    mgr_names, mgr_team, mgr_attr = pop.staff.names, pop.staff.team, pop.staff.attr
    M = len(mgr_names)
    mgr, value = pop.accounts.manager, pop.accounts.value
    client_attr = pop.effects.client_attr
    since, need_w = pop.services.since, pop.services.need_w
    churn_q, churn_date, changed_q = ev.churn_q, ev.churn_date, ev.changed_q
    add_event = ev.add
    n, R, day = len(active), len(nps), DAY

    a, b = cal.closed[t], cal.closed[t + 1]
    span = int((b - a) / day)
    mean_nps = pd.Series(nps).groupby(rcl).mean() if R else pd.Series(dtype=float)
    low = np.zeros(n, dtype=bool)
    low[mean_nps.index.to_numpy()[mean_nps.to_numpy() <= 6]] = True
    act = np.flatnonzero(active & (churn_q < 0))
    churn_now = act[rng.random(len(act)) < h_t[act]]
    gap = int((cal.opened[t + 1] - a) / day)
    for c in churn_now:
        churn_q[c] = t
        churn_date[c] = a + int(rng.integers(1, gap)) * day
        reasons = _CHURN_REASONS_LOW if s_t[c] < 0 else _CHURN_REASONS_OTHER
        add_event(c, churn_date[c], "churned", str(rng.choice(reasons)), float(value[c]))
    for c in act:
        horizon = int((churn_date[c] - a) / day) if churn_q[c] == t else span
        if horizon < 2:
            continue
        p_mc = 0.02 + 0.2 * low[c]
        if churn_q[c] != t and rng.random() < p_mc:
            old = mgr[c]
            same = np.flatnonzero((mgr_team == mgr_team[old]) & (np.arange(M) != old))
            pool = same if (len(same) and rng.random() < 0.85) else np.flatnonzero(np.arange(M) != old)
            new = int(rng.choice(pool))
            d = a + int(rng.integers(7, max(8, min(60, span)))) * day
            add_event(c, d, "manager_changed", f"{mgr_names[old]} -> {mgr_names[new]}")
            mgr[c] = new
            changed_q[c] = t
        if rng.random() < _expit(-3.6 - 1.6 * s_t[c]):
            perf = s_t[c] + attr_off + client_attr[c] + mgr_attr[mgr[c]]
            d = a + int(rng.integers(1, horizon)) * day
            add_event(c, d, "complaint", q.label(attr_ids[int(np.argmin(perf))], "ru"))
        if churn_q[c] == t:
            continue
        if rng.random() < 0.015 + 0.05 * (s_t[c] < -0.6):
            cut = float(np.round(value[c] * rng.uniform(0.15, 0.4), -4))
            d = a + int(rng.integers(1, span)) * day
            add_event(c, d, "downsized", f"-{round(100 * cut / value[c])}%", -cut)
            value[c] -= cut
        elif rng.random() < 0.03 + 0.05 * (s_t[c] > 0.5):
            free = np.flatnonzero(np.isnat(since[c]))
            if len(free):
                d = a + int(rng.integers(1, span)) * day
                pw = need_w[c, free] / need_w[c, free].sum()
                s_new = int(rng.choice(free, p=pw))
                since[c, s_new] = d
                add = float(np.round(value[c] * rng.uniform(0.1, 0.35), -4))
                add_event(c, d, "expanded", svc_ids[s_new], add)
                value[c] += add
    ev.renewals(pop.accounts, a, b)
