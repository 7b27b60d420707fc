"""The simulator: determinism, canonical columns, integrity, realism and its truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab.questionnaire import load_questionnaire
from cxlab.schema import TABLES
from cxlab.simulate import DRIVER_WEIGHTS, PANDAS_DTYPES, Simulation, simulate

AGENCY_TABLES = [
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


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(42)


@pytest.fixture(scope="module")
def consumer() -> Simulation:
    return simulate(3, scale=200_000)


def _nps(x) -> float:
    x = np.asarray(x, dtype=float)
    return 100 * ((x >= 9).mean() - (x <= 6).mean())


# ---------------------------------------------------------------------------
# determinism and shape of the frames
# ---------------------------------------------------------------------------
def test_same_seed_same_frames(sim):
    again = simulate(42)
    assert set(again.tables) == set(sim.tables)
    for name in sim.tables:
        pd.testing.assert_frame_equal(again.tables[name], sim.tables[name], obj=name)
    pd.testing.assert_frame_equal(again.truth.churn_probabilities, sim.truth.churn_probabilities)
    pd.testing.assert_frame_equal(again.truth.latent, sim.truth.latent)
    pd.testing.assert_series_equal(again.truth.manager_effects, sim.truth.manager_effects)


_TABLE_DIGEST = """
import hashlib, sys
import pandas as pd
from cxlab.simulate import simulate
sim = simulate(int(sys.argv[1]), n_clients=1500, n_waves=2)
for name, frame in sorted(sim.tables.items()):
    print(name, hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes()).hexdigest())
