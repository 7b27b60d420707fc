"""The per-wave pipeline, executed for real: papermill, nbconvert, openpyxl read-back."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pytest

from cxlab import metrics
from cxlab.errors import RunError
from cxlab.pipeline import run_notebook, run_wave, validate_parameters

pytestmark = pytest.mark.slow


def latest_nps(ws):
    responses = ws.responses("2026-Q3")
    return metrics.nps(responses["nps"].dropna())


def test_run_writes_every_output(demo_run):
    out = demo_run.output_dir
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "wave_report.ipynb",
        "wave_report.html",
        "wave_pack.xlsx",
        "metrics.json",
        "run.json",
        "figures/nps_trend.png",
        "figures/nps_by_service.png",
        "figures/csi_by_direction.png",
    } <= names
    for png in out.glob("figures/*.png"):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert out.parts[-2:] == ("demo", "2026-Q3")


def test_metrics_json_agrees_with_cxlab_metrics(demo_ws, demo_run):
    payload = json.loads((demo_run.output_dir / "metrics.json").read_text(encoding="utf-8"))
    nps = {row["metric"]: row for row in payload["headline"]}["nps"]
    expected = latest_nps(demo_ws)
    assert nps["n"] == expected.n
    assert nps["estimate"] == pytest.approx(expected.estimate, abs=1e-3)
    assert nps["ci_low"] == pytest.approx(expected.ci_low, abs=1e-3)
    assert "trinomial" in nps["method"]
    assert payload["previous_wave"] == "2026-Q2"
    assert {"nps", "nps_account", "nps_revenue", "csat_mean", "top2box", "csi", "response_rate"} <= {
        row["metric"] for row in payload["headline"]
    }
    assert "definitions" in payload and "promoters" in payload["definitions"]["nps"]


def test_html_report_has_no_code_and_shows_the_figures(demo_ws, demo_run):
    html = (demo_run.output_dir / "wave_report.html").read_text(encoding="utf-8")
    assert "WaveReport(" not in html and "import " not in re.sub(r"<style.*?</style>", "", html, flags=re.S)
    assert "In&nbsp;[" not in html
    assert html.count("data:image/png;base64") >= 3
    expected = latest_nps(demo_ws)
    assert f"{expected.estimate:.1f}" in html
    assert f"{expected.ci_low:.1f} … {expected.ci_high:.1f}" in html
    assert "Client survey wave report: demo, 2026-Q3" in html
    assert 'alt="Promoters, passives and detractors by service"' in html
    assert "trinomial" in html  # the method is named beside the figure


def test_excel_pack_read_back(demo_ws, demo_run):
    wb = openpyxl.load_workbook(demo_run.output_dir / "wave_pack.xlsx")
    assert {"Summary", "Trend", "By service", "By client", "By manager", "By team"} <= set(wb.sheetnames)
    summary = wb["Summary"]
    header_row = 3  # a note line, a blank line, then the header
    headers = [c.value for c in summary[header_row]]
    assert summary.freeze_panes == f"A{header_row + 1}"
    assert summary.cell(row=header_row, column=1).font.bold
    rows = {r[1]: dict(zip(headers, r)) for r in summary.iter_rows(min_row=header_row + 1, values_only=True)}
    expected = latest_nps(demo_ws)
    assert rows["nps"]["n"] == expected.n
    assert rows["nps"]["Estimate"] == pytest.approx(expected.estimate)
    # Shares are numbers with a percentage format, not text.
    col = headers.index("Estimate, %") + 1
    row_t2b = next(
        i
        for i, r in enumerate(summary.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1)
        if r[1] == "top2box"
    )
    cell = summary.cell(row=row_t2b, column=col)
    assert isinstance(cell.value, float) and 0 < cell.value < 1 and cell.number_format == "0.0%"
    by_client = wb["By client"]
    client_ids = [r[0] for r in by_client.iter_rows(min_row=4, values_only=True)]
    assert set(client_ids) == set(demo_ws.responses("2026-Q3")["client_id"])
    # No respondent identities anywhere in the pack.
    emails = set(demo_ws.contacts(include_pii=True)["email"])
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not (set(map(str, row)) & emails)


def test_rerun_overwrites_cleanly(demo_ws, tmp_path):
    import os

    here = os.getcwd()
    first = run_wave(demo_ws, "2026-Q3", lang="ru", reports_root=tmp_path, progress=False)
    assert os.getcwd() == here  # the notebooks ran side by side without moving this process
    (first.output_dir / "stale.txt").write_text("left over")
    second = run_wave(demo_ws, "2026-Q3", lang="ru", reports_root=tmp_path, progress=False)
    assert second.output_dir == first.output_dir
    assert not (second.output_dir / "stale.txt").exists()
    wb = openpyxl.load_workbook(second.output_dir / "wave_pack.xlsx")
    assert "Сводка" in wb.sheetnames
    # The report is a link to the run's hidden folder (an atomic swap); nothing else is left beside it.
    assert sorted(p.name for p in tmp_path.glob("demo/*")) == sorted(["2026-Q3", os.readlink(second.output_dir)])


@pytest.fixture
def last_good_report(demo_run, tmp_path):
    """The session's run (English, 2026-Q3) copied to where ``run_wave(..., reports_root=tmp_path)`` writes it."""
    out = tmp_path / demo_run.workspace / demo_run.wave
    shutil.copytree(demo_run.output_dir, out)
    return dataclasses.replace(
        demo_run, output_dir=out, files=[out / p.relative_to(demo_run.output_dir) for p in demo_run.files]
    )


