"""Questionnaire templates: loading, bilingual texts, validation with key paths."""
from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from cxlab.questionnaire import (
    TEMPLATE_DIR,
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
)
from cxlab.schema import TABLES

ATTRIBUTES = ["responsiveness", "understanding_goals", "immersion", "proactivity", "reporting",
              "team_competence", "manager_chemistry", "deadlines", "value_for_money"]


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire("pr_agency")


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load((TEMPLATE_DIR / "pr_agency.yaml").read_text(encoding="utf-8"))


def test_loads_by_name_and_by_path(q):
    assert q.id == "pr_agency"
    assert q.title["ru"] and q.title["en"]
    assert q.version
    by_path = load_questionnaire(TEMPLATE_DIR / "pr_agency.yaml")
    pd.testing.assert_frame_equal(by_path.services, q.services)
    assert by_path.questions == q.questions


def test_scales(q):
    assert q.scales["nps"] == (0, 10)
    assert q.scales["rating"] == (1, 5)
    assert q.scales["price"] == (1, 5)
    assert q.scale_text("nps") == "0-10"
    assert set(q.scale_labels["rating"]) == {1, 2, 3, 4, 5}
    assert q.scale_labels["rating"][1]["ru"] == "Совсем не доволен"
    assert q.scale_labels["price"][5]["en"] == "Well below the market"


def test_catalogue_shape(q):
    assert list(q.services.columns) == TABLES["services"].names
    assert 8 <= len(q.directions) <= 10
    for d in q.directions:
        assert 2 <= len(d["services"]) <= 4
    assert q.services["service_id"].is_unique
    assert set(q.services["direction"]) == set(q.direction_ids)
    assert "media_press_office" in q.service_ids
    for col in q.services.columns:
        assert q.services[col].dtype == "str"
    assert list(q.attributes.columns) == ["attribute_id", "name_ru", "name_en"]
    assert q.attribute_ids == ATTRIBUTES


def test_questions(q):
    ids = [x["id"] for x in q.questions]
    for needed in ["recommend", "recommend_why", "overall", "services", "attributes", "needs",
                   "price", "comment"]:
        assert needed in ids
    assert q.question("recommend")["type"] == "nps"
    assert q.question("recommend")["scale"] == "nps"
    assert q.question("services")["type"] == "grid"
    assert q.question("services")["items"] == "services"
    assert q.question("attributes")["items"] == "attributes"
    assert q.question("needs")["type"] == "multi_choice"
    assert q.question("price")["scale"] == "price"
    with pytest.raises(KeyError):
        q.question("nope")


