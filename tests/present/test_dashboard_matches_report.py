"""The dashboard's tiles equal the wave report's metrics.json, for every wave and every cell.

The report is run for real (``WaveReport.write_outputs``, what ``cxlab run-wave``
calls) into a temporary folder, and its ``metrics.json`` is read back; the
dashboard's tiles for the same selections must carry the same estimate,
interval, n, change, p-values and significance, to the 4 decimals the JSON keeps.
"""

from __future__ import annotations

import json
import math

import pytest

from cxlab.present.dashboard_data import DashboardData, Selection
from cxlab.present.report import WaveReport

pytestmark = pytest.mark.slow

# metrics.json rounds to 4 decimals: a difference up to half the last digit is rounding, anything more is not.
ROUNDING = 0.5e-4 + 1e-9
# The report's cell dimensions and the dashboard's filter for each.
DIMENSIONS = {
    "team": "team",
    "service": "service",
    "manager": "manager",
    "segment": "segment",
    "role": "role",
    "direction": "direction",
}
KEY = {"service": "service_id"}


@pytest.fixture(scope="module")
def dash(demo_ws):
    return DashboardData(demo_ws, min_n=10)


@pytest.fixture(scope="module")
def report_json(demo_ws, tmp_path_factory):
    """metrics.json of every wave, as the wave report writes it."""
    out = {}
    for wave in demo_ws.waves()["wave_id"]:
        folder = tmp_path_factory.mktemp("report") / wave
        rep = WaveReport(demo_ws, wave, lang="en", min_n=10)
        rep.write_outputs(folder)
        out[wave] = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    return out


def same(got, want, what: str) -> None:
    """Equal up to the JSON's rounding; null in the JSON is NaN (or absent) on the dashboard."""
    if want is None:
        assert got is None or (isinstance(got, float) and math.isnan(got)), f"{what}: {got!r} where the report has none"
        return
    if isinstance(want, bool):
        assert bool(got) == want, f"{what}: {got!r} != {want!r}"
        return
    assert got is not None and not (isinstance(got, float) and math.isnan(got)), f"{what}: missing, report {want!r}"
    assert abs(float(got) - float(want)) <= ROUNDING, f"{what}: dashboard {got!r} != report {want!r}"


def test_headline_tiles_equal_metrics_json(dash, report_json):
    assert set(report_json) == set(dash.waves)
    for wave, js in report_json.items():
        head = {r["metric"]: r for r in js["headline"]}
        changes = {r["metric"]: r for r in js["changes"]}
        for metric in ("nps", "csi", "response_rate"):
            row = getattr(dash, f"{metric}_tile")(Selection(wave))
            want = head[metric]
            for key in ("estimate", "ci_low", "ci_high"):
                same(row[key], want[key], f"{wave} {metric} {key}")
            assert row["n"] == want["n"], f"{wave} {metric} n"
            ch = changes.get(metric)
            if ch is None:
                assert math.isnan(row["change"]), f"{wave} {metric}: a change the report does not have"
                continue
            for got, key in (("change", "change"), ("change_ci_low", "ci_low"), ("change_ci_high", "ci_high")):
                same(row[got], ch[key], f"{wave} {metric} {key}")
            same(row["p_value"], ch["p_value"], f"{wave} {metric} p_value")
            same(row["significant"], ch["significant"], f"{wave} {metric} significant")
            assert math.isnan(row["p_adjusted"]), "the headline is not adjusted"
            assert row["change_method"] == ch["method"]


def test_every_cell_tile_equals_metrics_json(dash, report_json):
    checked = 0
    for wave, js in report_json.items():
        cells = js["cells"]
        changes = {(r["dimension"], str(r["cell"])): r for r in js["changes_by_cell"]}
        assert set(cells) == set(DIMENSIONS), "the report has a table for every dimension"
        for dim, key in DIMENSIONS.items():
            assert cells[dim], f"{wave}: no {dim} cells in the report"
            for cell in cells[dim]:
                value = str(cell[KEY.get(dim, dim)])
                row = dash.nps_tile(Selection(wave, **{key: value}))
                what = f"{wave} {dim}={value}"
                assert row["n"] == cell["n"], f"{what} n"
                for k in ("estimate", "ci_low", "ci_high"):
                    same(row[k], None if cell["suppressed"] else cell[k], f"{what} {k}")
                assert row["method"] == cell["method"] or cell["suppressed"]
                ch = changes.get((dim, value))
                if js["previous_wave"] is None:
                    assert ch is None and math.isnan(row["change"])
                    continue
                if ch is None:  # a cell new in this wave: nothing to compare
                    assert math.isnan(row["change"]), what
                    continue
                for got, k in (("change", "change"), ("change_ci_low", "ci_low"), ("change_ci_high", "ci_high")):
                    same(row[got], ch[k], f"{what} {k}")
                for k in ("p_value", "p_adjusted", "significant", "before"):
                    same(row[k], ch[k], f"{what} {k}")
                assert row["change_method"] == ch["method"]
                # Significance follows the adjusted p-value, and the words and colour follow significance.
                if ch["p_adjusted"] is not None:
                    assert row["significant"] == (ch["p_adjusted"] < 0.05)
                    assert row["meaning"] in (("good", "bad") if row["significant"] else ("neutral",))
                checked += 1
    # Every wave after the first has changes for most cells: the comparison is not vacuous.
    assert checked > 200


def test_digital_team_nps_change_is_the_reports(dash, report_json):
    """The issue's example: the Digital team's NPS change, p = 0.715 in the report, is the dashboard's too."""
    js = report_json["2026-Q3"]
    teams = {str(r["cell"]): r for r in js["changes_by_cell"] if r["dimension"] == "team"}
    team = "Digital" if "Digital" in teams else sorted(teams)[0]
    row = dash.nps_tile(Selection("2026-Q3", team=team))
    same(row["p_value"], teams[team]["p_value"], "p_value")
    assert "Holm" in row["change_method"] and "поправка Холма" in row["method_text"]["ru"]


def test_unreported_combination_uses_the_cell_method_unadjusted(dash, report_json):
    wave = "2026-Q3"
    team = next(str(r["team"]) for r in report_json[wave]["cells"]["team"])
    row = dash.nps_tile(Selection(wave, team=team, role="decision_maker"))
    assert row["n"] > 0
    assert math.isnan(row["p_adjusted"])
    assert "no adjustment" in row["change_method"] and "без поправки" in row["method_text"]["ru"]
    assert "cluster-robust" in row["method"]


def test_team_and_manager_csi_tiles_equal_the_reports_table(dash, report_json):
    for wave, js in report_json.items():
        for dim in ("team", "manager"):
            for cell in js["cells"][dim]:
                if cell.get("csi_n") is None or cell["csi_n"] < 10:
                    continue
                row = dash.csi_tile(Selection(wave, **{dim: str(cell[dim])}))
                what = f"{wave} {dim}={cell[dim]} CSI"
                assert row["n"] == cell["csi_n"], what
                for got, k in (("estimate", "csi"), ("ci_low", "csi_ci_low"), ("ci_high", "csi_ci_high")):
                    same(row[got], cell[k], f"{what} {k}")
