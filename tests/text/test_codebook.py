"""The codebook: the default themes, extends, custom files, errors that say where, and how terms match."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from cxlab.errors import InputError
from cxlab.text import Codebook, code_themes, load_codebook

THEMES = [
    "responsiveness",
    "deadlines",
    "reporting",
    "team_people",
    "manager_chemistry",
    "creativity",
    "results",
    "price",
    "communication",
    "business_understanding",
]


def theme_of(text, codebook=None):
    coded = code_themes([text], codebook=codebook)
    ids = load_codebook(codebook).theme_ids
    return [t for t in ids if coded.loc[0, t]]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PAPERWORK = {
    "id": "paperwork",
    "label": {"ru": "Документы", "en": "Paperwork"},
    "terms": {"ru": ["закрывающий документ", "акт"], "en": ["invoice*", "closing documents"]},
}


# ----------------------------------------------------------------------------- the default codebook


def test_default_codebook_has_the_ten_themes():
    cb = load_codebook()
    assert isinstance(cb, Codebook)
    assert cb.id == "agency"
    assert cb.theme_ids == THEMES
    assert load_codebook("agency").theme_ids == THEMES
    assert load_codebook(cb) is cb
    assert cb.window == 3 and cb.negation_window == 3
    assert cb.label("deadlines", "ru") == "Сроки" and cb.label("deadlines", "en") == "Deadlines"
    assert cb.labels("en")["price"] == "Price"


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_has_labels_and_terms_in_both_languages(theme):
    cb = load_codebook()
    th = cb.theme(theme)
    assert th.label["ru"] and th.label["en"]
    assert th.label["ru"] != th.label["en"]
    assert {t.lang for t in th.terms if t.polarity == 0} == {"ru", "en"}
    assert th.description.get("ru") and th.description.get("en")
    frame = cb.to_frame()
    mine = frame[(frame["theme"] == theme) & (frame["kind"] == "terms")]
    assert set(mine["lang"]) == {"ru", "en"}


def test_sentiment_lexicon_is_loaded():
    cb = load_codebook()
    assert set(cb.lexicon) == {"negators", "clause_breaks", "lacking", "positive", "negative"}
    assert "не" in {t.text for t in cb.lexicon["negators"]}
    assert "no" in {t.text for t in cb.lexicon["negators"]}  # quoted in the YAML: a word, not False


def test_unknown_theme_id_raises_keyerror():
    with pytest.raises(KeyError, match="deadline"):
        load_codebook().theme("deadline")


# ----------------------------------------------------------------------------- extends and custom files


def test_extends_adds_a_theme_at_the_end():
    cb = load_codebook({"extends": "agency", "themes": [PAPERWORK]})
    assert cb.theme_ids == THEMES + ["paperwork"]
    assert cb.label("paperwork", "en") == "Paperwork"
    # The parent's lexicon and window are inherited.
    assert cb.lexicon.keys() == load_codebook().lexicon.keys()
    assert cb.window == 3
    assert theme_of("Закрывающие документы приходят с опозданием", cb) == ["deadlines", "paperwork"]
    assert theme_of("Сроки сорвали", cb) == ["deadlines"]


def test_extends_replaces_a_theme_in_place():
    price = {"id": "price", "label": {"ru": "Стоимость", "en": "Cost"}, "terms": {"ru": ["смета"], "en": ["estimate"]}}
    cb = load_codebook({"extends": "agency", "themes": [price, PAPERWORK]})
    assert cb.theme_ids == THEMES + ["paperwork"]  # price stays where it was
    assert cb.label("price", "ru") == "Стоимость"
    assert [t.text for t in cb.theme("price").terms] == ["смета", "estimate"]
    assert theme_of("Смету согласовали долго", cb) == ["price"]
    assert theme_of("Дорого", cb) == []  # "дорого" was the old price theme's word
    assert theme_of("Дорого") == ["price"]  # the default is untouched


def test_custom_yaml_file_on_disk(tmp_path):
    path = write(
        tmp_path,
        "mine.yaml",
        """\
id: mine
window: 2
themes:
  - id: paperwork
    label: {ru: "Документы", en: "Paperwork"}
    terms:
      ru: [закрывающий документ, акт]
      en: [invoice*]
    negative:
      ru: [потерять]
  - id: office
    label: {ru: "Офис", en: "Office"}
    terms:
      ru: [офис, парковка]
      en: [office]
