"""representative_quotes: few, on the theme, both sides, distinct, short, masked, and the typical one first."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxlab.text import code_themes, representative_quotes

COLUMNS = ["theme", "quote", "polarity", "score", "similarity", "row"]

# Deadlines, said as complaints (N) and as praise (P); price and none as controls.
N1 = "Сроки сорвали запуск кампании"
N2 = "Сроки сорвали запуск"
N3 = "Сроки сорвали кампанию"
N4 = "Сроки сорвали из-за праздников и отпусков"
N5 = "Опять сорвали сроки по баннерам"
P1 = "Всё сдали вовремя, спасибо"
P2 = "Макеты всегда присылают вовремя"
PRICE = "Дорого"
NONE = "Спасибо за работу"


def coded_frame(texts, scores=None, index=None):
    frame = pd.DataFrame({"text": texts, "nps": scores if scores is not None else list(range(len(texts)))}, index=index)
    return code_themes(frame)


def test_hand_written_comments_are_coded_as_intended():
    c = code_themes([N1, N2, N3, N4, N5, P1, P2, PRICE, NONE])
    assert c["deadlines"].tolist() == [True] * 7 + [False, False]
    assert c["negative_themes"].tolist()[:5] == ["deadlines"] * 5
    assert c["positive_themes"].tolist()[5:7] == ["deadlines"] * 2
    assert c["price"].tolist() == [False] * 7 + [True, False]


def test_at_most_k_and_fewer_when_fewer_comments():
    coded = coded_frame([N1, N2, N3, N4, N5, P1, P2, PRICE, NONE])
    for k in (1, 2, 3, 5):
        q = representative_quotes(coded, "deadlines", k=k)
        assert len(q) == k
        assert list(q.columns) == COLUMNS
    assert len(representative_quotes(coded, "deadlines", k=20)) == 7  # seven comments on deadlines
    assert len(representative_quotes(coded, "price", k=3)) == 1
    empty = representative_quotes(coded, "creativity", k=3)
    assert len(empty) == 0 and list(empty.columns) == COLUMNS
    with pytest.raises(KeyError):
        representative_quotes(coded, "no_such_theme")


def test_only_comments_with_the_theme():
    texts = [N1, PRICE, NONE, P1, N4, "Цена высокая", N2]
    coded = coded_frame(texts)
    q = representative_quotes(coded, "deadlines", k=10)
    assert set(q["row"]) == {0, 3, 4, 6}
    for r in q.itertuples():
        assert coded.loc[r.row, "deadlines"]
        assert r.quote == texts[r.row]
        assert r.theme == "deadlines"
    prices = representative_quotes(coded, "price", k=10)
    assert set(prices["quote"]) == {PRICE, "Цена высокая"}


@pytest.mark.parametrize("k", [2, 3])
def test_both_polarities_commoner_first(k):
    # 5 complaints, 2 praises: complaint first, then praise, even though praise is less typical.
    coded = coded_frame([P1, N1, N2, P2, N3, N4, N5])
    q = representative_quotes(coded, "deadlines", k=k)
    assert q["polarity"].iloc[0] == "negative"
    assert set(q["polarity"]) == {"negative", "positive"}
    assert q["polarity"].iloc[1] == "positive"
    # The other way round: praise is commoner.
    coded = coded_frame([N1, P1, P2, "Сроки соблюдают, спасибо", "Всё вовремя, молодцы", N4])
    assert coded["positive_themes"].tolist() == ["", "deadlines", "deadlines", "deadlines", "deadlines", ""]
    q = representative_quotes(coded, "deadlines", k=k)
    assert q["polarity"].iloc[0] == "positive"
    assert set(q["polarity"]) == {"negative", "positive"}


def test_one_polarity_only_when_k_is_one():
    coded = coded_frame([P1, N1, N2, N3])
    q = representative_quotes(coded, "deadlines", k=1)
    assert q["polarity"].tolist() == ["negative"]


def test_no_duplicate_quotes():
    texts = [N2, N2, N2, N1, N1, P1, P1, N3]
    coded = coded_frame(texts)
    q = representative_quotes(coded, "deadlines", k=10)
    assert q["quote"].is_unique
    assert set(q["quote"]) == {N1, N2, N3, P1}


def test_no_duplicate_quotes_after_masking():
    """Two comments that differ only in the e-mail they give read the same once masked: one quote."""
    texts = ["Сроки сорвали, пишите на anna@client.ru", "Сроки сорвали, пишите на boris@client.ru", N4]
    coded = coded_frame(texts)
    q = representative_quotes(coded, "deadlines", k=3)
    assert q["quote"].is_unique, q["quote"].tolist()
    assert len(q) == 2


def test_long_comment_cut_to_the_theme_sentence():
    text = (
        "Работаем с агентством третий год. Отчёты подробные и понятные. "
        "Но сроки постоянно сорваны, особенно перед праздниками. Цены нормальные, команда сильная."
    )
    coded = coded_frame([text, N1])
    assert coded.loc[0, "deadlines"]
    q = representative_quotes(coded, "deadlines", k=2).set_index("row")
    assert q.loc[0, "quote"] == "Но сроки постоянно сорваны, особенно перед праздниками."
    reporting = representative_quotes(coded, "reporting", k=2)
    assert reporting["quote"].tolist() == ["Отчёты подробные и понятные."]


LONG_SENTENCE = (
    "Работаем давно и в целом довольны, "
    + "команда старается, отчёты приходят, встречи проходят регулярно, дизайнеры рисуют макеты, " * 3
    + "но сроки сорвали."
)


def test_long_sentence_is_cut_at_240_characters():
    assert len(LONG_SENTENCE) > 240
    coded = coded_frame([LONG_SENTENCE, N1])
    q = representative_quotes(coded, "deadlines", k=2).set_index("row")
    quote = q.loc[0, "quote"]
    assert len(quote) <= 240
    assert quote.startswith("…") or quote.endswith("…")  # the cut is shown
    assert quote.strip("…") in LONG_SENTENCE


def test_long_sentence_quote_keeps_the_theme_words():
    """A quote of the deadlines theme must show what was said about deadlines, even in a long sentence."""
    coded = coded_frame([LONG_SENTENCE, N1])
    q = representative_quotes(coded, "deadlines", k=2).set_index("row")
    quote = q.loc[0, "quote"]
    assert len(quote) <= 240
    assert "сроки" in quote.lower(), quote


def test_emails_and_phones_masked():
    texts = [
        "Сроки сорвали, пишите на anna.petrova@client.ru",
        "Сроки сорвали, звоните +7 (495) 123-45-67",
        "Сроки опять сорвали, номер 8 916 123 45 67",
    ]
    coded = coded_frame(texts)
    q = representative_quotes(coded, "deadlines", k=3)
    quotes = q["quote"].tolist()
    assert set(quotes) == {
        "Сроки сорвали, пишите на [e-mail]",
        "Сроки сорвали, звоните [телефон]",
        "Сроки опять сорвали, номер [телефон]",
    }
    assert not any("@" in s or re.search(r"\d{3}", s) for s in quotes)
    en = representative_quotes(coded, "deadlines", k=3, lang="en")["quote"].tolist()
    assert "Сроки сорвали, звоните [phone]" in en


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Петровой спасибо, сроки соблюдает", "[имя] спасибо, сроки соблюдает"),
        ("Сроки сорвала Петрова", "Сроки сорвала [имя]"),
        ("Из-за Петровой сорвали сроки", "Из-за [имя] сорвали сроки"),
        ("С Анной Петровой сроки соблюдаем", "С [имя] [имя] сроки соблюдаем"),
        ("Попросили Анну, и сроки сорвали", "Попросили [имя], и сроки сорвали"),
        ("Спасибо Анне: сроки всегда соблюдает", "Спасибо [имя]: сроки всегда соблюдает"),
    ],
    ids=[
        "surname_gent_Petrovoy",
        "surname_nomn_Petrova",
        "surname_after_preposition",
        "first_ablt_and_surname",
        "first_accs_Annu",
        "first_datv_Anne",
    ],
)
def test_names_masked_in_inflected_forms(text, expected):
    coded = coded_frame([text, N4])
    assert coded.loc[0, "deadlines"]
    q = representative_quotes(coded, "deadlines", k=2, names=["Анна Петрова"]).set_index("row")
    assert q.loc[0, "quote"] == expected
    # Without names, nothing is masked.
    plain = representative_quotes(coded, "deadlines", k=2).set_index("row")
    assert plain.loc[0, "quote"] == text


def test_english_name_mask():
    coded = coded_frame(["Anna Smith always delivers on time", "Always on time"])
    q = representative_quotes(coded, "deadlines", k=2, names=["Anna Smith"], lang="en")
    assert "[name] [name] always delivers on time" in q["quote"].tolist()


def test_no_identifiers_besides_row():
    frame = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3"],
            "contact_id": ["K1", "K2", "K3"],
            "client_id": ["C1", "C1", "C2"],
            "email": ["a@client.ru", "b@client.ru", "c@client.ru"],
            "phone": ["+7 916 000-00-01"] * 3,
            "name": ["Анна Петрова", "Борис Иванов", "Carl Smith"],
            "text": [N1, P1, N4],
            "nps": [3, 10, 5],
        },
        index=["x1", "x2", "x3"],
    )
    coded = code_themes(frame)
    q = representative_quotes(coded, "deadlines", k=3)
    assert list(q.columns) == COLUMNS
    assert set(q["row"]) == {"x1", "x2", "x3"}
    by_row = q.set_index("row")
    assert by_row.loc["x1", "score"] == 3 and by_row.loc["x2", "score"] == 10 and by_row.loc["x3", "score"] == 5
    values = " ".join(q.astype(str).to_numpy().ravel())
    for ident in ("R1", "K1", "C1", "client.ru", "Анна", "Carl"):
        assert ident not in values
    no_score = representative_quotes(coded, "deadlines", k=3, score=None)
    assert no_score["score"].isna().all()


def test_most_typical_quote_first():
    # N1 shares its words with N2 and N3; N4 and the fifth share only "сроки сорвали".
    texts = [N4, "Сроки сорвали, подрядчик типографии подвёл", N2, N3, N1]
    coded = coded_frame(texts)
    assert coded["negative_themes"].tolist() == ["deadlines"] * 5
    for diversity in (0.0, 0.3):
        q = representative_quotes(coded, "deadlines", k=2, diversity=diversity)
        assert q["quote"].iloc[0] == N1
    everything = representative_quotes(coded, "deadlines", k=5, diversity=0.0)
    assert everything["quote"].iloc[0] == N1
    assert everything["similarity"].iloc[0] == everything["similarity"].max()
    # With no diversity, the order is by similarity.
    assert everything["similarity"].is_monotonic_decreasing
    # The two outliers are the least typical.
    assert set(everything["quote"].iloc[-2:]) == {N4, "Сроки сорвали, подрядчик типографии подвёл"}
