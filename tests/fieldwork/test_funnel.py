"""The response funnel on a case counted by hand; the Wilson interval against its formula; status from a workspace."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from cxlab.fieldwork.funnel import STAGES, fieldwork_funnel, response_rate, status
from cxlab.fieldwork.outreach import mark, send

WAVE = "2026-Q4"
T = pd.Timestamp


@pytest.fixture
def case():
    """Ten invitations whose stages are counted by hand in the tests."""
    invitations = pd.DataFrame(
        {
            "contact_id": [f"K{i}" for i in range(1, 11)],
            "channel": ["email"] * 9 + ["phone"],
            "status": [
                "delivered",
                "delivered",
                "delivered",
                "delivered",
                "bounced",
                "invited",
                "invited",
                "refused",
                "unreachable",
                "planned",
            ],
            "sent_at": [T("2026-12-01 10:00")] * 8 + [pd.NaT, pd.NaT],
            "reminders": [0, 0, 1, 2, 0, 0, 1, 0, 0, 0],
            "reminded_at": [
                pd.NaT,
                pd.NaT,
                T("2026-12-08"),
                T("2026-12-15 09:30"),
                pd.NaT,
                pd.NaT,
                T("2026-12-08"),
                pd.NaT,
                pd.NaT,
                pd.NaT,
            ],
        }
    )
    responses = pd.DataFrame({"contact_id": ["K1", "K2", "K6", "K11"], "client_id": ["C1", "C1", "C3", "C5"]})
    clients = pd.DataFrame(
        {
            "client_id": ["C1", "C2", "C3", "C4", "C5"],
            "name": ["Альфа", "Beta", "Gamma", "Delta", "Eps"],
            "segment": ["A", "B", "A", "B", "A"],
            "manager": ["M1", "M2", "M1", "M2", "M3"],
        }
    )
    contacts = pd.DataFrame(
        {
            "contact_id": [f"K{i}" for i in range(1, 12)],
            "client_id": ["C1", "C1", "C1", "C2", "C2", "C3", "C3", "C4", "C4", "C4", "C5"],
            "role": [
                "decision_maker",
                "day_to_day",
                "finance",
                "decision_maker",
                "day_to_day",
                "decision_maker",
                "marketing",
                "decision_maker",
                "day_to_day",
                "other",
                "other",
            ],
            "email": [f"k{i}@x.ru" for i in range(1, 12)],
        }
    )
    return invitations, responses, clients, contacts


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_funnel_counts_by_hand(case):
    st = fieldwork_funnel(*case, wave=WAVE, now="2026-12-20 12:00")
    counts = st.funnel.set_index("stage")["n"].to_dict()
    # invited: K1-K8 (sent); delivered: those less the bounce K5; responded: K1, K2, K6.
    assert counts == {
        "planned": 10,
        "invited": 8,
        "delivered": 7,
        "bounced": 1,
        "responded": 3,
        "refused": 1,
        "unreachable": 1,
    }
    assert list(st.funnel["stage"]) == list(STAGES)
    assert st.funnel.set_index("stage")["share"]["delivered"] == pytest.approx(0.7)
    assert st.uninvited_responses == 1  # K11 answered without an invitation in this wave


def test_response_rate_is_wilson(case):
    st = fieldwork_funnel(*case, wave=WAVE)
    rr = st.response_rate
    low, high = wilson(3, 7)
    assert (rr.responded, rr.n, rr.rate) == (3, 7, pytest.approx(3 / 7))
    assert rr.ci_low == pytest.approx(low, abs=1e-12) and rr.ci_high == pytest.approx(high, abs=1e-12)
    assert rr.method == "Wilson score interval" and "n = 7" in str(rr)
    other = response_rate(45, 120, confidence=0.9)
    assert (other.ci_low, other.ci_high) == pytest.approx(wilson(45, 120, z=1.6448536269514722), abs=1e-12)
    empty = response_rate(0, 0)
    assert empty.n == 0 and math.isnan(empty.rate) and "no delivered invitation" in str(empty)


def test_breakdowns_by_segment_channel_and_role(case):
    st = fieldwork_funnel(*case, wave=WAVE)
    seg = st.by_segment.set_index("segment")
    assert seg.loc["A", ["planned", "invited", "delivered", "responded"]].tolist() == [5, 5, 5, 3]
    assert seg.loc[
        "B", ["planned", "invited", "delivered", "bounced", "responded", "refused", "unreachable"]
    ].tolist() == [5, 3, 2, 1, 0, 1, 1]
    assert seg.loc["A", "response_rate"] == pytest.approx(0.6)
    assert (seg.loc["A", "ci_low"], seg.loc["A", "ci_high"]) == pytest.approx(wilson(3, 5))
    ch = st.by_channel.set_index("channel")
    assert ch.loc["email", "planned"] == 9 and ch.loc["phone", "planned"] == 1
    assert math.isnan(ch.loc["phone", "response_rate"])
    role = st.by_role.set_index("role")
    # K1, K4, K6 and K8 (who declined after receiving it) were reached; K1 and K6 answered.
    assert role.loc["decision_maker", ["planned", "delivered", "responded", "refused"]].tolist() == [4, 4, 2, 1]


def test_silent_clients(case):
    st = fieldwork_funnel(*case, wave=WAVE, now="2026-12-20 12:00")
    silent = st.silent_clients
    # C1 and C3 answered; C4's one reached contact declined (not silent); C2's K4 was reached and is silent.
    assert silent["client_id"].tolist() == ["C2"]
    row = silent.iloc[0]
    assert (row["name"], row["manager"], row["contacts_invited"], row["reminders_sent"]) == ("Beta", "M2", 1, 2)
    assert row["last_contacted"] == T("2026-12-15 09:30") and row["days_since"] == 5
    assert "emails" not in silent.columns
    with_pii = fieldwork_funnel(*case, wave=WAVE, include_pii=True).silent_clients
    assert with_pii["emails"].tolist() == ["k4@x.ru"]


def test_summary_and_json(case):
    st = fieldwork_funnel(*case, wave=WAVE, now="2026-12-20")
    text = st.summary()
    assert "Wave 2026-Q4 fieldwork as of 2026-12-20" in text
    assert "Response rate: 3 of 7 delivered = 42.9% (95% Wilson interval 15.8%-75.0%)" in text
    assert "C2  Beta  (M2): 1 contact(s), 2 reminder(s), last contacted 5 day(s) ago" in text
    ru = st.summary("ru")
    assert "Доля ответивших: 3 из 7 доставленных" in ru and "Молчащие клиенты" in ru
    data = json.loads(json.dumps(st.to_json(), ensure_ascii=False))
    assert data["response_rate"]["n"] == 7 and data["response_rate"]["definition"] == "responded / delivered"
    assert data["silent_clients"][0]["last_contacted"] == "2026-12-15T09:30:00"
    assert "k4@x.ru" not in json.dumps(data)


@pytest.mark.slow
def test_status_reads_the_workspace_and_follows_imports(planned_ws):
    send(planned_ws, WAVE, via="eml", now="2026-12-01 10:00", progress=False)
    mark(planned_ws, WAVE, ["e@example.ru"], "bounced", note="550 no such user")
    st = status(planned_ws, WAVE, now="2026-12-04")
    assert st.funnel.set_index("stage")["n"].to_dict() == {
        "planned": 5,
        "invited": 5,
        "delivered": 4,
        "bounced": 1,
        "responded": 0,
        "refused": 0,
        "unreachable": 0,
    }
    assert sorted(st.silent_clients["client_id"]) == ["C1", "C2", "C3"]
    # An import is all it takes for the funnel to move.
    planned_ws.import_wave(pd.DataFrame({"response_id": ["R1"], "contact_id": ["K2"], "nps": [10]}), WAVE)
    st = status(planned_ws, WAVE, now="2026-12-04")
    assert st.response_rate.responded == 1 and st.response_rate.n == 4
    assert sorted(st.silent_clients["client_id"]) == ["C2", "C3"]
    assert st.silent_clients.set_index("client_id").loc["C3", "contacts_invited"] == 1  # K5 bounced
    assert st.by_segment.set_index("segment").loc["FMCG", "responded"] == 1
    assert "@" not in st.silent_clients.to_string()