def test_failing_wave_names_notebook_and_cell_and_keeps_last_report(demo_ws_copy, last_good_report, tmp_path):
    # A copy of the demo workspace: the test adds a wave to it.
    demo_ws = demo_ws_copy
    good = last_good_report
    before = (good.output_dir / "metrics.json").read_text()
    demo_ws.add_wave("2099-Q1")  # a wave with no responses: the report's first cell fails
    try:
        with pytest.raises(RunError) as info:
            run_wave(demo_ws, "2099-Q1", reports_root=tmp_path, progress=False)
        msg = str(info.value)
        assert "wave_report.ipynb: cell 2" in msg and "has no responses" in msg
        assert (tmp_path / "demo" / "2099-Q1.failed" / "wave_report.ipynb").exists()
        assert (good.output_dir / "metrics.json").read_text() == before
    finally:
        with demo_ws.connect(read_only=False) as con:
            con.execute("DELETE FROM waves WHERE wave_id = '2099-Q1'")


def _notebook(tmp_path, *sources) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_failing_cell_is_named(tmp_path):
    nb = _notebook(tmp_path, "y = x + 1", "raise ValueError('broken on purpose')")
    with pytest.raises(RunError, match=r"probe.ipynb: cell 3 .*ValueError: broken on purpose"):
        run_notebook(nb, tmp_path / "out.ipynb", {"x": 2}, progress=False)


def test_cell_timeout_is_caught(tmp_path):
    nb = _notebook(tmp_path, "import time\ntime.sleep(30)")
    with pytest.raises(RunError, match=r"cell 2 timed out after 2 s"):
        run_notebook(nb, tmp_path / "out.ipynb", {}, timeout=2, progress=False)


def test_dead_kernel_is_caught(tmp_path):
    nb = _notebook(tmp_path, "import os\nos._exit(1)")
    with pytest.raises(RunError, match=r"cell 2 .*kernel"):
        run_notebook(nb, tmp_path / "out.ipynb", {}, timeout=60, progress=False)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"wave": "2026-Q3", "evil; import os": 1}, "does not declare"),
        ({"min_n": "10"}, "must be int"),
        ({"min_n": True}, "must be int"),
        ({"lang": 5}, "must be str"),
        ({"wave": "2026-Q3\nimport os"}, "control characters"),
    ],
)
def test_parameters_are_validated(params, words):
    with pytest.raises(RunError, match=words):
        validate_parameters("wave_report", params)