print("truth", hashlib.sha256(pd.util.hash_pandas_object(sim.truth.churn_probabilities).values.tobytes()).hexdigest())
"""


def test_same_seed_same_frames_on_any_cpu():
    """numpy picks SIMD kernels by CPU; a seed must give the same agency whichever it picks.

    Its quicksort kernels order ties differently (contract values are rounded,
    so 1,500 clients have many ties), so the simulator sorts stably.  The baseline kernels are forced
    with ``NPY_DISABLE_CPU_FEATURES`` in a second process.
    """
    import os
    import subprocess
    import sys

    from numpy._core import _multiarray_umath as umath

    extra = [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]
    if not extra:
        pytest.skip("this CPU has no SIMD level beyond numpy's baseline to switch off")

    def digest(env):
        run = subprocess.run(
            [sys.executable, "-c", _TABLE_DIGEST, "5"], env=env, capture_output=True, text=True, check=True
        )
        return run.stdout

    here = digest(dict(os.environ))
    baseline = digest({**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(extra)})
    assert here == baseline


def test_other_seed_other_frames(sim):
    other = simulate(7)
    for name in ["clients", "contacts", "responses", "answers", "events"]:
        assert not other.tables[name].equals(sim.tables[name]), name
    assert not other.truth.manager_effects.equals(sim.truth.manager_effects)


@pytest.mark.parametrize("name", AGENCY_TABLES)
def test_exact_canonical_columns_and_dtypes(sim, name):
    frame = sim.tables[name]
    assert list(frame.columns) == TABLES[name].names
    for col in TABLES[name].columns:
        expected = PANDAS_DTYPES[col.dtype]
        assert str(frame[col.name].dtype) == expected, f"{name}.{col.name}: {frame[col.name].dtype}"


def test_keys_are_unique(sim):
    for name, table in TABLES.items():
        if table.key and len(sim.tables[name]):
            assert not sim.tables[name].duplicated(list(table.key)).any(), name


# ---------------------------------------------------------------------------
# referential integrity
# ---------------------------------------------------------------------------
def test_referential_integrity(sim):
    t = sim.tables
    clients, contacts, responses = t["clients"], t["contacts"], t["responses"]
    assert contacts["client_id"].isin(clients["client_id"]).all()
    assert responses["client_id"].isin(clients["client_id"]).all()
    assert responses["contact_id"].isin(contacts["contact_id"]).all()
    owner = contacts.set_index("contact_id")["client_id"]
    assert (responses["contact_id"].map(owner) == responses["client_id"]).all()
    assert t["answers"]["response_id"].isin(responses["response_id"]).all()
    assert t["invitations"]["contact_id"].isin(contacts["contact_id"]).all()
    assert t["invitations"]["wave_id"].isin(t["waves"]["wave_id"]).all()
    assert responses["wave_id"].isin(t["waves"]["wave_id"]).all()
    assert t["events"]["client_id"].isin(clients["client_id"]).all()
    # every response comes from an invitation marked responded, and back
    inv = t["invitations"]
    responded = inv[inv["status"] == "responded"]
    pairs_r = set(zip(responses["wave_id"], responses["contact_id"]))
    assert pairs_r == set(zip(responded["wave_id"], responded["contact_id"]))


def test_services_from_the_catalogue(sim):
    q = load_questionnaire("pr_agency")
    t = sim.tables
    pd.testing.assert_frame_equal(t["services"], q.services)
    assert t["client_services"]["service_id"].isin(q.service_ids).all()
    assert t["client_services"]["client_id"].isin(t["clients"]["client_id"]).all()
    assert t["clients"]["direction"].isin(q.direction_ids).all()
    a = t["answers"]
    assert a.loc[a["kind"] == "attribute", "item"].isin(q.attribute_ids).all()
    assert a.loc[a["kind"].isin(["service", "need"]), "item"].isin(q.service_ids).all()
    assert set(a["kind"]) == {"attribute", "service", "need"}


def test_service_ratings_only_for_bought_services_and_needs_only_for_others(sim):
    t = sim.tables
    a = t["answers"].merge(t["responses"][["response_id", "client_id", "submitted_at"]], on="response_id")
    cs = t["client_services"]
    bought = a.merge(cs, on=["client_id"], how="left", suffixes=("", "_cs"))
    bought = bought[bought["item"] == bought["service_id"]]
    svc = a[a["kind"] == "service"]
    got = set(
        zip(bought.loc[bought["kind"] == "service", "response_id"], bought.loc[bought["kind"] == "service", "item"])
    )
    assert got == set(zip(svc["response_id"], svc["item"]))
    # bought before the wave
    b = bought[bought["kind"] == "service"]
    assert (b["since"] <= b["submitted_at"]).all()
    # needs are services not bought by then
    needs = bought[bought["kind"] == "need"]
    assert (needs["since"] > needs["submitted_at"]).all()
    per_resp = a[a["kind"] == "need"].groupby("response_id").size()
    assert per_resp.max() <= 3


def test_contacts(sim):
    c = sim.tables["contacts"]
    per_client = c.groupby("client_id").size()
    assert per_client.between(1, 4).all()
    dm = c[c["role"] == "decision_maker"].groupby("client_id").size()
    assert (dm.reindex(per_client.index) == 1).all()
    assert c["role"].isin(["decision_maker", "day_to_day", "marketing", "finance", "other"]).all()
    assert c["email"].str.endswith(("@example.ru", "@example.com")).all()
    assert c["email"].is_unique
    assert c["language"].isin(["ru", "en"]).all()
    assert 0.08 <= (c["language"] == "en").mean() <= 0.25


def test_clients(sim):
    cl = sim.tables["clients"]
    assert cl["client_id"].is_unique and cl["name"].is_unique
    assert cl["status"].isin(["active", "churned"]).all()
    assert 4 <= cl["team"].nunique() <= 4
    assert 10 <= cl["manager"].nunique() <= 12
    assert (cl.groupby("manager")["team"].nunique() == 1).all()
    v = cl["contract_value"]
    assert 1.5e6 <= v.median() <= 3.5e6
    assert v.max() >= 15e6
    waves = sim.tables["waves"]
    first_open = waves["opened_at"].min()
    assert (cl["start_date"] < first_open - pd.Timedelta(days=4 * 365)).any()
    assert (cl["start_date"] > first_open).sum() >= 10  # new clients during the period
    assert cl["name"].str.contains("«").any() and (~cl["name"].str.contains("«")).any()


# ---------------------------------------------------------------------------
# ranges and realism
# ---------------------------------------------------------------------------
def test_ranges(sim):
    r = sim.tables["responses"]
    assert r["nps"].between(0, 10).all() and (r["nps"] == r["nps"].round()).all()
    for col in ["overall", "price"]:
        assert r[col].between(1, 5).all() and (r[col] == r[col].round()).all()
    a = sim.tables["answers"]
    rated = a[a["kind"].isin(["attribute", "service"])]
    assert rated["value"].between(1, 5).all() and (rated["scale"] == "1-5").all()
    need = a[a["kind"] == "need"]
    assert (need["value"] == 1).all() and (need["scale"] == "0-1").all()
    assert r["import_id"].isna().all()


def test_waves(sim):
    w = sim.tables["waves"]
    assert w["wave_id"].tolist() == [
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert (w["questionnaire"] == "pr_agency").all()
    assert (w["nps_scale"] == "0-10").all() and (w["rating_scale"] == "1-5").all()
    assert w["opened_at"].dt.month.tolist() == [12, 3, 6, 9, 12, 3, 6, 9]
    assert w["opened_at"].dt.day.between(6, 15).all()
    assert ((w["closed_at"] - w["opened_at"]).dt.days.between(14, 28)).all()
    other = simulate(1, last_wave="2025-Q2", n_waves=3, n_clients=40)
    assert other.tables["waves"]["wave_id"].tolist() == ["2024-Q4", "2025-Q1", "2025-Q2"]


def test_submitted_inside_the_wave_window(sim):
    r = sim.tables["responses"].merge(sim.tables["waves"], on="wave_id")
    assert (r["submitted_at"] >= r["opened_at"]).all()
    assert (r["submitted_at"] < r["closed_at"] + pd.Timedelta(days=1)).all()
    inv = sim.tables["invitations"].merge(sim.tables["waves"], on="wave_id")
    assert (inv["sent_at"] >= inv["opened_at"]).all() and (inv["sent_at"] < inv["closed_at"]).all()
    ids = sim.tables["responses"]["response_id"]
    assert ids.str.fullmatch(r"R20\d\dQ[1-4]-\d{5}").all()
    assert ids.iloc[0].startswith("R2024Q4-")


def test_realistic_shape(sim):
    t = sim.tables
    assert 120 <= len(t["clients"]) <= 180
    assert t["responses"]["wave_id"].nunique() == 8
    per_wave = t["responses"].groupby("wave_id").size()
    assert per_wave.min() >= 60
    nps = _nps(t["responses"]["nps"])
    assert 10 <= nps <= 55
    detractors = (t["responses"]["nps"] <= 6).mean()
    assert 0.05 <= detractors <= 0.25
    inv = t["invitations"]
    rate = (inv["status"] == "responded").mean()
    assert 0.35 <= rate <= 0.70
    status_share = inv["status"].value_counts(normalize=True)
    assert 0.01 <= status_share.get("bounced", 0) <= 0.06
    assert 0.01 <= status_share.get("refused", 0) <= 0.06
    assert 0.7 <= (inv["channel"] == "email").mean() <= 0.9
    assert inv["reminders"].between(0, 2).all()
    comments = t["responses"]["comment"].notna().mean()
    assert 0.35 <= comments <= 0.65


@pytest.mark.slow
def test_nps_is_realistic_across_seeds():
    values = [_nps(simulate(s).tables["responses"]["nps"]) for s in (1, 2, 3)]
    assert all(10 <= v <= 55 for v in values), values


def test_comments_in_the_respondents_language(sim):
    r = sim.tables["responses"].dropna(subset=["comment"])
    cyr = r["comment"].str.contains("[а-яА-ЯёЁ]", regex=True)
    assert (cyr == (r["language"] == "ru")).all()
    low = r[r["nps"] <= 6]
    assert len(low) > 10


def test_attributes_are_correlated_but_not_collinear(sim):
    a = sim.tables["answers"]
    grid = a[a["kind"] == "attribute"].pivot(index="response_id", columns="item", values="value")
    c = grid.corr().to_numpy()
    off = c[np.triu_indices_from(c, 1)]
    assert 0.2 <= off.mean() <= 0.65
    assert off.max() < 0.8


def test_drivers_can_be_recovered(sim):
    """OLS of recommend on the attribute grid ranks the strongest drivers first."""
    a = sim.tables["answers"]
    grid = a[a["kind"] == "attribute"].pivot(index="response_id", columns="item", values="value")
    y = sim.tables["responses"].set_index("response_id").loc[grid.index, "nps"].to_numpy()
    X = np.c_[np.ones(len(grid)), grid.to_numpy()]
    beta = pd.Series(np.linalg.lstsq(X, y, rcond=None)[0][1:], index=grid.columns)
    top = set(beta.nlargest(2).index)
    assert top == {"responsiveness", "understanding_goals"}
    assert beta["responsiveness"] > 3 * beta["value_for_money"]


def test_informative_silence(sim):
    t = sim.tables
    inv = t["invitations"].merge(t["contacts"][["contact_id", "client_id"]], on="contact_id")
    inv = inv.merge(sim.truth.latent, on=["client_id", "wave_id"], how="left")
    assert inv["satisfaction"].notna().all()
    responded = inv["status"] == "responded"
    assert inv.loc[responded, "satisfaction"].mean() > inv.loc[~responded, "satisfaction"].mean() + 0.1
    assert sim.truth.response_model["latent"] > 0


def test_boss_and_marketer_differ(sim):
    r = sim.tables["responses"].merge(sim.tables["contacts"][["contact_id", "role"]], on="contact_id")
    both = r[r["role"].isin(["decision_maker", "marketing"])]
    wide = both.pivot_table(index=["client_id", "wave_id"], columns="role", values="nps", aggfunc="mean")
    wide = wide.dropna()
    assert len(wide) > 20
    gap = (wide["decision_maker"] - wide["marketing"]).abs()
    assert (gap >= 3).mean() > 0.05


def test_invited_contacts_are_eligible(sim):
    t = sim.tables
    inv = (
        t["invitations"]
        .merge(t["contacts"][["contact_id", "client_id"]], on="contact_id")
        .merge(t["clients"][["client_id", "start_date"]], on="client_id")
        .merge(t["waves"][["wave_id", "opened_at"]], on="wave_id")
    )
    tenure = inv["opened_at"] - inv["start_date"]
    assert (tenure >= pd.Timedelta(days=89)).all()
    assert inv["token"].str.fullmatch("[0-9a-f]{16}").all()
    assert inv["token"].is_unique


# ---------------------------------------------------------------------------
# events and churn
# ---------------------------------------------------------------------------
def test_events(sim):
    ev = sim.tables["events"]
    assert set(ev["kind"]) <= {
        "renewed",
        "churned",
        "downsized",
        "expanded",
        "manager_changed",
        "complaint",
        "scope_cut",
    }
    for kind in ["renewed", "churned", "manager_changed", "expanded", "downsized", "complaint"]:
        assert (ev["kind"] == kind).any(), kind
    waves = sim.tables["waves"]
    assert ev["date"].max() <= waves["closed_at"].max()
    mc = ev[ev["kind"] == "manager_changed"]
    assert mc["detail"].str.contains(" -> ").all()
    churned = ev[ev["kind"] == "churned"]
    assert churned["client_id"].is_unique
    years = (waves["closed_at"].max() - waves["closed_at"].min()).days / 365.25
    per_year = len(churned) / years
    assert 2 <= per_year <= 12
    status = sim.tables["clients"].set_index("client_id")["status"]
    assert set(status[status == "churned"].index) == set(churned["client_id"])
    # no renewals after a churn
    cd = churned.set_index("client_id")["date"]
    ren = ev[ev["kind"] == "renewed"]
    assert not (ren["date"] > ren["client_id"].map(cd)).any()


def test_churned_clients_are_not_invited_after_churn(sim):
    t = sim.tables
    churn = t["events"].loc[t["events"]["kind"] == "churned"].set_index("client_id")["date"]
    inv = t["invitations"].merge(t["contacts"][["contact_id", "client_id"]], on="contact_id")
    inv["churn_date"] = inv["client_id"].map(churn)
    assert not (inv["sent_at"] >= inv["churn_date"]).any()
    r = t["responses"].assign(churn_date=t["responses"]["client_id"].map(churn))
    assert not (r["submitted_at"] >= r["churn_date"]).any()


def test_manager_at_the_time_of_response(sim):
    r = sim.tables["responses"]
    cl = sim.tables["clients"]
    teams = cl.drop_duplicates("manager").set_index("manager")["team"]
    assert (r["manager"].map(teams) == r["team"]).all()
    assert set(r["manager"]) <= set(sim.truth.manager_effects.index)


# ---------------------------------------------------------------------------
# truth
# ---------------------------------------------------------------------------
def test_truth_weights(sim):
    w = sim.truth.driver_weights
    assert w.sum() == pytest.approx(1.0)
    assert w.to_dict() == pytest.approx(DRIVER_WEIGHTS)
    assert w.idxmax() == "responsiveness"
    assert w.max() > 5 * w.min()


def test_truth_manager_effects(sim):
    m = sim.truth.manager_effects
    assert set(sim.tables["clients"]["manager"]) <= set(m.index)
    assert set(sim.tables["responses"]["manager"]) <= set(m.index)
    assert 10 <= len(m) <= 12
    assert abs(m.sum()) < 1e-9
    assert 0.3 <= m.std(ddof=0) <= 0.5


def test_truth_latent(sim):
    lat = sim.truth.latent
    assert list(lat.columns) == ["client_id", "wave_id", "satisfaction"]
    assert not lat.duplicated(["client_id", "wave_id"]).any()
    assert lat["client_id"].isin(sim.tables["clients"]["client_id"]).all()
    # every response's client was active (has a latent value) at its wave
    keys = set(zip(lat["client_id"], lat["wave_id"]))
    r = sim.tables["responses"]
    assert set(zip(r["client_id"], r["wave_id"])) <= keys


def test_truth_churn_probabilities(sim):
    cp = sim.truth.churn_probabilities
    t = sim.tables
    assert list(cp.columns)[:5] == ["client_id", "wave_id", "hazard", "p_churn_12m", "churned_within_12m"]
    assert cp["hazard"].between(0, 1).all() and cp["p_churn_12m"].between(0, 1).all()
    assert (cp["p_churn_12m"] >= cp["hazard"]).all()
    assert cp["churned_within_12m"].dtype == bool
    # covers every client active at some wave, and exactly the latent rows
    lat = sim.truth.latent
    assert set(zip(cp["client_id"], cp["wave_id"])) == set(zip(lat["client_id"], lat["wave_id"]))
    assert set(t["responses"]["client_id"]) <= set(cp["client_id"])
    # flags match the generated churn events
    churn = t["events"].loc[t["events"]["kind"] == "churned"].set_index("client_id")["date"]
    closed = t["waves"].set_index("wave_id")["closed_at"]
    d = cp.assign(churn_date=cp["client_id"].map(churn), closed=cp["wave_id"].map(closed))
    lag = d["churn_date"] - d["closed"]
    flagged = d[d["churned_within_12m"]]
    assert (lag[d["churned_within_12m"]] > pd.Timedelta(0)).all()
    assert (lag[d["churned_within_12m"]] < pd.Timedelta(days=380)).all()
    not_flagged = d[~d["churned_within_12m"]]
    lag_nf = not_flagged["churn_date"] - not_flagged["closed"]
    assert not (lag_nf < pd.Timedelta(days=350)).any()
    assert set(flagged["client_id"]) == set(churn.index)
    # the truth is informative: churners had higher hazards
    assert d.loc[d["churned_within_12m"], "p_churn_12m"].mean() > d.loc[~d["churned_within_12m"], "p_churn_12m"].mean()
    # p_churn_12m_path is the product of the next four quarterly hazards along the realised path
    first = cp.sort_values("wave_id").groupby("client_id").head(5)
    one = first[first["client_id"] == first["client_id"].iloc[0]].sort_values("wave_id")
    assert len(one) == 5
    h = one["hazard"].to_numpy()
    assert one["p_churn_12m_path"].iloc[0] == pytest.approx(1 - np.prod(1 - h[:4]))
    # p_churn_12m, the probability given the state at the wave, is that product's expectation: the two
    # agree on average (Monte Carlo and the unhappy-client approximation aside), the expectation is
    # smoother, and both are at least the first quarter's hazard.
    assert cp["p_churn_12m"].mean() == pytest.approx(cp["p_churn_12m_path"].mean(), rel=0.1)
    assert cp["p_churn_12m"].std() < cp["p_churn_12m_path"].std()
    assert (cp["p_churn_12m_path"] >= cp["hazard"] - 1e-12).all()


def test_expected_churn_probability_by_hand():
    """With no drift noise, shocks or manager changes, the expectation is the deterministic product."""
    from cxlab.simulate import truth as sim_module

    rng = np.random.default_rng(0)
    h0, u0, base = np.array([0.05]), np.array([0.4]), np.array([0.1])
    meff, teams = np.array([0.2, -0.1]), np.array([0, 0])
    p = sim_module._expected_churn_12m(
        rng,
        h0=h0,
        u0=u0,
        base=base,
        manager=np.array([0]),
        changed_ago=np.array([99]),
        meff=meff,
        mgr_team=teams,
        n_paths=20000,
    )
    cm, rho = sim_module._CHURN_MODEL, sim_module._RHO
    # Mean path: u shrinks by rho each quarter; the spread of the noise makes the expectation differ
    # a little from the mean path's product, so the check is loose but would catch a wrong recursion.
    surv = 1 - h0[0]
    u = u0[0]
    for _ in range(3):
        u = rho * u
        surv *= 1 - sim_module._expit(cm["alpha"] + cm["beta"] * (base[0] + meff[0] + u))
    assert p[0] == pytest.approx(1 - surv, rel=0.15)
    assert p[0] > h0[0]


def test_truth_models_documented(sim):
    assert sim.truth.churn_model["beta"] < 0
    assert sim.truth.response_model["latent"] > 0
    assert "PR agency" in sim.truth.description
    import cxlab.simulate as module

    assert "Examples" in module.__doc__ and "p_churn_12m" in module.__doc__


def test_progress_bar(capsys):
    simulate(5, n_clients=30, n_waves=2, progress=True)
    err = capsys.readouterr().err
    assert "simulate waves" in err


def test_bad_arguments():
    with pytest.raises(ValueError):
        simulate(scale="huge")
    with pytest.raises(ValueError):
        simulate(scale=0)
    with pytest.raises(ValueError):
        simulate(last_wave="Q3 2026")


def test_smaller_agency():
    s = simulate(3, n_clients=40, n_waves=4)
    assert len(s.tables["clients"]) == 40
    assert s.tables["responses"]["wave_id"].nunique() == 4


# ---------------------------------------------------------------------------
# consumer scale
# ---------------------------------------------------------------------------
def test_consumer_scale(consumer):
    t = consumer.tables
    r = t["responses"]
    assert len(r) == 200_000
    for name in AGENCY_TABLES:
        assert list(t[name].columns) == TABLES[name].names, name
    assert r["response_id"].is_unique
    assert r["contact_id"].isna().all() and r["comment"].isna().all()
    assert len(t["answers"]) == 0 and len(t["contacts"]) == 0 and len(t["invitations"]) == 0
    assert r["nps"].between(0, 10).all() and (r["nps"] == r["nps"].round()).all()
    assert r["overall"].between(1, 5).all()
    assert r["wave_id"].nunique() == 8
    assert 1_500 <= len(t["clients"]) <= 2_500
    assert r["client_id"].isin(t["clients"]["client_id"]).all()
    assert str(r["submitted_at"].dtype) == "datetime64[us]"
    assert str(r["nps"].dtype) == "float64"
    assert str(r["response_id"].dtype) == "str"
    rw = r.merge(t["waves"], on="wave_id")
    assert (rw["submitted_at"] >= rw["opened_at"]).all()
    assert (rw["submitted_at"] < rw["closed_at"] + pd.Timedelta(days=1)).all()
    assert -20 <= _nps(r["nps"]) <= 60
    assert t["clients"]["manager"].nunique() >= 10


def test_consumer_is_deterministic(consumer):
    again = simulate(3, scale=200_000)
    # (assert_frame_equal is slow on large categoricals; equals compares values and dtypes)
    assert again.tables["responses"].equals(consumer.tables["responses"])
    assert (again.tables["responses"].dtypes == consumer.tables["responses"].dtypes).all()
    other = simulate(4, scale=200_000)
    assert not other.tables["responses"]["nps"].equals(consumer.tables["responses"]["nps"])