sentiment:
  negators:
    ru: [не]
  negative:
    ru: [плохой, далеко]
  positive:
    ru: [хороший]
""",
    )
    for ref in (path, str(path)):
        cb = load_codebook(ref)
        assert cb.id == "mine" and cb.theme_ids == ["paperwork", "office"]
        assert cb.window == 2
        assert cb.source == "mine.yaml"  # the name only: a pack sent to a client carries no local path
        assert cb.files[0][0] == str(path.resolve())
    coded = code_themes(["Акты потеряли", "Офис далеко", "Invoices are late", "Сроки сорвали"], codebook=path)
    assert coded[["paperwork", "office"]].values.tolist() == [
        [True, False],
        [False, True],
        [True, False],
        [False, False],
    ]
    assert "deadlines" not in coded.columns
    assert coded.loc[0, "negative_themes"] == "paperwork"
    assert coded.loc[1, "negative_themes"] == "office"
    assert coded.attrs["codebook"] == "mine"


def test_custom_file_that_extends_agency(tmp_path):
    path = write(
        tmp_path, "agency_plus.yaml", yaml.safe_dump({"extends": "agency", "themes": [PAPERWORK]}, allow_unicode=True)
    )
    cb = load_codebook(path)
    assert cb.theme_ids == THEMES + ["paperwork"]
    assert "extends" in cb.source and "agency.yaml" in cb.source


# ----------------------------------------------------------------------------- errors name the file and field


def problems_of(path):
    with pytest.raises(InputError) as info:
        load_codebook(path)
    return info.value, info.value.problems


def test_missing_label_language(tmp_path):
    path = write(
        tmp_path,
        "cb.yaml",
        """\
themes:
  - id: paperwork
    label: {ru: "Документы"}
    terms: {ru: [акт]}
""",
    )
    err, problems = problems_of(path)
    assert problems[0].source == str(path)
    assert problems[0].column == "themes[0] (paperwork).label"
    assert "'en'" in problems[0].message
    assert str(path) in str(err) and "themes[0] (paperwork).label" in str(err)


def test_theme_without_terms(tmp_path):
    path = write(
        tmp_path,
        "cb.yaml",
        """\
themes:
  - id: paperwork
    label: {ru: "Документы", en: "Paperwork"}
    terms: {ru: [акт]}
  - id: office
    label: {ru: "Офис", en: "Office"}
""",
    )
    err, problems = problems_of(path)
    assert [(p.source, p.column) for p in problems] == [(str(path), "themes[1] (office).terms")]
    assert "term" in problems[0].message
    assert str(path) in str(err)


def test_duplicate_theme_id(tmp_path):
    path = write(
        tmp_path,
        "cb.yaml",
        """\
themes:
  - id: paperwork
    label: {ru: "Документы", en: "Paperwork"}
    terms: {ru: [акт]}
  - id: paperwork
    label: {ru: "Счета", en: "Invoices"}
    terms: {ru: [счет]}
""",
    )
    err, problems = problems_of(path)
    assert [(p.source, p.column) for p in problems] == [(str(path), "themes[1] (paperwork)")]
    assert "twice" in problems[0].message
    assert str(path) in str(err)


def test_bad_yaml_names_the_line(tmp_path):
    path = write(
        tmp_path,
        "cb.yaml",
        """\
