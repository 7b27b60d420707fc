"""Eligibility (tenure, status, role, exclusions, cap) on a hand-built workspace; plans keep their tokens."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from cxlab import Workspace
from cxlab.fieldwork import planning
from cxlab.fieldwork.common import ConfigError
from cxlab.fieldwork.config import Eligibility
from cxlab.fieldwork.outreach import mark
from cxlab.fieldwork.planning import (
    INVALID_EMAIL_NOTE,
    NO_EMAIL_NOTE,
    PLAN_COLUMNS,
    eligibility,
    new_token,
    plan,
    tenure_months,
)

WAVE = "2026-Q4"  # opens 2026-12-01 in the config fixture


@pytest.fixture
def ws(ws_template, tmp_path):
    """A copy of the hand-built workspace below: tests plan waves into it."""
    shutil.copytree(ws_template.path, tmp_path / "agency")
    return Workspace(tmp_path / "agency")


@pytest.fixture(scope="module")
def ws_template(tmp_path_factory):
    ws = Workspace.create(tmp_path_factory.mktemp("plan") / "agency")
    ws.load_tables(
        {
            "clients": pd.DataFrame(
                {
                    "client_id": ["A1", "A2", "A3", "A4", "A5", "A6", "A7"],
                    "name": ["Альфа", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta"],
                    "segment": ["FMCG", "tech", "tech", "retail", "retail", "FMCG", "tech"],
                    "manager": ["M1", "M1", "M2", "M2", "M3", "M3", "M1"],
                    "start_date": pd.to_datetime(
                        ["2022-01-01", "2026-10-15", "2020-01-01", "2021-03-01", None, "2026-09-01", "2026-09-02"]
                    ),
                    "status": ["active", "active", "churned", "paused", "active", "active", "active"],
                }
            ),
            "contacts": pd.DataFrame(
                {
                    "contact_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"],
                    "client_id": ["A1", "A1", "A1", "A2", "A3", "A4", "A5", "A6", "A7"],
                    "name": ["Пётр", "Paula", "Прохор", "Polina", "Pavel", "Pia", "Pyotr", "Peter", "Pat"],
                    "role": [
                        "day_to_day",
                        "decision_maker",
                        "finance",
                        "decision_maker",
                        "decision_maker",
                        "marketing",
                        "decision_maker",
                        "decision_maker",
                        "day_to_day",
                    ],
                    "email": [
                        "p1@a1.ru",
                        "p2@a1.com",
                        None,
                        "p4@a2.ru",
                        "p5@a3.ru",
                        "p6@a4.ru",
                        "p7@a5.ru",
                        "p8@a6.ru",
                        "p9@a7.ru",
                    ],
                    "language": ["ru", "en", "ru", "ru", "ru", "en", "ru", None, "en"],
                }
            ),
        }
    )
    return ws


def test_tenure_is_whole_months_to_the_opening():
    opened = pd.Timestamp("2026-12-01")
    assert tenure_months(pd.Timestamp("2026-09-01"), opened) == 3
    assert tenure_months(pd.Timestamp("2026-09-02"), opened) == 2
    assert tenure_months(pd.Timestamp("2022-01-01"), opened) == 59
    assert tenure_months(None, opened) is None


def test_default_rules_keep_active_clients_of_three_months(ws, config):
    result = plan(ws, WAVE, config)
    assert list(result.plan.columns) == PLAN_COLUMNS
    assert sorted(result.plan["contact_id"]) == ["P1", "P2", "P3", "P8"]
    reasons = result.excluded.set_index("contact_id")["reason"].to_dict()
    assert reasons == {
        "P4": "tenure 1 month(s) < 3",
        "P5": "client status churned (asked: active)",
        "P6": "client status paused (asked: active)",
        "P7": "tenure unknown (no start_date)",
        "P9": "tenure 2 month(s) < 3",
    }
    # The wave is registered from the config.
    wave = ws.wave(WAVE)
    assert wave["questionnaire"] == "pr_agency" and pd.Timestamp(wave["opened_at"]) == pd.Timestamp("2026-12-01")
    assert pd.Timestamp(wave["closed_at"]) == pd.Timestamp("2026-12-20")
    assert (ws.path / "waves" / f"{WAVE}.yaml").is_file()


def test_tokens_are_unguessable_unique_and_in_the_links(ws, config):
    result = plan(ws, WAVE, config)
    inv = ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")
    tokens = inv["token"]
    assert tokens.is_unique and all(re.fullmatch(r"[A-Za-z0-9_-]{22,}", t) for t in tokens)
    for row in result.plan.itertuples():
        assert f"token={inv.at[row.contact_id, 'token']}&" in row.link
    # The token is personal data: not in the default table view.
    assert "token" not in ws.table("invitations", wave=WAVE).columns


def test_statuses_language_and_unreachable(ws, config):
    result = plan(ws, WAVE, config).plan.set_index("contact_id")
    assert result.loc["P3", "status"] == "unreachable" and result.loc["P1", "status"] == "planned"
    assert result.loc["P8", "language"] == "ru"  # no language: the config's default
    assert result.loc["P2", "language"] == "en"
    inv = ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")  # note: PII column
    assert inv.loc["P3", "note"] == NO_EMAIL_NOTE and (inv["channel"] == "email").all()
    assert (inv["reminders"] == 0).all() and inv["sent_at"].isna().all()
    assert "Альфа" not in result.loc["P1", "link"] and "%D0%90%D0%BB%D1%8C%D1%84%D0%B0" in result.loc["P1", "link"]


def test_role_filter(ws, config):
    config["eligibility"] = {"roles": ["decision_maker"]}
    result = plan(ws, WAVE, config)
    assert sorted(result.plan["contact_id"]) == ["P2", "P8"]
    reasons = result.excluded.set_index("contact_id")["reason"]
    assert reasons["P1"] == "role day_to_day not asked (decision_maker)"
    assert reasons["P3"] == "role finance not asked (decision_maker)"


def test_statuses_tenure_exclusions_and_cap(ws, config):
    config["eligibility"] = {
        "statuses": ["active", "paused"],
        "min_tenure_months": 0,
        "exclude_clients": ["A6"],
        "exclude_contacts": ["P4"],
        "max_contacts_per_client": 2,
    }
    result = plan(ws, WAVE, config)
    assert sorted(result.plan["contact_id"]) == ["P1", "P2", "P6", "P7", "P9"]
    reasons = result.excluded.set_index("contact_id")["reason"].to_dict()
    # Decision makers first, then by role order: the finance contact loses the place.
    assert reasons == {
        "P3": "over 2 contact(s) per client",
        "P4": "contact excluded in the config",
        "P5": "client status churned (asked: active, paused)",
        "P8": "client excluded in the config",
    }


def test_eligibility_is_a_pure_function():
    clients = pd.DataFrame(
        {"client_id": ["C1"], "name": ["X"], "status": ["active"], "start_date": pd.to_datetime(["2026-01-31"])}
    )
    contacts = pd.DataFrame({"contact_id": ["K1", "K2"], "client_id": ["C1", "C9"], "role": ["other", "other"]})
    ok, out = eligibility(clients, contacts, Eligibility(min_tenure_months=1), "2026-02-28")
    assert ok.empty  # 31 Jan -> 28 Feb is not yet a whole month
    ok, out = eligibility(clients, contacts, Eligibility(min_tenure_months=1), "2026-03-01")
    assert ok["contact_id"].tolist() == ["K1"] and ok["tenure_months"].tolist() == [1]
    assert out.set_index("contact_id")["reason"]["K2"] == "unknown client 'C9'"


@pytest.mark.slow
def test_replan_keeps_tokens_and_statuses_and_adds_the_newly_eligible(ws, config):
    first = plan(ws, WAVE, config)
    before = ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")
    mark(ws, WAVE, ["P1"], "invited", note="sent by hand")  # as if sent
    # P3 gets an address, paused clients are asked too.
    contacts = ws.contacts(include_pii=True)
    contacts.loc[contacts["contact_id"] == "P3", "email"] = "p3@a1.ru"
    ws.load("contacts", contacts)
    config["eligibility"] = {"statuses": ["active", "paused"]}
    second = plan(ws, WAVE, config)
    after = ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")

    assert first.added == ["P1", "P2", "P3", "P8"] and second.added == ["P6"]
    for kid in ["P1", "P2", "P3", "P8"]:
        assert after.at[kid, "token"] == before.at[kid, "token"]
    assert after.at["P1", "status"] == "invited" and after.at["P1", "sent_via"] == "manual"
    assert after.at["P3", "status"] == "planned" and after.at["P6", "status"] == "planned"
    assert any("unreachable before now have an e-mail" in m and "P3" in m for m in second.messages)
    assert "1 added now" in str(second)
    # A third run changes nothing.
    third = plan(ws, WAVE, config)
    assert third.added == [] and third.kept == 5
    pd.testing.assert_frame_equal(ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id"), after)


@pytest.mark.slow
def test_replan_warns_about_planned_contacts_no_longer_eligible(ws, config):
    plan(ws, WAVE, config)
    config["eligibility"] = {"exclude_contacts": ["P2"]}
    result = plan(ws, WAVE, config)
    assert any(
        m.startswith("warning: P2 was planned earlier and is no longer eligible (contact excluded")
        for m in result.messages
    )
    assert "P2" in set(result.plan["contact_id"])  # never removed silently


def test_plan_refuses_a_config_of_another_wave_and_unknown_questionnaires(ws, config):
    with pytest.raises(ConfigError, match="wave: the config is for wave '2026-Q4', not '2027-Q1'"):
        plan(ws, "2027-Q1", config)
    config["questionnaire"] = "pr_agncy"
    with pytest.raises(ConfigError, match=r"questionnaire: unknown template 'pr_agncy' \(templates: .*pr_agency"):
        plan(ws, WAVE, config)


def test_a_new_wave_needs_an_opening_date(ws, config):
    del config["opened_at"], config["closed_at"]
    with pytest.raises(ConfigError, match="opened_at: required to register the new wave"):
        plan(ws, WAVE, config)
    assert WAVE not in ws.wave_ids()
    # An existing wave lends its own date.
    ws.add_wave(WAVE, opened_at=pd.Timestamp("2026-12-01"))
    assert sorted(plan(ws, WAVE, config).plan["contact_id"]) == ["P1", "P2", "P3", "P8"]


def test_tokens_start_with_a_letter_or_digit(monkeypatch):
    # ~1.6 % of token_urlsafe values start with "-": a spreadsheet reads those as a formula (#NAME?).
    tokens = [new_token() for _ in range(3000)]
    assert all(t[0].isascii() and t[0].isalnum() for t in tokens)
    # Still unguessable: 128 random bits after the first character, nothing repeats.
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{22}", t) for t in tokens) and len(set(tokens)) == 3000
    assert len({t[0] for t in tokens}) > 50  # the first character is random too (62 of them)
    monkeypatch.setattr(planning.secrets, "token_urlsafe", lambda n: "-" + "A" * 21)
    assert new_token()[0].isalnum() and new_token().endswith("-" + "A" * 21)


@pytest.mark.slow
def test_a_new_wave_gets_the_questionnaire_scales(ws, config, tmp_path):
    import yaml

    from cxlab.questionnaire import TEMPLATE_DIR

    raw = yaml.safe_load((TEMPLATE_DIR / "pr_agency.yaml").read_text(encoding="utf-8"))
    raw["scales"]["rating"]["max"] = 7
    path = tmp_path / "seven_point.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config["questionnaire"] = str(path)
    result = plan(ws, WAVE, config)
    wave = ws.wave(WAVE)
    assert wave["rating_scale"] == "1-7" and wave["nps_scale"] == "0-10"
    assert any("ratings 1-7" in m for m in result.messages)
    # The bundled template keeps the defaults; an earlier wave on other scales is pointed out.
    ws.add_wave("2027-Q1", opened_at=pd.Timestamp("2027-03-01"), rating_scale="1-5")
    config["wave"] = "2027-Q1"
    again = plan(ws, "2027-Q1", config)
    assert any(m.startswith("warning: wave 2027-Q1 records rating_scale 1-5") for m in again.messages)


@pytest.mark.slow
def test_an_invalid_address_is_not_repeated_in_the_note(ws, config):
    contacts = ws.contacts(include_pii=True)
    contacts.loc[contacts["contact_id"] == "P3", "email"] = "p3(at)a1.ru"
    ws.load("contacts", contacts)
    result = plan(ws, WAVE, config)
    inv = ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")
    assert inv.at["P3", "status"] == "unreachable" and inv.at["P3", "note"] == INVALID_EMAIL_NOTE
    assert "p3(at)a1.ru" not in inv.at["P3", "note"] and "p3(at)a1.ru" not in str(result)
    # Corrected, the contact is planned on the next run.
    contacts.loc[contacts["contact_id"] == "P3", "email"] = "p3@a1.ru"
    ws.load("contacts", contacts)
    assert "P3" in " ".join(plan(ws, WAVE, config).messages)
    assert ws.table("invitations", wave=WAVE).set_index("contact_id").at["P3", "status"] == "planned"
