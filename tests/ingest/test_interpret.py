"""Recognising questions without a tool reader: wording, 0-10 answers, labels, choices."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab.errors import InputError
from cxlab.ingest import read_export
from cxlab.questionnaire import load_questionnaire

NPS_RU = "Насколько вероятно, что вы порекомендуете наше агентство коллегам или партнёрам?"
WHY_RU = "Почему вы поставили именно такую оценку?"
OVERALL_RU = "Насколько вы в целом удовлетворены работой с агентством?"
PRICE_RU = "Как вы оцениваете стоимость наших услуг по сравнению с рынком?"
COMMENT_RU = "Что нам стоит изменить или улучшить? Любые комментарии и пожелания."


def _csv(rows: list[list[str]], sep=";") -> bytes:
    return "\n".join(sep.join(f'"{c}"' for c in r) for r in rows).encode("utf-8")


def test_plain_spreadsheet_is_recognised_by_wording_and_answers():
    data = read_export(
        _csv(
            [
                ["Дата заполнения", "Компания", "Эл. почта", NPS_RU, WHY_RU, OVERALL_RU, PRICE_RU, COMMENT_RU],
                [
                    "24.11.2026 10:05:33",
                    "ООО «Альфа»",
                    "A@Example.ru",
                    "10 - Крайне вероятно",
                    "Быстро, чётко",
                    "Скорее доволен",
                    "Дороговато",
                    "Больше цифр в отчётах",
                ],
                ["25.11.2026 09:00", "Beta LLC", "", "6", "", "2", "Справедливая цена, на уровне рынка", ""],
            ]
        ),
        source="plain.csv",
    )
    assert data.tool == "generic"
    r = data.responses
    assert r["nps"].tolist() == [10.0, 6.0]
    assert r["overall"].tolist() == [4.0, 2.0]
    assert r["price"].tolist() == [2.0, 3.0]

    def texts(col):
        return [None if pd.isna(v) else v for v in r[col]]

    assert texts("reason") == ["Быстро, чётко", None]
    assert texts("comment") == ["Больше цифр в отчётах", None]
    assert texts("_email") == ["a@example.ru", None]
    assert r["_company"].tolist() == ["ООО «Альфа»", "Beta LLC"]
    assert r["submitted_at"].tolist() == [pd.Timestamp("2026-11-24 10:05:33"), pd.Timestamp("2026-11-25 09:00")]
    assert r["language"].unique().tolist() == ["ru"]
    assert r["response_id"].str.startswith("gen-").all() and r["response_id"].is_unique
    used = data.columns.set_index("column")["target"]
    assert used[NPS_RU] == "nps" and used["Компания"] == "company"


def test_recommend_question_on_another_scale_is_not_taken_as_nps():
    with pytest.raises(InputError, match=r"five\.csv, row 1: no question recognised.*not on a 0-10 scale"):
        read_export(
            _csv([["Company", "How likely are you to recommend us? (1-5)"], ["Beta LLC", "4"], ["Alpha", "3"]]),
            source="five.csv",
        )
    data = read_export(
        _csv(
            [
                ["Company", "How likely are you to recommend us? (1-5)", "Overall, how satisfied are you?"],
                ["Beta LLC", "4", "5"],
                ["Alpha", "3", "4"],
            ]
        ),
        source="five.csv",
    )
    assert data.responses["nps"].isna().all() and data.responses["overall"].tolist() == [5, 4]
    assert any("not on a 0-10 scale" in n for n in data.notes)


def test_unknown_label_is_refused_with_row_and_column_and_the_rest_kept():
    text = _csv([["Компания", NPS_RU, OVERALL_RU], ["Альфа", "9", "Так себе"], ["Бета", "7", "Полностью доволен"]])
    data = read_export(text, source="labels.csv")
    assert data.responses["overall"].tolist()[1] == 5.0 and pd.isna(data.responses["overall"].tolist()[0])
    [problem] = data.problems
    assert (problem.source, problem.row, problem.column) == ("labels.csv", 2, OVERALL_RU)
    assert "Так себе" in problem.message
    with pytest.raises(InputError, match=r"labels\.csv, row 2"):
        read_export(text, source="labels.csv", errors="raise")


def test_grid_and_needs_with_the_questionnaire():
    q = load_questionnaire("pr_agency")
    grid = "Оцените, пожалуйста, нашу работу по следующим параметрам"
    needs = "Каких услуг вам не хватает?"
    data = read_export(
        _csv(
            [
                [
                    "Компания",
                    f"{NPS_RU}",
                    f"{grid} [Соблюдение сроков]",
                    f"{grid} [Скорость реакции на запросы]",
                    f"{grid} [Чувство юмора]",
                    needs,
                ],
                ["Альфа", "9", "5", "Скорее доволен", "5", "Кампании с блогерами, Антикризисный план и аудит рисков"],
                ["Бета", "3", "2", "", "", ""],
            ]
        ),
        source="grid.csv",
        questionnaire=q,
    )
    a = data.answers
    assert data.problems == []
    # Google-Forms style "Question [Row]" headers are a plain spreadsheet here: the wording still maps.
    got = {(row, kind, item): v for row, kind, item, v in a[["_row", "kind", "item", "value"]].itertuples(index=False)}
    assert got[(2, "attribute", "deadlines")] == 5 and got[(2, "attribute", "responsiveness")] == 4
    assert got[(3, "attribute", "deadlines")] == 2
    assert got[(2, "need", "influencers_campaigns")] == 1 and got[(2, "need", "crisis_preparedness")] == 1
    assert got[(3, "need", "influencers_campaigns")] == 0
    assert any("Чувство юмора" in n for n in data.notes)


def test_importance_grid_beside_a_satisfaction_grid_is_not_mixed_up():
    sat, imp = "Оцените нашу работу", "Насколько для вас важно"
    data = read_export(
        _csv(
            [
                [
                    "Компания",
                    NPS_RU,
                    f"{sat} [Соблюдение сроков]",
                    f"{sat} [Компетентность команды]",
                    f"{imp} [Соблюдение сроков]",
                    f"{imp} [Компетентность команды]",
                ],
                ["Альфа", "9", "5", "4", "3", "5"],
            ]
        ),
        source="two_grids.csv",
    )
    got = {(k, i): v for k, i, v in data.answers[["kind", "item", "value"]].itertuples(index=False)}
    assert got == {
        ("attribute", "deadlines"): 5,
        ("attribute", "team_competence"): 4,
        ("importance", "deadlines"): 3,
        ("importance", "team_competence"): 5,
    }


def test_price_satisfaction_wording_is_price_and_odd_nps_cell_keeps_the_question():
    data = read_export(
        _csv(
            [
                [
                    "Компания",
                    "Оцените вероятность рекомендации нас от 0 до 10",
                    "Насколько вы удовлетворены стоимостью услуг?",
                ],
                ["Альфа", "9", "2"],
                ["Бета", "11", "3"],
                ["Гамма", "10", "4"],
                ["Дельта", "7", "4"],
                ["Эпсилон", "8", "5"],
                ["Ж", "6", "3"],
                ["З", "9", "3"],
                ["И", "10", "3"],
                ["К", "3", "3"],
                ["Л", "10", "3"],
            ]
        ),
        source="p.csv",
    )
    assert data.responses["nps"].tolist()[:3] == [9, 11, 10]  # 11 goes on to the import, which refuses the cell
    assert data.responses["price"].tolist()[:3] == [2, 3, 4] and data.responses["overall"].isna().all()


def test_comment_with_commas_is_a_comment_not_checkboxes():
    text = _csv(
        [
            ["Отметка времени", "Компания", NPS_RU, "Ваши комментарии"],
            ["24.11.2026 10:00:00", "Альфа", "9", "Спасибо, всё хорошо"],
            ["24.11.2026 11:00:00", "Бета", "10", "Спасибо"],
        ],
        sep=",",
    )
    data = read_export(text, source="gf.csv")
    assert data.responses["comment"].tolist() == ["Спасибо, всё хорошо", "Спасибо"]


@pytest.mark.parametrize(
    ("content", "mapping", "words"),
    [
        (b"", None, "the file is empty"),
        ("Компания;Оценка;Оценка2\nАльфа;9;8\n".encode(), {"Оценка": "nps", "Оценка2": "nps"}, "already mapped"),
        ("Компания;Оценка\nАльфа;9\n".encode(), {"Нет такой": "nps"}, "does not have"),
        ("Компания;Оценка\nАльфа;9\n".encode(), {"Оценка": "happiness"}, "unknown target 'happiness'"),
    ],
)
def test_bad_files_and_mappings_are_clear_errors(content, mapping, words):
    with pytest.raises(InputError, match=words):
        read_export(content, source="x.csv", mapping=mapping)


def test_a_header_written_twice_keeps_both_columns():
    data = read_export(
        _csv([["Компания", NPS_RU, "Комментарий", "Комментарий"], ["Альфа", "9", "a", "b"]]), source="dup.csv"
    )
    assert data.responses["comment"].tolist() == ["a"] and any("already comes from" in n for n in data.notes)
