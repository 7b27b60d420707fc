"""Import limits and cleaning at the door: cxlab.ingest.limits through read_table and read_export."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from cxlab.errors import InputError, ParameterError
from cxlab.ingest import read_export, read_table
from cxlab.ingest.limits import CellGuard, Limits, applied, cut_text


def xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patched_xlsx(rows, old: bytes, new: bytes) -> bytes:
    """An XLSX whose XML has ``old`` replaced by ``new``: what openpyxl will not write (controls, huge cells)."""
    zin = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(old, new))
    return out.getvalue()


def test_defaults_are_the_documented_ones():
    lim = Limits()
    assert (lim.max_file_mb, lim.max_cell_chars, lim.max_columns, lim.max_rows) == (100, 10_000, 2_000, 500_000)
    assert lim.max_file_bytes == 100 * 1024 * 1024


def test_workspace_settings_then_options_override_the_defaults():
    lim = Limits.from_settings({"name": "x", "import_limits": {"max_cell_chars": 500, "max_rows": 10}})
    assert (lim.max_cell_chars, lim.max_rows, lim.max_columns) == (500, 10, 2_000)
    assert lim.with_overrides(max_rows=20, max_columns=None).max_rows == 20
    assert Limits.from_settings({}) == Limits() == Limits.from_settings(None)


@pytest.mark.parametrize(
    "settings",
    [
        {"import_limits": {"max_rows": 0}},
        {"import_limits": {"max_cell_chars": "many"}},
        {"import_limits": {"max_colums": 5}},
        {"import_limits": [1, 2]},
        {"import_limits": {"max_columns": 2.5}},
    ],
)
def test_bad_settings_are_refused_with_a_parameter_error(settings):
    with pytest.raises(ParameterError, match="import"):
        Limits.from_settings(settings)


def test_cell_guard_removes_control_characters_and_cuts_counting_cells():
    guard = CellGuard(Limits(max_cell_chars=10))
    assert guard("a\x00b\x0bc\x7f\x85d\te\nf") == "abcd\te\nf"  # tab and newline stay
    assert guard("x" * 25) == "x" * 9 + "…"
    assert guard("fine") == "fine"
    assert (guard.cleaned, guard.cut) == (1, 1)
    assert guard.notes() == ["removed control characters from 1 cell(s)", "cut 1 cell(s) to 10 characters"]
    assert cut_text("abc", 3) == "abc"


def test_read_table_cleans_cells_and_headers_and_counts_them():
    t = read_table("response_id;comm\x0bent\nR1;Сроки\x0bсорваны\x00\nR2;\x00\x0c\nR3;ok\n".encode(), source="w.csv")
    assert list(t.frame.columns) == ["response_id", "comment"]
    assert t.frame["comment"].tolist() == ["Срокисорваны", None, "ok"]  # a cell of controls only is empty
    assert t.cleaned_cells == 3  # the header, R1's comment, R2's comment
    assert t.cut_cells == 0


def test_read_table_cuts_long_cells_to_the_limit_in_force():
    data = ("response_id,comment\nR1," + "я" * 30_000 + "\n").encode()
    assert len(read_table(data).frame.loc[0, "comment"]) == 10_000
    with applied(Limits(max_cell_chars=100)):
        t = read_table(data)
    assert t.frame.loc[0, "comment"] == "я" * 99 + "…" and t.cut_cells == 1


def test_read_export_notes_say_what_was_cleaned_and_cut():
    data = ("response_id;client_id;nps;comment\nR1;C1;9;a\x0bb\nR2;C1;7;" + "x" * 50 + "\n").encode()
    got = read_export(data, source="w.csv", limits=Limits(max_cell_chars=20))
    assert (got.cleaned_cells, got.cut_cells) == (1, 1)
    assert "removed control characters from 1 cell(s)" in got.notes
    assert "cut 1 cell(s) to 20 characters" in got.notes
    assert got.responses["comment"].tolist() == ["ab", "x" * 19 + "…"]


def test_xlsx_cells_are_cleaned_too():
    # openpyxl refuses to write control characters, so the sheet's XML is patched as another program would
    # (DEL and the C1 block are legal XML 1.0; C0 controls are not, and an XLSX cannot carry them).
    data = patched_xlsx(
        [["response_id", "comment"], ["R1", "AAAmarkerAAA"]], b"markerAAA", "mark\x7fer\x85AAA".encode()
    )
    t = read_table(data, source="w.xlsx")
    assert t.frame.loc[0, "comment"] == "AAAmarkerAAA" and t.cleaned_cells == 1


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"response_id,comment\n" + b"R1,abc\n" * 200_000)  # 1.4 MB
    with applied(Limits(max_file_mb=1)), pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.one_line().startswith(
        "file refused, nothing was loaded: big.csv: the file is 1.3 MB, over the 1 MB limit (max_file_mb"
    )


def test_xlsx_that_unpacks_beyond_the_limit_is_refused_from_the_zip_directory():
    # 3 MB of one letter compresses to a few KB; the limit is on what the parts unpack to.
    data = patched_xlsx([["response_id", "comment"], ["R1", "marker"]], b"marker", b"a" * 3_000_000)
    assert len(data) < 100_000
    with applied(Limits(max_file_mb=1)), pytest.raises(InputError, match=r"unpacks to 2\.\d MB, over the 1 MB limit"):
        read_table(data, source="bomb.xlsx")


@pytest.mark.parametrize(
    ("limits", "text", "message"),
    [
        (
            Limits(max_columns=3),
            "a,b,c,d\n1,2,3,4\n",
            "w.csv: the file has 4 columns, over the limit of 3 (max_columns",
        ),
        (Limits(max_rows=2), "a,b\n1,2\n3,4\n5,6\n", "w.csv: the file has 3 rows, over the limit of 2 (max_rows"),
    ],
)
def test_too_many_columns_or_rows_are_refused(limits, text, message):
    with applied(limits), pytest.raises(InputError) as err:
        read_table(text.encode(), source="w.csv")
    assert err.value.one_line().startswith("file refused, nothing was loaded: " + message)
