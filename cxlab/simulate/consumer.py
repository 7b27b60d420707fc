"""The consumer-brand scale of :func:`cxlab.simulate.simulate`: many anonymous responses, fast.

2,000 points of sale in 8 regions with regional managers, a point latent
that drifts between waves, and ``n_responses`` anonymous responses
(recommend 0-10, overall 1-5) spread over the waves; fully vectorised, with
categorical text columns (see "Consumer model" in :mod:`cxlab.simulate`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxlab.schema import TABLES
from cxlab.simulate._frames import _frame, _str_series, empty_table
from cxlab.simulate._names import _person
from cxlab.simulate.fieldwork import _next_qstart, _progress, _qstart, _quarters
from cxlab.simulate.truth import Simulation, Truth

_REGIONS = ["Москва", "Санкт-Петербург", "Центр", "Северо-Запад", "Юг", "Поволжье", "Урал", "Сибирь"]
_REGION_P = [0.22, 0.12, 0.14, 0.08, 0.12, 0.13, 0.10, 0.09]
_CITIES = {
    "Москва": ["Москва"],
    "Санкт-Петербург": ["Санкт-Петербург"],
    "Центр": ["Тула", "Тверь", "Ярославль", "Воронеж"],
    "Северо-Запад": ["Псков", "Мурманск", "Вологда"],
    "Юг": ["Краснодар", "Ростов-на-Дону", "Сочи"],
    "Поволжье": ["Казань", "Самара", "Нижний Новгород"],
    "Урал": ["Екатеринбург", "Челябинск", "Пермь"],
    "Сибирь": ["Новосибирск", "Омск", "Красноярск"],
}
_CONSUMER_SEGMENTS = ["hypermarket", "supermarket", "convenience", "pharmacy", "online"]
_CONSUMER_SEG_P = [0.10, 0.35, 0.35, 0.10, 0.10]
_N_POINTS = 2000
_MANAGERS_PER_REGION = 6


def _categorical(values: list[str], idx: np.ndarray) -> pd.Series:
    cats = pd.Index(values, dtype="str")
    return pd.Series(pd.Categorical.from_codes(idx, categories=cats))


def _simulate_consumer(seed, n_responses, n_waves, last_wave, progress) -> Simulation:
    rng = np.random.default_rng(seed)
    T = n_waves
    quarters = _quarters(last_wave, T)
    wave_ids = [f"{y}-Q{qq}" for y, qq in quarters]
    qs = np.array([_qstart(y, qq) for y, qq in quarters])
    qe = np.array([_next_qstart(y, qq) for y, qq in quarters])
    P = _N_POINTS
    day = np.timedelta64(1, "D")

    # regions (teams) and regional managers
    R_ = len(_REGIONS)
    mgr_names: list[str]
    mgr_names, seen = [], set()
    while len(mgr_names) < R_ * _MANAGERS_PER_REGION:
        full, _ = _person(rng, "ru")
        if full not in seen:
            seen.add(full)
            mgr_names.append(full)
    M = len(mgr_names)
    meff = rng.normal(0, 0.2, M)
    meff -= meff.mean()

    region = rng.choice(R_, P, p=_REGION_P)
    mgr = region * _MANAGERS_PER_REGION + rng.integers(0, _MANAGERS_PER_REGION, P)
    seg = rng.choice(len(_CONSUMER_SEGMENTS), P, p=_CONSUMER_SEG_P)
    online = np.array(_CONSUMER_SEGMENTS)[seg] == "online"
    names = []
    for i in range(P):
        reg = _REGIONS[region[i]]
        city = _CITIES[reg][int(rng.integers(0, len(_CITIES[reg])))]
        names.append(f"Онлайн-витрина №{i + 1:04d} ({reg})" if online[i] else f"Магазин №{i + 1:04d}, {city}")
    point_ids = [f"S{i + 1:04d}" for i in range(P)]
    start = qs[0] - rng.integers(30, 5 * 365, P) * day
    base = rng.normal(0.0, 0.45, P)
    drift = np.empty((P, T))
    drift[:, 0] = rng.normal(0, 0.15, P)
    for t in range(1, T):
        drift[:, t] = 0.6 * drift[:, t - 1] + rng.normal(0, 0.15, P)
    latent = 0.1 + base[:, None] + meff[mgr][:, None] + drift
    popularity = np.exp(rng.normal(0, 0.9, P)) * np.where(online, 5.0, 1.0)
    popularity /= popularity.sum()
    cum_pop = np.cumsum(popularity)
    cum_pop[-1] = 1.0

    wave_w = 1 + 0.06 * np.arange(T)
    counts = rng.multinomial(n_responses, wave_w / wave_w.sum())
    width = max(5, len(str(int(counts.max()))))
    point_idx = np.empty(n_responses, dtype=np.int16)
    wave_idx = np.empty(n_responses, dtype=np.int8)
    nps = np.empty(n_responses, dtype=np.float64)
    overall = np.empty(n_responses, dtype=np.float64)
    submitted = np.empty(n_responses, dtype="datetime64[s]")
    lang_en = np.empty(n_responses, dtype=np.int8)
    id_chunks = []
    pos = 0
    for t in _progress(range(T), progress, "simulate waves"):
        m_ = int(counts[t])
        sl = slice(pos, pos + m_)
        idx = np.searchsorted(cum_pop, rng.random(m_), side="right").astype(np.int16)
        point_idx[sl] = idx
        wave_idx[sl] = t
        y = latent[idx, t] + rng.standard_normal(m_, dtype=np.float32)
        nps[sl] = np.clip(np.rint(8.2 + 2.0 * y), 0, 10)
        o = y + 0.5 * rng.standard_normal(m_, dtype=np.float32)
        overall[sl] = 1 + np.searchsorted(np.array([-2.2, -1.3, -0.45, 0.55], dtype=np.float32), o)
        del y, o
        lo = qs[t].astype("datetime64[s]").astype(np.int64)
        hi = qe[t].astype("datetime64[s]").astype(np.int64)
        submitted[sl] = np.sort(rng.integers(lo, hi, m_)).astype("datetime64[s]")
        lang_en[sl] = rng.random(m_) < 0.03
        y_, q_ = quarters[t]
        seq = pa.array(np.arange(1, m_ + 1, dtype=np.int64))
        padded = pc.utf8_lpad(pc.cast(seq, pa.string()), width, "0")
        id_chunks.append(pc.binary_join_element_wise(f"R{y_}Q{q_}-", padded, "").cast(pa.large_string()))
        pos += m_

    ids = pa.chunked_array(id_chunks, type=pa.large_string())
    del id_chunks
    responses = _frame(
        "responses",
        {
            "response_id": ids,
            "wave_id": _categorical(wave_ids, wave_idx),
            "contact_id": None,
            "client_id": _categorical(point_ids, point_idx),
            "submitted_at": submitted,
            "nps": nps,
            "overall": overall,
            "price": None,
            "comment": None,
            "complete": True,
            "language": _categorical(["ru", "en"], lang_en),
            "manager": _categorical(mgr_names, mgr[point_idx].astype(np.int16)),
            "team": _categorical(_REGIONS, region[point_idx].astype(np.int8)),
            "import_id": None,
        },
        n=n_responses,
    )
    del ids, nps, overall, submitted

    clients = _frame(
        "clients",
        {
            "client_id": point_ids,
            "name": names,
            "segment": [_CONSUMER_SEGMENTS[s] for s in seg],
            "direction": np.where(online, "online", "store").tolist(),
            "team": [_REGIONS[r] for r in region],
            "manager": [mgr_names[m] for m in mgr],
            "start_date": start,
            "contract_value": None,
            "status": ["active"] * P,
        },
    )
    waves = _frame(
        "waves",
        {
            "wave_id": wave_ids,
            "opened_at": qs,
            "closed_at": qe - 1,
            "questionnaire": ["consumer_nps"] * T,
            "nps_scale": ["0-10"] * T,
            "rating_scale": ["1-5"] * T,
        },
    )
    tables = {name: empty_table(name) for name in TABLES}
    tables.update(clients=clients, waves=waves, responses=responses)
    tables = {
        name: tables[name]
        for name in [
            "clients",
            "contacts",
            "services",
            "client_services",
            "waves",
            "invitations",
            "responses",
            "answers",
            "events",
            "actions",
            "imports",
        ]
    }

    pi, ti = np.meshgrid(np.arange(P), np.arange(T), indexing="xy")
    truth = Truth(
        driver_weights=pd.Series([], dtype=float, index=pd.Index([], dtype="str", name="attribute_id"), name="weight"),
        manager_effects=pd.Series(meff, index=pd.Index(mgr_names, dtype="str", name="manager"), name="effect"),
        churn_probabilities=pd.DataFrame(
            {
                "client_id": pd.Series([], dtype="str"),
                "wave_id": pd.Series([], dtype="str"),
                "hazard": pd.Series([], dtype=float),
                "p_churn_12m": pd.Series([], dtype=float),
                "churned_within_12m": pd.Series([], dtype=bool),
                "observed_12m": pd.Series([], dtype=bool),
            }
        ),
        latent=pd.DataFrame(
            {
                "client_id": _str_series(np.array(point_ids, dtype=object)[pi.ravel()]),
                "wave_id": _str_series(np.array(wave_ids, dtype=object)[ti.ravel()]),
                "satisfaction": latent[pi.ravel(), ti.ravel()],
            }
        ),
        response_model={
            "formula": "y = latent[point, wave] + N(0, 1); nps = clip(round(8.2 + 2.0 y), 0, 10); "
            "overall = thresholds of y + N(0, 0.5)",
            "nps_intercept": 8.2,
            "nps_slope": 2.0,
            "overall_cuts": [-2.2, -1.3, -0.45, 0.55],
        },
        description=(
            f"Simulated consumer brand (seed {seed}): {P} points of sale in {R_} regions, "
            f"{M} regional managers, {n_responses} anonymous responses over {T} quarterly "
            f"waves {wave_ids[0]}..{wave_ids[-1]}. Point latent = 0.1 + base (sd 0.45) + "
            "manager effect (sd 0.2) + AR(1) drift (rho 0.6, sd 0.15)."
        ),
    )
    return Simulation(tables=tables, truth=truth)
