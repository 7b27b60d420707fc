"""cxlab.ingest.encoding: the encoding decided by evidence, or refused with the candidates."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab.errors import InputError, ParameterError
from cxlab.ingest import read_export
from cxlab.ingest.encoding import check_encoding, decode_text, locate, looks_russian
from cxlab.ingest.files import read_table

TEXT = "response_id;client_id;overall;comment\nR1;C1;4,5;Не хватает цифр, сроки срываются\nR2;C2;3;Всё хорошо\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1251"), "cp1251"),
    ],
)
def test_clear_encodings_are_read(data, encoding):
    decoded = decode_text(data, "x.csv")
    assert (decoded.text, decoded.encoding, decoded.notes) == (TEXT, encoding, [])


def test_cp1251_with_semicolons_and_decimal_commas_reads_as_before():
    table = read_table(TEXT.encode("cp1251"), source="excel.csv")
    assert (table.encoding, table.separator) == ("cp1251", ";")
    assert table.frame.loc[0, "overall"] == "4,5" and table.frame.loc[0, "comment"].startswith("Не хватает")


@pytest.mark.parametrize("codec", ["koi8_r", "cp866", "mac_cyrillic"])
def test_other_cyrillic_code_pages_are_named_not_guessed(codec):
    data = TEXT.encode(codec)
    with pytest.raises(InputError) as info:
        decode_text(data, "x.csv")
    assert f"it could be {codec} (Russian)" in info.value.one_line()
    assert decode_text(data, "x.csv", codec).text == TEXT


def test_damaged_utf8_names_row_and_column_of_the_first_bad_byte():
    data = TEXT.encode()
    at = data.index("Всё".encode())
    with pytest.raises(InputError) as info:
        decode_text(data[:at] + b"\xc0" + data[at:], "x.csv")
    problem = info.value.problems[0]
    assert (problem.source, problem.row, problem.column) == ("x.csv", 3, "comment")
    assert "byte 0xC0 is not valid UTF-8" in problem.message


def test_damaged_utf16_with_a_byte_order_mark_is_refused():
    data = TEXT.encode("utf-16")[:-1]  # an odd number of bytes
    with pytest.raises(InputError, match="damaged UTF-16"):
        decode_text(data, "x.csv")


def test_explicit_encoding_replaces_what_it_cannot_decode_and_says_where():
    decoded = decode_text(b"a;b\n1;x\x98y\n", "x.csv", "cp1251")  # 0x98 is not a cp1251 character
    assert decoded.text == "a;b\n1;x\ufffdy\n"
    assert decoded.notes == [
        "1 byte sequence(s) are not cp1251 and were replaced by U+FFFD (the first at row 2, column 'b')"
    ]


def test_check_encoding_names_python_codecs_and_refuses_the_rest():
    assert check_encoding("KOI8-R") == "koi8-r" and check_encoding("Windows-1251") == "cp1251"
    for bad in ("klingon", "rot13", "base64", ""):
        with pytest.raises(ParameterError, match="unknown encoding"):
            check_encoding(bad)


def test_looks_russian():
    assert looks_russian("Отчёты приходят вовремя, менеджер ООО «Ромашка» молодец")
    assert not looks_russian("Отчёты".encode("koi8_r").decode("cp1251") + " приходят")  # case inverted
    assert not looks_russian("Trиs bien, cafй")  # Latin-1 read as cp1251
    assert not looks_russian("ab")


def test_locate_follows_quoted_newlines_and_the_separator():
    text = 'id,comment\nR1,"two\nlines"\nR2,here'
    assert locate(text, text.index("here")) == (3, "comment")
    assert locate("a\tb\n1\t2", 6) == (2, "b")


def test_read_export_passes_the_encoding_and_its_notes():
    data = read_export(b"response_id;client_id;nps\nR1;C1;9\n", source="w.csv", encoding="latin_1")
    assert data.notes[0] == "read as iso8859-1 text separated by ';'"
    with pytest.raises(ParameterError):
        read_export(b"response_id;client_id;nps\nR1;C1;9\n", source="w.csv", encoding="nope")


def test_a_two_header_row_export_is_read_again_in_the_given_encoding():
    """SurveyMonkey's reader reads the file a second time: with the encoding given, not a new guess."""
    text = (
        "Respondent ID,Collector ID,End Date,Насколько вероятно вы порекомендуете нас?,Комментарий\n"
        ",,,Response,Open-Ended Response\n"
        "1,2,11/24/2026 1:05:33 PM,9,Сроки срываются\n"
    )
    data = read_export(text.encode("koi8_r"), source="sm.csv", encoding="koi8_r", tool="surveymonkey")
    assert data.tool == "surveymonkey" and data.responses["nps"].tolist() == [9.0]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_are_read_or_refused_never_anything_else(data):
    try:
        decoded = decode_text(data, "x.csv")
    except InputError as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.file == "x.csv" and "\n" not in refusal.one_line()
        return
    assert "\ufffd" not in decoded.text
    assert decoded.encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251")
