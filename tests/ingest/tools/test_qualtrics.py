"""Qualtrics "Export data" reader: detection, columns, dates, cells against the raw files."""

from __future__ import annotations

import csv
import doctest
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cxlab.ingest.files import read_table
from cxlab.ingest.tools import qualtrics as qx
from cxlab.ingest.tools import surveymonkey

FIX = Path(__file__).resolve().parents[1] / "fixtures"
RU_TEXT = FIX / "qualtrics" / "qx_ru_choice_text.csv"
EN_NUM = FIX / "qualtrics" / "qx_en_numeric_values.csv"


SYSTEM = {
    "StartDate": "started_at",
    "EndDate": "submitted_at",
    "Status": "ignore",
    "IPAddress": "ignore",
    "Progress": "progress",
    "Duration (in seconds)": "ignore",
    "Finished": "finished",
    "RecordedDate": "ignore",
    "ResponseId": "response_id",
    "RecipientLastName": "name",
    "RecipientFirstName": "name",
    "RecipientEmail": "email",
    "LocationLatitude": "ignore",
    "LocationLongitude": "ignore",
    "DistributionChannel": "ignore",
    "UserLanguage": "language",
}


def cell(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def expected(path):
    return json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))


def raw_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def csv_bytes(rows, *, sep=",", encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


# ------------------------------------------------------------------ detection
def test_detects_an_export_whose_second_and_third_rows_were_deleted():
    rows = raw_rows(EN_NUM)
    head = read_table(csv_bytes([rows[0], *rows[3:]]), source="trimmed.csv")
    assert qx.detect(head)


# ------------------------------------------------------------------ choice text (Russian)
def test_choice_text_columns_described():
    t = qx.read(RU_TEXT)
    assert t.tool == "qualtrics"
    keys = [c.key for c in t.columns]
    assert keys == list(t.frame.columns) == raw_rows(RU_TEXT)[0]  # keys are the row-1 column ids
    meta = {c.key: c.field for c in t.columns if c.is_meta}
    assert meta == {
        **SYSTEM,
        "ExternalReference": "ignore",  # the embedded token column is the token
        "Q1_NPS_GROUP": "ignore",
        "token": "token",
    }
    q = {c.key: c for c in t.columns if not c.is_meta}
    assert q["Q1"].question == "Насколько вероятно, что вы порекомендуете наше агентство коллегам или партнёрам?"
    assert q["Q1"].code == "Q1" and q["Q1"].item is None and q["Q1"].choice_separator is None
    assert q["Q2"].question == "Почему вы поставили именно такую оценку?"
    assert [
        (c.code, c.item) for c in t.columns if c.question == "Оцените, пожалуйста, нашу работу по следующим параметрам."
    ] == [
        ("Q4_1", "Скорость реакции на запросы"),
        ("Q4_2", "Соблюдение сроков"),
        ("Q4_3", "Отчётность и прозрачность результатов"),
        ("Q4_4", "Компетентность команды"),
    ]
    assert [c.item for c in t.columns if c.code in ("Q5_1", "Q5_2")] == [
        "Пресс-офис и подготовка пресс-релизов",
        "Ведение социальных сетей",
    ]
    assert q["Q6"].question == "Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"
    assert q["Q6"].choice_separator == "," and not q["Q6"].choice
    # "Справедливая цена, на уровне рынка" holds a comma but is one label: no separator on the price
    assert q["Q7"].choice_separator is None and q["Q3"].choice_separator is None
    assert not any(c.choice for c in t.columns)
    assert any("Europe/Moscow" in n for n in t.notes)


def test_choice_text_rows_dates_and_flags():
    t = qx.read(RU_TEXT)
    exp = expected(RU_TEXT)
    assert t.raw.rows == [e["row"] for e in exp] == list(range(4, 11))
    assert t.raw.encoding == "utf-8-sig"
    assert t.frame["EndDate"].tolist() == [e["submitted_at"] for e in exp]
    assert t.frame["ResponseId"].tolist() == [e["response_id"] for e in exp]
    assert t.frame["Finished"].tolist() == ["True", "True", "False", "True", "True", "True", "True"]
    assert t.frame.loc[2, "Progress"] == "38"
    assert [cell(v) for v in t.frame["token"]] == [e["token"] for e in exp]
    assert t.frame.loc[0, "Q1"] == "10 - Крайне вероятно"
    assert t.frame.loc[0, "Q6"] == "Кампании с блогерами,Мониторинг СМИ и социальных сетей"


def test_choice_text_cells_equal_the_raw_file():
    t = qx.read(RU_TEXT)
    rows = raw_rows(RU_TEXT)[3:]
    for pos in range(len(rows)):
        for j, col in enumerate(t.columns):
            assert cell(t.frame.iloc[pos][col.key]) == (rows[pos][j].strip() or None), (pos, col.key)


# ------------------------------------------------------------------ numeric values (English)
def test_numeric_columns_described():
    t = qx.read(EN_NUM)
    meta = {c.key: c.field for c in t.columns if c.is_meta}
    assert meta == {
        **SYSTEM,
        "ExternalReference": "token",
        "Q_RecaptchaScore": "ignore",
        "NPS_NPS_GROUP": "ignore",
        "segment": "ignore",
    }
    q = {c.key: c for c in t.columns if not c.is_meta}
    assert list(q) == ["NPS", "Q2", "Q3", "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q5_1", "Q5_2", "Q6", "Q7", "Q8"]
    assert q["NPS"].code == "NPS"  # an export tag renamed by the agency
    assert q["NPS"].question == "How likely are you to recommend our agency to a colleague or business partner?"
    assert q["Q4_3"].question == "Please rate our work on the following aspects."
    assert q["Q4_3"].item == "Reporting and transparency of results"
    assert q["Q5_2"].item == "Social media management"
    assert q["Q6"].choice_separator == ","
    assert [k for k, c in q.items() if c.choice_separator] == ["Q6"]
    assert any("segment" in n for n in t.notes)
    assert any("Europe/London" in n for n in t.notes)


def test_numeric_values_as_exported():
    t = qx.read(EN_NUM)
    exp = expected(EN_NUM)
    assert t.raw.rows == [e["row"] for e in exp]
    assert t.frame["EndDate"].tolist() == [e["submitted_at"] for e in exp]
    assert [cell(v) for v in t.frame["ExternalReference"]] == [e["token"] for e in exp]
    assert t.frame["Finished"].tolist() == ["1", "1", "0", "1", "1", "1"]
    assert t.frame["Q6"].tolist()[:2] == ["1,3", "2"]
    assert t.frame["NPS"].tolist() == [str(e["nps"]) for e in exp]
    rows = raw_rows(EN_NUM)[3:]
    for pos in (0, 2, 5):
        for j, col in enumerate(t.columns):
            assert cell(t.frame.iloc[pos][col.key]) == (rows[pos][j].strip() or None), (pos, col.key)


# ------------------------------------------------------------------ variants
def test_rows_two_and_three_deleted():
    rows = raw_rows(EN_NUM)
    t = qx.read(csv_bytes([rows[0], *rows[3:]]), source="trimmed.csv")
    assert t.raw.rows == list(range(2, 8))
    by_key = {c.key: c for c in t.columns}
    assert by_key["ResponseId"].field == "response_id" and by_key["Finished"].field == "finished"
    assert by_key["Q4_2"].code == "Q4_2" and by_key["NPS_NPS_GROUP"].field == "ignore"
    assert t.frame.loc[0, "ResponseId"] == "R_2ZbTq5XcV8nLm0P"


def test_import_id_row_deleted():
    rows = raw_rows(RU_TEXT)
    t = qx.read(csv_bytes(rows[:2] + rows[3:]), source="no_import_ids.csv")
    assert t.raw.rows[0] == 3
    by_key = {c.key: c for c in t.columns}
    assert by_key["ResponseId"].field == "response_id"
    assert by_key["token"].field == "token"  # its label is its own name: embedded data
    assert by_key["Q4_1"].question == "Оцените, пожалуйста, нашу работу по следующим параметрам."
    assert by_key["Q4_1"].item == "Скорость реакции на запросы"


def test_split_multiple_choice_other_text_and_selected_choice():
    rows = [
        ["ResponseId", "Finished", "Q6_1", "Q6_2", "Q6_3", "Q3", "Q3_4_TEXT"],
        [
            "Response ID",
            "Finished",
            "Which services would you find useful? - Influencer campaigns",
            "Which services would you find useful? - Crisis plan and risk audit",
            "Which services would you find useful? - Other",
            "Which agency did you use before? - Selected Choice",
            "Which agency did you use before? - Other - Text",
        ],
        [
            '{"ImportId":"_recordId"}',
            '{"ImportId":"finished"}',
            '{"ImportId":"QID6","choiceId":"1"}',
            '{"ImportId":"QID6","choiceId":"2"}',
            '{"ImportId":"QID6","choiceId":"4"}',
            '{"ImportId":"QID3"}',
            '{"ImportId":"QID3_4_TEXT"}',
        ],
        ["R_1", "True", "Influencer campaigns", "", "", "Other", "In-house team"],
    ]
    t = qx.read(csv_bytes(rows), source="split.csv")
    by_key = {c.key: c for c in t.columns}
    assert [(by_key[k].item, by_key[k].choice) for k in ("Q6_1", "Q6_2", "Q6_3")] == [
        ("Influencer campaigns", True),
        ("Crisis plan and risk audit", True),
        ("Other", True),
    ]
    assert by_key["Q6_1"].question == "Which services would you find useful?"
    assert by_key["Q3"].question == "Which agency did you use before?" and by_key["Q3"].item is None
    assert by_key["Q3_4_TEXT"].question == "Which agency did you use before? (Other - Text)"


def test_loop_and_merge_prefix_and_quality_columns():
    rows = [
        ["ResponseId", "Q_BallotBoxStuffing", "1_Q1_1", "1_Q2"],
        ["Response ID", "Q_BallotBoxStuffing", "Please rate our work. - Responsiveness", "Any comments?"],
        [
            '{"ImportId":"_recordId"}',
            '{"ImportId":"Q_BallotBoxStuffing"}',
            '{"ImportId":"1_QID10_1"}',
            '{"ImportId":"1_QID7_TEXT"}',
        ],
        ["R_1", "", "5", "Хорошо"],
    ]
    t = qx.read(csv_bytes(rows), source="loop.csv")
    by_key = {c.key: c for c in t.columns}
    assert by_key["Q_BallotBoxStuffing"].field == "ignore"
    assert (by_key["1_Q1_1"].question, by_key["1_Q1_1"].item) == ("Please rate our work.", "Responsiveness")
    assert by_key["1_Q2"].question == "Any comments?"


def test_preview_and_spam_rows_are_noted_and_excel_dates_left():
    rows = raw_rows(EN_NUM)
    rows[4][2] = "1"  # Survey Preview
    rows[5][2] = "8"  # Spam
    rows[6][1] = "12/11/2026 10:09"  # re-saved by a spreadsheet: ambiguous, left for the import to report
    rows[3][1] = "2026-11-03T09:20:02Z"
    t = qx.read(csv_bytes(rows), source="status.csv")
    assert any("row(s) 5, 6" in n and "preview, test or spam" in n for n in t.notes)
    assert t.frame["EndDate"].tolist()[:4] == [
        "2026-11-03 09:20:02",
        "2026-11-03 12:11:58",
        "2026-11-04 00:31:15",
        "12/11/2026 10:09",
    ]
    assert t.columns[2].field == "ignore"


def test_tab_separated_and_xlsx_copies_read_the_same():
    rows = raw_rows(RU_TEXT)
    base = qx.read(RU_TEXT)
    tsv = qx.read(csv_bytes(rows, sep="\t", encoding="utf-16"), source="export.tsv")
    assert tsv.raw.separator == "\t"
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append([v if v != "" else None for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = qx.read(buf.getvalue(), source="export.xlsx")
    for other in (tsv, xlsx):
        assert other.columns == base.columns
        pd.testing.assert_frame_equal(other.frame.map(cell), base.frame.map(cell))
        assert other.raw.rows == base.raw.rows


def test_docstring_examples():
    assert doctest.testmod(qx).failed == 0


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for d in ("google_forms", "yandex_forms", "limesurvey")
        for p in (FIX / d).glob("*")
        if p.suffix in (".csv", ".xlsx")
    ),
)
def test_does_not_take_other_tools_fixtures(path):
    head = read_table(path)
    assert not qx.detect(head)
    assert not surveymonkey.detect(head)
