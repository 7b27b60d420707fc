"""SurveyMonkey "All Responses Data" reader: detection, columns, dates, cells against the raw files."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd

from cxlab.ingest.tools import surveymonkey as sm

FIX = Path(__file__).resolve().parents[1] / "fixtures"
RU_XLSX = FIX / "surveymonkey" / "sm_ru_all_responses.xlsx"
EN_CSV = FIX / "surveymonkey" / "sm_en_all_responses.csv"

RU_ATTR = "Оцените, пожалуйста, нашу работу по следующим параметрам."
RU_NEEDS = "Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"
EN_SERV = "Please rate the quality of the services you receive from us."


def cell(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def expected(path):
    return json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))


def csv_bytes(rows, *, sep=",", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


# ------------------------------------------------------------------ Russian XLSX
def test_ru_xlsx_columns_described():
    t = sm.read(RU_XLSX)
    assert t.tool == "surveymonkey"
    keys = [c.key for c in t.columns]
    assert keys == list(t.frame.columns) and len(set(keys)) == len(keys)
    meta = {c.key: c.field for c in t.columns if c.is_meta}
    assert meta == {
        "Respondent ID": "response_id",
        "Collector ID": "ignore",
        "Start Date": "started_at",
        "End Date": "submitted_at",
        "IP Address": "ignore",
        "Email Address": "email",
        "First Name": "name",
        "Last Name": "name",
        # a custom variable named token is the token; Custom Data 1 is then not used
        "Custom Data 1": "ignore",
        "token": "token",
    }
    questions = [c for c in t.columns if not c.is_meta]
    by_key = {c.key: c for c in questions}
    assert by_key["q1"].question == ("Насколько вероятно, что вы порекомендуете наше агентство коллегам или партнёрам?")
    assert by_key["q1"].item is None and not by_key["q1"].choice
    assert by_key["q2"].question == "Почему вы поставили именно такую оценку?"
    grid = [c for c in questions if c.question == RU_ATTR]
    assert [c.item for c in grid] == [
        "Скорость реакции на запросы",
        "Соблюдение сроков",
        "Отчётность и прозрачность результатов",
        "Компетентность команды",
    ]
    assert not any(c.choice for c in grid)
    needs = [c for c in questions if c.question == RU_NEEDS]
    assert [c.item for c in needs] == [
        "Кампании с блогерами",
        "Антикризисный план и аудит рисков",
        "Мониторинг СМИ и социальных сетей",
        "Другое (пожалуйста, укажите)",
    ]
    assert all(c.choice for c in needs) and not any(c.choice_separator for c in needs)
    assert all(c.code is None for c in questions)  # SurveyMonkey exports no question codes
    assert by_key["q8"].question == "Что нам стоит изменить или улучшить? Любые комментарии и пожелания."


def test_ru_xlsx_rows_and_dates():
    t = sm.read(RU_XLSX)
    exp = expected(RU_XLSX)
    assert t.raw.rows == [e["row"] for e in exp] == [3, 4, 5, 6, 7, 8]
    assert t.frame["End Date"].tolist() == [e["submitted_at"] for e in exp]
    assert t.frame["Start Date"].tolist()[:2] == ["2026-11-24 10:01:12", "2026-11-24 14:14:05"]
    assert t.frame["Respondent ID"].tolist() == [e["response_id"] for e in exp]
    assert [cell(v) for v in t.frame["token"]] == [e["token"] for e in exp]


def test_ru_xlsx_cells_equal_the_raw_workbook():
    t = sm.read(RU_XLSX)
    ws = openpyxl.load_workbook(RU_XLSX).active
    raw = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    dates = {2, 3}
    for pos in (0, 2, 5):  # a complete, the partial and the "other" response
        for j, col in enumerate(t.columns):
            if j in dates:
                continue
            want = raw[pos][j]
            want = None if want is None else str(want).strip()
            assert cell(t.frame.iloc[pos][col.key]) == want, (pos, col.key)
    # a comment with quotes, commas and a line break survives as it is
    assert t.frame.loc[0, "q8"] == (
        "Хотелось бы ежемесячный созвон с руководителем, а не только переписку.\n"
        'И, пожалуйста, присылайте "сырые" данные мониторинга.'
    )
    assert t.frame.loc[5, "q6_4"] == "Обучение спикеров перед интервью"


# ------------------------------------------------------------------ English CSV
def test_en_csv_columns_and_token_from_custom_data():
    t = sm.read(EN_CSV)
    meta = {c.key: c.field for c in t.columns if c.is_meta}
    assert meta["Custom Data 1"] == "token"  # no custom variable: Custom Data 1 carries the token
    assert t.meta("token").key == "Custom Data 1"
    assert t.meta("email").key == "Email Address"
    serv = [c for c in t.columns if c.question == EN_SERV]
    assert [c.item for c in serv] == ["Press office and press releases", "Social media management"]
    needs = [c for c in t.columns if c.choice]
    assert [c.item for c in needs] == [
        "Influencer campaigns",
        "Crisis plan and risk audit",
        "Media and social listening",
    ]
    assert t.raw.encoding == "utf-8" and t.raw.separator == ","


def test_en_csv_dates_month_first_and_12_hour_clock():
    t = sm.read(EN_CSV)
    exp = expected(EN_CSV)
    assert t.frame["End Date"].tolist() == [e["submitted_at"] for e in exp]
    start = t.frame["Start Date"].tolist()
    assert start[0] == "2026-11-03 09:12:44"  # 11/3/2026: November 3rd, not March 11th
    assert start[1] == "2026-11-03 12:05:10"  # 12:05:10 PM is noon
    assert start[2] == "2026-11-04 00:30:00"  # 12:30:00 AM is half past midnight
    assert any("month/day/year" in n for n in t.notes)


def test_en_csv_cells_equal_the_raw_file():
    t = sm.read(EN_CSV)
    rows = list(csv.reader(io.StringIO(EN_CSV.read_text(encoding="utf-8"))))[2:]
    for pos in range(len(rows)):
        for j, col in enumerate(t.columns):
            if col.field in ("started_at", "submitted_at"):
                continue
            assert cell(t.frame.iloc[pos][col.key]) == (rows[pos][j].strip() or None), (pos, col.key)


def test_cp1251_semicolon_copy_reads_the_same():
    """The CSV as a Russian Excel saves it: cp1251, ';'."""
    rows = list(csv.reader(io.StringIO(EN_CSV.read_text(encoding="utf-8"))))
    t8 = sm.read(EN_CSV)
    t1251 = sm.read(csv_bytes(rows, sep=";", encoding="cp1251"), source="sm_excel.csv")
    assert t1251.raw.encoding == "cp1251" and t1251.raw.separator == ";"
    assert [c.key for c in t1251.columns] == [c.key for c in t8.columns]
    assert t1251.columns == t8.columns
    pd.testing.assert_frame_equal(t1251.frame.map(cell), t8.frame.map(cell))


# ------------------------------------------------------------------ variants
def _small(date_cells, *, extra_row1=(), extra_row2=(), extra=()):
    row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "Overall, how satisfied are you?", *extra_row1]
    row2 = ["", "", "", "", "Response", *extra_row2]
    data = [["1", "2", s, e, "Satisfied", *extra] for s, e in date_cells]
    return csv_bytes([row1, row2, *data])


def test_day_first_dates_are_left_for_the_import_to_report():
    # A file re-saved by a day/month spreadsheet: 24/11 cannot be month/day, so no cell of the
    # column is converted (3/12 would otherwise silently become March 12th).
    t = sm.read(
        _small([("03/12/2026 10:00:00", "03/12/2026 10:05:00"), ("24/11/2026 09:00:00", "24/11/2026 09:04:00")]),
        source="resaved.csv",
    )
    assert t.frame["End Date"].tolist() == ["03/12/2026 10:05:00", "24/11/2026 09:04:00"]
    assert any("day/month" in n for n in t.notes)


def test_unparseable_date_cell_is_left_unchanged():
    t = sm.read(_small([("11/24/2026 10:00:00 AM", "yesterday"), ("11/24/2026 1:00:00 PM", "11/24/2026 1:30:00 PM")]))
    assert t.frame["End Date"].tolist() == ["yesterday", "2026-11-24 13:30:00"]
    assert t.frame["Start Date"].tolist() == ["2026-11-24 10:00:00", "2026-11-24 13:00:00"]


def test_xlsx_with_real_date_cells():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Respondent ID", "Collector ID", "Start Date", "End Date", "Overall, how satisfied are you?"])
    ws.append([None, None, None, None, "Response"])
    ws.append(
        [
            118734562091,
            431567201,
            dt.datetime(2026, 11, 24, 10, 1, 12),
            dt.datetime(2026, 11, 24, 10, 5, 33),
            "Satisfied",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    t = sm.read(buf.getvalue(), source="dates.xlsx")
    assert t.frame.loc[0, "End Date"] == "2026-11-24 10:05:33"
    assert t.frame.loc[0, "Respondent ID"] == "118734562091"


def test_single_choice_other_text_and_contact_information():
    row1 = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "Which agency did you use before?",
        "",
        "Contact information",
        "",
        "",
    ]
    row2 = ["", "", "", "", "Response", "Other (please specify)", "Name", "Company", "Email Address"]
    data = [
        ["1", "2", "", "", "Other (please specify)", "In-house team", "Анна", "ООО «Альфа»", "a@alfa.ru"],
        ["3", "2", "", "", "PR Partner", "", "", "", ""],
    ]
    t = sm.read(csv_bytes([row1, row2, *data]), source="other.csv")
    by_key = {c.key: c for c in t.columns}
    assert by_key["q1_1"].question == "Which agency did you use before?" and by_key["q1_1"].item is None
    assert by_key["q1_2"].question == "Which agency did you use before? (Other (please specify))"
    assert not by_key["q1_2"].choice
    assert [by_key[k].field for k in ("q2_1", "q2_2", "q2_3")] == ["name", "company", "email"]


def test_grid_of_numbers_is_not_a_multiple_choice():
    row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "Please rate our work.", ""]
    row2 = ["", "", "", "", "Responsiveness", "Meeting deadlines"]
    t = sm.read(csv_bytes([row1, row2, ["1", "2", "", "", "5", "4"], ["2", "2", "", "", "", "3"]]))
    grid = [c for c in t.columns if not c.is_meta]
    assert [c.item for c in grid] == ["Responsiveness", "Meeting deadlines"]
    assert not any(c.choice for c in grid)


def test_html_entities_in_headers_are_decoded():
    row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "What&apos;s the main reason for your score?"]
    row2 = ["", "", "", "", "Open-Ended Response"]
    t = sm.read(csv_bytes([row1, row2, ["1", "2", "", "", "Speed"]]))
    assert t.columns[-1].question == "What's the main reason for your score?"


def test_docstring_examples():
    assert doctest.testmod(sm).failed == 0
