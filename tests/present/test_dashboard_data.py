"""The dashboard's figures against the report's and against hand computations, on the real demo workspace."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from cxlab import metrics
from cxlab.fieldwork.funnel import wave_response_rate
from cxlab.present.dashboard_data import DashboardData, DashboardQueryError, Selection
from cxlab.summary import summarize_wave

# The dashboard's data on the demo workspace: its first figures (risk scores, comment themes) take
# half a minute, whichever test asks first.
pytestmark = pytest.mark.slow

WAVE = "2026-Q3"


@pytest.fixture(scope="module")
def dash(demo_ws):
    return DashboardData(demo_ws, min_n=10)


@pytest.fixture(scope="module")
def summary(dash):
    return summarize_wave(dash.data, WAVE, min_n=10)


@pytest.fixture(scope="module")
def team(dash):
    return dash.options()["team"][0]


def tile(dash, sel, metric):
    t = dash.tiles(sel)
    return t.set_index("metric").loc[metric]


def test_nps_tile_is_the_report_headline_and_the_hand_formula(dash, summary, demo_ws):
    row = tile(dash, Selection(WAVE), "nps")
    head = summary.headline_value("nps")
    assert row["estimate"] == pytest.approx(head["estimate"])
    assert row["n"] == head["n"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((head["ci_low"], head["ci_high"]))
    # By hand from the stored responses: %promoters - %detractors, trinomial SE.
    s = demo_ws.responses(WAVE)["nps"].dropna()
    n, p, d = len(s), (s >= 9).mean(), (s <= 6).mean()
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(100 * (p - d))
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    assert row["ci_high"] - row["estimate"] == pytest.approx(1.959964 * se, rel=1e-4)
    ch = summary.changes.set_index("metric").loc["nps"]
    assert row["change"] == pytest.approx(ch["change"])
    assert row["p_value"] == pytest.approx(ch["p_value"])
    assert row["significant"] == (ch["p_value"] < 0.05)


def test_filtered_nps_is_computed_on_the_filtered_respondents(dash, demo_ws, team):
    row = tile(dash, Selection(WAVE, team=team), "nps")
    frame = demo_ws.response_frame(WAVE)
    s = frame.loc[frame["team"] == team, "nps"].dropna()
    assert row["n"] == len(s) < len(frame)
    assert row["estimate"] == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    before = demo_ws.response_frame("2026-Q2")
    b = before.loc[before["team"] == team, "nps"].dropna()
    assert row["change"] == pytest.approx(metrics.nps_change(b, s).estimate)


def test_service_filter_counts_respondents_of_clients_buying_the_service(dash, demo_ws):
    cs = demo_ws.table("client_services")
    service = cs["service_id"].value_counts().index[0]
    buyers = set(cs.loc[cs["service_id"] == service, "client_id"])
    row = tile(dash, Selection(WAVE, service=service), "nps")
    s = demo_ws.response_frame(WAVE)
    s = s.loc[s["client_id"].isin(buyers), "nps"].dropna()
    assert row["n"] == len(s)
    assert row["estimate"] == pytest.approx(metrics.nps(s).estimate)


def test_csi_and_response_rate_tiles_equal_the_report(dash, summary):
    tiles = dash.tiles(Selection(WAVE)).set_index("metric")
    for metric in ("csi", "response_rate"):
        head = summary.headline_value(metric)
        assert tiles.loc[metric, "estimate"] == pytest.approx(head["estimate"])
        assert tiles.loc[metric, "n"] == head["n"]
        assert tiles.loc[metric, "ci_low"] == pytest.approx(head["ci_low"])
    ch = summary.changes.set_index("metric").loc["csi"]
    assert tiles.loc["csi", "change"] == pytest.approx(ch["change"])


def test_filtered_response_rate_by_hand(dash, demo_ws, team):
    row = tile(dash, Selection(WAVE, team=team), "response_rate")
    inv = demo_ws.table("invitations", wave=WAVE).merge(
        demo_ws.contacts()[["contact_id", "client_id"]], on="contact_id"
    )
    resp = demo_ws.response_frame(WAVE)
    # The team in charge when the wave ran: from the wave's responses, else today's.
    at_wave = resp.drop_duplicates("client_id").set_index("client_id")["team"]
    today = demo_ws.clients().set_index("client_id")["team"]
    inv_team = inv["client_id"].map(at_wave).fillna(inv["client_id"].map(today))
    mine = inv[inv_team == team]
    expected = wave_response_rate(mine, resp[resp["team"] == team])
    delivered = mine[
        mine["sent_at"].notna() & (mine["status"] != "bounced") | mine["contact_id"].isin(resp["contact_id"])
    ]
    assert row["n"] == expected.n == len(delivered)
    assert row["estimate"] == pytest.approx(expected.rate)
    assert 0 < row["estimate"] < 1


def test_revenue_tile_is_score_clients_total_and_filtered_sum(dash, team):
    scores = dash.risk_scores(WAVE)
    row = tile(dash, Selection(WAVE), "revenue_at_risk")
    assert row["estimate"] == pytest.approx(scores.total["revenue_at_risk"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((scores.total["ci_low"], scores.total["ci_high"]))
    sub = tile(dash, Selection(WAVE, team=team), "revenue_at_risk")
    c = scores.clients[scores.clients["team"] == team]
    assert sub["n"] == len(c)
    assert sub["estimate"] == pytest.approx((c["p"] * c["contract_value"]).sum())
    assert sub["ci_low"] <= sub["estimate"] <= sub["ci_high"]
    # The change: this wave's total minus the previous wave's, over the same accounts filter.
    prev = dash.risk_scores("2026-Q2").clients
    prev = prev[prev["team"] == team]
    assert sub["change"] == pytest.approx(sub["estimate"] - (prev["p"] * prev["contract_value"]).sum())
    assert sub["change_ci_low"] <= sub["change"] <= sub["change_ci_high"]


def test_total_for_subset_draws_sum_the_clients(dash):
    scores = dash.risk_scores(WAVE)
    ids = scores.clients["client_id"].iloc[::3]
    _total, draws = scores.total_for(ids)
    keep = scores.clients["client_id"].isin(ids).to_numpy()
    v = scores.clients["contract_value"].to_numpy()[keep]
    np.testing.assert_allclose(draws, scores.client_draws[:, keep] @ v)
    assert scores.client_draws.shape == (len(scores.total_draws), len(scores.clients))
    # Over every client the subset total is the report's total.
    all_total, all_draws = scores.total_for(scores.clients["client_id"])
    np.testing.assert_allclose(all_draws, scores.total_draws)
    assert all_total["ci_low"] == pytest.approx(scores.total["ci_low"])


def test_small_selection_is_suppressed(dash):
    opts = dash.options()
    counts = dash.data.responses[dash.data.responses["wave_id"] == WAVE]["manager"].value_counts()
    small = counts[(counts > 0) & (counts < 10)].index[0]
    assert small in opts["manager"]
    row = tile(dash, Selection(WAVE, manager=small), "nps")
    assert row["suppressed"] and math.isnan(row["estimate"]) and 0 < row["n"] < 10
    comments, hidden = dash.comments(Selection(WAVE, manager=small))
    assert hidden is not None and comments.empty


def test_trend_matches_metrics_per_wave(dash, demo_ws, team):
    sel = Selection(WAVE, team=team)
    trend = dash.trend(sel)
    frame = demo_ws.response_frame()
    for wave in dash.waves:
        s = frame.loc[(frame["wave_id"] == wave) & (frame["team"] == team), "nps"].dropna()
        got = trend[(trend["wave_id"] == wave) & (trend["metric"] == "nps")].iloc[0]
        assert got["n"] == len(s)
        if len(s) >= 10:
            assert got["estimate"] == pytest.approx(metrics.nps(s).estimate)
        else:
            assert got["suppressed"] and math.isnan(got["estimate"])
    assert set(trend["metric"]) == {"nps", "csi"}
    # Only waves up to the selected one.
    assert trend["wave_id"].max() == WAVE
    assert dash.trend(Selection("2025-Q2"))["wave_id"].max() == "2025-Q2"


def test_breakdowns_are_the_reports(dash, summary):
    sel = Selection(WAVE)
    for got, want, key in (
        (dash.by_service(sel), summary.by_service, "service_id"),
        (dash.by_manager(sel), summary.by_manager, "manager"),
    ):
        merged = got.merge(want, on=key, suffixes=("", "_report"))
        assert len(merged) == len(want)
        assert (merged["n"] == merged["n_report"]).all()
        np.testing.assert_allclose(merged["estimate"].astype(float), merged["estimate_report"].astype(float))
        np.testing.assert_allclose(merged["ci_low"].astype(float), merged["ci_low_report"].astype(float))


def test_ipa_is_the_drivers_function_or_a_reason(dash):
    from cxlab import drivers

    ipa = dash.ipa(Selection(WAVE))
    frame, rated = drivers.driver_frame(dash.data, WAVE)
    items, _ = drivers.usable_drivers(frame, rated)
    want = drivers.importance_performance(
        frame, "nps", items, cluster="client_id", n_boot=dash.ipa_boot, seed=dash.seed
    )
    pd.testing.assert_frame_equal(ipa.table.reset_index(drop=True), want.table.reset_index(drop=True))
    tiny = dash.ipa(Selection(WAVE, role="finance", segment=dash.options()["segment"][0]))
    assert isinstance(tiny, str) and "too few" in tiny


def test_at_risk_filtered_to_team_with_reasons_in_language(dash, team):
    table = dash.at_risk(Selection(WAVE, team=team), "ru")
    scores = dash.risk_scores(WAVE)
    teams = scores.clients.set_index("client_id")["team"]
    assert len(table) and (table["client_id"].map(teams) == team).all()
    assert set(table.columns) >= {"client", "p", "flags", "reasons", "action"}
    flagged = table["flags"] != ""
    # Flagged clients first.
    assert list(flagged) == sorted(flagged, reverse=True)
    assert table["reasons"].str.contains("[а-я]", regex=True).any()
    flags = dash.flags(WAVE, "ru")
    assert set(table.loc[flagged, "client_id"]) == set(flags["client_id"]) & set(teams[teams == team].index)


def test_comments_carry_no_identity_and_mask_contacts(demo_ws, tmp_path):
    import shutil

    from cxlab import Workspace

    copy = tmp_path / "ws"
    shutil.copytree(demo_ws.path, copy)
    ws = Workspace(copy)
    contacts = ws.contacts(include_pii=True)
    with ws.connect(read_only=False) as con:
        rid, kid = con.execute(
            "SELECT response_id, contact_id FROM responses WHERE wave_id = ? ORDER BY response_id LIMIT 1", [WAVE]
        ).fetchone()
        con.execute(
            "UPDATE responses SET comment = 'звоните +7 (916) 123-45-67 или ivan@client.ru' WHERE response_id = ?",
            [rid],
        )
        # A respondent who signs the reason for the score with their own name.
        name = contacts.set_index("contact_id").loc[kid, "name"]
        con.execute("UPDATE responses SET reason = ? WHERE response_id = ?", [f"Сроки сорвали. {name}", rid])
    dash = DashboardData(ws)
    comments, hidden = dash.comments(Selection(WAVE))
    assert hidden is None
    assert list(comments.columns) == ["nps", "category", "comment", "themes", "theme_ids", "sentiment"]
    assert not {"response_id", "contact_id", "client_id", "client", "name", "email", "phone", "manager", "team"} & set(
        comments.columns
    )
    text = " ".join(comments["comment"])
    assert "ivan@client.ru" not in text and "123-45-67" not in text
    # The reason and the comment are one text, as code_themes reads them.
    planted = comments[comments["comment"].str.contains("звоните", regex=False)]
    assert len(planted) == 1
    masked_name = " ".join("[имя]" for _ in str(name).split())
    assert planted["comment"].iloc[0] == f"Сроки сорвали. {masked_name}. звоните [телефон] или [e-mail]."
    assert "deadlines" in planted["theme_ids"].iloc[0].split("; ")
    assert "Сроки" in planted["themes"].iloc[0]
    assert comments["nps"].is_monotonic_increasing
    names = set(contacts["name"].dropna())
    assert not any(name in text for name in names)
    for part in str(name).split():
        assert part not in text
    # Markers in the dashboard's language.
    en, _ = dash.comments(Selection(WAVE), "en")
    assert en["comment"].str.contains("[phone]", regex=False).sum() == 1
    assert en["comment"].str.contains("[name]", regex=False).sum() == 1
    assert en["themes"].str.contains("Deadlines", regex=False).any()


def test_comments_are_the_responses_words_with_their_themes(dash, demo_ws, team):
    from cxlab.text import code_themes, load_codebook

    sel = Selection(WAVE, team=team)
    comments, hidden = dash.comments(sel, "en")
    assert hidden is None
    frame = demo_ws.response_frame(WAVE)
    frame = frame[frame["team"] == team]
    words = frame[["reason", "comment"]].apply(lambda row: any(isinstance(v, str) and v.strip() for v in row), axis=1)
    assert len(comments) == int(words.sum()) > 0
    coded = code_themes(frame.loc[words, ["response_id", "reason", "comment", "nps"]])
    labels = load_codebook().labels("en")
    ids = load_codebook().theme_ids
    want = sorted("; ".join(t for t in ids if row[t]) for _, row in coded.iterrows())
    assert sorted(comments["theme_ids"]) == want
    for got_ids, got_labels in zip(comments["theme_ids"], comments["themes"]):
        assert got_labels == "; ".join(labels[t] for t in got_ids.split("; ") if t)
    assert sorted(comments["sentiment"]) == sorted(coded["sentiment"])
    assert set(comments["category"].dropna()) <= {"detractor", "passive", "promoter"}


def test_theme_counts_are_code_themes_and_theme_summary_on_the_selection(dash, demo_ws, team):
    from cxlab.text import code_themes, theme_summary

    sel = Selection(WAVE, team=team)
    got, hidden = dash.themes(sel, "en")
    assert hidden is None
    frame = demo_ws.response_frame(WAVE)
    frame = frame[frame["team"] == team]
    # Coded directly on every response of the selection, with words or without (theme_summary counts
    # comments only).
    want = theme_summary(code_themes(frame[["response_id", "reason", "comment", "nps"]]), lang="en", min_n=10)
    cols = [
        "theme",
        "label",
        "n",
        "n_comments",
        "share",
        "share_ci_low",
        "n_positive",
        "n_negative",
        "n_detractors",
        "share_detractors",
        "n_promoters",
        "share_promoters",
        "detractor_gap",
        "score_gap",
        "suppressed",
    ]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), want[cols].reset_index(drop=True))
    # By hand: comments are the responses with any words, detractors those of them scoring 0-6.
    words = frame["reason"].fillna("").str.strip().ne("") | frame["comment"].fillna("").str.strip().ne("")
    assert (got["n_comments"] == int(words.sum())).all()
    assert (got["n_detractors"] == int((words & (frame["nps"] <= 6)).sum())).all()
    # A theme's count, by hand: the comments of the selection's rows of the whole workspace coded at once.
    responses = demo_ws.response_frame()
    everything = code_themes(responses[["response_id", "wave_id", "team", "reason", "comment", "nps"]])
    mine = everything[(everything["wave_id"] == WAVE) & (everything["team"] == team)]
    top = got.iloc[0]
    assert top["n"] > 0
    assert top["n"] == int(mine[top["theme"]].sum())
    assert top["share"] == pytest.approx(top["n"] / words.sum())
    # The comments list agrees with the counts.
    comments, _ = dash.comments(sel, "en")
    for row in got.itertuples():
        assert row.n == int(comments["theme_ids"].map(lambda ids, theme=row.theme: theme in ids.split("; ")).sum())
    # Labels follow the language; the numbers do not.
    ru, _ = dash.themes(sel, "ru")
    assert list(ru["n"]) == list(got["n"]) and ru["label"].str.contains("[а-я]", regex=True).all()


def test_themes_hidden_below_min_n_like_the_comments(dash):
    counts = dash.data.responses[dash.data.responses["wave_id"] == WAVE]["manager"].value_counts()
    small = counts[(counts > 0) & (counts < 10)].index[0]
    sel = Selection(WAVE, manager=small)
    themes, hidden = dash.themes(sel, "en")
    assert themes is None
    assert hidden == f"n = {int(counts[small])} < 10"
    assert dash.comments(sel)[1] == hidden


def test_themes_of_a_selection_without_comments(demo_ws):
    dash = DashboardData(demo_ws)
    manager = dash.options()["manager"][0]
    sel = Selection(WAVE, manager=manager)
    assert dash.response_mask(sel).sum() >= dash.min_n
    # Nobody in the selection wrote anything (set before the comments are coded, on first use).
    dash.responses.loc[dash.response_mask(sel), ["reason", "comment"]] = None
    themes, hidden = dash.themes(sel)
    assert hidden is None and themes.empty
    comments, hidden = dash.comments(sel)
    assert hidden is None and comments.empty
    assert not dash.themes(Selection(WAVE))[0].empty


def test_comments_are_coded_once_and_thread_safely(demo_ws, tmp_path):
    import shutil
    import threading
    from unittest import mock

    from cxlab.present import dashboard_comments

    # A copy without stored results: the coding runs here, once, whatever other tests stored.
    path = getattr(demo_ws, "path", demo_ws)
    shutil.copytree(path, tmp_path / "ws", ignore=shutil.ignore_patterns("derived"))
    dash = DashboardData(tmp_path / "ws")
    calls = []
    real = dashboard_comments.code_themes

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch.object(dashboard_comments, "code_themes", counting):
        threads = [threading.Thread(target=dash.themes, args=(Selection(WAVE),)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dash.comments(Selection("2026-Q2"))
    assert len(calls) == 1
    r = dash.responses
    words = r["comment"].fillna("").str.strip().ne("") | r["reason"].fillna("").str.strip().ne("")
    assert list(dash.coded_comments().index) == list(r.index[words])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("wave=2030-Q1", "wave='2030-Q1' does not exist"),
        ("wave=../../etc/passwd", "does not exist"),
        ("workspace=/etc", "unknown parameter 'workspace'"),
        ("notebook=../drivers.ipynb", "unknown parameter 'notebook'"),
        ("team=Nobody", "team='Nobody' does not exist"),
        ("lang=de", "not a language"),
        ("wave=2026-Q3&wave=2026-Q2", "given twice"),
    ],
)
def test_query_values_are_checked(dash, query, message):
    with pytest.raises(DashboardQueryError, match=message.replace("(", r"\(").replace(".", r"\.")):
        dash.selection_from_query(query)


def test_query_selection(dash, team):
    sel, lang = dash.selection_from_query(f"token=secret&wave=2026-Q2&team={team}&lang=en")
    assert sel == Selection("2026-Q2", team=team) and lang == "en"
    assert dash.selection_from_query("") == (Selection(WAVE), None)


# ---------------------------------------------------------------- what a change means, in words
@pytest.mark.parametrize(
    ("metric", "up"),
    [("nps", "good"), ("csi", "good"), ("response_rate", "good"), ("revenue_at_risk", "bad")],
)
def test_change_meaning_of_every_metric_both_ways(metric, up):
    from cxlab.present.dashboard_data import change_meaning

    down = {"good": "bad", "bad": "good"}[up]
    assert change_meaning(metric, 3.0, True) == up
    assert change_meaning(metric, -3.0, True) == down
    # Within chance is neutral whichever way it moved; no change to judge is "".
    assert change_meaning(metric, 3.0, False) == change_meaning(metric, -3.0, False) == "neutral"
    assert change_meaning(metric, math.nan, False) == ""


@pytest.mark.parametrize(
    ("metric", "change", "significant", "ru", "en"),
    [
        ("nps", 7.0, False, "выше на 7 п. — в пределах случайности", "up 7 points — within chance"),
        ("nps", -3.25, True, "ниже на 3,2 п. — реальное изменение", "down 3.2 points — a real change"),
        ("csi", 1.0, True, "выше на 1 п. — реальное изменение", "up 1 point — a real change"),
        ("response_rate", 0.031, True, "выше на 3,1 п.п. — реальное изменение", "up 3.1 pp — a real change"),
        ("response_rate", -0.12, False, "ниже на 12 п.п. — в пределах случайности", "down 12 pp — within chance"),
        ("revenue_at_risk", 2.5e6, True, "выше на 2,5 млн ₽ — реальное изменение", "up 2.5 M RUB — a real change"),
        (
            "revenue_at_risk",
            -4e5,
            False,
            "ниже на 0,4 млн ₽ — в пределах случайности",
            "down 0.4 M RUB — within chance",
        ),
        ("nps", 0.0, False, "без изменений", "no change"),
        ("nps", 0.004, True, "без изменений", "no change"),
        ("nps", math.nan, False, "", ""),
    ],
)
def test_change_words(metric, change, significant, ru, en):
    from cxlab.present.dashboard_data import change_words

    assert change_words(metric, change, significant) == {"ru": ru, "en": en}


_ENGLISH = re.compile(r"\b(interval|change|adjustment|cells?|respondents?|clients?|mean|score|waves?|test|no)\b", re.I)


def test_tile_rows_carry_meaning_words_method_and_note_in_both_languages(dash, team):
    keys = {"p_adjusted", "meaning", "method_text", "note_text", "change_words"}
    for sel in (Selection(WAVE), Selection(WAVE, team=team), Selection(WAVE, team=team, role="decision_maker")):
        rows = dash.tiles(sel)
        assert keys <= set(rows.columns)
        for row in rows.to_dict("records"):
            for col in ("method_text", "note_text", "change_words"):
                assert set(row[col]) == {"ru", "en"}
            # Russian fully Russian: no English word in the Russian method, note or change.
            for col in ("method_text", "note_text", "change_words"):
                assert not _ENGLISH.search(row[col]["ru"]), (row["metric"], col, row[col]["ru"])
            assert row["method_text"]["en"].startswith(row["method"].split(",")[0][:10])
            assert row["meaning"] == dash_meaning(row)
            if not math.isnan(row["change"]):
                assert row["change_words"]["ru"] and row["change_words"]["en"]
    # The team's NPS comes from the report's cell: Holm-adjusted, significance judged on the adjusted p.
    nps = tile(dash, Selection(WAVE, team=team), "nps")
    assert nps["p_adjusted"] >= nps["p_value"]
    assert nps["significant"] == (nps["p_adjusted"] < 0.05)
    assert "поправка Холма по" in nps["method_text"]["ru"] and "Holm adjustment across" in nps["method_text"]["en"]
    # The headline is not adjusted.
    assert math.isnan(tile(dash, Selection(WAVE), "nps")["p_adjusted"])


def dash_meaning(row) -> str:
    from cxlab.stats.registry import is_better

    if math.isnan(row["change"]):
        return ""
    if not row["significant"]:
        return "neutral"
    return "good" if is_better(row["metric"], row["change"]) else "bad"


def test_notes_and_messages_in_both_languages(dash):
    tiny = dash.tiles(Selection(WAVE, manager=_small_manager(dash))).set_index("metric").loc["nps"]
    assert tiny["suppressed"] and tiny["note_text"]["ru"].startswith(f"n = {tiny['n']} < 10")
    assert "мало" in tiny["note_text"]["ru"] and "few" in tiny["note_text"]["en"]
    msg = dash.message("too few respondents for the matrix (n = 12 < 27)")
    assert msg == {
        "ru": "слишком мало ответивших для матрицы (n = 12 < 27)",
        "en": "too few respondents for the matrix (n = 12 < 27)",
    }
    assert dash.message("no invitations recorded for this wave")["ru"] == "в этой волне приглашения не записаны"
    # A pair stays a pair (the churn model's message); an unknown English text never reaches a Russian page.
    assert dash.message({"ru": "нет модели", "en": "no model"}) == {"ru": "нет модели", "en": "no model"}
    assert not _ENGLISH.search(dash.message("something the data layer has no words for")["ru"])
    ipa = dash.ipa(Selection(WAVE, role="finance", segment=dash.options()["segment"][0]))
    assert isinstance(ipa, str) and re.search("[а-я]", dash.message(ipa)["ru"])


def _small_manager(dash) -> str:
    counts = dash.data.responses[dash.data.responses["wave_id"] == WAVE]["manager"].value_counts()
    return counts[(counts > 0) & (counts < 10)].index[0]


# ---------------------------------------------------------------- labels of filter values
def test_value_labels_are_names_never_ids(dash):
    opts = dash.options()
    for name in ("service", "direction", "role", "segment"):
        for value in opts[name]:
            ru, en = dash.value_label(name, value, "ru"), dash.value_label(name, value, "en")
            assert ru and en
            if name != "segment" or value not in ("FMCG",):
                assert ru != value, (name, value)
            assert "_" not in ru and "_" not in en, (name, value, ru, en)
            assert re.search("[а-яё]", ru.lower()), (name, value, ru)
    services = dash.data.services.set_index("service_id")
    sid = opts["service"][0]
    assert dash.value_label("service", sid, "en") == services.loc[sid, "name_en"]
    assert dash.value_label("role", "day_to_day", "ru") == "контактное лицо"
    assert dash.value_label("role", "decision_maker", "ru") == "ЛПР"
    assert dash.value_label("direction", "media_relations", "ru") == "Работа со СМИ"
    assert dash.value_label("segment", "energy", "ru") == "энергетика"
    # People and teams are names: as they are.
    for name in ("manager", "team"):
        value = opts[name][0]
        assert dash.value_label(name, value, "ru") == dash.value_label(name, value, "en") == value


def test_attribute_labels_from_the_questionnaire(dash):
    from cxlab import drivers
    from cxlab.questionnaire import load_questionnaire

    q = load_questionnaire("pr_agency")
    frame, rated = drivers.driver_frame(dash.data, WAVE)
    items, _ = drivers.usable_drivers(frame, rated)
    assert items
    for item in items:
        assert dash.attribute_label(item, WAVE, "ru") == q.label(item, "ru")
        assert dash.attribute_label(f"attr_{item}", WAVE, "en") == q.label(item, "en")


# ---------------------------------------------------------------- sparklines
@pytest.mark.parametrize("metric", ["nps", "csi", "response_rate", "revenue_at_risk"])
def test_spark_ends_at_the_tile_and_follows_the_tile_in_each_wave(dash, team, metric):
    sel = Selection(WAVE, team=team)
    spark = dash.spark(sel, metric)
    assert list(spark.columns) == ["wave_id", "estimate", "ci_low", "ci_high", "n", "suppressed"]
    assert 0 < len(spark) <= 8 and spark["wave_id"].is_monotonic_increasing
    assert spark["wave_id"].iloc[-1] == WAVE
    for _, point in spark.iterrows():
        row = tile(dash, Selection(point["wave_id"], team=team), metric)
        assert point["n"] == row["n"]
        if point["suppressed"] or math.isnan(row["estimate"]):
            assert math.isnan(point["estimate"])  # suppressed, or no churn model in that wave
        else:
            assert point["estimate"] == pytest.approx(row["estimate"])
            assert (point["ci_low"], point["ci_high"]) == pytest.approx((row["ci_low"], row["ci_high"]))
    assert dash.spark(Selection("2025-Q1"), metric)["wave_id"].max() <= "2025-Q1"
    with pytest.raises(ValueError, match="metric"):
        dash.spark(sel, "churn")


# ---------------------------------------------------------------- clients at risk
_INTERNALS = re.compile(r"индекс|index|\(лог\)|\(log\)|: 0\.\d|: -?\d\.\d+$|contribution|log-odds")


def test_at_risk_is_ranked_by_severity_with_plain_reasons(dash):
    for lang in ("ru", "en"):
        table = dash.at_risk(Selection(WAVE), lang)
        assert {
            "rank",
            "client_id",
            "client",
            "manager",
            "p",
            "p_95",
            "revenue_at_risk",
            "flags",
            "reasons",
            "action",
        } <= set(table.columns)
        assert table["rank"].tolist() == list(range(1, len(table) + 1))
        # Flagged by more rules first, then revenue at risk, then probability.
        n_flags = table["flags"].map(lambda f: len([x for x in f.split("; ") if x]))
        key = list(zip(-n_flags, -table["revenue_at_risk"].fillna(-1), -table["p"].fillna(-1)))
        assert key == sorted(key)
        reasons = [r for text in table["reasons"] for r in text.split("; ") if r]
        assert reasons, "some clients have reasons"
        for r in reasons:
            assert not _INTERNALS.search(r), r
            # A rise is never a reason.
            assert "выросл" not in r and "rose" not in r
        alphabet = "[а-яё]" if lang == "ru" else "[a-z]"
        assert all(re.search(alphabet, r.lower()) for r in reasons)
        if lang == "ru":
            assert not any(re.search(r"\b(score|answer|fell|client)\b", r) for r in reasons)
        # Every flagged client says why in words.
        assert (table.loc[table["flags"] != "", "reasons"] != "").all()
