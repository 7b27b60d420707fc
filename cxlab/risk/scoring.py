"""Scoring a wave: each active client's probability of churn with its interval, top reasons and revenue at risk.

:func:`score_clients` fits on the past and scores the clients active at a
wave: probability with its interval, top reasons and revenue at risk
(probability × current contract value) with the agency's total.
The model (:class:`cxlab.risk.model.ChurnRiskModel`) learns only from rows
whose 12-month outcome was known by the wave's close.

Examples
--------
>>> from cxlab import risk
>>> from cxlab.summary import SurveyData                          # doctest: +SKIP
>>> data = SurveyData.from_workspace(ws)                          # doctest: +SKIP
>>> scores = risk.score_clients(data, "2026-Q3", lang="ru")        # doctest: +SKIP
>>> scores.clients[["client", "p", "ci_low", "ci_high", "revenue_at_risk", "reasons"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from cxlab.errors import ParameterError
from cxlab.risk._common import _check_lang, _close_summary, _fmt, _horizon_end
from cxlab.risk.features import churn_labels, client_waves, wave_cutoffs
from cxlab.risk.model import ChurnRiskModel

__all__ = ["RiskScores", "score_clients"]


# --------------------------------------------------------------------------- scoring a wave


@dataclass(repr=False)
class RiskScores:
    """Churn risk of the clients active at a wave, and the revenue at stake.

    Attributes
    ----------
    wave : str
    clients : DataFrame
        One row per active client, most revenue at risk first:
        ``client_id, client, manager, team, p, ci_low, ci_high,
        contract_value`` (the clients table's current annual value),
        ``revenue_at_risk`` (p × contract_value), ``revenue_ci_low``,
        ``revenue_ci_high``, ``reasons`` (top reasons raising the risk, in
        ``lang``) and ``reason_features`` (their column names, ``;``-separated).
    total : dict
        ``revenue_at_risk`` (sum of p × value), ``ci_low``/``ci_high`` (its
        percentile interval over the bootstrap draws of the sum: uncertainty
        of the *expected* loss), ``loss_low``/``loss_high`` (the 90% range of
        the *realised* loss: Monte Carlo draws of which clients actually
        leave, each with its drawn probability), ``n_clients``,
        ``n_with_value`` and ``confidence``.
    model : ChurnRiskModel
    message : dict or None
        The model's small-data message, ``{"ru", "en"}``.
    method : dict
        What produced the probabilities, ``{"ru", "en"}``.
    lang : str
    n_train_rows, n_train_events : int
        Labelled rows and churned clients the model learned from.
    train_until : str or None
        The last training wave (every training row's 12-month window had
        ended by this wave's close).
    total_draws : ndarray
        Bootstrap draws of the total, ``sum_i p_b,i * value_i`` (one per
        refit), behind ``total["ci_low"]`` and ``total["ci_high"]``.
    client_draws : ndarray
        Bootstrap draws of each client's probability, (refits, clients), the
        columns in the order of ``clients``; :meth:`total_for` sums them
        over a subset of clients.
    """

    wave: str
    clients: pd.DataFrame
    total: dict
    model: ChurnRiskModel
    message: dict | None
    method: dict
    lang: str = "en"
    n_train_rows: int = 0
    n_train_events: int = 0
    train_until: str | None = None
    total_draws: np.ndarray | None = None
    client_draws: np.ndarray | None = None
    confidence: float = 0.95
    random_state: int = 0
    scored_rows: pd.DataFrame | None = None

    def reasons_in(self, lang: str, top: int = 3) -> pd.Series:
        """Each client's top reasons in ``lang`` (``clients["reasons"]`` holds them in :attr:`lang`).

        Returns
        -------
        Series
            Aligned with :attr:`clients`; empty text where no reason applies.
        """
        _check_lang(lang)
        if self.scored_rows is None:
            return self.clients["reasons"]
        candidates = self.model.reasons(self.scored_rows, top=max(top, _REASON_CANDIDATES))
        text, _ = _reason_text(candidates, lang, self.scored_rows, top=top)
        return self.clients["client_id"].map(lambda c: text.get(c, "")).fillna("")

    def total_for(self, client_ids, n_loss_draws: int = 1000) -> tuple[dict, np.ndarray]:
        """Revenue at risk of some of the clients, with the interval of :attr:`total` computed the same way.

        Parameters
        ----------
        client_ids : iterable of str
            Clients of :attr:`clients` to sum over (others are ignored).
        n_loss_draws : int
            Monte Carlo draws of the realised loss.

        Returns
        -------
        total : dict
            As :attr:`total`, over the subset.
        draws : ndarray
            The subset's bootstrap draws of the total.

        Examples
        --------
        >>> sub, draws = scores.total_for(["C001", "C007"])   # doctest: +SKIP
        """
        keep = self.clients["client_id"].isin(set(client_ids)).to_numpy()
        p = self.clients["p"].to_numpy(dtype=float)[keep]
        v = self.clients["contract_value"].to_numpy(dtype=float)[keep]
        draws = (
            self.client_draws[:, keep]
            if self.client_draws is not None and len(self.client_draws)
            else np.empty((0, int(keep.sum())))
        )
        return _totals(p, draws, v, self.confidence, n_loss_draws, self.random_state)

    def summary(self, lang: str | None = None, top: int = 10) -> str:
        """Readable report: method, training data, total revenue at risk, the top clients."""
        lang = lang or self.lang
        _check_lang(lang)
        ru = lang == "ru"
        width = 80
        t = self.total
        pct = f"{100 * t.get('confidence', 0.95):g}%"
        lines = [
            (f"Риск ухода клиентов, волна {self.wave}" if ru else f"Churn risk, wave {self.wave}").center(width),
            "=" * width,
        ]
        rows = [
            ("Метод:" if ru else "Method:", self.method[lang]),
            (
                "Обучение:" if ru else "Trained on:",
                (
                    f"{self.n_train_rows} клиенто-волн, {self.n_train_events} ушедших клиентов, волны до "
                    f"{self.train_until or '—'} (их 12-месячный исход известен к закрытию волны)"
                )
                if ru
                else (
                    f"{self.n_train_rows} client-waves, {self.n_train_events} churned clients, waves up to "
                    f"{self.train_until or '-'} (12-month outcome known by this wave's close)"
                ),
            ),
            ("Клиенты:" if ru else "Clients:", f"{t.get('n_clients', 0)}"),
            (
                "Выручка под риском:" if ru else "Revenue at risk:",
                f"{_money(t.get('revenue_at_risk'))} [{pct}: {_money(t.get('ci_low'))} – {_money(t.get('ci_high'))}]"
                + (" (ожидаемая потеря = Σ p × контракт)" if ru else " (expected loss = sum of p × contract)"),
            ),
            (
                "Реальная потеря:" if ru else "Realised loss:",
                f"{_money(t.get('loss_low'))} – {_money(t.get('loss_high'))}"
                + (
                    " (90% диапазон: кто именно уйдёт — случайность)"
                    if ru
                    else " (90% range: which clients actually leave is chance)"
                ),
            ),
        ]
        for key, value in rows:
            lines += textwrap.wrap(
                str(value), width=width, initial_indent=f"{key:<20}", subsequent_indent=" " * 20
            ) or [key]
        c = self.clients
        if c["p"].notna().any():
            lines.append("-" * width)
            lines.append(
                f"{'client' if not ru else 'клиент':<28} {'p':>6} {pct + ' CI':>15} "
                f"{'at risk' if not ru else 'под риском':>12}"
            )
            for _, r in c.head(top).iterrows():
                lines.append(
                    f"{str(r['client'])[:28]:<28} {_fmt(r['p'], 3):>6} "
                    f"{'[' + _fmt(r['ci_low'], 3) + ', ' + _fmt(r['ci_high'], 3) + ']':>15} "
                    f"{_money(r['revenue_at_risk']):>12}"
                )
                if r["reasons"]:
                    lines += textwrap.wrap(
                        str(r["reasons"]), width=width, initial_indent="    ", subsequent_indent="    "
                    )
        return _close_summary(lines, self.message, lang, width)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<RiskScores wave={self.wave!r} clients={len(self.clients)} "
            f"revenue_at_risk={_money(self.total.get('revenue_at_risk'))} fitted={self.model.fitted_}>"
        )


def _money(x) -> str:
    if x is None or pd.isna(x):
        return "nan"
    return f"{float(x) / 1e6:,.2f}M"


def _reason_text(reasons: pd.DataFrame, lang: str, panel=None, top: int = 3) -> tuple[pd.Series, pd.Series]:
    """Each client's top reasons in plain words (:func:`cxlab.risk.reasons.plain_reasons`), and their features."""
    from cxlab.risk.reasons import plain_reasons

    return plain_reasons(reasons, panel, lang, top=top)


#: Candidate reasons asked of the model per client: some say nothing in plain words (a score that rose).
_REASON_CANDIDATES = 10


def score_clients(
    data,
    wave: str,
    *,
    method: str = "logistic",
    n_boot: int = 200,
    random_state: int = 0,
    panel: pd.DataFrame | None = None,
    top: int = 3,
    lang: str = "en",
    features=None,
    C: float = 1.0,
    min_events: int = 30,
    horizon_months: int = 12,
    confidence: float = 0.95,
    n_loss_draws: int = 4000,
) -> RiskScores:
    """Fit on the past and score the clients active at ``wave``: probability, reasons, revenue at risk.

    The model learns only from rows whose ``horizon_months`` outcome window
    had *ended* by the wave's close (``cutoff + 12 months <= wave cutoff``):
    an outcome not yet known at the wave is not used even when the data now
    hold it, so scoring a past wave shows what could have been said then,
    and a churn seen early inside an unfinished window (only churns show up
    early) cannot bias the training rows.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
    wave : str
        Wave whose active clients are scored.
    method : {"logistic", "boosting"}
    n_boot : int
        Client-bootstrap refits behind the intervals.
    random_state : int
    panel : DataFrame, optional
        ``churn_labels(data, client_waves(data))`` if already built.
    top : int
        Reasons per client.
    lang : {"ru", "en"}
        Language of the reasons text.
    features, C, min_events :
        Passed to :class:`ChurnRiskModel`.
    horizon_months : int
    confidence : float
        Level of the intervals (the realised-loss range is always 90%).
    n_loss_draws : int
        Monte Carlo draws of the realised loss.

    Returns
    -------
    RiskScores

    Examples
    --------
    >>> s = score_clients(data, "2026-Q3", lang="ru")                        # doctest: +SKIP
    >>> s.total["revenue_at_risk"], s.total["ci_low"], s.total["ci_high"]     # doctest: +SKIP
    >>> print(s.summary())                                                    # doctest: +SKIP
    """
    _check_lang(lang)
    if panel is None:
        panel = churn_labels(data, client_waves(data), horizon_months=horizon_months)
    cut = wave_cutoffs(data.waves, data.responses).set_index("wave_id")["cutoff"]
    if wave not in cut.index:
        raise ParameterError(f"unknown wave {wave!r}; waves: {cut.index.tolist()}", parameter="wave", value=wave)
    cutoff = cut[wave]
    known = panel["churned_12m"].notna() & (_horizon_end(panel["cutoff"], horizon_months) <= cutoff)
    train = panel[known]
    model = ChurnRiskModel(
        method,
        features=features,
        C=C,
        min_events=min_events,
        n_boot=n_boot,
        random_state=random_state,
        confidence=confidence,
    ).fit(train)
    current = panel[panel["wave_id"] == wave].reset_index(drop=True)
    p = model.predict_proba(current)
    draws = model.predict_draws(current)
    low, high = model._interval(p, draws)
    value = current["current_value"] if "current_value" in current else current.get("contract_value")
    value = pd.Series(np.nan, index=current.index) if value is None else value.astype(float)
    if "contract_value" in current:
        value = value.fillna(current["contract_value"].astype(float))
    v = value.to_numpy()
    info = data.clients.set_index("client_id")
    out = pd.DataFrame(
        {
            "client_id": current["client_id"],
            "client": current["client_id"].map(info["name"]) if "name" in info else current["client_id"],
            "manager": current["client_id"].map(info["manager"]) if "manager" in info else None,
            "team": current["client_id"].map(info["team"]) if "team" in info else None,
            "p": p,
            "ci_low": low,
            "ci_high": high,
            "contract_value": v,
            "revenue_at_risk": p * v,
            "revenue_ci_low": low * v,
            "revenue_ci_high": high * v,
        }
    )
    reasons = model.reasons(current, top=max(top, _REASON_CANDIDATES))
    text, feats = _reason_text(reasons, lang, current, top=top)
    out["reasons"] = [text.get(c, "") for c in out["client_id"]]
    out["reason_features"] = [feats.get(c, "") for c in out["client_id"]]
    total, total_draws = _totals(p, draws, v, confidence, n_loss_draws, random_state)
    out = out.sort_values(["revenue_at_risk", "p"], ascending=False, na_position="last", kind="stable")
    client_draws = draws[:, out.index.to_numpy()] if len(draws) else np.empty((0, len(out)))
    train_waves = train.loc[train["order"] == train["order"].max(), "wave_id"] if len(train) else []
    return RiskScores(
        wave=wave,
        clients=out.reset_index(drop=True),
        total=total,
        model=model,
        message=model.message,
        method=model.method_name,
        lang=lang,
        n_train_rows=model.n_rows_,
        n_train_events=model.n_events_,
        train_until=str(cast(pd.Series, train_waves).iloc[0]) if len(train_waves) else None,
        total_draws=total_draws,
        client_draws=client_draws,
        confidence=confidence,
        random_state=random_state,
        scored_rows=current,
    )


def _totals(
    p: np.ndarray, draws: np.ndarray, value: np.ndarray, confidence: float, n_loss_draws: int, random_state
) -> tuple[dict, np.ndarray]:
    """Total revenue at risk with the interval of its expectation and the range of the realised loss."""
    ok = ~np.isnan(p) & ~np.isnan(value)
    sums = np.empty(0)
    total = {
        "revenue_at_risk": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "loss_low": math.nan,
        "loss_high": math.nan,
        "n_clients": len(p),
        "n_with_value": int((~np.isnan(value)).sum()),
        "confidence": confidence,
    }
    if not ok.any():
        return total, sums
    v = value[ok]
    total["revenue_at_risk"] = float(p[ok] @ v)
    alpha = (1 - confidence) / 2
    if len(draws):
        sums = draws[:, ok] @ v
        total["ci_low"], total["ci_high"] = (float(x) for x in np.quantile(sums, [alpha, 1 - alpha]))
        total["ci_low"] = min(total["ci_low"], total["revenue_at_risk"])
        total["ci_high"] = max(total["ci_high"], total["revenue_at_risk"])
    # The realised loss: which clients leave is itself chance.  Each draw
    # picks one bootstrap fit (model uncertainty) and then lets every client
    # leave with its probability under that fit.
    rng = np.random.default_rng(random_state)
    source = draws[:, ok] if len(draws) else p[ok][None, :]
    losses = np.empty(n_loss_draws)
    for i in range(n_loss_draws):
        probs = source[rng.integers(0, len(source))]
        losses[i] = v[rng.random(len(v)) < probs].sum()
    total["loss_low"], total["loss_high"] = (float(x) for x in np.quantile(losses, [0.05, 0.95]))
    return total, sums
