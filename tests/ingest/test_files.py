"""Reading files as Russian survey tools and Excel write them."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from cxlab.errors import InputError
from cxlab.ingest import read_export
from cxlab.ingest.files import read_table, to_datetime, to_number


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1251", b"")])
def test_encodings_are_detected(tmp_path, encoding, bom):
    text = "response_id;client_id;comment\nR1;C1;Не хватает цифр\n"
    path = tmp_path / "x.csv"
    path.write_bytes(bom + text.encode(encoding))
    table = read_table(path)
    assert list(table.frame.columns) == ["response_id", "client_id", "comment"]  # no BOM in the header
    assert table.frame.loc[0, "comment"] == "Не хватает цифр"
    assert table.separator == ";"
    assert table.encoding == ("utf-8-sig" if bom else encoding)


def test_quoted_commas_and_newlines_survive(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('response_id,comment\nR1,"Да, всё хорошо,\nспасибо"\n', encoding="utf-8")
    assert read_table(path).frame.loc[0, "comment"] == "Да, всё хорошо,\nспасибо"


def test_numbers_with_decimal_commas_spaces_and_bad_cells_reported():
    parsed = to_number(pd.Series(["4,5", "1 000", "-2", None, ".5"])).tolist()
    assert parsed[:3] == [4.5, 1000.0, -2.0] and math.isnan(parsed[3]) and parsed[4] == 0.5
    with pytest.raises(InputError) as info:
        to_number(pd.Series(["4", "пять"]), source="f.csv", first_row=2, column="overall")
    assert str(info.value.problems[0]) == "f.csv, row 3, column 'overall': 'пять' is not a number"


def test_dates_day_first_and_iso():
    parsed = to_datetime(pd.Series(["05.03.2026", "2026-03-05 14:30", "5.3.2026 9:07:01"]))
    assert parsed.tolist() == [
        pd.Timestamp("2026-03-05"),
        pd.Timestamp("2026-03-05 14:30"),
        pd.Timestamp("2026-03-05 09:07:01"),
    ]


def test_xlsx_is_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["response_id", "client_id", "nps", "overall"])
    ws.append(["R1", "C1", 9, 4.5])
    ws.append([None, None, None, None])  # blank rows at the end are common in exports
    path = tmp_path / "x.xlsx"
    wb.save(path)
    data = read_export(path)
    assert data.responses[["response_id", "nps", "overall"]].values.tolist() == [["R1", 9.0, 4.5]]
    assert data.responses.loc[0, "_row"] == 2


def test_mapping_renames_any_tool_columns(tmp_path):
    path = tmp_path / "forms.csv"
    path.write_text("ID;Компания;Оценка рекомендации;Сроки\nA7;C1;10;5\n", encoding="utf-8")
    data = read_export(
        path,
        mapping={
            "ID": "response_id",
            "Компания": "client_id",
            "Оценка рекомендации": "nps",
            "Сроки": "attribute:deadlines",
        },
    )
    assert data.responses.loc[0, "nps"] == 10
    assert data.answers[["item", "kind", "value"]].values.tolist() == [["deadlines", "attribute", 5.0]]


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        read_export(tmp_path / "nope.csv")


def test_same_bytes_same_hash_different_bytes_different_hash():
    a = read_export(b"response_id,client_id\nR1,C1\n")
    b = read_export(b"response_id,client_id\nR1,C1\n")
    c = read_export(b"response_id,client_id\nR1,C2\n")
    assert a.sha256 == b.sha256 != c.sha256


def test_blank_rows_keep_spreadsheet_row_numbers():
    table = read_table(b"a,b\n1,2\n\n,\n3,4\n")
    assert table.frame["a"].tolist() == ["1", "3"] and table.rows == [2, 5]


def test_ambiguous_and_zoned_dates():
    with pytest.raises(InputError, match="'01/02/2026' is not a date"):
        to_datetime(pd.Series(["01/02/2026"]))
    zoned = to_datetime(pd.Series(["2026-09-12T10:00:00+03:00", "2026-09-12 07:00"]))
    assert zoned.tolist() == [pd.Timestamp("2026-09-12 07:00"), pd.Timestamp("2026-09-12 07:00")]
