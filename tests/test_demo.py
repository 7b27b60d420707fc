"""The demo workspace is loaded through the real import path."""

from __future__ import annotations

from cxlab.schema import PII_COLUMNS, TABLES


def test_demo_has_eight_imported_waves(demo_ws):
    imports = demo_ws.imports()
    assert sorted(imports["wave_id"]) == demo_ws.wave_ids() and len(imports) == 8
    assert (imports["rows_loaded"] == imports["rows_read"]).all()
    # Every other wave was written the way Russian Excel writes CSV.
    assert imports["message"].str.contains("cp1251").sum() == 4
    assert 100 <= len(demo_ws.clients()) <= 200
    assert demo_ws.latest_wave() == "2026-Q3"


def test_reimporting_a_wave_file_loads_nothing(demo_ws):
    before = len(demo_ws.responses())
    report = demo_ws.import_wave(demo_ws.path / "inbox" / "responses_2026-Q3.csv", "2026-Q3")
    assert report.already_imported and len(demo_ws.responses()) == before


def test_demo_tables_have_canonical_columns(demo_ws):
    for name in ("clients", "contacts", "responses", "answers", "events", "invitations", "waves"):
        assert list(demo_ws.table(name, include_pii=True).columns) == TABLES[name].names
        public = [c for c in TABLES[name].names if c not in PII_COLUMNS.get(name, [])]
        assert list(demo_ws.table(name).columns) == public
