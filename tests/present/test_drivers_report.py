"""The key-driver section: same numbers as cxlab.drivers, every section shown or explained, outputs written."""

import json
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cxlab import drivers
from cxlab.present.drivers_report import PACK_NAME, DriversReport
from cxlab.present.excel import Sheet, merge_packs, write_pack
from cxlab.summary import SurveyData

pytestmark = pytest.mark.slow  # the key-driver analyses with 200 bootstrap draws, on the demo workspace


@pytest.fixture(scope="module")
def report(demo_ws):
    return DriversReport(demo_ws, "2026-Q3", lang="en", n_boot=200)


def test_tables_carry_the_analysis_functions_numbers(demo_ws, report):
    frame, items = drivers.driver_frame(SurveyData.from_workspace(demo_ws), "2026-Q3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", drivers.DriverWarning)
        expected = drivers.relative_importance(frame, "nps", items, cluster="client_id", n_boot=200, seed=0)
    table = report.importance_table()
    shap = expected.method("shapley")
    np.testing.assert_allclose(table["shapley"], shap["share"])
    assert table["driver"].tolist() == [report.label(d) for d in shap["driver"]]
    assert table["driver"].iloc[0] in {"Responsiveness", "Understanding of our goals", "Meeting deadlines"}
    assert report.manager_window == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    managers = report.managers.table
    window = drivers.driver_frame(SurveyData.from_workspace(demo_ws), report.manager_window)[0]
    assert managers["n"].sum() == window["nps"].notna().sum()


def test_every_section_renders(report):
    from IPython.display import Markdown

    for name in report.SECTIONS:
        parts = report.section(name)
        assert isinstance(parts[0], Markdown) and len(parts) > 1, name
        html = "".join(
            p._repr_html_() if hasattr(p, "_repr_html_") and not isinstance(p, Markdown) else p.data for p in parts
        )
        assert "Not available" not in html, name
    text = "".join(p.data for p in report.section("managers") if isinstance(p, Markdown))
    assert "development tool, not a verdict" in text
    assert set(report.figures) == {"importance", "ipa", "needs", "managers", "teams"}
    with pytest.raises(KeyError, match="sections"):
        report.section("horoscope")


def test_outputs_written(report, tmp_path):
    written = report.write_outputs(tmp_path)
    names = {p.name for p in written}
    assert {
        PACK_NAME,
        "drivers.json",
        "drivers_importance.png",
        "drivers_ipa.png",
        "drivers_needs.png",
        "drivers_managers.png",
    } <= names
    wb = openpyxl.load_workbook(tmp_path / PACK_NAME)
    assert {"Key drivers", "IPA", "Needs", "Managers", "Teams", "Penalty-reward", "Cross-sell"} <= set(wb.sheetnames)
    sheet = wb["Key drivers"]
    header = [c.value for c in sheet[3]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=4, values_only=True)]
    shap = report.importance.method("shapley").set_index("driver")
    got = {r["Attribute"]: r for r in rows if r["Method"] == "shapley"}
    for d, row in shap.iterrows():
        assert got[d]["Share"] == pytest.approx(row["share"])
    payload = json.loads((tmp_path / "drivers.json").read_text(encoding="utf-8"))
    assert payload["importance"]["r2"] == pytest.approx(report.importance.r2)
    assert payload["wave"] == "2026-Q3" and payload["unavailable"] == {}


def test_a_wave_without_attribute_ratings_explains_instead_of_failing(small_ws, csv_file):
    text = "\n".join(
        [
            "Дата заполнения;E-mail;Насколько вероятно, что вы порекомендуете нас коллегам?",
            "20.09.2026 10:00;a@example.ru;9",
            "21.09.2026 10:00;c@example.com;4",
        ]
    )
    small_ws.import_wave(csv_file(text), "2026-Q3")
    rep = DriversReport(small_ws, "2026-Q3", lang="ru", n_boot=20)
    assert {"importance", "ipa", "penalty", "trend"} <= set(rep.unavailable)
    parts = rep.section("importance")
    assert "Нет данных" in parts[-1].data and "оценок атрибутов" in parts[-1].data
    for name in rep.SECTIONS:
        rep.section(name)  # each explains itself; none raises
    rep.write_outputs(small_ws.path / "out")


def test_merge_packs_keeps_formats_and_formula_like_text(tmp_path):
    write_pack(tmp_path / "a.xlsx", [Sheet("Summary", pd.DataFrame({"x": [1.0]}))])
    write_pack(
        tmp_path / "b.xlsx",
        [
            Sheet(
                "Summary",
                pd.DataFrame({"comment": ['=HYPERLINK("x")'], "share": [0.25]}),
                percent=["share"],
                note="a note",
            )
        ],
    )
    merge_packs(tmp_path / "a.xlsx", [tmp_path / "b.xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["Summary", "Summary_2"]
    sheet = wb["Summary_2"]
    assert sheet["A1"].value == "a note"
    assert sheet["A4"].data_type == "s" and sheet["A4"].value.startswith("=")
    assert sheet["B4"].number_format == "0.0%" and sheet["A3"].font.bold
    assert sheet.freeze_panes == "A4"
