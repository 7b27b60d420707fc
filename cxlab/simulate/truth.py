"""The truth behind the simulated data, and what :func:`cxlab.simulate.simulate` returns.

:class:`Truth` holds what generated the data, :class:`Simulation` the tables
with their truth.  For the agency, :class:`History` records every account's
state at each quarter (active, latent, hazard, manager, last manager
change), also for the four quarters after the last wave
(:func:`future_quarters`); :func:`agency_truth` turns it into
``truth.churn_probabilities`` (with :func:`_expected_churn_12m`, the
expectation over simulated futures, see "Truth of churn" in
:mod:`cxlab.simulate`) and ``truth.latent``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxlab.simulate._frames import _str_series
from cxlab.simulate._model import (
    _BASE_MEAN,
    _BASE_SD,
    _CHURN_MODEL,
    _MANAGER_SD,
    _NPS_A,
    _NPS_B,
    _RESPONSE_MODEL,
    _RHO,
    _SD_EPS,
    Design,
    _expit,
)
from cxlab.simulate.events import Events, hazard
from cxlab.simulate.fieldwork import Calendar
from cxlab.simulate.population import Population, latent_at


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass
class Truth:
    """What generated the simulated data.

    Attributes
    ----------
    driver_weights
        ``attribute_id -> weight`` (sums to 1) of the relationship attributes
        in the latent model of likelihood to recommend and overall
        satisfaction.
    manager_effects
        ``manager -> effect`` on the latent satisfaction scale (sum 0).
    churn_probabilities
        ``client_id, wave_id, hazard, p_churn_12m, churned_within_12m,
        observed_12m, p_churn_12m_path``: one row per account and wave it
        was active (see the module's "Truth of churn").
    latent
        ``client_id, wave_id, satisfaction``: the latent satisfaction ``s``.
    response_model
        Coefficients of the logistic response propensity.
    churn_model
        Coefficients of the logistic quarterly churn hazard.
    description
        A plain-text description of the model and realised figures.
    """

    driver_weights: pd.Series
    manager_effects: pd.Series
    churn_probabilities: pd.DataFrame
    latent: pd.DataFrame
    response_model: dict
    description: str
    churn_model: dict = field(default_factory=dict)


@dataclass
class Simulation:
    """Canonical tables (``tables[name]``) and the truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: Truth

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def summary(self) -> dict:
        """Realised headline figures (clients, responses per wave, NPS, ...)."""
        r = self.tables["responses"]
        inv = self.tables["invitations"]
        ev = self.tables["events"]
        nps = r["nps"].to_numpy(dtype=float)
        nps = nps[~np.isnan(nps)]
        out = {
            "clients": len(self.tables["clients"]),
            "contacts": len(self.tables["contacts"]),
            "responses": len(r),
            "responses_per_wave": r.groupby("wave_id", observed=True).size().to_dict(),
            "nps": float(100 * ((nps >= 9).mean() - (nps <= 6).mean())) if len(nps) else float("nan"),
            "detractors_pct": float(100 * (nps <= 6).mean()) if len(nps) else float("nan"),
            "overall_mean": float(r["overall"].mean()),
        }
        if len(inv):
            out["response_rate"] = float((inv["status"] == "responded").mean())
        if len(ev):
            out["events"] = ev["kind"].value_counts().to_dict()
        return out


def _expected_churn_12m(
    rng, *, h0, u0, base, manager, changed_ago, meff, mgr_team, n_paths: int = 400, chunk: int = 2000
):
    """P(churn within the next four quarters | the state at the wave), by Monte Carlo over futures.

    The first quarter's hazard ``h0`` is known at the wave.  The next three
    follow the simulator's own dynamics from the wave's state: the AR(1)
    drift with its shocks, a manager change with probability 0.02 (0.22 when
    the client is unhappy: latent at or below -1.03, i.e. a mean recommend
    score of 6 or less, the rule the simulation applies to answers) to
    another manager of the team (85 %) or of the agency, and the hazard's
    manager-change term for the two quarters after a change.  Rows are
    simulated in chunks, ``n_paths`` futures each.
    """
    M = len(meff)
    # Other managers of each manager's team, padded with -1, to pick from by index.
    others = [np.flatnonzero((mgr_team == mgr_team[m]) & (np.arange(M) != m)) for m in range(M)]
    n_others = np.array([len(o) for o in others])
    table = np.full((M, max(1, n_others.max())), -1)
    for m, o in enumerate(others):
        table[m, : len(o)] = o
    out = np.empty(len(h0))
    for lo in range(0, len(h0), chunk):
        sl = slice(lo, lo + chunk)
        out[sl] = _expected_chunk(
            rng, h0[sl], u0[sl], base[sl], manager[sl], changed_ago[sl], meff, table, n_others, n_paths
        )
    return out


def _expected_chunk(rng, h0, u0, base, manager, changed_ago, meff, table, n_others, n_paths):
    cm = _CHURN_MODEL
    shape = (len(h0), n_paths)
    M = len(meff)
    u = np.repeat(u0[:, None], n_paths, axis=1)
    mgr = np.repeat(manager[:, None], n_paths, axis=1)
    ago = np.repeat(changed_ago[:, None].astype(float), n_paths, axis=1)  # quarters since the last change
    survive = np.repeat((1 - h0)[:, None], n_paths, axis=1)
    s = base[:, None] + meff[mgr] + u
    unhappy_cut = (6 - _NPS_A) / _NPS_B
    for _ in range(3):
        # A manager change in the quarter after the wave (the simulation's rule), felt from the next wave.
        change = rng.random(shape) < np.where(s <= unhappy_cut, 0.22, 0.02)
        old = mgr[change]
        pick = rng.integers(0, M - 1, old.shape)
        anyone = np.where(pick >= old, pick + 1, pick)
        k = n_others[old]
        in_team = (rng.random(old.shape) < 0.85) & (k > 0)
        team_pick = table[old, (rng.random(old.shape) * np.maximum(k, 1)).astype(int)]
        mgr[change] = np.where(in_team, team_pick, anyone)
        ago = np.where(change, 0, ago) + 1
        shock = (rng.random(shape) < 0.035) * rng.normal(-1.1, 0.3, shape) + (rng.random(shape) < 0.025) * rng.normal(
            0.5, 0.2, shape
        )
        u = _RHO * u + rng.normal(0, _SD_EPS, shape) + shock
        s = base[:, None] + meff[mgr] + u
        recent = (ago == 1) | (ago == 2)
        survive *= 1 - _expit(cm["alpha"] + cm["beta"] * s + cm["gamma"] * recent)
    return 1 - survive.mean(axis=1)


@dataclass
class History:
    """The agency's state at each quarter, accounts x quarters.

    Whether an account was ``active`` at the wave, its ``latent``
    satisfaction, churn ``hazard`` for the quarter after, the ``manager`` in
    charge and the wave after which the manager last ``changed``.
    """

    active: np.ndarray
    latent: np.ndarray
    hazard: np.ndarray
    manager: np.ndarray
    changed: np.ndarray

    @classmethod
    def start(cls, n: int, TQ: int) -> History:
        return cls(
            active=np.zeros((n, TQ), dtype=bool),
            latent=np.full((n, TQ), np.nan),
            hazard=np.full((n, TQ), np.nan),
            manager=np.zeros((n, TQ), dtype=int),
            changed=np.full((n, TQ), -99),
        )

    def record(self, t: int, active, s_t, h_t, mgr, changed_q) -> None:
        """The state at wave ``t``."""
        self.active[:, t] = active
        self.latent[:, t] = s_t
        self.hazard[:, t] = h_t
        self.manager[:, t] = mgr
        self.changed[:, t] = changed_q


def future_quarters(cal: Calendar, pop: Population, ev: Events, hist: History) -> None:
    """Latent and hazard for the quarters after the last wave (truth only), with the managers frozen."""
    for t in range(cal.T, cal.TQ):
        hist.latent[:, t] = latent_at(t, pop)
        hist.hazard[:, t] = hazard(t, hist.latent[:, t], ev.changed_q)


def agency_truth(seed: int, design: Design, cal: Calendar, pop: Population, ev: Events, hist: History) -> Truth:
    """The agency's truth (without its description): churn probabilities, latent, weights, manager effects."""
    T, wave_ids, client_ids = cal.T, cal.wave_ids, pop.accounts.ids
    h_full, s_full, churn_q = hist.hazard, hist.latent, ev.churn_q
    meff, mgr_names = pop.staff.effect, pop.staff.names

    ac, at = np.nonzero(hist.active[:, :T])
    order = np.lexsort((ac, at))
    ac, at = ac[order], at[order]
    surv = np.ones(len(ac))
    for k in range(4):
        surv *= 1 - h_full[ac, at + k]
    churned_12 = (churn_q[ac] >= at) & (churn_q[ac] <= at + 3)
    expected = _expected_churn_12m(
        np.random.default_rng([seed, 12]),
        h0=h_full[ac, at],
        u0=pop.effects.u[ac, at],
        base=pop.accounts.base[ac],
        manager=hist.manager[ac, at],
        changed_ago=at - hist.changed[ac, at],
        meff=meff,
        mgr_team=pop.staff.team,
    )
    churn_prob = pd.DataFrame(
        {
            "client_id": _str_series([client_ids[c] for c in ac]),
            "wave_id": _str_series([wave_ids[t] for t in at]),
            "hazard": h_full[ac, at],
            "p_churn_12m": expected,
            "churned_within_12m": churned_12,
            "observed_12m": at + 3 <= T - 2,
            "p_churn_12m_path": 1 - surv,
        }
    )
    latent = pd.DataFrame(
        {
            "client_id": _str_series([client_ids[c] for c in ac]),
            "wave_id": _str_series([wave_ids[t] for t in at]),
            "satisfaction": s_full[ac, at],
        }
    )
    driver_weights = pd.Series(
        design.w, index=pd.Index(design.attr_ids, dtype="str", name="attribute_id"), name="weight"
    ).sort_values(ascending=False)
    manager_effects = pd.Series(meff, index=pd.Index(mgr_names, dtype="str", name="manager"), name="effect")
    return Truth(
        driver_weights=driver_weights,
        manager_effects=manager_effects,
        churn_probabilities=churn_prob,
        latent=latent,
        response_model=dict(_RESPONSE_MODEL),
        description="",
        churn_model=dict(_CHURN_MODEL),
    )


def describe_agency(sim: Simulation, seed: int, design: Design, cal: Calendar, churn_q: np.ndarray) -> str:
    """Plain-text description of the agency model with the realised figures of ``sim``."""
    T, wave_ids = cal.T, cal.wave_ids
    n, NC = len(sim.tables["clients"]), len(sim.tables["contacts"])
    summ = sim.summary()
    return (
        f"Simulated PR agency (seed {seed}, questionnaire {design.q.id}): {n} accounts, {NC} contacts, "
        f"{T} quarterly waves {wave_ids[0]}..{wave_ids[T - 1]}, {len(sim.tables['responses'])} responses "
        f"(response rate {summ.get('response_rate', float('nan')):.0%}), NPS {summ['nps']:+.0f}, "
        f"{int((churn_q >= 0).sum())} churned accounts. Latent satisfaction s = base (N({_BASE_MEAN}, "
        f"{_BASE_SD})) + manager effect (sd {_MANAGER_SD}) + AR(1) drift (rho {_RHO}, sd {_SD_EPS}) "
        "+ shocks; recommend and overall = sum_k w_k A_k + noise with the weights in driver_weights; "
        "response propensity and quarterly churn hazard are logistic in s (response_model, "
        "churn_model); p_churn_12m = P(churn within the four quarters after the wave | the state at the "
        "wave), averaged over simulated futures; p_churn_12m_path = 1 - prod of (1 - hazard) along the "
        "path that happened."
    )
