"""Google Forms exports: the Forms CSV download (ru/en UI) and the linked sheet's CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from cxlab.ingest.tools import google_forms
from cxlab.ingest.tools.google_forms import choice_separator, normalize_timestamps

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "google_forms"
OWN = ["google_forms_ru.csv", "google_forms_ru_sheet.csv", "google_forms_en.csv"]

NPS_RU = "Насколько вероятно, что вы порекомендуете наше агентство коллегам или партнёрам?"
ATTR_RU = "Оцените, пожалуйста, нашу работу по следующим параметрам."
SERV_RU = "Оцените, пожалуйста, качество услуг, которые вы у нас получаете."
NEEDS_RU = "Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"
COMMENT_RU = "Что нам стоит изменить или улучшить? Любые комментарии и пожелания."


def raw_rows(path: Path, sep=","):
    """The file parsed with the csv module alone: what the reader's cells must equal."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=sep))


def test_forms_download_ru_columns_described():
    t = google_forms.read(HERE / "google_forms_ru.csv")
    assert t.tool == "google_forms"
    cols = {c.key: c for c in t.columns}
    assert [c.field for c in t.columns[:4]] == ["submitted_at", "email", "token", "company"]
    assert t.columns[0].key == "Отметка времени" and t.columns[2].key == "Персональный код"
    nps = cols[NPS_RU]
    assert (nps.question, nps.item, nps.field, nps.choice_separator, nps.choice) == (NPS_RU, None, None, None, False)
    grid = [c for c in t.columns if c.question == ATTR_RU]
    assert [c.item for c in grid] == [
        "Скорость реакции на запросы",
        "Соблюдение сроков",
        "Отчётность и прозрачность результатов",
        "Компетентность команды",
    ]
    assert grid[1].key == f"{ATTR_RU} [Соблюдение сроков]" and not grid[1].choice
    assert [c.item for c in t.columns if c.question == SERV_RU] == [
        "Пресс-офис и подготовка пресс-релизов",
        "Ведение социальных сетей",
    ]
    assert cols[NEEDS_RU].choice_separator == ";" and cols[NEEDS_RU].item is None
    # A comment with "; " inside is not a multiple choice.
    assert cols[COMMENT_RU].choice_separator is None
    assert all(c.code is None for c in t.columns)
    assert t.raw.rows == [2, 3, 4, 5, 6, 7]


def test_forms_download_times_converted_to_utc():
    t = google_forms.read(HERE / "google_forms_ru.csv")
    raw = raw_rows(HERE / "google_forms_ru.csv")
    assert raw[1][0] == "2026/11/24 10:05:33 AM GMT+3"
    assert raw[6][0] == "2026/11/28 12:15:09 AM GMT+3"  # 12 AM is midnight
    assert t.frame["Отметка времени"].tolist() == [
        "2026-11-24 07:05:33",
        "2026-11-24 11:32:07",
        "2026-11-25 06:41:02",
        "2026-11-25 15:03:56",
        "2026-11-27 08:20:45",
        "2026-11-27 21:15:09",
    ]
    en = google_forms.read(HERE / "google_forms_en.csv")
    assert raw_rows(HERE / "google_forms_en.csv")[2][0] == "2026/11/24 12:40:03 PM GMT+1"
    assert en.frame["Timestamp"].iloc[1] == "2026-11-24 11:40:03"
    assert any("UTC" in n for n in en.notes)


def test_forms_download_cells_equal_the_file():
    t = google_forms.read(HERE / "google_forms_ru.csv")
    raw = raw_rows(HERE / "google_forms_ru.csv")
    header = raw[0]
    for r in (1, 2, 4):  # rows 2, 3 and 5 of the sheet
        for j, _key in enumerate(t.frame.columns[1:], start=1):
            cell = raw[r][j]
            assert t.frame.iloc[r - 1, j] == (cell or None), (r, header[j])
    # quotes, commas and a line break inside a comment survive
    assert t.frame[COMMENT_RU].iloc[1] == (
        'Всё отлично, спасибо!\nПожелание: присылать отчёт "до 5-го числа", а не в середине месяца.'
    )
    assert t.frame[NPS_RU].tolist()[:4] == ["9", "10 – Крайне вероятно", "6", "0 – Совсем маловероятно"]
    assert t.frame[NEEDS_RU].iloc[1] == "Антикризисный план и аудит рисков;Мониторинг СМИ и социальных сетей"
    assert t.frame[NEEDS_RU].iloc[2] is None  # no option ticked
    assert t.frame[f"{SERV_RU} [Ведение социальных сетей]"].iloc[1] is None  # service not bought
    assert t.frame["Название компании"].iloc[3] is None  # optional question left empty
    # the same respondent twice: same token, the later one last
    assert t.frame["Персональный код"].tolist().count("c9Lq4R") == 2


