"""`cxlab export`: canonical tables out, contact PII only when asked."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from cxlab.export import export_tables

pytestmark = pytest.mark.slow  # two imports per test, then every table written out (one test runs the CLI)

WAVE = "response_id,contact_id,nps\nR1,K1,9\nR2,K3,4\n"


@pytest.fixture
def ws_with_wave(small_ws, csv_file):
    small_ws.import_wave(csv_file(WAVE), "2026-Q3")
    small_ws.import_wave(csv_file("response_id,contact_id,nps\nQ1,K2,7\n", "q2.csv"), "2026-Q2")
    return small_ws


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_without_pii_by_default(ws_with_wave, tmp_path, fmt):
    paths = export_tables(ws_with_wave, tmp_path / fmt, fmt=fmt)
    assert {p.stem for p in paths} >= {"clients", "contacts", "responses", "answers", "imports"}
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    contacts = read(tmp_path / fmt / f"contacts.{fmt}")
    assert "email" not in contacts.columns and "name" not in contacts.columns
    assert len(read(tmp_path / fmt / f"responses.{fmt}")) == 3


def test_include_pii_and_wave_filter(ws_with_wave, tmp_path):
    export_tables(ws_with_wave, tmp_path, fmt="csv", wave="2026-Q3", include_pii=True)
    contacts = pd.read_csv(tmp_path / "contacts.csv")
    assert contacts.loc[0, "email"] == "a@example.ru"
    responses = pd.read_csv(tmp_path / "responses.csv")
    assert responses["response_id"].tolist() == ["R1", "R2"]
    # UTF-8 with BOM so Excel opens Cyrillic correctly.
    assert (tmp_path / "clients.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert "ООО «Альфа»" in (tmp_path / "clients.csv").read_text(encoding="utf-8-sig")


def test_xlsx_one_sheet_per_table(ws_with_wave, tmp_path):
    [path] = export_tables(ws_with_wave, tmp_path, fmt="xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"clients", "contacts", "responses", "answers"} <= set(wb.sheetnames)
    assert [c.value for c in wb["contacts"][1]] == ["contact_id", "client_id", "role", "language"]


def test_cli_export(ws_with_wave, tmp_path):
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxlab.cli",
            "export",
            "--workspace",
            str(ws_with_wave.path),
            "--format",
            "csv",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "no contact PII" in res.stdout
    assert (tmp_path / "out" / "responses.csv").exists()
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxlab.cli",
            "export",
            "--workspace",
            str(ws_with_wave.path),
            "--wave",
            "1990-Q1",
            "--out",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr
