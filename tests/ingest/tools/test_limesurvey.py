"""LimeSurvey response exports: full-text and question-code headings, full answers and answer codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cxlab.ingest.files import read_table
from cxlab.ingest.tools import google_forms, limesurvey, yandex_forms

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HERE = FIXTURES / "limesurvey"
OWN = ["limesurvey_ru.csv", "limesurvey_en.csv"]

NEEDS_RU = "Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"
NEEDS_EN = "Which services that you do not buy from us now would you find useful?"
ATTR_EN = "Please rate our work on the following aspects."


# «Question code» headings, «Answer codes»: as CsvWriter writes them (BOM, all quoted, NULL unquoted, CRLF).
CODES = (
    '\ufeff"id","submitdate","lastpage","startlanguage","seed","token","startdate","datestamp","attribute_1",'
    '"NPS","ATTR[SQ001]","ATTR[SQ002]","NEED[SQ001]","NEED[SQ002]","NEED[other]","NEED[SQ001comment]",'
    '"COMMENT"\r\n'
    '"5","2026-11-24 10:05:33","3","ru","1180426335","vmRq5Fz3kHn2LpX","2026-11-24 10:01:16",'
    '"2026-11-24 10:05:33","ООО «Вектор»","9","5","4","Y","","","почему","Спасибо"\r\n'
    '"6",,"1","ru","1180434254","Ty8cWq2NbZr4uJs","2026-11-24 11:00:02","2026-11-24 11:01:40","",'
    '"7","4","3",,,,,\r\n'
    '"7","2026-11-25 09:00:00","3","en","1180442173","pK3xH7dLm9QfVa2","2026-11-25 08:52:10",'
    '"2026-11-25 09:00:00","","10","5","5","","Y","PR audit","",""\r\n\r\n'
).encode("utf-8")


def raw_rows(path: Path, sep: str):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=sep))


def test_detects_question_code_headings():
    assert limesurvey.detect(read_table(CODES, source="results-survey123456.csv"))


def test_others_do_not_claim_limesurvey():
    for head in [read_table(HERE / n) for n in OWN] + [read_table(CODES, source="c.csv")]:
        assert not google_forms.detect(head) and not yandex_forms.detect(head)


def test_ru_full_text_headings_and_full_answers():
    t = limesurvey.read(HERE / "limesurvey_ru.csv")
    assert t.tool == "limesurvey" and (t.raw.encoding, t.raw.separator) == ("utf-8-sig", ";")
    assert [(c.key, c.field) for c in t.columns[:9]] == [
        ("ID ответа", "response_id"),
        ("Дата отправки", "submitted_at"),
        ("Последняя страница", "ignore"),
        ("Язык", "language"),
        ("Seed", "ignore"),
        ("Код доступа", "token"),
        ("Дата начала", "started_at"),
        ("Дата последнего действия", "ignore"),
        ("Название компании", "company"),
    ]
    needs = [c for c in t.columns if c.question == NEEDS_RU]
    assert [c.item for c in needs] == [
        "Кампании с блогерами",
        "Антикризисный план и аудит рисков",
        "Мониторинг СМИ и социальных сетей",
        "Другое",
    ]
    assert all(c.choice and c.choice_separator is None for c in needs)
    grid = [c for c in t.columns if c.question == "Оцените, пожалуйста, нашу работу по следующим параметрам."]
    assert len(grid) == 4 and not any(c.choice for c in grid) and grid[0].item == "Скорость реакции на запросы"
    # selected options keep "Да", the others are emptied; the "other" text is kept
    assert t.frame[f"{NEEDS_RU} [Кампании с блогерами]"].tolist() == ["Да", None, None, "Да", None, "Да"]
    assert t.frame[f"{NEEDS_RU} [Другое]"].tolist() == ["Организация пресс-туров"] + [None] * 5
    raw = raw_rows(HERE / "limesurvey_ru.csv", ";")
    assert raw[1][raw[0].index(f"{NEEDS_RU} [Антикризисный план и аудит рисков]")] == "Нет"
    assert (
        t.frame["Оцените, пожалуйста, нашу работу по следующим параметрам. [Соблюдение сроков]"].iloc[2]
        == "Скорее не доволен"
    )


def test_ru_cells_equal_the_file_and_partial_response():
    t = limesurvey.read(HERE / "limesurvey_ru.csv")
    raw = raw_rows(HERE / "limesurvey_ru.csv", ";")
    assert len(raw) == 8 and raw[7] == []  # CsvWriter ends with an empty line
    choice_keys = {c.key for c in t.columns if c.choice}
    for r in (1, 2, 6):
        for j, key in enumerate(t.frame.columns):
            if key not in choice_keys:
                assert t.frame.iloc[r - 1, j] == (raw[r][j] or None), (r, key)
    partial = t.frame.iloc[5]
    assert partial["Дата отправки"] is None and partial["Последняя страница"] == "3"
    assert partial["Дата начала"] == "2026-11-28 00:10:07"
    assert partial["Как вы оцениваете стоимость наших услуг по сравнению с рынком?"] is None
    assert t.frame["Дата отправки"].iloc[0] == "2026-11-24 10:05:33"  # already ISO: left as written
    assert any("partial" in n for n in t.notes)
    assert t.frame["Код доступа"].tolist().count("pK3xH7dLm9QfVa2") == 2


def test_en_full_text_headings_and_answer_codes():
    t = limesurvey.read(HERE / "limesurvey_en.csv")
    assert t.raw.separator == ","
    fields = [c.field for c in t.columns[:11]]
    assert fields == [
        "response_id",
        "submitted_at",
        "ignore",
        "language",
        "ignore",
        "token",
        "started_at",
        "ignore",
        "ignore",
        "ignore",
        "company",
    ]
    assert [c.item for c in t.columns if c.question == ATTR_EN] == [
        "Responsiveness",
        "Meeting deadlines",
        "Reporting and transparency of results",
        "Competence of the team",
    ]
    needs = [c for c in t.columns if c.question == NEEDS_EN]
    assert [c.item for c in needs][-1] == "Other" and all(c.choice for c in needs)
    assert t.frame[f"{NEEDS_EN} [Crisis plan and risk audit]"].tolist() == [None, "Y", None, None, None, "Y"]
    nps = "How likely are you to recommend our agency to a colleague or business partner?"
    assert t.frame[nps].tolist() == ["9", "10", "6", "0", "7", "8"]
    partial = t.frame.iloc[3]
    assert partial["Date submitted"] is None and partial["Last page"] == "2"
    assert partial[f"{NEEDS_EN} [Influencer campaigns]"] is None
    assert t.frame["Referrer URL"].iloc[1] == "https://mail.google.com/"


def test_question_code_headings():
    t = limesurvey.read(CODES, source="results-survey123456.csv")
    cols = {c.key: c for c in t.columns}
    assert [
        cols[k].field
        for k in (
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "token",
            "startdate",
            "datestamp",
            "attribute_1",
        )
    ] == ["response_id", "submitted_at", "ignore", "language", "ignore", "token", "started_at", "ignore", "ignore"]
    assert (cols["NPS"].question, cols["NPS"].item, cols["NPS"].code) == ("NPS", None, "NPS")
    assert (cols["ATTR[SQ002]"].question, cols["ATTR[SQ002]"].item, cols["ATTR[SQ002]"].code) == (
        "ATTR",
        "SQ002",
        "ATTR[SQ002]",
    )
    assert not cols["ATTR[SQ001]"].choice
    assert [cols[k].choice for k in ("NEED[SQ001]", "NEED[SQ002]", "NEED[other]")] == [True, True, True]
    assert not cols["NEED[SQ001comment]"].choice
    assert t.frame["NEED[SQ001]"].tolist() == ["Y", None, None]
    assert t.frame["NEED[other]"].tolist() == [None, None, "PR audit"]
    assert t.frame["submitdate"].tolist() == ["2026-11-24 10:05:33", None, "2026-11-25 09:00:00"]
    assert t.raw.rows == [2, 3, 4]


def test_full_headings_in_an_unlisted_language_are_read_by_position():
    data = (
        b'"Antwort ID","Datum Abgeschickt","Letzte Seite","Startsprache","Wie wahrscheinlich?"\n'
        b'"1","2026-11-24 10:05:33","2","de","9"\n"2","","1","de","3"\n'
    )
    head = read_table(data, source="de.csv")
    assert limesurvey.detect(head) and not google_forms.detect(head) and not yandex_forms.detect(head)
    t = limesurvey.read(data, source="de.csv")
    assert [c.field for c in t.columns] == ["response_id", "submitted_at", "ignore", "language", None]
    assert any("first four columns" in n for n in t.notes)


@pytest.mark.parametrize(("encoding", "sep"), [("cp1251", ";"), ("utf-8", ","), ("utf-8-sig", "\t")])
def test_other_encodings_and_separators_read_the_same(reads_the_same_when_resaved, encoding, sep):
    reads_the_same_when_resaved(
        limesurvey,
        raw_rows(HERE / "limesurvey_ru.csv", ";"),
        HERE / "limesurvey_ru.csv",
        encoding=encoding,
        sep=sep,
        name="results-survey.csv",
        quoting=csv.QUOTE_ALL,
    )


def test_survey_without_date_stamps_is_noted():
    data = b'"id","submitdate","lastpage","startlanguage","Q1"\n"1","1980-01-01 00:00:00","1","en","5"\n'
    t = limesurvey.read(data, source="x.csv")
    assert t.frame["submitdate"].iloc[0] == "1980-01-01 00:00:00"
    assert any("1980-01-01" in n for n in t.notes)