def test_cli_exits_non_zero_with_a_clear_message(demo_ws, tmp_path):
    cli = [sys.executable, "-m", "cxlab.cli"]
    res = subprocess.run(
        cli + ["run-wave", "--workspace", str(demo_ws.path), "--wave", "1999-Q1", "--reports", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode != 0
    assert "wave '1999-Q1' does not exist" in res.stderr
    assert "Traceback" not in res.stderr


def test_wave_ids_that_are_paths_are_refused(demo_ws):
    from cxlab.errors import InputError

    with pytest.raises(InputError, match="wave_id"):
        demo_ws.add_wave("../../victim")
    assert "../../victim" not in demo_ws.wave_ids()


def test_no_respondent_data_in_any_output(demo_ws, demo_run):
    contacts = demo_ws.contacts(include_pii=True)
    managers = set(demo_ws.clients()["manager"]) | set(demo_ws.responses()["manager"].dropna())
    secrets = set(contacts["email"].dropna()) | set(contacts["phone"].dropna())
    secrets |= set(contacts["name"].dropna()) - managers  # a contact may share a manager's name
    tokens = demo_ws.table("invitations", include_pii=True)["token"].dropna()
    secrets |= set(tokens)
    assert len(secrets) > 300
    out = demo_run.output_dir
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.suffix in (".html", ".ipynb", ".json")}
    wb = openpyxl.load_workbook(out / "wave_pack.xlsx")
    texts["wave_pack.xlsx"] = "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    for name, text in texts.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{name} contains respondent data: {leaked[:3]}"


def test_notebooks_run_in_this_python_whatever_python3_points_at(tmp_path, monkeypatch):
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    from cxlab.pipeline import ensure_kernel

    # An analyst's own python3 kernelspec, first on the Jupyter path, pointing at another Python.
    foreign = tmp_path / "jupyter" / "kernels" / "python3"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text(
        json.dumps({"argv": ["/usr/bin/false", "{connection_file}"], "display_name": "other", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/usr/bin/false"
    name = ensure_kernel()
    assert KernelSpecManager().get_kernel_spec(name).argv[0] == sys.executable
    nb = _notebook(tmp_path, "import sys\nprint(sys.executable)")
    out = run_notebook(nb, tmp_path / "out.ipynb", {}, progress=False)
    printed = nbformat.read(str(out), as_version=4).cells[-1].outputs[0]["text"].strip()
    assert printed == sys.executable


def test_drivers_section_joins_the_report_and_the_pack(demo_ws, demo_run):
    """notebooks/drivers.ipynb runs beside the wave report: its cells follow the report's in the one
    HTML file, its sheets join wave_pack.xlsx, and the numbers are cxlab.drivers'."""
    import warnings

    from cxlab import drivers
    from cxlab.summary import SurveyData

    out = demo_run.output_dir
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "drivers.ipynb",
        "drivers.json",
        "figures/drivers_importance.png",
        "figures/drivers_ipa.png",
        "figures/drivers_needs.png",
        "figures/drivers_managers.png",
    } <= names
    assert "drivers_pack.xlsx" not in names and "drivers.html" not in names  # one pack, one report
    html = (out / "wave_report.html").read_text(encoding="utf-8")
    for alt in (
        "What clients value: each attribute's share of the recommend score",
        "Importance-performance matrix",
        "Services clients lack: share of respondents, %",
        "Account managers: partially pooled scores",
    ):
        assert f'alt="{alt}"' in html, alt
    assert html.index("Client survey wave report") < html.index("Key drivers, needs and manager effectiveness")
    assert "Shapley decomposition of R² (LMG)" in html and "development tool, not a verdict" in html
    assert "DriversReport(" not in html
    wb = openpyxl.load_workbook(out / "wave_pack.xlsx")
    assert wb.sheetnames[0] == "Summary"
    assert {"Key drivers", "IPA", "Needs", "Managers", "Teams", "Penalty-reward"} <= set(wb.sheetnames)
    sheet = wb["Key drivers"]
    header = [c.value for c in sheet[3]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=4, values_only=True)]
    frame, items = drivers.driver_frame(SurveyData.from_workspace(demo_ws), "2026-Q3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", drivers.DriverWarning)
        expected = drivers.relative_importance(frame, "nps", items, cluster="client_id", n_boot=1000, seed=0)
    shap = expected.method("shapley").set_index("driver")
    got = {r["Attribute"]: r for r in rows if r["Method"] == "shapley"}
    for d, row in shap.iterrows():
        assert got[d]["Share"] == pytest.approx(row["share"])
        assert got[d]["Rank, from"] == row["rank_ci_low"] and got[d]["Rank, to"] == row["rank_ci_high"]
    assert wb["Key drivers"]["E4"].number_format in ("#,##0.0000", "0.0%")


def test_churn_risk_section_joins_the_report_and_the_pack(demo_ws, demo_run):
    """notebooks/churn_risk.ipynb runs beside the wave report: its cells follow in the one HTML file, its
    sheets join wave_pack.xlsx, the at-risk list is cxlab.risk's, and no respondent data is published."""
    import json

    from cxlab import risk
    from cxlab.summary import SurveyData

    out = demo_run.output_dir
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"churn_risk.ipynb", "risk.json", "figures/risk_revenue_at_risk.png", "figures/risk_rule_value.png"} <= names
    assert "risk_pack.xlsx" not in names
    html = (out / "wave_report.html").read_text(encoding="utf-8")
    assert html.index("Key drivers, needs and manager effectiveness") < html.index(
        "Hidden crises: early warnings, churn risk and revenue at risk"
    )
    # The demo's eight churned clients: the fallback is said, and the backtest says why it cannot run.
    assert "Small data: only 8 churned clients" in html and "Nothing to test yet" in html
    assert "RiskReport(" not in html
    wb = openpyxl.load_workbook(out / "wave_pack.xlsx")
    assert {"At-risk clients", "Flags", "Rule backtest", "Model backtest", "Follow-up actions"} <= set(wb.sheetnames)
    data = SurveyData.from_workspace(demo_ws)
    flags = risk.early_warnings(data, "2026-Q3")
    sheet = wb["Flags"]
    header = [c.value for c in sheet[3]] if sheet["A1"].value and sheet["A3"].value else [c.value for c in sheet[1]]
    rows = [r for r in sheet.iter_rows(min_row=header and 4, values_only=True) if any(v is not None for v in r)]
    assert len(rows) == len(flags)
    scores = risk.score_clients(data, "2026-Q3", n_boot=200, random_state=0, lang="en")
    saved = json.loads((out / "risk.json").read_text(encoding="utf-8"))
    assert saved["revenue_at_risk"]["revenue_at_risk"] == pytest.approx(scores.total["revenue_at_risk"])
    contacts = demo_ws.contacts(include_pii=True)
    text = (out / "risk.json").read_text(encoding="utf-8") + html
    for email in contacts["email"].dropna().head(200):
        assert email not in text
    staff = set(demo_ws.clients()["manager"]) | set(demo_ws.responses()["manager"].dropna())
    for name in contacts["name"].dropna().head(200):
        if name not in staff:  # the simulator's name pools can give a contact a manager's name
            assert name not in text


def test_comments_section_joins_the_report_and_the_pack(demo_ws, demo_run):
    """The wave report's comments section: its HTML, its sheets in wave_pack.xlsx, its JSON and charts."""
    from cxlab import text as cxtext

    out = demo_run.output_dir
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"comments.json", "figures/comments_themes.png", "figures/comments_waves.png"} <= names
    assert "comments_pack.xlsx" not in names
    html = (out / "wave_report.html").read_text(encoding="utf-8")
    assert "What clients say in their own words" in html and "Representative quotes" in html
    assert html.index("What clients say in their own words") < html.index("Key drivers, needs and manager")
    assert "CommentsReport(" not in html
    wb = openpyxl.load_workbook(out / "wave_pack.xlsx")
    assert {"Themes", "Comments", "Themes by wave", "New topics", "Codebook"} <= set(wb.sheetnames)
    saved = json.loads((out / "comments.json").read_text(encoding="utf-8"))
    coded = cxtext.code_themes(demo_ws.response_frame("2026-Q3")[["nps", "reason", "comment"]])
    assert saved["n_comments"] == int((coded["text"].str.strip() != "").sum())
    by_theme = {t["theme"]: t["n"] for t in saved["themes"]}
    assert by_theme["deadlines"] == int(coded["deadlines"].sum())