themes:
  - id: paperwork
    label: {ru: "Документы", en: "Paperwork"}
    terms: {ru: [акт, счет}
""",
    )
    err, problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].source == str(path)
    assert problems[0].row == 4
    assert "YAML" in problems[0].message
    assert str(path) in str(err) and "row 4" in str(err)


def test_unquoted_no_is_a_yaml_boolean(tmp_path):
    path = write(
        tmp_path,
        "cb.yaml",
        """\
themes:
  - id: refusal
    label: {ru: "Отказ", en: "Refusal"}
    terms:
      ru: [отказ]
      en: [refusal, no]
""",
    )
    err, problems = problems_of(path)
    first = problems[0]
    assert first.source == str(path)
    assert first.column == "themes[0] (refusal).terms.en"
    assert "quotes" in first.message and "no" in first.message
    assert str(path) in str(err)
    # Quoted, it is a word.
    fixed = write(tmp_path, "fixed.yaml", path.read_text(encoding="utf-8").replace("no]", '"no"]'))
    cb = load_codebook(fixed)
    assert "no" in [t.text for t in cb.theme("refusal").terms]


def test_unknown_codebook_name():
    with pytest.raises(InputError) as info:
        load_codebook("no_such_codebook")
    problem = info.value.problems[0]
    assert problem.source.endswith("no_such_codebook.yaml")
    assert "agency" in problem.message  # lists the codebooks there are
    assert "no_such_codebook" in str(info.value)


def test_unknown_parent_in_extends():
    with pytest.raises(InputError, match="no_such_parent"):
        load_codebook({"extends": "no_such_parent", "themes": [PAPERWORK]})


def test_errors_in_a_mapping_are_input_errors():
    with pytest.raises(InputError) as info:
        load_codebook({"themes": [{"id": "x", "label": {"en": "X"}, "terms": {"en": ["x"]}}]})
    assert info.value.problems[0].column == "themes[0] (x).label"
    with pytest.raises(InputError):
        load_codebook({"themes": []})


# ----------------------------------------------------------------------------- to_frame


def test_to_frame_lists_terms():
    cb = load_codebook()
    frame = cb.to_frame()
    assert list(frame.columns) == ["theme", "label", "description", "kind", "lang", "term"]
    assert set(frame["theme"]) == set(THEMES)
    assert set(frame["kind"]) == {"terms", "negative", "positive", "exclude"}
    rows = set(map(tuple, frame[["theme", "kind", "lang", "term"]].to_numpy()))
    assert ("deadlines", "terms", "ru", "срок") in rows
    assert ("deadlines", "terms", "en", "deadline") in rows
    assert ("deadlines", "negative", "ru", "сорвать") in rows
    assert ("deadlines", "positive", "en", "on time") in rows
    assert ("deadlines", "exclude", "ru", "срок действие") in rows
    assert ("creativity", "terms", "ru", "креатив*") in rows
    assert (frame.loc[frame["theme"] == "deadlines", "label"] == "Сроки").all()
    # Every term of the theme is listed once per kind.
    th = cb.theme("deadlines")
    assert (frame["theme"] == "deadlines").sum() == len(th.terms) + len(th.exclude)
    en = cb.to_frame("en")
    assert set(en["lang"]) == {"en"}
    assert (en.loc[en["theme"] == "deadlines", "label"] == "Deadlines").all()
    assert len(en) + len(cb.to_frame("ru")) == len(frame)


def test_to_frame_of_a_custom_codebook():
    cb = load_codebook({"themes": [PAPERWORK]})
    expected = pd.DataFrame(
        {
            "theme": ["paperwork"] * 4,
            "label": ["Документы"] * 4,
            "description": [""] * 4,
            "kind": ["terms"] * 4,
            "lang": ["ru", "ru", "en", "en"],
            "term": ["закрывающий документ", "акт", "invoice*", "closing documents"],
        }
    )
    pd.testing.assert_frame_equal(cb.to_frame(), expected)


# ----------------------------------------------------------------------------- matching

WINDOW3 = {"id": "w", "window": 3, "themes": [PAPERWORK]}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Закрывающие документы прислали", True),
        ("Документы закрывающие прислали", True),  # any order
        ("Закрывающие все эти документы", True),  # two words between
        ("Закрывающие нам все эти документы", True),  # three words between: the window
        ("Закрывающие нам опять все эти документы", False),  # four: beyond the window
        ("Закрывающие прислали. Документы потеряли.", False),  # two sentences
        ("closing the many old documents", True),
        ("documents for closing", True),
        ("closing the many old dusty documents", False),
    ],
)
def test_phrase_matches_in_any_order_within_the_window(text, found):
    assert ("paperwork" in theme_of(text, WINDOW3)) is found


def test_window_setting_is_used():
    narrow = {"id": "w1", "window": 1, "themes": [PAPERWORK]}
    assert theme_of("Закрывающие эти документы", narrow) == ["paperwork"]
    assert theme_of("Закрывающие все эти документы", narrow) == []
    assert theme_of("Закрывающие все эти документы", WINDOW3) == ["paperwork"]


def test_phrases_of_the_default_codebook():
    assert "responsiveness" in theme_of("Скорость реакции на запросы низкая")
    assert "responsiveness" in theme_of("Реакции скорость низкая")
    assert "manager_chemistry" in theme_of("Our account manager is great")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Invoicing is a mess", False),  # "invoicing" (stem "invoic") does not start with "invoice"
        ("Invoices are late", True),
        ("Invoice came twice", True),
        ("INVOICES attached", True),
        ("The voice is nice", False),
        ("Акт подписали", True),
    ],
)
def test_prefix_terms(text, found):
    assert ("paperwork" in theme_of(text, WINDOW3)) is found


@pytest.mark.parametrize(
    "text",
    ["Креативный подход", "Креативность на высоте", "Креатива мало", "Very creative team", "Creativity is lacking"],
)
def test_prefix_terms_of_the_default_codebook(text):
    assert "creativity" in theme_of(text)


def test_exclude_phrases_suppress_a_theme():
    assert theme_of("Срок действия договора истекает в мае") == []
    assert theme_of("Срок договора продлили") == []
    assert theme_of("Сроки сорвали") == ["deadlines"]
    assert theme_of("The contract term ends in May") == []
    assert theme_of("Наша команда довольна") == []  # "наш команда": the client's own team
    assert theme_of("Команда агентства сильная") == ["team_people"]
    # In another sentence, a deadline is a deadline.
    assert theme_of("Срок действия договора продлили. Сроки проекта обсудим отдельно.") == ["deadlines"]


def test_exclude_phrases_suppress_only_the_words_they_cover():
    """'words they cover code nothing': a second 'сроки' outside the excluded phrase still codes deadlines."""
    assert theme_of("Срок действия договора продлили, сроки проекта обсудим отдельно") == ["deadlines"]


def test_exclude_in_a_custom_codebook():
    cb = {"themes": [{**PAPERWORK, "exclude": {"ru": ["акт сверки"]}}]}
    assert theme_of("Акт сверки прислали", cb) == []
    assert theme_of("Акт подписали", cb) == ["paperwork"]


def test_terms_written_in_any_form():
    # "отчётах", "отчеты", "отчёт" are one word; "reports", "reporting" one stem.
    for text in ("Отчёты приходят", "В отчетах ошибки", "Отчёт хороший", "Reports are fine", "Reporting is fine"):
        assert "reporting" in theme_of(text), text


def test_extending_sentiment_adds_to_the_parents_lists():
    cb = load_codebook({"extends": "agency", "sentiment": {"negators": {"ru": ["вряд ли"]}}})
    base = load_codebook()
    assert len(cb.lexicon["negators"]) == len(base.lexicon["negators"]) + 1
    for name in ("positive", "negative", "lacking", "clause_breaks"):
        assert len(cb.lexicon[name]) == len(base.lexicon[name]), name
    assert code_themes(["Отчёты отличные"], codebook=cb).loc[0, "positive_themes"] == "reporting"


def test_editing_the_parent_of_an_extending_codebook_is_noticed(tmp_path):
    import os
    import time

    parent = tmp_path / "base.yaml"
    child = tmp_path / "child.yaml"
    theme = {"id": "paperwork", "label": {"ru": "Документы", "en": "Paperwork"}, "terms": {"ru": ["акт"]}}
    parent.write_text(yaml.safe_dump({"id": "base", "themes": [theme]}, allow_unicode=True), encoding="utf-8")
    child.write_text(
        yaml.safe_dump(
            {
                "id": "child",
                "extends": str(parent),
                "themes": [{"id": "office", "label": {"ru": "Офис", "en": "Office"}, "terms": {"ru": ["офис"]}}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    assert load_codebook(child).theme_ids == ["paperwork", "office"]
    theme["id"] = "documents"
    parent.write_text(yaml.safe_dump({"id": "base", "themes": [theme]}, allow_unicode=True), encoding="utf-8")
    later = time.time() + 5
    os.utime(parent, (later, later))
    assert load_codebook(child).theme_ids == ["documents", "office"]


def test_a_hand_built_codebook_gets_its_own_reader():
    from dataclasses import replace

    base = load_codebook()
    only_price = replace(base, themes=[base.theme("price")])
    coded = code_themes(["Дорого и сроки сорваны"], codebook=only_price)
    assert "price" in coded and "deadlines" not in coded
    assert "deadlines" in code_themes(["Сроки сорваны"]).columns
