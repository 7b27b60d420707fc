"""discover_themes: a topic the codebook misses is found, counted and turned into codebook YAML."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from cxlab.text import ThemeDiscovery, code_themes, discover_themes, load_codebook

# Ten comments about invoices and closing documents, a theme the agency codebook does not have.
# The first seven touch no codebook theme; the last three also say something the codebook codes
# (deadlines, reporting, price), in a sentence of their own.
PLANTED = [
    "Закрывающие документы и счета присылают с ошибками",
    "Акты, счета и закрывающие документы приходится запрашивать несколько раз",
    "Бухгалтерия ждёт закрывающие документы и акты месяцами",
    "Счета и акты присылают без подписи",
    "Закрывающие документы и акты путают с другим юрлицом",
    "Нужны оригиналы актов, счетов и закрывающих документов",
    "Закрывающие документы и счета присылают в конце квартала",
    "Сроки сорвали. Закрывающие документы и акты присылают не все.",
    "Отчёты хорошие. Счета и акты приходят с ошибками.",
    "Дорого. Закрывающие документы и счета приходят на старый адрес.",
]
PLANTED_UNCOVERED = 7
# Thirty ordinary comments: most on codebook themes, a few thanks, five about the office.
OFFICE = [
    "Офис агентства далеко от метро",
    "Парковки у офиса нет",
    "До офиса далеко ехать от метро",
    "Офис тесный, парковка платная",
    "Переговорная в офисе маленькая",
]
ORDINARY = [
    "Сроки сорвали",
    "Всё сдали вовремя, спасибо",
    "Дорого",
    "Отчёты подробные и понятные",
    "Менеджер отвечает неделями",
    "Креатив слабый",
    "Отличные идеи",
    "Хорошая команда",
    "Цена высокая",
    "Результаты отличные, охваты выросли",
    "Встречи проходят регулярно",
    "Не понимают наш бизнес",
    "Сроки опять сорвали",
    "Отчёты непрозрачные",
    "Команда часто меняется",
    "Бюджет завышен",
    "Быстро отвечают на запросы",
    "Публикаций мало",
    "Созвоны затянутые",
    "Креативные идеи свежие",
    "Спасибо за работу",
    "Всё отлично",
    "Сотрудничеством довольны",
    "Аналитики не хватает",
    "Новых идей нет",
] + OFFICE
PLANTED_WORDS = ("документ", "закрывать", "счет", "акт")


def mixed():
    texts = list(ORDINARY)
    for i, comment in enumerate(PLANTED):
        texts.insert(3 * i + 1, comment)
    return texts


@pytest.fixture(scope="module")
def found():
    return discover_themes(mixed())


def planted_topic(d: ThemeDiscovery):
    rows = d.topics[d.topics["top_terms"].str.contains("документ")]
    assert len(rows) == 1, d.topics
    return rows.iloc[0]


def test_fixture_coding_by_hand():
    coded = code_themes(PLANTED + ORDINARY)
    planted = coded.iloc[: len(PLANTED)]
    assert (planted["n_themes"] == 0).sum() == PLANTED_UNCOVERED
    assert planted["n_themes"].tolist()[PLANTED_UNCOVERED:] == [1, 1, 1]
    assert [t for t in ("deadlines", "reporting", "price") if planted.iloc[7][t]] == ["deadlines"]
    assert [t for t in ("deadlines", "reporting", "price") if planted.iloc[8][t]] == ["reporting"]
    assert [t for t in ("deadlines", "reporting", "price") if planted.iloc[9][t]] == ["price"]
    office = coded.iloc[-len(OFFICE) :]
    assert (office["n_themes"] == 0).all()
    assert len(ORDINARY) == 30


def test_planted_topic_is_found(found):
    assert isinstance(found, ThemeDiscovery)
    assert len(found.topics) >= 2
    assert list(found.topics.columns) == ["topic", "top_terms", "weights", "n_comments", "n_uncovered", "examples"]
    topic = planted_topic(found)
    terms = topic["top_terms"].split(", ")
    for word in PLANTED_WORDS:
        assert any(word in t.split() for t in terms), (word, terms)
    # Its words are in no other topic's head.
    others = found.topics[found.topics["topic"] != topic["topic"]]
    for row in others.itertuples():
        assert not any(w in row.top_terms.split(", ")[:3] for w in ("документ", "счет", "акт"))
    # Weights match the terms, largest first.
    weights = [float(w) for w in topic["weights"].split(", ")]
    assert len(weights) == len(terms) and weights == sorted(weights, reverse=True) and weights[0] > 0


def test_planted_comments_are_the_examples(found):
    topic = planted_topic(found)
    examples = found.examples[found.examples["topic"] == topic["topic"]]
    assert 1 <= len(examples) <= 3
    planted_text = " ".join(PLANTED)
    for comment in examples["comment"]:
        assert comment in planted_text
        assert any(w in comment.lower() for w in ("документ", "счет", "счёт", "акт"))
    assert topic["examples"] == " | ".join(examples["comment"])
    assert examples["weight"].is_monotonic_decreasing


def test_counts_of_comments_and_uncovered(found):
    topic = planted_topic(found)
    # All ten planted comments; three of them have a sentence the codebook coded.
    assert topic["n_comments"] == len(PLANTED)
    assert topic["n_uncovered"] == PLANTED_UNCOVERED
    office = found.topics[found.topics["top_terms"].str.contains("офис")].iloc[0]
    assert office["n_comments"] == office["n_uncovered"] == len(OFFICE)
    assert "офис" in office["top_terms"].split(", ")[0]
    # Sorted by comments, largest first.
    assert found.topics["n_comments"].is_monotonic_decreasing
    # Documents: the sentences no theme caught, from 10 planted + 5 office + the thanks with content words.
    assert found.n_documents >= len(PLANTED) + len(OFFICE)
    assert found.n_documents < len(PLANTED) + len(ORDINARY)


def test_scope_all_counts_the_same_comments():
    d = discover_themes(mixed(), scope="all")
    topic = planted_topic(d)
    assert topic["n_comments"] == len(PLANTED)
    assert topic["n_uncovered"] == PLANTED_UNCOVERED
    with pytest.raises(ValueError, match="scope"):
        discover_themes(mixed(), scope="everything")


def test_codebook_words_left_out_by_default():
    cb = load_codebook()
    codebook_lemmas = {v for th in cb.themes for term in th.terms for k, v in term.words if k == "="}
    assert {"срок", "отчет", "идея"} <= codebook_lemmas
    d = discover_themes(mixed(), scope="all")
    words = {w for t in d.topics["top_terms"] for term in t.split(", ") for w in term.split()}
    assert not words & codebook_lemmas, words & codebook_lemmas
    # Asked to keep them, the codebook's recurring words come back.
    kept = discover_themes(mixed(), scope="all", exclude_codebook=False, n_topics=4)
    words = {w for t in kept.topics["top_terms"] for term in t.split(", ") for w in term.split()}
    assert words & {"срок", "отчет", "идея"}


def test_too_few_comments():
    d = discover_themes(["Закрывающие документы приходят с ошибками", "Счета без подписи", "Офис далеко"])
    assert len(d.topics) == 0 and len(d.examples) == 0
    assert list(d.topics.columns) == ["topic", "top_terms", "weights", "n_comments", "n_uncovered", "examples"]
    assert d.n_documents == 3
    assert "Слишком мало комментариев" in d.message["ru"] and "(3 " in d.message["ru"]
    assert "Too few comments" in d.message["en"] and "(3 " in d.message["en"]
    assert d.summary("en") == d.message["en"] and d.summary("ru") == d.message["ru"]
    assert d.to_yaml().strip() == "[]"
    # Comments the codebook fully covers leave nothing to discover.
    covered = discover_themes(["Сроки сорвали", "Дорого", "Отчёты понятные"] * 5)
    assert len(covered.topics) == 0 and covered.n_documents == 0
    assert covered.message["ru"] and covered.message["en"]


def test_no_recurring_words():
    once = [
        "Бухгалтерия потеряла оригиналы",
        "Юристы задерживают подписи",
        "Офис переехал на окраину",
        "Парковка платная",
        "Кофемашина сломалась",
        "Переговорная тесная",
        "Курьер заблудился",
    ]
    d = discover_themes(once)
    assert len(d.topics) == 0
    assert d.message["ru"] and d.message["en"]
    assert "2" in d.message["en"]


def test_deterministic_across_runs():
    a = discover_themes(mixed())
    b = discover_themes(mixed())
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.examples, b.examples)
    assert a.to_yaml() == b.to_yaml()
    c = discover_themes(mixed(), random_state=7)
    pd.testing.assert_frame_equal(a.topics, c.topics)


def test_to_yaml_loads_back_as_a_codebook(found):
    entries = yaml.safe_load(found.to_yaml())
    assert isinstance(entries, list) and len(entries) == len(found.topics)
    topic = planted_topic(found)
    entry = next(e for e in entries if e["id"] == f"new_topic_{topic['topic']}")
    assert set(entry["terms"]) == {"ru"}
    assert set(entry["terms"]["ru"]) == set(topic["top_terms"].split(", "))
    for e in entries:
        assert e["label"] == {"ru": "…", "en": "…"}
        e["label"] = (
            {"ru": "Закрывающие документы", "en": "Paperwork"} if e is entry else {"ru": "Офис", "en": "Office"}
        )
    cb = load_codebook({"extends": "agency", "themes": yaml.safe_load(yaml.safe_dump(entries, allow_unicode=True))})
    assert cb.theme_ids[:10] == load_codebook().theme_ids
    assert cb.theme_ids[10:] == [e["id"] for e in entries]
    assert cb.label(entry["id"], "en") == "Paperwork"
    coded = code_themes(PLANTED, codebook=cb)
    assert coded[entry["id"]].all()
    # Only the chosen topics.
    only = yaml.safe_load(found.to_yaml(topics=[topic["topic"]]))
    assert [e["id"] for e in only] == [entry["id"]]


def test_summary_lists_topics_and_examples(found):
    text = found.summary("en")
    assert "NMF" in text and f"n = {found.n_documents}" in text
    topic = planted_topic(found)
    assert f"({topic['n_comments']} comments, {topic['n_uncovered']} uncovered)" in text
    assert "ThemeDiscovery(" in repr(found)


def test_examples_are_masked():
    texts = mixed() + [
        "Закрывающие документы и счета шлите на buh@client.ru",
        "Акты и счета: звоните +7 (495) 123-45-67",
    ]
    d = discover_themes(texts, n_examples=50)
    topic = planted_topic(d)
    examples = d.examples[d.examples["topic"] == topic["topic"]]["comment"].tolist()
    assert "Закрывающие документы и счета шлите на [e-mail]" in examples
    assert "Акты и счета: звоните [телефон]" in examples
    everything = " ".join(d.examples["comment"]) + " ".join(d.topics["examples"])
    assert "@" not in everything and "123-45-67" not in everything
