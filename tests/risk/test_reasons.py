"""Reasons a client is at risk in plain words: only bad news, no model internals, in the page's language."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxlab.risk.reasons import client_reasons, plain_reason, plain_reasons, rule_reason


@pytest.mark.parametrize(
    ("feature", "value", "row", "ru", "en"),
    [
        (
            "nps_change",
            -3.0,
            {"nps_prev": 9.0, "nps_mean": 6.0},
            "оценка рекомендации упала на 3 п. (9 → 6)",
            "recommend score fell 3 points (9 → 6)",
        ),
        ("dm_nps", 4.0, {}, "ЛПР — критик (оценка 4 из 10)", "decision maker is a detractor (score 4 of 10)"),
        ("responded", 0.0, {}, "не ответил на опрос", "did not answer the survey"),
        ("complaints_6m", 2.0, {}, "жалобы за полгода: 2", "complaints in 6 months: 2"),
        ("manager_changes_6m", 1.0, {}, "менеджер сменился 1 раз за полгода", "account manager changed 1× in 6 months"),
        ("silent_waves", 2.0, {}, "не отвечает на опрос 2 волны подряд", "silent for 2 survey waves in a row"),
        (
            "score_last",
            5.25,
            {},
            "низкая общая оценка клиента: 5,2 из 10",
            "low overall score from the client: 5.2 out of 10",
        ),
        # The index fell but the recommend score did not: the index's words, with before and after.
        (
            "score_change",
            -0.7,
            {"score_index": 6.5, "nps_change": 0.0},
            "общая оценка клиента снизилась на 0,7 балла из 10 (7,2 → 6,5)",
            "client's overall score fell 0.7 points out of 10 (7.2 → 6.5)",
        ),
        # The index fell and so did the recommend score: the question a director knows.
        (
            "score_change",
            -1.2,
            {"score_index": 6.0, "nps_change": -2.0, "nps_prev": 8.0, "nps_mean": 6.0},
            "оценка рекомендации упала на 2 п. (8 → 6)",
            "recommend score fell 2 points (8 → 6)",
        ),
        ("dm_nps (missing)", math.nan, {}, "ЛПР не ответил на опрос", "decision maker did not answer the survey"),
    ],
)
def test_reasons_in_plain_words(feature, value, row, ru, en):
    assert plain_reason(feature, value, row, "ru") == ru
    assert plain_reason(feature, value, row, "en") == en


@pytest.mark.parametrize(
    ("feature", "value"),
    [
        ("score_change", 0.7),  # a score that rose is never a reason
        ("score_change", 0.0),
        ("nps_change", 2.0),
        ("responded", 1.0),
        ("complaints_6m", 0.0),
        ("manager_changes_6m", 0.0),
        ("silent_waves", 0.0),
        ("log_contract_value", 13.2),  # model internals say nothing to a director
        ("expanded_12m", 0.0),
        ("attr_deadlines_change", -1.0),
        ("no_such_feature", 1.0),
    ],
)
def test_what_does_not_raise_the_risk_is_no_reason(feature, value):
    assert plain_reason(feature, value, {"score_index": 7.0}, "ru") is None
    assert plain_reason(feature, value, {"score_index": 7.0}, "en") is None


def test_plain_reasons_keep_the_top_ones_that_say_something():
    reasons = pd.DataFrame(
        {
            "client_id": ["A", "A", "A", "A", "B"],
            "wave_id": ["W"] * 5,
            "rank": [1, 2, 3, 4, 1],
            "feature": ["score_change", "log_contract_value", "complaints_6m", "responded", "score_change"],
            "label_ru": [""] * 5,
            "label_en": [""] * 5,
            "value": [0.7, 13.0, 1.0, 0.0, -1.0],
            "contribution": [0.9, 0.5, 0.3, 0.2, 0.4],
        }
    )
    panel = pd.DataFrame({"client_id": ["A", "B"], "wave_id": ["W", "W"], "score_index": [8.0, 5.0]})
    text, features = plain_reasons(reasons, panel, "ru", top=2)
    # The rise and the logarithm are skipped; the next two that say something are kept.
    assert text["A"] == "жалобы за полгода: 1; не ответил на опрос"
    assert features["A"] == "complaints_6m;responded"
    assert text["B"] == "общая оценка клиента снизилась на 1 балл из 10 (6 → 5)"


def test_rules_say_why_first_and_nothing_twice():
    flags = pd.DataFrame(
        {
            "rule": ["detractor_decision_maker", "score_drop", "silence"],
            "value": [5.0, -3.0, 1.0],
            "evidence": ["", "", ""],
        }
    )
    row = {"nps_change": -3.0, "nps_prev": 9.0, "nps_mean": 6.0}
    text = client_reasons("оценка рекомендации упала на 3 п. (9 → 6); жалобы за полгода: 1", flags, row, "ru")
    assert text == (
        "ЛПР — критик (оценка 5 из 10); оценка рекомендации упала на 3 п. (9 → 6); не ответил на опрос; "
        "жалобы за полгода: 1"
    )
    assert rule_reason("silence", 1.0, "", {}, "en") == "did not answer the survey"
    assert rule_reason("unknown_rule", 1.0, "", {}, "ru") is None