def test_linked_sheet_ru_keeps_local_time_and_comma_separator():
    t = google_forms.read(HERE / "google_forms_ru_sheet.csv")
    assert [c.field for c in t.columns[:3]] == ["submitted_at", "token", "company"]
    assert t.columns[1].key == "Токен" and t.columns[2].key == "Компания"
    assert t.frame["Отметка времени"].tolist()[:3] == [
        "24.11.2026 10:05:33",
        "24.11.2026 14:32:07",
        "25.11.2026 9:41:02",
    ]
    cols = {c.key: c for c in t.columns}
    assert cols[NEEDS_RU].choice_separator == ", "
    price = "Как вы оцениваете стоимость наших услуг по сравнению с рынком?"
    assert cols[price].choice_separator is None  # "Справедливая цена, на уровне рынка" is one label
    assert t.frame[price].iloc[0] == "Справедливая цена, на уровне рынка"
    assert cols["Почему вы поставили именно такую оценку?"].choice_separator is None
    assert t.frame[NEEDS_RU].iloc[5] == "Кампании с блогерами, Антикризисный план и аудит рисков"
    assert any("local time" in n for n in t.notes)


def test_english_download_columns():
    t = google_forms.read(HERE / "google_forms_en.csv")
    assert [(c.key, c.field) for c in t.columns[:4]] == [
        ("Timestamp", "submitted_at"),
        ("Email address", "email"),
        ("Token", "token"),
        ("Company name", "company"),
    ]
    needs = "Which services that you do not buy from us now would you find useful?"
    assert {c.key: c for c in t.columns}[needs].choice_separator == ";"
    assert t.frame[needs].iloc[1] == "Crisis plan and risk audit;Media and social listening"
    assert t.frame["Company name"].iloc[2] == "Fabrikam, Inc."


def test_cp1251_semicolon_copy_reads_the_same(reads_the_same_when_resaved):
    """The download opened in Excel and saved as 'CSV (разделители - точки с запятой)'."""
    reads_the_same_when_resaved(
        google_forms,
        raw_rows(HERE / "google_forms_ru.csv"),
        HERE / "google_forms_ru.csv",
        name="google_forms_ru_excel.csv",
    )


def test_quiz_score_and_repeated_titles():
    data = (
        '"Timestamp","Email Address","Score","Токен","Комментарий","Комментарий"\n'
        '"2026/11/24 10:05:33 PM GMT+5:30","a@b.ru","4 / 5","t1","x","y"\n'
    ).encode()
    t = google_forms.read(data, source="quiz.csv")
    assert [c.field for c in t.columns[:4]] == ["submitted_at", "email", "ignore", "token"]
    assert [c.key for c in t.columns[4:]] == ["Комментарий", "Комментарий (2)"]
    assert [c.question for c in t.columns[4:]] == ["Комментарий", "Комментарий"]
    assert t.frame["Комментарий (2)"].iloc[0] == "y"
    assert t.frame["Timestamp"].iloc[0] == "2026-11-24 16:35:33"


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("token", "token"),
        ("Токен:", "token"),
        ("ID респондента", "token"),
        ("Код участника", "token"),
        ("Company", "company"),
        ("Название компании", "company"),
        ("Ваше имя", "name"),
        ("Электронная почта", "email"),
    ],
)
def test_prefilled_meta_titles(title, field):
    data = f'"Отметка времени","{title}"\n"24.11.2026 10:05:33","v"\n'.encode()
    assert google_forms.read(data, source="x.csv").columns[1].field == field


def test_timestamps_never_guess_day_and_month():
    cells, notes = normalize_timestamps(pd.Series(["01/02/2026 10:05:33", "03/04/2026 9:00:00"]))
    assert cells.tolist() == ["01/02/2026 10:05:33", "03/04/2026 9:00:00"] and notes
    # the column itself shows the order: 24 cannot be a month
    cells, _ = normalize_timestamps(pd.Series(["11/24/2026 10:05:33 GMT+3", "01/02/2026 10:05:33 GMT+3"]))
    assert cells.tolist() == ["2026-11-24 07:05:33", "2026-01-02 07:05:33"]
    cells, _ = normalize_timestamps(pd.Series(["2026/11/24 13:05:33 PM GMT+3", "вчера", None]))
    assert cells.tolist() == ["2026/11/24 13:05:33 PM GMT+3", "вчера", None]  # left for the importer to report


def test_choice_separator_needs_options_seen_again():
    assert choice_separator(pd.Series(["A;B", "A", None]), [";"]) == ";"
    assert choice_separator(pd.Series(["Нужен другой менеджер; отвечает по 2 дня", "Ок"]), [";"]) is None
    assert choice_separator(pd.Series(["A, B", "A, B", "C"]), [", "]) is None
