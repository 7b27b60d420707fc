"""The Excel pack is read back with openpyxl: formats, frozen panes, no formulas from text."""

from __future__ import annotations

import openpyxl
import pandas as pd

from cxlab.present.excel import Sheet, safe_text, write_pack


def test_pack_formats_and_guards_against_formula_injection(tmp_path):
    frame = pd.DataFrame(
        {
            "client": ['=HYPERLINK("http://x")', "+7 999 123", "-1", "@SUM(A1)", "Обычный текст"],
            "share": [0.25, 0.5, None, 1.0, 0.0],
            "nps": [12.345, -40.0, 0.0, 100.0, 5.5],
            "n": [10, 20, 30, 40, 50],
        }
    )
    path = write_pack(
        tmp_path / "p.xlsx",
        [
            Sheet(
                "Сводка", frame, percent=["share"], decimals={"n": 0}, headers={"client": "Клиент"}, note="Определения"
            )
        ],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Сводка"]
    assert ws["A1"].value == "Определения"
    assert [c.value for c in ws[3]] == ["Клиент", "share", "nps", "n"]
    assert ws["A3"].font.bold
    assert ws.freeze_panes == "A4"
    for row, text in enumerate(frame["client"], start=4):
        cell = ws.cell(row=row, column=1)
        assert cell.value == text and cell.data_type == "s"
    assert ws["A4"].quotePrefix and ws["D4"].value == 10
    assert ws["B4"].value == 0.25 and ws["B4"].number_format == "0.0%"
    assert ws["B6"].value is None
    assert ws["C4"].value == 12.345 and ws["C4"].number_format == "#,##0.0"


def test_safe_text():
    assert safe_text("=1+1") and safe_text("-x") and not safe_text("text") and not safe_text(5)