def _texts(obj, path=""):
    """Yield (path, mapping) for every mapping that carries a text (ru or en)."""
    if isinstance(obj, dict):
        if "ru" in obj or "en" in obj:
            yield path, obj
        for k, v in obj.items():
            yield from _texts(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _texts(v, f"{path}[{i}]")


def test_every_text_in_ru_and_en(raw):
    found = list(_texts(raw))
    assert len(found) > 50
    for path, m in found:
        for lang in ("ru", "en"):
            assert isinstance(m.get(lang), str) and m[lang].strip(), f"{path}: no {lang}"
        assert any("а" <= ch <= "я" or ch == "ё" for ch in m["ru"].lower()), f"{path}: ru not Russian"


def test_label(q):
    assert q.label("media_press_office", "ru") == "Пресс-офис и подготовка пресс-релизов"
    assert q.label("media_press_office", "en") == "Press office and press releases"
    assert q.label("responsiveness", "en") == "Responsiveness"
    assert q.label("crisis", "en") == "Crisis communications"
    assert q.label("recommend", "ru").startswith("Насколько вероятно")
    assert q.label("deadlines") == "Соблюдение сроков"  # ru by default
    with pytest.raises(KeyError):
        q.label("no_such_item", "ru")
    with pytest.raises(ValueError):
        q.label("responsiveness", "de")
    assert q.labels("en")["value_for_money"] == "Value for money"


def test_unknown_template():
    with pytest.raises(FileNotFoundError, match="no_such_template"):
        load_questionnaire("no_such_template")


# ---------------------------------------------------------------------------
# broken templates
# ---------------------------------------------------------------------------
def _del(path, key):
    def f(d):
        node = d
        for p in path:
            node = node[p]
        del node[key]
    return f


def _set(path, key, value):
    def f(d):
        node = d
        for p in path:
            node = node[p]
        node[key] = value
    return f


def _dup_service(d):
    d["directions"][1]["services"][0]["id"] = d["directions"][0]["services"][0]["id"]


def _dup_across(d):
    d["attributes"][0]["id"] = d["questions"][0]["id"]


BROKEN = [
    ("missing service en", _del(["directions", 2, "services", 0], "en"),
     "directions[2].services[0]: missing 'en'"),
    ("empty service ru", _set(["directions", 2, "services", 1], "ru", "  "),
     "directions[2].services[1].ru: expected a non-empty text"),
    ("missing direction ru", _del(["directions", 4], "ru"), "directions[4]: missing 'ru'"),
    ("missing title en", _del(["title"], "en"), "title: missing 'en'"),
    ("missing attribute en", _del(["attributes", 3], "en"), "attributes[3]: missing 'en'"),
    ("missing question ru", _del(["questions", 1], "ru"), "questions[1]: missing 'ru'"),
    ("duplicate service id", _dup_service, "directions[1].services[0].id: duplicate id"),
    ("duplicate id across sections", _dup_across,
     "questions[0].id: duplicate id 'recommend' (already used at attributes[0])"),
    ("scale min >= max", _set(["scales", "rating"], "min", 5), "scales.rating: min (5) must be below max (5)"),
    ("scale min > max", _set(["scales", "price"], "max", 0), "scales.price: min (1) must be below max (0)"),
    ("scale label outside", _set(["scales", "rating", "labels"], 7, {"ru": "x", "en": "x"}),
     "scales.rating.labels.7: label point 7 outside"),
    ("scale label without en", _set(["scales", "nps", "labels"], 0, {"ru": "Никогда"}),
     "scales.nps.labels.0: missing 'en'"),
    ("non-integer scale", _set(["scales", "rating"], "max", "five"), "scales.rating.max: expected an integer"),
    ("unknown scale name", _set(["questions", 2], "scale", "stars"), "questions[2].scale: unknown scale 'stars'"),
    ("nps on a 1-5 scale", _set(["questions", 0], "scale", "rating"), "questions[0].scale: an nps question needs a 0-10"),
    ("rating without scale", _del(["questions", 2], "scale"), "questions[2]: missing 'scale'"),
    ("unknown question type", _set(["questions", 3], "type", "slider"), "questions[3].type: unknown question type"),
    ("grid without items", _del(["questions", 3], "items"), "questions[3]: missing 'items'"),
    ("grid over unknown items", _set(["questions", 4], "items", "teams"), "questions[4].items: unknown item source"),
    ("unknown target", _set(["questions", 0], "target", "responses.stars"), "questions[0].target: unknown target"),
    ("bad id", _set(["attributes", 0], "id", "Скорость"), "attributes[0].id: invalid id"),
    ("services not a list", _set(["directions", 0], "services", "media"), "directions[0].services: expected a list"),
    ("no directions", _set([], "directions", []), "directions: must not be empty"),
    ("no questions key", _del([], "questions"), "missing 'questions'"),
    ("no scales", _del([], "scales"), "missing 'scales'"),
]


@pytest.mark.parametrize("name,mutate,expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_template_is_refused(tmp_path, raw, name, mutate, expected):
    broken = copy.deepcopy(raw)
    mutate(broken)
    path = tmp_path / "pr_agency.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as exc:
        load_questionnaire(path)
    msg = str(exc.value)
    assert msg.startswith("pr_agency.yaml: "), msg
    assert expected in msg, msg
    assert isinstance(exc.value, ValueError)


def test_exact_message_for_missing_text(tmp_path, raw):
    broken = copy.deepcopy(raw)
    del broken["directions"][2]["services"][0]["en"]
    path = tmp_path / "pr_agency.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"^pr_agency\.yaml: directions\[2\]\.services\[0\]: missing 'en'$"):
        load_questionnaire(path)


def test_invalid_yaml_and_non_mapping(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="bad.yaml: not valid YAML"):
        load_questionnaire(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="list.yaml: expected a mapping"):
        load_questionnaire(lst)


def test_minimal_custom_template(tmp_path):
    text = """
id: mini
title: {ru: "Мини", en: "Mini"}
version: 1
scales:
  nps: {min: 0, max: 10}
directions:
  - id: media
    ru: "СМИ"
    en: "Media"
    services:
      - {id: press, ru: "Пресс-релизы", en: "Press releases"}
attributes:
  - {id: speed, ru: "Скорость", en: "Speed"}
questions:
  - {id: recommend, type: nps, scale: nps, ru: "Порекомендуете?", en: "Recommend?"}
"""
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    q = load_questionnaire(path)
    assert q.version == "1"
    assert q.services.to_dict("records") == [
        {"service_id": "press", "direction": "media", "name_ru": "Пресс-релизы", "name_en": "Press releases"}]
    assert q.label("speed", "en") == "Speed"
