"""Wave summary on a hand-made workspace: every figure checked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxlab.summary import SurveyData, summarize_wave

pytestmark = pytest.mark.slow  # two waves imported and summarised per test: a second or more each

Q2 = (
    "response_id,contact_id,nps,overall,attribute:deadlines,service:pr,service:smm\n"
    "A1,K1,8,4,4,4,\n"
    "A2,K3,9,5,5,,5\n"
    "A3,K4,3,2,1,2,2\n"
)
Q3 = (
    "response_id,contact_id,nps,overall,attribute:deadlines,service:pr,service:smm\n"
    "B1,K1,10,5,5,5,\n"
    "B2,K2,6,3,3,3,\n"
    "B3,K3,9,4,4,,4\n"
    "B4,K4,7,4,3,4,5\n"
    "B5,K5,2,1,1,1,1\n"
)


@pytest.fixture
def two_waves(small_ws, csv_file):
    small_ws.import_wave(csv_file(Q2, "q2.csv"), "2026-Q2")
    small_ws.import_wave(csv_file(Q3, "q3.csv"), "2026-Q3")
    small_ws.load(
        "invitations",
        pd.DataFrame(
            {
                "wave_id": ["2026-Q3"] * 5 + ["2026-Q3"],
                "contact_id": ["K1", "K2", "K3", "K4", "K5", "K0"],
                "status": ["responded"] * 5 + ["delivered"],
            }
        ),
    )
    return SurveyData.from_workspace(small_ws)


def test_headline_by_hand(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=1)
    h = s.headline.set_index("metric")
    # Q3 scores 10, 6, 9, 7, 2: 2 promoters, 1 passive, 2 detractors -> NPS 0.
    assert h.loc["nps", "estimate"] == 0 and h.loc["nps", "n"] == 5
    se = math.sqrt((0.4 + 0.4 - 0.0) / 5) * 100
    assert h.loc["nps", "se"] == pytest.approx(se)
    # Accounts: C1 (K1 +100, K2 -100) -> 0; C2 (K3) +100; C3 (K4 0, K5 -100) -> -50. Mean = 50/3.
    assert h.loc["nps_account", "estimate"] == pytest.approx(50 / 3) and h.loc["nps_account", "n"] == 3
    # Revenue-weighted: (1e6*0 + 3e6*100 + 0.5e6*-50) / 4.5e6
    assert h.loc["nps_revenue", "estimate"] == pytest.approx((300e6 - 25e6) / 4.5e6)
    assert h.loc["csat_mean", "estimate"] == pytest.approx((5 + 3 + 4 + 4 + 1) / 5)
    assert h.loc["top2box", "estimate"] == pytest.approx(3 / 5)
    # CSI: per respondent mean of rescaled (overall, deadlines, services) on 1-5 -> 0-100.
    per = [100, 50, 75, (75 + 50 + 75 + 100) / 4, 0]
    assert h.loc["csi", "estimate"] == pytest.approx(sum(per) / 5)
    # Response rate: 5 of 6 invited.
    assert h.loc["response_rate", "estimate"] == pytest.approx(5 / 6) and h.loc["response_rate", "n"] == 6


def test_by_service_counts_a_respondent_under_each_service_bought(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=1)
    svc = s.by_service.set_index("service_id")
    # pr is bought by C1 (B1, B2) and C3 (B4, B5); smm by C2 (B3) and C3 (B4, B5).
    assert svc.loc["pr", "n"] == 4 and svc.loc["smm", "n"] == 3
    assert svc.loc["pr", "estimate"] == pytest.approx(100 * (1 - 2) / 4)
    assert svc.loc["smm", "rating_mean"] == pytest.approx((4 + 5 + 1) / 3)


def test_cells_below_min_n_are_suppressed(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=3)
    team = s.by_team.set_index("team")
    assert team.loc["T1", "n"] == 3 and not team.loc["T1", "suppressed"]
    assert team.loc["T2", "n"] == 2 and team.loc["T2", "suppressed"] and math.isnan(team.loc["T2", "estimate"])


def test_changes_independent_and_paired(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=1)
    assert s.previous_wave == "2026-Q2"
    ch = s.changes.set_index("metric")
    # Q2: 8, 9, 3 -> NPS (1 - 1)/3 = 0; Q3: 0 -> change 0.
    assert ch.loc["nps", "before"] == 0 and ch.loc["nps", "change"] == 0
    # Paired (K1, K3, K4): net scores before 0, +100, -100; after +100, +100, 0.
    assert ch.loc["nps_paired", "n_before"] == 3
    assert ch.loc["nps_paired", "change"] == pytest.approx((100 + 0 + 100) / 3)
    assert "Holm" in s.changes_by_cell["method"].iloc[0]


def test_by_client_is_descriptive_and_free_of_pii(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=10)
    c = s.by_client.set_index("client_id")
    assert c.loc["C3", "account_net"] == -50 and c.loc["C3", "respondents"] == 2
    assert c.index[0] == "C3"  # worst first
    assert not {"email", "phone"} & set(s.by_client.columns)


def test_first_wave_has_no_change(two_waves):
    s = summarize_wave(two_waves, "2026-Q2", min_n=1)
    assert s.previous_wave is None and s.changes.empty
    assert s.trend["wave_id"].unique().tolist() == ["2026-Q2"]


def test_unknown_wave_is_refused(two_waves):
    with pytest.raises(ValueError, match="does not exist"):
        summarize_wave(two_waves, "2030-Q1")


def test_previous_wave_on_another_scale_is_not_compared(small_ws, csv_file):
    small_ws.load("waves", pd.DataFrame({"wave_id": ["2026-Q2"], "nps_scale": ["1-5"], "rating_scale": ["1-10"]}))
    small_ws.import_wave(csv_file("response_id,contact_id,nps,overall\nA1,K1,5,10\nA2,K3,1,2\n", "q2.csv"), "2026-Q2")
    small_ws.import_wave(csv_file(Q3, "q3.csv"), "2026-Q3")
    s = summarize_wave(SurveyData.from_workspace(small_ws), "2026-Q3", min_n=1)
    assert s.changes.empty and s.changes_by_cell.empty
    assert any("NPS not compared" in n for n in s.notes) and any("CSI not compared" in n for n in s.notes)
    assert s.trend["wave_id"].unique().tolist() == ["2026-Q3"]


def test_importance_gives_a_weighted_csi_beside_the_plain_one(small_ws, csv_file):
    text = (
        "response_id,contact_id,nps,overall,attribute:deadlines,attribute:responsiveness,"
        "importance:deadlines,importance:responsiveness\n"
        "B1,K1,10,5,1,5,5,1\n"
        "B2,K2,6,3,5,3,5,1\n"
    )
    small_ws.import_wave(csv_file(text), "2026-Q3")
    s = summarize_wave(SurveyData.from_workspace(small_ws), "2026-Q3", min_n=1)
    h = s.headline.set_index("metric")
    # Plain: B1 (100 + 0 + 100)/3, B2 (50 + 100 + 50)/3 -> both 66.67.
    assert h.loc["csi", "estimate"] == pytest.approx(200 / 3)
    # Weighted: deadlines 5, responsiveness 1, overall (not rated for importance) the mean, 3.
    b1 = (3 * 100 + 5 * 0 + 1 * 100) / 9
    b2 = (3 * 50 + 5 * 100 + 1 * 50) / 9
    assert h.loc["csi_weighted", "estimate"] == pytest.approx((b1 + b2) / 2)
    assert h.loc["csi_weighted", "n"] == 2


def test_response_rate_counts_only_invited_respondents(two_waves):
    data = two_waves
    data.invitations = data.invitations[data.invitations["contact_id"] != "K5"]  # K5 answered uninvited
    s = summarize_wave(data, "2026-Q3", min_n=1)
    rate = s.headline.set_index("metric").loc["response_rate"]
    assert rate["n"] == 5 and rate["estimate"] == pytest.approx(4 / 5)


def test_breakdown_intervals_respect_clustering(two_waves):
    s = summarize_wave(two_waves, "2026-Q3", min_n=1)
    team = s.by_team.set_index("team")
    # T2 = client C3 only: K4 (7, passive) and K5 (2, detractor): one cluster -> no design-based variance
    # beyond the cluster; T1 has two clients.
    assert "cluster-robust" in team.loc["T1", "method"]
    assert team.loc["T1", "n"] == 3 and team.loc["T1", "estimate"] == pytest.approx(100 * (2 - 1) / 3)
    # The design-based SE by hand: clusters C1 (net +100, -100) and C2 (+100); mean 33.3.
    resid = {"C1": (100 - 100 / 3) + (-100 - 100 / 3), "C2": 100 - 100 / 3}
    se = math.sqrt(2 / 1 * sum(v**2 for v in resid.values()) / 3**2)
    assert team.loc["T1", "se"] == pytest.approx(se)


def test_cell_where_everyone_agrees_gets_the_adjusted_wald_interval(small_ws, csv_file):
    small_ws.import_wave(csv_file("response_id,contact_id,nps\nB1,K1,10\nB2,K2,9\nB3,K3,10\n"), "2026-Q3")
    s = summarize_wave(SurveyData.from_workspace(small_ws), "2026-Q3", min_n=1)
    t1 = s.by_team.set_index("team").loc["T1"]
    assert t1["estimate"] == 100 and t1["ci_low"] < 100 and "adjusted Wald" in t1["method"]
    # By hand: n' = 6, p' = 3.75/6, d' = 0.75/6.
    p, d = 3.75 / 6, 0.75 / 6
    assert t1["se"] == pytest.approx(100 * math.sqrt((p + d - (p - d) ** 2) / 6))


def test_response_rate_is_the_fieldwork_funnels(small_ws, csv_file):
    """Responded / delivered, as `cxlab wave status`: planned, bounced and unreachable rows are not delivered."""
    from cxlab.fieldwork.funnel import status

    small_ws.import_wave(csv_file("response_id,contact_id,nps\nB1,K1,10\nB3,K3,9\n"), "2026-Q3")
    sent = pd.Timestamp("2026-09-10 10:00")
    small_ws.load(
        "invitations",
        pd.DataFrame(
            {
                "wave_id": "2026-Q3",
                "contact_id": ["K1", "K2", "K3", "K4", "K5"],
                "channel": "email",
                "status": ["delivered", "delivered", "planned", "bounced", "unreachable"],
                "sent_at": [sent, sent, pd.NaT, sent, pd.NaT],
            }
        ),
    )  # K3 answered a link sent by hand: delivered
    s = summarize_wave(SurveyData.from_workspace(small_ws), "2026-Q3", min_n=1)
    rate = s.headline.set_index("metric").loc["response_rate"]
    assert rate["n"] == 3 and rate["estimate"] == pytest.approx(2 / 3)
    assert rate["method"] == "Wilson score interval"
    st = status(small_ws, "2026-Q3").response_rate
    assert (rate["n"], rate["estimate"], rate["ci_low"], rate["ci_high"]) == (st.n, st.rate, st.ci_low, st.ci_high)
    assert rate["se"] == pytest.approx(math.sqrt(2 / 3 * 1 / 3 / 3))
    trend = s.trend.set_index("metric").loc["response_rate"]
    assert trend["n"] == 3 and trend["estimate"] == pytest.approx(2 / 3)
