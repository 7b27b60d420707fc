"""The comments section on a real DuckDB workspace: its figures are cxlab.text's, and nothing personal leaks."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from cxlab import text as cxtext
from cxlab.present.comments_report import CommentsReport

pytestmark = pytest.mark.slow  # the comments section on the demo workspace: seconds per report


@pytest.fixture(scope="module")
def planted_ws(copy_demo_ws, tmp_path_factory):
    """A small simulated workspace where one respondent wrote their e-mail, phone and name into a comment."""
    # A copy of the session's demo workspace (the same simulation, seed 42): the comments below change it.
    ws = copy_demo_ws(tmp_path_factory.mktemp("ws") / "comments")
    wave = ws.latest_wave()
    contacts = ws.contacts(include_pii=True)
    row = ws.sql(
        "SELECT response_id, contact_id FROM responses WHERE wave_id = ? AND contact_id IS NOT NULL "
        "AND nps <= 6 ORDER BY response_id LIMIT 1",
        [wave],
    ).iloc[0]
    name = contacts.set_index("contact_id").loc[row["contact_id"], "name"]
    surname = name.split()[-1]
    comment = (
        f"Сроки опять сорвали. Пишите мне на planted.person@client.ru или +7 (916) 123-45-67, "
        f"{name}. Спросите у {surname}."
    )
    others = ws.sql(
        "SELECT r.response_id, k.name FROM responses r JOIN contacts k USING (contact_id) "
        "WHERE r.wave_id = ? AND r.response_id <> ? ORDER BY r.response_id LIMIT 6",
        [wave, row["response_id"]],
    )
    with ws.connect(read_only=False) as con:
        con.execute("UPDATE responses SET comment = ? WHERE response_id = ?", [comment, row["response_id"]])
        # A sentence no theme covers, signed with the writer's name: discovery shows it as an example.
        for rid, who in zip(others["response_id"], others["name"]):
            con.execute(
                "UPDATE responses SET comment = ? WHERE response_id = ?",
                [f"Офис на Тверской неудобный, парковки у офиса нет, пишет {who}", rid],
            )
    return ws, row["response_id"], name, surname, list(others["name"])


@pytest.fixture(scope="module")
def report(planted_ws):
    ws, *_ = planted_ws
    return CommentsReport(ws, lang="en", min_n=10)


def test_figures_are_cxlab_text_on_the_waves_comments(planted_ws, report):
    ws, *_ = planted_ws
    responses = ws.response_frame(report.wave)
    coded = cxtext.code_themes(responses[["response_id", "nps", "reason", "comment"]])
    coded = coded[coded["text"].str.strip() != ""]
    expected = cxtext.theme_summary(coded, lang="en", min_n=10).set_index("theme")
    got = report.summary.set_index("theme")
    assert len(report.coded) == len(coded) > 30
    pd.testing.assert_series_equal(got["n"], expected["n"])
    pd.testing.assert_series_equal(got["score_gap"], expected["score_gap"])
    # By hand: comments that mention deadlines, counted from the coded frame.
    assert got.loc["deadlines", "n"] == int(coded["deadlines"].sum())
    waves = report.over_waves
    assert waves["wave_id"].iloc[-1] == report.wave and waves["wave_id"].nunique() >= 2
    last = waves[waves["wave_id"] == report.wave].set_index("theme")
    assert last.loc["deadlines", "n"] == got.loc["deadlines", "n"]


def test_quotes_and_comments_sheet_never_carry_identity(planted_ws, report):
    _ws, response_id, name, surname, signers = planted_ws
    table = report.comments_table()
    assert not {"contact_id", "email", "phone", "name"} & set(table.columns)
    planted = table.set_index("response_id").loc[response_id, "text"]
    assert "planted.person" not in planted and "123-45-67" not in planted
    assert "[e-mail]" in planted and "[phone]" in planted
    assert surname not in planted and name not in planted
    published = report.quotes["quote"].str.cat(sep=" ") + json.dumps(report.to_json(), ensure_ascii=False)
    assert "planted.person" not in published and surname not in published
    # The office topic is found, and its examples carry no signature.
    topics = report.discovery.topics
    office = topics[topics["top_terms"].str.contains("офис")]
    assert len(office) and "[name]" in office["examples"].iloc[0]
    shown = report.display_discovery().to_html() + topics["examples"].str.cat(sep=" ")
    for who in signers:
        assert who.split()[-1] not in shown, who


def test_pack_and_json(report, tmp_path):
    written = report.write_outputs(tmp_path)
    names = {p.name for p in written}
    assert {"comments_pack.xlsx", "comments.json", "comments_themes.png", "comments_waves.png"} <= names
    wb = openpyxl.load_workbook(tmp_path / "comments_pack.xlsx")
    assert wb.sheetnames == ["Themes", "Comments", "Themes by wave", "New topics", "Codebook"]
    saved = json.loads((tmp_path / "comments.json").read_text(encoding="utf-8"))
    assert saved["n_comments"] == len(report.coded)
    assert {t["theme"] for t in saved["themes"]} == set(cxtext.load_codebook().theme_ids)
    assert all(not {"row", "response_id", "contact_id"} & set(q) for q in saved["quotes"])


def test_demo_discovery_finds_the_paperwork_the_codebook_lacks(report):
    """The simulator writes about closing documents and invoices, which no theme covers."""
    terms = report.discovery.topics["top_terms"].str.cat(sep=", ")
    assert any(w in terms for w in ("документ", "счет", "invoice", "акт"))


def test_russian_report_and_sections(planted_ws):
    ws, *_ = planted_ws
    rep = CommentsReport(ws, lang="ru", min_n=10)
    assert "Что клиенты пишут своими словами" in rep.intro()
    for name in ("themes", "quotes", "waves", "discovery"):
        assert rep.section(name)
    assert rep.summary["label"].isin(cxtext.load_codebook().labels("ru").values()).all()


def test_report_tables_escape_comment_text():
    from cxlab.present.report import _styled

    html = _styled(pd.DataFrame({"examples": ["<img src=x onerror=alert(1)>"]}), "en").to_html()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_a_wave_not_on_0_10_gets_counts_only(planted_ws, tmp_path):
    ws, *_ = planted_ws
    wave = ws.latest_wave()
    with ws.connect(read_only=False) as con:
        before = con.execute("SELECT nps_scale FROM waves WHERE wave_id = ?", [wave]).fetchone()[0]
        con.execute("UPDATE waves SET nps_scale = '1-5' WHERE wave_id = ?", [wave])
    try:
        rep = CommentsReport(ws, lang="en", min_n=10)
        assert "share_detractors" not in rep.summary and rep.score is None
        assert (rep.comments_table()["category"].fillna("") == "").all()
        rep.write_outputs(tmp_path)
    finally:
        with ws.connect(read_only=False) as con:
            con.execute("UPDATE waves SET nps_scale = ? WHERE wave_id = ?", [before, wave])
