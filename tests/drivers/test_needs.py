"""Needs map, cross-sell and needs over waves against hand computations and the simulated demo agency."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cxlab.drivers.cross_selling import cross_sell
from cxlab.drivers.needs import development_priorities, needs_map, needs_over_waves
from cxlab.summary import SurveyData

OPENED = pd.Timestamp("2026-09-10")

# Three services in two directions; four responding clients (C4 churned) and C5 who did not answer.
#   C1 (X, 1.0M): r1 -> s2; r2 -> s1, s2, s3      buys s1 since 2020
#   C2 (X, 2.0M): r3 -> nothing                   buys s3, start date unknown (NaT: bought)
#   C3 (Y, 3.0M): r4 -> s2; r5 -> s1; r6 -> -     buys s2 only from 2026-10-01, after the wave opened
#   C4 (Y, 4.0M, churned): r7 -> s3
#   C5 (Y, 5.0M): no response                     buys s1 since 2021
RESPONSES = {"r1": "C1", "r2": "C1", "r3": "C2", "r4": "C3", "r5": "C3", "r6": "C3", "r7": "C4"}
NEEDS = [("r1", "s2"), ("r2", "s1"), ("r2", "s2"), ("r2", "s3"), ("r4", "s2"), ("r5", "s1"), ("r7", "s3")]
SEGMENT = {"C1": "X", "C2": "X", "C3": "Y", "C4": "Y", "C5": "Y"}
VALUE = {"C1": 1e6, "C2": 2e6, "C3": 3e6, "C4": 4e6, "C5": 5e6}
SINCE_C3 = pd.Timestamp("2026-10-01")


def make_data(needs=NEEDS, responses=RESPONSES, since_c3=SINCE_C3) -> SurveyData:
    clients = pd.DataFrame(
        {
            "client_id": list(VALUE),
            "name": ["Альфа", "Beta", "Гамма", "Delta", "Эпсилон"],
            "segment": [SEGMENT[c] for c in VALUE],
            "team": "T1",
            "manager": "M1",
            "start_date": pd.Timestamp("2020-01-01"),
            "contract_value": list(VALUE.values()),
            "status": ["active", "active", "active", "churned", "active"],
        }
    )
    resp = pd.DataFrame({"response_id": list(responses), "wave_id": "W1", "client_id": list(responses.values())})
    resp["segment"] = resp["client_id"].map(SEGMENT)
    resp["contract_value"] = resp["client_id"].map(VALUE)
    # An earlier wave that did not ask the needs question.
    early = pd.DataFrame({"response_id": ["e1", "e2", "e3"], "wave_id": "W0", "client_id": ["C1", "C2", "C3"]})
    early["segment"] = early["client_id"].map(SEGMENT)
    early["contract_value"] = early["client_id"].map(VALUE)
    answers = pd.DataFrame(needs, columns=["response_id", "item"]).assign(kind="need", value=1.0, scale="0-1")
    rating = pd.DataFrame(
        {"response_id": ["r3", "e1"], "item": ["s3", "s1"], "kind": "service", "value": [4.0, 5.0], "scale": "1-5"}
    )
    return SurveyData(
        responses=pd.concat([early, resp], ignore_index=True),
        answers=pd.concat([answers, rating], ignore_index=True),
        waves=pd.DataFrame(
            {
                "wave_id": ["W0", "W1", "W2"],
                "opened_at": pd.to_datetime(["2026-06-10", "2026-09-10", "2026-12-10"]),
                "closed_at": pd.to_datetime(["2026-06-30", "2026-09-30", "2026-12-30"]),
                "questionnaire": "pr_agency",
            }
        ),
        services=pd.DataFrame(
            {
                "service_id": ["s1", "s2", "s3"],
                "direction": ["A", "A", "B"],
                "name_ru": ["У1", "У2", "У3"],
                "name_en": ["S1", "S2", "S3"],
            }
        ),
        client_services=pd.DataFrame(
            {
                "client_id": ["C1", "C2", "C3", "C5"],
                "service_id": ["s1", "s3", "s2", "s1"],
                "since": [pd.Timestamp("2020-01-01"), pd.NaT, since_c3, pd.Timestamp("2021-01-01")],
            }
        ),
        clients=clients,
        invitations=pd.DataFrame(),
    )


def clustered_wilson(resp: dict, naming: set, confidence=0.95):
    """Share, Wilson interval on n / design effect, design effect: written out the long way."""
    clients = sorted(set(resp.values()))
    n = len(resp)
    n_c = {c: sum(1 for v in resp.values() if v == c) for c in clients}
    m_c = {c: sum(1 for r, v in resp.items() if v == c and r in naming) for c in clients}
    p = sum(m_c.values()) / n
    C = len(clients)
    var_cl = C / (C - 1) * sum((m_c[c] - p * n_c[c]) ** 2 for c in clients) / n**2
    deff = var_cl / (p * (1 - p) / (n - 1))
    n_eff = n / max(deff, 1.0)
    low, high = proportion_confint(p * n_eff, n_eff, alpha=1 - confidence, method="wilson")
    return p, low, high, deff


def row(frame, **keys):
    mask = np.ones(len(frame), dtype=bool)
    for k, v in keys.items():
        mask &= (frame[k] == v).to_numpy()
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


# ----------------------------------------------------------------------------- needs_map
def test_service_shares_by_hand_with_clustered_wilson():
    out = needs_map(make_data(), "W1", by="service", min_n=0)
    assert list(out["service_id"]) == ["s1", "s2", "s3"]
    assert list(out["direction"]) == ["A", "A", "B"]
    assert (out["respondents"] == 7).all() and (out["clients"] == 4).all()
    assert list(out["mentions"]) == [2, 3, 2]
    s2 = row(out, service_id="s2")
    # m_c = (2, 0, 1, 0), n_c = (2, 1, 3, 1), p = 3/7: sum (m_c - p n_c)^2 = 86/49
    assert s2["design_effect"] == pytest.approx((4 / 3 * 86 / 49 / 49) / (2 / 49))
    assert s2["design_effect"] == pytest.approx(344 / 294)
    p, low, high, deff = clustered_wilson(RESPONSES, {"r1", "r2", "r4"})
    assert (s2["share"], s2["ci_low"], s2["ci_high"]) == pytest.approx((3 / 7, low, high))
    # Clustering widens the interval beyond plain Wilson.
    plain = proportion_confint(3, 7, alpha=0.05, method="wilson")
    assert s2["ci_low"] < plain[0] and s2["ci_high"] > plain[1]
    for sid, naming in (("s1", {"r2", "r5"}), ("s3", {"r2", "r7"})):
        r = row(out, service_id=sid)
        p, low, high, deff = clustered_wilson(RESPONSES, naming)
        assert (r["share"], r["ci_low"], r["ci_high"], r["design_effect"]) == pytest.approx((p, low, high, deff))
    # clients naming it (whatever they buy) and clients buying it when the wave opened
    assert list(out["clients_needing"]) == [2, 2, 2]
    assert list(out["clients_buying"]) == [1, 0, 1]  # C1 buys s1; C3's s2 starts after the wave; C2's s3 NaT
    assert list(out["penetration"]) == pytest.approx([0.25, 0.0, 0.25])
    assert not out["suppressed"].any()
    assert out["method"].str.contains("Wilson").all() and out["method"].str.contains("design effect").all()


def test_one_respondent_per_client_is_plain_wilson():
    resp = {"r1": "C1", "r3": "C2", "r4": "C3", "r7": "C4"}
    needs = [(r, s) for r, s in NEEDS if r in resp]
    out = needs_map(make_data(needs=needs, responses=resp), "W1", by="service", min_n=0)
    for r in out.itertuples():
        k = int(r.mentions)
        low, high = proportion_confint(k, 4, alpha=0.05, method="wilson")
        assert (r.share, r.ci_low, r.ci_high) == pytest.approx((k / 4, low, high), abs=1e-12)
    assert row(out, service_id="s2")["design_effect"] == pytest.approx(1.0)


def test_direction_counts_a_respondent_once_per_direction():
    out = needs_map(make_data(), "W1", min_n=0)  # by="direction" is the default
    assert list(out.columns[:2]) == ["direction", "respondents"]
    a, b = row(out, direction="A"), row(out, direction="B")
    assert a["mentions"] == 4  # r1, r2 (two services of A, counted once), r4, r5
    assert b["mentions"] == 2
    _p, low, high, _ = clustered_wilson(RESPONSES, {"r1", "r2", "r4", "r5"})
    assert (a["share"], a["ci_low"], a["ci_high"]) == pytest.approx((4 / 7, low, high))
    assert a["clients_buying"] == 1 and b["clients_buying"] == 1  # C1 buys s1 (A), C2 s3 (B)
    assert a["penetration"] == pytest.approx(0.25)


def test_segment_by_direction_grid_and_suppression():
    out = needs_map(make_data(), "W1", by=["segment", "direction"], min_n=4)
    assert list(out.columns[:3]) == ["segment", "direction", "respondents"]
    assert len(out) == 4 and set(zip(out["segment"], out["direction"])) == {
        ("X", "A"),
        ("X", "B"),
        ("Y", "A"),
        ("Y", "B"),
    }
    x = out[out["segment"] == "X"]
    # Three respondents in segment X: suppressed, respondents kept so the reader sees why.
    assert x["suppressed"].all() and (x["respondents"] == 3).all()
    assert x[["share", "ci_low", "ci_high"]].isna().all().all() and x["mentions"].isna().all()
    y_a, y_b = row(out, segment="Y", direction="A"), row(out, segment="Y", direction="B")
    assert not y_a["suppressed"] and y_a["respondents"] == 4 and y_a["clients"] == 2
    assert (y_a["mentions"], y_b["mentions"]) == (2, 1)
    y_resp = {r: c for r, c in RESPONSES.items() if SEGMENT[c] == "Y"}
    _p, low, high, _ = clustered_wilson(y_resp, {"r4", "r5"})
    assert (y_a["share"], y_a["ci_low"], y_a["ci_high"]) == pytest.approx((0.5, low, high))
    # with min_n=3 segment X is shown
    shown = needs_map(make_data(), "W1", by=["segment", "direction"], min_n=3)
    assert not shown["suppressed"].any()
    assert row(shown, segment="X", direction="A")["mentions"] == 2


def test_segment_by_service_grid():
    out = needs_map(make_data(), "W1", by=["segment", "service"], min_n=0)
    assert len(out) == 2 * 3
    assert list(out.columns[:5]) == ["segment", "service_id", "direction", "name_ru", "name_en"]
    assert row(out, segment="Y", service_id="s3")["mentions"] == 1


def test_by_client_is_descriptive():
    out = needs_map(make_data(), "W1", by="client")
    assert list(out["client_id"]) == ["C1", "C3", "C4", "C2"]  # most lacked first
    c1 = row(out, client_id="C1")
    assert c1["services_lacked"] == "s1, s2, s3" and c1["n_lacked"] == 3 and c1["already_buys"] == 1
    assert c1["respondents"] == 2 and c1["name"] == "Альфа" and c1["contract_value"] == 1e6
    c2, c3 = row(out, client_id="C2"), row(out, client_id="C3")
    assert (c2["services_lacked"], c2["n_lacked"], c2["already_buys"]) == ("", 0, 1)
    assert (c3["services_lacked"], c3["already_buys"]) == ("s1, s2", 0)  # s2 bought after the wave opened
    assert not {"share", "ci_low", "ci_high", "suppressed"} & set(out.columns)


def test_wave_without_need_answers_gives_zero_shares():
    out = needs_map(make_data(), "W0", by="service", min_n=0)
    assert (out["mentions"] == 0).all() and (out["share"] == 0).all()
    _low, high = proportion_confint(0, 3, alpha=0.05, method="wilson")
    assert list(out["ci_high"]) == pytest.approx([high] * 3)
    assert (out["ci_low"] == 0).all()
    assert out.attrs["notes"] and "W0" in out.attrs["notes"][0]


def test_explicit_zero_need_answers_are_not_mentions():
    data = make_data()
    data.answers = pd.concat(
        [
            data.answers,
            pd.DataFrame({"response_id": ["r3"], "item": ["s1"], "kind": "need", "value": 0.0, "scale": "0-1"}),
        ]
    )
    assert row(needs_map(data, "W1", by="service", min_n=0), service_id="s1")["mentions"] == 2


def test_partial_response_without_needs_leaves_the_denominator():
    data = make_data()
    data.responses["complete"] = ~data.responses["response_id"].isin(["r3", "r5"])
    out = needs_map(data, "W1", by="service", min_n=0)
    # r3 stopped early and named nothing: out; r5 is partial but reached the question: in.
    assert (out["respondents"] == 6).all()
    assert row(out, service_id="s1")["mentions"] == 2


def test_validation_messages():
    data = make_data()
    with pytest.raises(ValueError, match=r"wave 'nope' does not exist \(waves: W0, W1, W2\)"):
        needs_map(data, "nope")
    with pytest.raises(ValueError, match="service, direction, segment, client"):
        needs_map(data, "W1", by="manager")
    with pytest.raises(ValueError, match="cannot be combined"):
        needs_map(data, "W1", by=["client", "segment"])
    with pytest.raises(ValueError, match="no responses"):
        needs_map(data, "W2")
    with pytest.raises(ValueError, match="min_n"):
        needs_map(data, "W1", min_n=-1)
    with pytest.raises(ValueError, match="wave 'nope' does not exist"):
        cross_sell(data, "nope")
    with pytest.raises(ValueError, match="level"):
        cross_sell(data, "W1", level="segment")
    with pytest.raises(ValueError, match="direction, service"):
        needs_over_waves(data, by="segment")


# ----------------------------------------------------------------------------- cross_sell
def test_cross_sell_by_hand():
    out = cross_sell(make_data(), "W1")
    # Base: responding clients not churned (C1, C2, C3), 6.0M in all.  Open needs:
    #   s1: C3 (C1 already buys it) -> 3.0M;  s2: C1 and C3 (C3's s2 starts after the wave) -> 4.0M;
    #   s3: C1 (C4 named it but churned) -> 1.0M
    assert list(out["service_id"]) == ["s2", "s1", "s3"]
    assert list(out["priority_rank"]) == [1, 2, 3]
    assert (out["clients"] == 3).all()
    assert list(out["clients_needing"]) == [2, 1, 1]
    assert list(out["potential_value"]) == pytest.approx([4e6, 3e6, 1e6])
    assert list(out["weighted_demand"]) == pytest.approx([4 / 6, 3 / 6, 1 / 6])
    # penetration over current clients C1, C2, C3, C5 at the wave: s1 C1+C5, s2 none yet, s3 C2
    assert list(out["clients_buying"]) == [0, 2, 1]
    assert list(out["penetration"]) == pytest.approx([0.0, 0.5, 0.25])
    assert out["method"].str.contains("bootstrap").all()


def test_cross_sell_counts_a_service_bought_before_the_wave_as_bought():
    out = cross_sell(make_data(since_c3=pd.Timestamp("2026-09-01")), "W1")
    s2 = row(out, service_id="s2")
    assert s2["clients_needing"] == 1 and s2["potential_value"] == pytest.approx(1e6)
    assert s2["clients_buying"] == 1
    # s1 (3.0M) now leads s2 (1.0M); the tie s2/s3 at 1.0M goes by weighted demand, then catalogue order.
    assert list(out["service_id"]) == ["s1", "s2", "s3"]


def test_cross_sell_by_direction():
    out = cross_sell(make_data(), "W1", level="direction")
    assert list(out["direction"]) == ["A", "B"]
    a, b = row(out, direction="A"), row(out, direction="B")
    # A: C1 lacks s2 (buys s1, another service of A: still open), C3 lacks s1 and s2 -> 4.0M
    assert (a["clients_needing"], a["potential_value"], a["weighted_demand"]) == (2, 4e6, pytest.approx(4 / 6))
    assert (b["clients_needing"], b["potential_value"]) == (1, 1e6)
    assert (a["penetration"], b["penetration"]) == pytest.approx((0.5, 0.25))


def test_bootstrap_interval_contains_estimate_and_is_reproducible():
    data = make_data()
    one = cross_sell(data, "W1", n_boot=500, seed=7)
    two = cross_sell(data, "W1", n_boot=500, seed=7)
    pd.testing.assert_frame_equal(one, two)
    assert ((one["ci_low"] <= one["weighted_demand"]) & (one["weighted_demand"] <= one["ci_high"])).all()
    assert ((one["ci_low"] >= 0) & (one["ci_high"] <= 1)).all()
    assert (one["ci_high"] > one["ci_low"]).all()
    other = cross_sell(data, "W1", n_boot=500, seed=8)
    assert not np.allclose(one[["ci_low", "ci_high"]], other[["ci_low", "ci_high"]])


def test_development_priorities_labels_and_order():
    out = development_priorities(make_data(), "W1", top=1, lang="en", min_n=0, labels={"A": "Alpha work"})
    assert len(out) == 1
    top = out.iloc[0]
    assert (top["direction"], top["label"], top["priority_rank"]) == ("A", "Alpha work", 1)
    assert top["share"] == pytest.approx(4 / 7) and top["potential_value"] == pytest.approx(4e6)
    both = development_priorities(make_data(), "W1", labels={})
    assert list(both["label"]) == ["A", "B"]  # an unnamed direction shows its id
    with pytest.raises(ValueError, match="lang"):
        development_priorities(make_data(), "W1", lang="de")


# ----------------------------------------------------------------------------- over waves
def test_needs_over_waves_matches_each_wave():
    data = make_data()
    out = needs_over_waves(data, min_n=0)
    assert list(out["wave_id"].unique()) == ["W0", "W1"]  # W2 has no responses
    w1 = out[out["wave_id"] == "W1"].drop(columns="wave_id").reset_index(drop=True)
    same = needs_map(data, "W1", min_n=0)[w1.columns]
    pd.testing.assert_frame_equal(w1, same)
    assert (out.loc[out["wave_id"] == "W0", "share"] == 0).all()
    assert any("W0" in note for note in out.attrs["notes"])
    by_service = needs_over_waves(data, by="service", min_n=0)
    assert len(by_service) == 2 * 3 and "service_id" in by_service.columns


def test_small_cells_are_suppressed_in_priorities_too():
    out = development_priorities(make_data(), "W1")  # 7 respondents < min_n = 10
    assert out["share"].isna().all() and (out["respondents"] == 7).all()
    assert list(out["potential_value"]) == pytest.approx([4e6, 1e6])  # account figures stay


# ----------------------------------------------------------------------------- demo data
@pytest.fixture(scope="module")
def demo():
    """The demo agency straight from the simulator (seed 42, as ``cxlab demo``), without the
    workspace round trip (0.5 s instead of 4 s); responses joined as ``Workspace.response_frame``."""
    from cxlab.simulate import simulate

    t = simulate(seed=42).tables
    accounts = t["clients"][["client_id", "segment", "direction", "contract_value", "status"]]
    responses = t["responses"].merge(accounts.rename(columns={"status": "client_status"}), on="client_id", how="left")
    return SurveyData(
        responses=responses,
        answers=t["answers"],
        waves=t["waves"],
        services=t["services"],
        client_services=t["client_services"],
        clients=t["clients"],
        invitations=t["invitations"],
    )


@pytest.mark.slow
def test_demo_mentions_equal_a_direct_count(demo):
    wave = "2026-Q3"
    resp = demo.responses[demo.responses["wave_id"] == wave]
    need = demo.answers[(demo.answers["kind"] == "need") & demo.answers["response_id"].isin(resp["response_id"])]
    direct = need.groupby("item")["response_id"].nunique()
    out = needs_map(demo, wave, by="service").set_index("service_id")
    assert (out["respondents"] == len(resp)).all()
    assert out["mentions"].reindex(direct.index).tolist() == direct.tolist()
    assert out["mentions"].drop(direct.index).eq(0).all()
    trend = needs_over_waves(demo)
    assert (
        trend.groupby("wave_id")["respondents"].first().to_dict() == demo.responses.groupby("wave_id").size().to_dict()
    )
    assert trend["share"].between(0, 1).all() and (trend["ci_low"] <= trend["share"]).all()


def test_demo_needs_are_open_at_the_wave(demo):
    # The simulator draws needs only among services the account does not buy when the wave opens;
    # some are bought later (expansions), so ignoring `since` would wrongly close them.
    wave = "2025-Q3"
    resp = demo.responses[demo.responses["wave_id"] == wave]
    need = demo.answers[(demo.answers["kind"] == "need") & demo.answers["response_id"].isin(resp["response_id"])]
    pairs = need.merge(resp[["response_id", "client_id"]], on="response_id")
    later = pairs.merge(demo.client_services, left_on=["client_id", "item"], right_on=["client_id", "service_id"])
    assert len(later) > 0 and (later["since"] > demo.waves.set_index("wave_id").loc[wave, "opened_at"]).all()
    churned = set(demo.clients.loc[demo.clients["status"] == "churned", "client_id"])
    pairs = pairs[~pairs["client_id"].isin(churned)]
    cs = cross_sell(demo, wave).set_index("service_id")
    direct = pairs.groupby("item")["client_id"].nunique()
    assert cs["clients_needing"].reindex(direct.index).tolist() == direct.tolist()
    value = demo.clients.set_index("client_id")["contract_value"]
    pot = pairs.drop_duplicates(["client_id", "item"]).assign(v=lambda f: f["client_id"].map(value))
    assert cs["potential_value"].reindex(direct.index).to_numpy() == pytest.approx(
        pot.groupby("item")["v"].sum().reindex(direct.index).to_numpy()
    )
    top = development_priorities(demo, wave, top=3, lang="en")
    assert list(top["priority_rank"]) == [1, 2, 3]
    assert top["potential_value"].is_monotonic_decreasing and top["label"].map(bool).all()
    assert not top["label"].eq(top["direction"]).any()  # names from the pr_agency questionnaire
