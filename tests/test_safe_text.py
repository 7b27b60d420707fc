"""cxlab.safe_text: the one rule for control characters and formula-like cells (cases checked by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab.safe_text import (
    count_control,
    is_formula_like,
    neutralise_formula,
    safe_cell,
    safe_frame,
    strip_control,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),  # not a number: a lone sign
        ("+7 916 123-45-67", "'+7 916 123-45-67"),  # a phone is not one number: Excel would compute it
        ("- пункт списка", "'- пункт списка"),
    ],
)
def test_formula_like_text_gets_a_quote(text, expected):
    assert neutralise_formula(text) == expected
    assert is_formula_like(text)
    assert not is_formula_like(expected)  # once is enough: the result is safe
    assert neutralise_formula(expected) == expected


@pytest.mark.parametrize(
    "text",
    ["-5", "+7", "-2.5", "-2,5", "+1e3", "-.5", "  -5  ", "", "ok", "a=b", " =1", "Сроки сорваны", "'=1", "5-2"],
)
def test_numbers_and_plain_text_are_left_alone(text):
    assert neutralise_formula(text) == text
    assert not is_formula_like(text)


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        ("Сроки\x0bсорваны\x00", "Срокисорваны", 2),
        ("tab\tLF\nCR\r", "tab\tLF\nCR\r", 0),  # kept: they have a meaning in text
        ("\x01\x08\x0c\x0e\x1f\x7f", "", 6),
        ("a\x85b\x9fc", "abc", 2),  # C1 controls (NEL...) too
        ("ёжик «ок» €", "ёжик «ок» €", 0),  # letters and symbols above U+009F are text
    ],
)
def test_strip_control(text, expected, removed):
    assert strip_control(text) == expected
    assert count_control(text) == removed


def test_safe_cell_order_and_types():
    # Control characters go first: "\x00=1" is a formula once the NUL is gone.
    assert safe_cell("\x00=1") == "'=1"
    assert safe_cell("\x00=1", raw=True) == "=1"
    for value in (-5, 2.5, None, pd.Timestamp("2026-01-01"), True):
        assert safe_cell(value) is value


def test_safe_frame_touches_text_only():
    frame = pd.DataFrame(
        {
            "comment": ["=1+1", "ok", None, "a\x0bb"],
            "nps": [-5, 0, 9, 10],
            "value": [-2.5, 1.0, None, 3.0],
            "=header": ["-5", "@x", "x", "y"],
        }
    )
    out = safe_frame(frame)
    assert out["comment"].tolist()[:2] == ["'=1+1", "ok"] and out["comment"].tolist()[3] == "ab"
    assert pd.isna(out["comment"].tolist()[2])
    assert out["nps"].tolist() == [-5, 0, 9, 10] and out["nps"].dtype.kind == "i"
    assert out["value"].dtype.kind == "f"
    assert list(out.columns) == ["comment", "nps", "value", "'=header"]
    assert out["'=header"].tolist() == ["-5", "'@x", "x", "y"]
    assert frame["comment"][0] == "=1+1"  # a copy: the caller's frame is unchanged
    raw = safe_frame(frame, raw=True)
    assert raw["comment"].tolist()[0] == "=1+1" and raw["comment"].tolist()[3] == "ab"
