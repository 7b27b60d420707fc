"""Property-based tests of the readers: any bytes and any table give a table or a cxlab refusal, never a crash.

Hypothesis draws random bytes (bare, behind a zip's or an OLE file's magic
bytes) and random tables (Cyrillic and Latin headers, ``;`` or ``,``
separators, decimal commas, empty cells, quotes, separators and newlines
inside cells), written as CSV in UTF-8 and cp1251 and as XLSX.  The profile
registered in tests/conftest.py is derandomized: every run draws the same
examples.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlab.errors import CxlabError
from cxlab.ingest import read_export, read_table

FAST = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])

# Letters a survey file holds: Latin, Cyrillic, digits, spaces and the characters that break naive CSV.
_LETTERS = "abcxyzАБВабвгдеёжзийклмнопрстуфхцчшщъыьэюяЁ0123456789"
_TRICKY = " ;,.\"'\n-+%№«»"
header_text = st.text(alphabet=_LETTERS + " _", min_size=1, max_size=12).filter(lambda s: s.strip())
cell_text = st.one_of(
    st.just(""),
    st.from_regex(r"\A-?[0-9]{1,3},[0-9]{1,2}\Z"),  # a decimal comma
    st.from_regex(r"\A[0-9]{1,2}\.[0-9]{1,2}\.20[0-9][0-9]\Z"),  # a dd.mm.yyyy date
    st.text(alphabet=_LETTERS + _TRICKY, max_size=20),
)


@st.composite
def tables(draw) -> tuple[list[str], list[list[str]]]:
    """A header of unique names and 1-8 rows of cells (a row may be all empty)."""
    n = draw(st.integers(2, 6))
    header = draw(st.lists(header_text, min_size=n, max_size=n, unique_by=lambda s: s.strip()))
    rows = draw(st.lists(st.lists(cell_text, min_size=n, max_size=n), min_size=1, max_size=8))
    return header, rows


def _csv(header, rows, sep: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _xlsx(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append([c if c else None for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _expected(header, rows):
    """What a reader gives back: cells stripped, empty as None, blank rows dropped."""
    cells = [[c.strip() or None for c in row] for row in rows]
    return [h.strip() for h in header], [row for row in cells if any(c is not None for c in row)]


def _read_back(table):
    return list(table.frame.columns), [list(r) for r in table.frame.itertuples(index=False, name=None)]


def _table_or_refusal(call):
    """Run ``call``; a cxlab refusal is an answer, any other exception fails the property."""
    try:
        return call()
    except CxlabError as exc:
        refusal = exc
    assert str(refusal).strip(), "a refusal must say why"
    return None


@FAST
@given(data=st.binary(max_size=3000), magic=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]))
def test_random_bytes_give_a_table_or_a_refusal(data, magic):
    _table_or_refusal(lambda: read_table(magic + data, source="random.bin"))
    _table_or_refusal(lambda: read_export(magic + data, source="random.bin"))


@FAST
@given(data=st.binary(min_size=1, max_size=400))
def test_random_bytes_inside_a_real_workbook_give_a_table_or_a_refusal(data):
    """A real workbook's zip with random bytes spliced into it (a damaged download)."""
    good = _xlsx(["nps", "comment"], [["9", "ok"]])
    at = len(data) % len(good)
    _table_or_refusal(lambda: read_table(good[:at] + data + good[at + len(data) :], source="damaged.xlsx"))


@FAST
@given(table=tables(), sep=st.sampled_from([";", ","]))
def test_a_random_table_round_trips_through_utf8_csv(table, sep):
    header, rows = table
    read = read_table(_csv(header, rows, sep).encode("utf-8"), source="t.csv")
    assert _read_back(read) == _expected(header, rows)


@FAST
@given(table=tables(), sep=st.sampled_from([";", ","]))
def test_a_random_table_round_trips_through_cp1251_csv(table, sep):
    header, rows = table
    data = _csv(header, rows, sep).encode("cp1251")  # the alphabet is all in cp1251
    read = read_table(data, source="t.csv", encoding="cp1251")
    assert _read_back(read) == _expected(header, rows)


@settings(max_examples=20)
@given(table=tables())
def test_a_random_table_round_trips_through_xlsx(table):
    header, rows = table
    read = read_table(_xlsx(header, rows), source="t.xlsx")
    assert _read_back(read) == _expected(header, rows)


@FAST
@given(table=tables(), sep=st.sampled_from([";", ","]), nps=st.lists(cell_text, min_size=8, max_size=8))
def test_read_export_of_a_random_table_gives_data_or_a_refusal(table, sep, nps):
    """With recognisable columns (nps, comment) among random ones: canonical frames or a cxlab refusal."""
    header, rows = table
    header = ["response_id", "nps", *header]
    rows = [[f"R{i}", nps[i % len(nps)], *row] for i, row in enumerate(rows)]
    result = _table_or_refusal(lambda: read_export(_csv(header, rows, sep).encode("utf-8"), source="t.csv"))
    if result is not None:
        assert set(result.responses["response_id"]) <= {f"R{i}" for i in range(len(rows))} | {None}
