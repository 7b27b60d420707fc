"""Responses are tied to contacts by token, then e-mail, then company name; the rest is reported."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # several imports into a workspace per test

NPS = "Насколько вероятно, что вы порекомендуете нас коллегам?"


def _invite(ws):
    ws.load(
        "invitations",
        pd.DataFrame(
            {
                "wave_id": ["2026-Q3"] * 3,
                "contact_id": ["K1", "K2", "K3"],
                "channel": ["email"] * 3,
                "status": ["delivered"] * 3,
                "token": ["tok-anna-7f3a", "tok-boris-91c2", "tok-carl-0d5e"],
            }
        ),
    )


def test_token_then_email_then_company_and_unmatched_listed(small_ws, csv_file):
    _invite(small_ws)
    text = "\n".join(
        [
            f"Дата заполнения;Персональный код;E-mail;Компания;{NPS}",
            "24.11.2026 10:00;tok-anna-7f3a;;;9",  # token -> K1
            "24.11.2026 10:05;;C@Example.com;;10",  # e-mail -> K3 (case ignored)
            '24.11.2026 10:10;;;ООО "Гамма";4',  # company -> client C3 only
            "24.11.2026 10:15;tok-nobody;x@nowhere.ru;Омега;7",  # nothing matches
            "24.11.2026 11:00;tok-boris-91c2;;;6",  # token -> K2
            "24.11.2026 12:00;tok-anna-7f3a;;;10",  # K1 again, later: supersedes row 2
        ]
    )
    report = small_ws.import_wave(csv_file(text, "forms.csv", encoding="cp1251"), "2026-Q3")
    assert report.matched == {"token": 3, "email": 1, "company": 1, "unmatched": 1}
    stored = small_ws.responses("2026-Q3").sort_values("submitted_at")
    assert stored[["contact_id", "client_id", "nps"]].astype(object).where(stored.notna(), None).values.tolist() == [
        ["K3", "C2", 10],
        [None, "C3", 4],
        ["K2", "C1", 6],
        ["K1", "C1", 10],
    ]
    [problem] = report.refused
    assert (problem.source, problem.row) == ("forms.csv", 5)
    assert "tok-" in problem.message and "x@nowhere.ru" in problem.message and "Омега" in problem.message
    assert report.rows_rejected == 1 and any("superseded" in m for m in report.messages)
    # Nothing personal is stored with the responses: no token, e-mail or company columns.
    assert not {"_token", "_email", "_company", "token", "email"} & set(small_ws.responses().columns)
    # The file refused a row, so it may come again once the cause is fixed; what it loaded is skipped.
    again = small_ws.import_wave(csv_file(text, "forms.csv", encoding="cp1251"), "2026-Q3")
    assert not again.already_imported and again.rows_loaded == 0 and len(small_ws.responses("2026-Q3")) == 4
    small_ws.load("clients", pd.DataFrame({"client_id": ["C9"], "name": ["Омега"], "status": ["active"]}))
    fixed = small_ws.import_wave(csv_file(text, "forms.csv", encoding="cp1251"), "2026-Q3")
    assert fixed.rows_loaded == 1 and fixed.refused == [] and len(small_ws.responses("2026-Q3")) == 5
    assert small_ws.import_wave(csv_file(text, "forms.csv", encoding="cp1251"), "2026-Q3").already_imported


def test_token_of_another_wave_does_not_match(small_ws, csv_file):
    _invite(small_ws)
    report = small_ws.import_wave(csv_file(f"Персональный код;{NPS}\ntok-anna-7f3a;9\n", "q2.csv"), "2026-Q2")
    assert report.rows_loaded == 0 and "not one of wave 2026-Q2's invitations" in report.refused[0].message


def test_ambiguous_company_is_not_guessed(small_ws, csv_file):
    small_ws.load("clients", pd.DataFrame({"client_id": ["C4"], "name": ["Гамма АО"], "status": ["active"]}))
    report = small_ws.import_wave(csv_file(f"Company;{NPS}\nГАММА;8\n", "amb.csv"), "2026-Q3")
    assert report.rows_loaded == 0 and "ambiguous" in report.refused[0].message


def test_google_forms_export_end_to_end(tmp_path):
    """A real-layout Google Forms export: tokens, e-mails, a duplicate submission, labels, a grid."""
    from pathlib import Path

    from cxlab import Workspace

    fixture = Path(__file__).parent / "ingest" / "fixtures" / "google_forms" / "google_forms_ru.csv"
    ws = Workspace.create(tmp_path / "agency")
    names = ["ООО «Северсталь-Инфо»", "АО «ТехноПарк»", "Вектор Групп", "Фреш Маркет", "Уралмаш"]
    emails = [
        "i.petrova@severinfo.ru",
        "a.sokolov@technopark.ru",
        "m.orlova@vector-group.ru",
        "d.kim@fresh-market.ru",
        "n.belova@uralmash.ru",
    ]
    ws.load_tables(
        {
            "clients": pd.DataFrame({"client_id": [f"C{i}" for i in range(5)], "name": names, "status": "active"}),
            "contacts": pd.DataFrame(
                {
                    "contact_id": [f"K{i}" for i in range(5)],
                    "client_id": [f"C{i}" for i in range(5)],
                    "email": emails,
                    "language": "ru",
                }
            ),
            "waves": pd.DataFrame(
                {"wave_id": ["2026-Q4"], "questionnaire": ["pr_agency"], "nps_scale": ["0-10"], "rating_scale": ["1-5"]}
            ),
            # Only the first three were invited through cxlab; the others answered a forwarded link.
            "invitations": pd.DataFrame(
                {
                    "wave_id": "2026-Q4",
                    "contact_id": ["K0", "K1", "K2"],
                    "token": ["a7K2mQ", "b3Zp9W", "c9Lq4R"],
                    "status": "delivered",
                }
            ),
        }
    )
    report = ws.import_wave(fixture, "2026-Q4")
    assert report.tool == "google_forms" and report.refused == []
    assert report.matched == {"token": 4, "email": 2}  # K2 twice by token; K3, K4 by e-mail
    stored = ws.responses("2026-Q4").set_index("contact_id")
    assert stored["nps"].to_dict() == {"K0": 9, "K1": 10, "K2": 7, "K3": 0, "K4": 8}  # K2's later answer kept
    assert report.rows_rejected == 1
    assert stored.loc["K1", "reason"].startswith("Команда понимает")
    answers = ws.answers("2026-Q4")
    assert set(answers["kind"]) >= {"attribute", "service", "need"}
    assert ws.table("imports")["source"].tolist() == ["google_forms_ru.csv"]


def test_partial_response_is_loaded_and_marked(small_ws, csv_file):
    text = f"Компания;Завершено;{NPS};Что улучшить?\nАльфа;1;9;Больше цифр\nBeta LLC;0;4;\n"
    report = small_ws.import_wave(csv_file(text, "partial.csv"), "2026-Q3", mapping={"Завершено": "finished"})
    stored = small_ws.responses("2026-Q3").set_index("client_id")
    assert stored["complete"].to_dict() == {"C1": True, "C2": False}
    assert stored.loc["C2", "nps"] == 4
    assert any("1 partial response" in m for m in report.messages)


def test_generated_ids_do_not_collide_across_waves(small_ws, csv_file):
    text = f"E-mail;{NPS}\na@example.ru;9\n"
    small_ws.import_wave(csv_file(text, "q2.csv"), "2026-Q2")
    report = small_ws.import_wave(csv_file(text, "q3.csv"), "2026-Q3")
    assert report.rows_loaded == 1 and report.refused == []


def test_reexport_with_a_new_column_does_not_double_company_matched_answers(small_ws, csv_file):
    first = f"Дата заполнения;Компания;{NPS}\n15.09.2026 10:00;Гамма;8\n"
    second = f"Дата заполнения;Компания;{NPS};Откуда вы о нас узнали?\n15.09.2026 10:00;Гамма;8;Рекомендация\n"
    small_ws.import_wave(csv_file(first, "a.csv"), "2026-Q3")
    report = small_ws.import_wave(csv_file(second, "b.csv"), "2026-Q3")
    assert report.rows_loaded == 0 and report.rows_skipped == 1 and len(small_ws.responses()) == 1


def test_answer_dated_before_the_wave_opened_is_refused(small_ws, csv_file):
    text = f"Дата заполнения;E-mail;{NPS}\n20.06.2026 10:00;a@example.ru;9\n15.09.2026 10:00;b@example.ru;7\n"
    report = small_ws.import_wave(csv_file(text, "old.csv"), "2026-Q3")
    assert report.rows_loaded == 1 and "before wave 2026-Q3 opened" in report.refused[0].message


def test_a_later_partial_does_not_replace_a_complete_response(small_ws, csv_file):
    text = (
        f"Дата заполнения;E-mail;Завершено;{NPS}\n15.09.2026 10:00;a@example.ru;1;9\n"
        f"16.09.2026 10:00;a@example.ru;0;3\n"
    )
    report = small_ws.import_wave(csv_file(text, "p.csv"), "2026-Q3", mapping={"Завершено": "finished"})
    assert small_ws.responses("2026-Q3")["nps"].tolist() == [9] and report.rows_rejected == 1
    later = f"Дата заполнения;E-mail;Завершено;{NPS}\n17.09.2026 10:00;a@example.ru;0;2\n"
    small_ws.import_wave(csv_file(later, "p2.csv"), "2026-Q3", mapping={"Завершено": "finished"})
    assert small_ws.responses("2026-Q3")["nps"].tolist() == [9]


def test_a_wave_imported_after_a_handover_keeps_the_manager_in_charge_then(small_ws, csv_file):
    # C1 passed from M0 (team T0) to M1 after the Q2 wave, C3 from M7, who has left the agency, to M3;
    # `clients` already shows the new managers.  M0's team is known from his clients today, M7's from
    # the responses stored under him.
    small_ws.load(
        "events",
        pd.DataFrame(
            {
                "client_id": ["C1", "C2", "C3"],
                "date": pd.to_datetime(["2026-07-15", "2026-05-01", "2026-08-01"]),
                "kind": ["manager_changed"] * 3,
                "detail": ["M0 -> M1", "M9 -> M2", "M7 -> M3"],
            }
        ),
    )
    small_ws.load(
        "clients",
        pd.DataFrame(
            {"client_id": ["C4"], "name": ["Дельта"], "manager": ["M0"], "team": ["T0"], "status": ["active"]}
        ),
    )
    small_ws.add_wave("2026-Q1", opened_at="2026-03-10", closed_at="2026-03-30")
    small_ws.load(
        "responses",
        pd.DataFrame(
            {
                "response_id": ["R1"],
                "wave_id": ["2026-Q1"],
                "contact_id": ["K2"],
                "client_id": ["C1"],
                "submitted_at": pd.to_datetime(["2026-03-20"]),
                "nps": [8.0],
                "manager": ["M7"],
                "team": ["T7"],
            }
        ),
    )
    text = "\n".join(
        [
            f"Дата заполнения;E-mail;{NPS}",
            "20.06.2026 10:00;a@example.ru;9",  # C1 before the handover: M0 of T0
            "21.06.2026 10:00;c@example.com;7",  # C2 changed before the answer: M2
            "22.06.2026 10:00;e@example.ru;6",
        ]
    )  # C3 before the handover: M7 of T7
    small_ws.import_wave(csv_file(text, "q2.csv"), "2026-Q2")
    stored = small_ws.responses("2026-Q2").set_index("client_id")
    assert stored.loc["C1", ["manager", "team"]].tolist() == ["M0", "T0"]
    assert stored.loc["C2", ["manager", "team"]].tolist() == ["M2", "T1"]
    assert stored.loc["C3", ["manager", "team"]].tolist() == ["M7", "T7"]
