"""Yandex Forms answer files: XLSX (Russian UI) and CSV (English UI, hidden-field parameters)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl

from cxlab.ingest.files import read_table
from cxlab.ingest.tools import google_forms, limesurvey, yandex_forms
from cxlab.ingest.tools.yandex_forms import normalize_timestamp

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "yandex_forms"
OWN = ["yandex_forms_ru.xlsx", "yandex_forms_en.csv"]

ATTR_RU = "Оцените, пожалуйста, нашу работу по следующим параметрам."
NEEDS_RU = "Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"
COMMENT_RU = "Что нам стоит изменить или улучшить? Любые комментарии и пожелания."
NEEDS_EN = "Which services that you do not buy from us now would you find useful?"


def sheet_rows(path: Path):
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def test_xlsx_ru_columns_described():
    t = yandex_forms.read(HERE / "yandex_forms_ru.xlsx")
    assert t.tool == "yandex_forms" and t.raw.encoding is None
    assert [(c.key, c.field) for c in t.columns[:4]] == [
        ("ID", "response_id"),
        ("Время создания", "submitted_at"),
        ("Персональный код", "token"),
        ("Название компании", "company"),
    ]
    questions = [c for c in t.columns if not c.is_meta]
    assert len(questions) == 12 and all(c.code is None and not c.choice for c in questions)
    grid = [c for c in questions if c.question == ATTR_RU]
    assert [c.item for c in grid] == [
        "Скорость реакции на запросы",
        "Соблюдение сроков",
        "Отчётность и прозрачность результатов",
        "Компетентность команды",
    ]
    cols = {c.key: c for c in t.columns}
    assert cols[NEEDS_RU].choice_separator == ", " and cols[NEEDS_RU].item is None
    assert cols[COMMENT_RU].choice_separator is None
    assert cols["Почему вы поставили именно такую оценку?"].choice_separator is None


def test_xlsx_cells_equal_the_sheet():
    t = yandex_forms.read(HERE / "yandex_forms_ru.xlsx")
    rows = sheet_rows(HERE / "yandex_forms_ru.xlsx")
    assert isinstance(rows[1][1], datetime)  # a date-time cell, not text
    assert t.frame["Время создания"].tolist() == [f"{r[1]:%Y-%m-%d %H:%M:%S}" for r in rows[1:]]
    assert t.frame["ID"].tolist() == [str(r[0]) for r in rows[1:]]
    for r in (1, 2, 4):
        for j in range(2, len(rows[0])):
            cell = rows[r][j]
            assert t.frame.iloc[r - 1, j] == (None if cell in (None, "") else str(cell)), (r, rows[0][j])
    assert t.frame[NEEDS_RU].iloc[1] == "Антикризисный план и аудит рисков, Мониторинг СМИ и социальных сетей"
    assert t.frame[COMMENT_RU].iloc[1].count("\n") == 1 and '"до 5-го числа"' in t.frame[COMMENT_RU].iloc[1]
    assert (
        t.frame["Оцените, пожалуйста, качество услуг, которые вы у нас получаете. [Ведение социальных сетей]"].iloc[1]
        is None
    )
    assert t.frame["Персональный код"].tolist().count("c9Lq4R") == 2
    assert t.raw.rows == [2, 3, 4, 5, 6, 7]


def test_csv_en_hidden_parameters():
    t = yandex_forms.read(HERE / "yandex_forms_en.csv")
    assert (t.raw.encoding, t.raw.separator) == ("utf-8-sig", ",")
    assert [(c.key, c.field) for c in t.columns[:5]] == [
        ("ID", "response_id"),
        ("Created", "submitted_at"),
        ("token", "token"),
        ("utm_source", "ignore"),
        ("Company name", "company"),
    ]
    assert any("token, utm_source" in n for n in t.notes)
    raw = list(csv.reader(io.StringIO((HERE / "yandex_forms_en.csv").read_text("utf-8-sig"))))
    assert t.frame["Created"].tolist() == [r[1] for r in raw[1:]]
    assert (
        t.frame[NEEDS_EN].iloc[5]
        == raw[6][raw[0].index(NEEDS_EN)]
        == "Influencer campaigns, Crisis plan and risk audit"
    )
    assert {c.key: c for c in t.columns}[NEEDS_EN].choice_separator == ", "
    assert t.frame["Company name"].iloc[2] == "Fabrikam, Inc."
    assert t.frame["Company name"].iloc[3] is None


def test_csv_and_xlsx_of_the_same_answers_read_the_same(reads_the_same_when_resaved):
    """The XLSX saved as a cp1251 ';' CSV (Excel, Russian Windows) gives the same table."""
    rows = [
        ["" if v is None else f"{v:%Y-%m-%d %H:%M:%S}" if isinstance(v, datetime) else v for v in r]
        for r in sheet_rows(HERE / "yandex_forms_ru.xlsx")
    ]
    reads_the_same_when_resaved(yandex_forms, rows, HERE / "yandex_forms_ru.xlsx", name="answers.csv")


def test_workbook_with_text_times_and_zones(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Время создания", "Токен", "utm_campaign", "Оценка [Сроки]", "Оценка [Сроки]"])
    ws.append([101, "2026-11-24T10:05:33.482+03:00", "t1", "nov", 5, 4])
    ws.append([102, "24.11.2026 10:05", "t2", None, None, 3])
    ws.append([103, "вчера", "t3", None, 2, 2])
    path = tmp_path / "answers.xlsx"
    wb.save(path)
    t = yandex_forms.read(path)
    assert t.frame["Время создания"].tolist() == ["2026-11-24 07:05:33", "24.11.2026 10:05", "вчера"]
    assert [c.field for c in t.columns[:4]] == ["response_id", "submitted_at", "token", "ignore"]
    assert [c.key for c in t.columns[4:]] == ["Оценка [Сроки]", "Оценка [Сроки] (2)"]
    assert [(c.question, c.item) for c in t.columns[4:]] == [("Оценка", "Сроки"), ("Оценка", "Сроки")]


def test_normalize_timestamp():
    assert normalize_timestamp("2026-11-24 10:05:33") == "2026-11-24 10:05:33"
    assert normalize_timestamp("2026-11-24T10:05:33Z") == "2026-11-24 10:05:33"
    assert normalize_timestamp("2026-11-24 01:05:33-05:00") == "2026-11-24 06:05:33"
    assert normalize_timestamp("2026-02-30 10:00:00") == "2026-02-30 10:00:00"  # impossible: left as is
    assert normalize_timestamp(None) is None


def test_google_and_limesurvey_do_not_claim_yandex():
    for name in OWN:
        head = read_table(HERE / name)
        assert not google_forms.detect(head) and not limesurvey.detect(head)
