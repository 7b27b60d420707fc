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
    normalize_label,
)
from cxlab.schema import TABLES

ATTRIBUTES = [
    "responsiveness",
    "understanding_goals",
    "immersion",
    "proactivity",
    "reporting",
    "team_competence",
    "manager_chemistry",
    "deadlines",
    "value_for_money",
]

#: Every bundled template; the new ones must be here, others are welcome.
TEMPLATES = sorted({f.stem for f in TEMPLATE_DIR.glob("*.yaml")} | {"pr_agency", "digital_agency", "b2b_industrial"})

RATING_LABELS = {
    1: ("Совсем не доволен", "Very dissatisfied"),
    2: ("Скорее не доволен", "Dissatisfied"),
    3: ("И да, и нет", "Neither satisfied nor dissatisfied"),
    4: ("Скорее доволен", "Satisfied"),
    5: ("Полностью доволен", "Very satisfied"),
}

#: question id -> (type, items, target, scale) every bundled template asks.
REQUIRED_QUESTIONS = {
    "recommend": ("nps", None, "responses.nps", "nps"),
    "recommend_why": ("text", None, "responses.reason", None),
    "overall": ("rating", None, "responses.overall", "rating"),
    "services": ("grid", "services", "answers.service", "rating"),
    "attributes": ("grid", "attributes", "answers.attribute", "rating"),
    "needs": ("multi_choice", "services", "answers.need", None),
    "price": ("rating", None, "responses.price", "price"),
    "comment": ("text", None, "responses.comment", None),
}


#: The smallest valid template: one direction, service, attribute and question, no scale labels.
MINI = """
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
    for needed in ["recommend", "recommend_why", "overall", "services", "attributes", "needs", "price", "comment"]:
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


def test_recommend_why_feeds_reason_not_comment(q):
    assert q.question("recommend_why")["target"] == "responses.reason"
    assert q.target("recommend_why") == "responses.reason"
    assert q.target("comment") == "responses.comment"


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
# every bundled template
# ---------------------------------------------------------------------------
def _raw(name: str) -> dict:
    return yaml.safe_load((TEMPLATE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_bundled_template_loads(name):
    t = load_questionnaire(name)
    assert t.id == name
    assert t.title["ru"] and t.title["en"]
    assert list(t.services.columns) == TABLES["services"].names
    assert set(t.services["direction"]) == set(t.direction_ids)
    for d in t.directions:
        assert 2 <= len(d["services"]) <= 4, d["id"]
    assert list(t.touchpoints.columns) == ["touchpoint_id", "name_ru", "name_en"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_bundled_template_questions(name):
    t = load_questionnaire(name)
    ids = [x["id"] for x in t.questions]
    for qid, (qtype, items, target, scale) in REQUIRED_QUESTIONS.items():
        question = t.question(qid)
        assert question["type"] == qtype, qid
        assert question.get("items") == items, qid
        assert t.target(qid) == target, qid
        if scale:
            assert question["scale"] == scale, qid
    # "why?" is asked right after the recommend question
    assert ids.index("recommend_why") == ids.index("recommend") + 1
    assert t.scales["nps"] == (0, 10)
    assert set(t.scale_labels["nps"]) >= {0, 10}
    assert t.scales["rating"] == (1, 5)
    assert {k: (v["ru"], v["en"]) for k, v in t.scale_labels["rating"].items()} == RATING_LABELS
    assert t.scales["price"] == (1, 5)
    assert t.scale_labels["price"] == load_questionnaire("pr_agency").scale_labels["price"]
    assert t.attribute_ids == ATTRIBUTES
    # one question per responses column
    targets = [t.target(i) for i in ids]
    single = [x for x in targets if x and x.startswith("responses.")]
    assert len(single) == len(set(single))


@pytest.mark.parametrize("name", TEMPLATES)
def test_bundled_template_ids_unique(name):
    raw = _raw(name)
    ids = [d["id"] for d in raw["directions"]]
    ids += [s["id"] for d in raw["directions"] for s in d["services"]]
    ids += [a["id"] for a in raw["attributes"]]
    ids += [x["id"] for x in raw.get("touchpoints") or []]
    ids += [x["id"] for x in raw["questions"]]
    assert len(ids) == len(set(ids))
    assert set(load_questionnaire(name).labels("en")) == set(ids)


@pytest.mark.parametrize("name", TEMPLATES)
def test_bundled_template_texts(name):
    found = list(_texts(_raw(name)))
    assert len(found) > 40
    for path, m in found:
        for lang in ("ru", "en"):
            assert isinstance(m.get(lang), str) and m[lang].strip(), f"{path}: no {lang}"
        assert any("а" <= ch <= "я" or ch == "ё" for ch in m["ru"].lower()), f"{path}: ru not Russian"
        assert m["en"].isascii(), f"{path}: en not English"


def test_digital_agency_catalogue():
    t = load_questionnaire("digital_agency")
    assert set(t.direction_ids) == {
        "seo",
        "paid_search",
        "paid_social",
        "social_media",
        "web_development",
        "analytics",
        "content",
        "strategy",
        "crm",
    }
    ru = " ".join(t.services["name_ru"])
    for word in (
        "SEO",
        "Яндекс Директ",
        "Google Ads",
        "Telegram Ads",
        "myTarget",
        "Programmatic",
        "лендинг",
        "интернет-магазин",
        "UX/UI",
        "Яндекс Метрика",
        "GA4",
        "A/B",
        "Медиапланирование",
        "Email",
    ):
        assert word in ru, word
    assert t.touchpoints.empty and t.touchpoint_ids == []


def test_b2b_industrial_touchpoints():
    t = load_questionnaire("b2b_industrial")
    assert t.direction_ids == ["machinery", "energy", "construction"]
    assert t.touchpoint_ids == [
        "first_contact",
        "commercial_proposal",
        "contract_negotiation",
        "production",
        "delivery",
        "installation",
        "after_sales",
        "invoicing",
    ]
    for col in t.touchpoints.columns:
        assert t.touchpoints[col].dtype == "str"
    tp = t.question("touchpoints")
    assert (tp["type"], tp["items"], tp["scale"]) == ("grid", "touchpoints", "rating")
    assert t.target("touchpoints") == "answers.touchpoint"
    assert t.label("commercial_proposal", "ru") == "Подготовка коммерческого предложения"
    assert t.label("delivery", "en") == "Delivery and logistics"
    assert t.labels("en")["invoicing"].startswith("Invoicing")


def test_target_defaults(tmp_path):
    """Without an explicit target a question lands where its type says."""
    text = """
id: defaults
title: {ru: "Умолчания", en: "Defaults"}
version: 1
scales:
  nps: {min: 0, max: 10}
  rating: {min: 1, max: 5}
directions:
  - {id: media, ru: "СМИ", en: "Media", services: [{id: press, ru: "Пресс-релизы", en: "Press releases"}]}
attributes:
  - {id: speed, ru: "Скорость", en: "Speed"}
touchpoints:
  - {id: offer, ru: "Предложение", en: "Proposal"}
questions:
  - {id: recommend, type: nps, scale: nps, ru: "Порекомендуете?", en: "Recommend?"}
  - {id: svc, type: grid, scale: rating, items: services, ru: "Услуги", en: "Services"}
  - {id: attr, type: grid, scale: rating, items: attributes, ru: "Параметры", en: "Aspects"}
  - {id: tps, type: grid, scale: rating, items: touchpoints, ru: "Этапы", en: "Stages"}
  - {id: lack, type: multi_choice, items: services, ru: "Чего не хватает?", en: "What is missing?"}
  - {id: note, type: text, ru: "Заметка", en: "Note"}
"""
    path = tmp_path / "defaults.yaml"
    path.write_text(text, encoding="utf-8")
    t = load_questionnaire(path)
    assert [t.target(x) for x in ("recommend", "svc", "attr", "tps", "lack", "note")] == [
        "responses.nps",
        "answers.service",
        "answers.attribute",
        "answers.touchpoint",
        "answers.need",
        None,
    ]
    assert t.touchpoint_ids == ["offer"]
    assert t.label("offer", "en") == "Proposal"
    with pytest.raises(KeyError):
        t.target("nope")


def test_normalize_label():
    assert normalize_label("  «Скорее  доволен.» ") == "скорее доволен"
    assert normalize_label("Всё\u00a0отлично!") == "все отлично"
    assert normalize_label("И да, и нет") == "и да, и нет"
    assert normalize_label("- Satisfied -") == "satisfied"


@pytest.mark.parametrize("name", TEMPLATES)
def test_scale_label_values(name):
    t = load_questionnaire(name)
    values = t.scale_label_values("rating")
    for point, (ru, en) in RATING_LABELS.items():
        assert values[ru] == point
        assert values[en] == point
        assert values[normalize_label(ru)] == point
        assert values[normalize_label(en)] == point
    assert values[normalize_label("  скорее   ДОВОЛЕН! ")] == 4
    assert values[normalize_label("«И да, и нет»")] == 3
    assert values[normalize_label("VERY SATISFIED.")] == 5
    assert t.scale_label_values("nps")["Extremely likely"] == 10
    assert t.scale_label_values("price")[normalize_label("Дороговато...")] == 2
    with pytest.raises(KeyError):
        t.scale_label_values("stars")


def test_scale_label_values_without_labels(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    assert load_questionnaire(path).scale_label_values("nps") == {}


def test_ru_label_matching_en_label_of_same_point_is_fine(tmp_path, raw):
    """The same text for one point in both languages is not ambiguous."""
    ok = copy.deepcopy(raw)
    ok["scales"]["choice"]["labels"][1] = {"ru": "OK", "en": "OK"}
    path = tmp_path / "pr_agency.yaml"
    path.write_text(yaml.safe_dump(ok, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_questionnaire(path).scale_label_values("choice")["ok"] == 1


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
    ("missing service en", _del(["directions", 2, "services", 0], "en"), "directions[2].services[0]: missing 'en'"),
    (
        "empty service ru",
        _set(["directions", 2, "services", 1], "ru", "  "),
        "directions[2].services[1].ru: expected a non-empty text",
    ),
    ("missing direction ru", _del(["directions", 4], "ru"), "directions[4]: missing 'ru'"),
    ("missing title en", _del(["title"], "en"), "title: missing 'en'"),
    ("missing attribute en", _del(["attributes", 3], "en"), "attributes[3]: missing 'en'"),
    ("missing question ru", _del(["questions", 1], "ru"), "questions[1]: missing 'ru'"),
    ("duplicate service id", _dup_service, "directions[1].services[0].id: duplicate id"),
    (
        "duplicate id across sections",
        _dup_across,
        "questions[0].id: duplicate id 'recommend' (already used at attributes[0])",
    ),
    ("scale min >= max", _set(["scales", "rating"], "min", 5), "scales.rating: min (5) must be below max (5)"),
    ("scale min > max", _set(["scales", "price"], "max", 0), "scales.price: min (1) must be below max (0)"),
    (
        "scale label outside",
        _set(["scales", "rating", "labels"], 7, {"ru": "x", "en": "x"}),
        "scales.rating.labels.7: label point 7 outside",
    ),
    (
        "scale label without en",
        _set(["scales", "nps", "labels"], 0, {"ru": "Никогда"}),
        "scales.nps.labels.0: missing 'en'",
    ),
    ("non-integer scale", _set(["scales", "rating"], "max", "five"), "scales.rating.max: expected an integer"),
    ("unknown scale name", _set(["questions", 2], "scale", "stars"), "questions[2].scale: unknown scale 'stars'"),
    (
        "nps on a 1-5 scale",
        _set(["questions", 0], "scale", "rating"),
        "questions[0].scale: an nps question needs a 0-10",
    ),
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
    # recommend_why is questions[1], comment is questions[7]: the second one is named
    (
        "two questions on responses.comment",
        _set(["questions", 1], "target", "responses.comment"),
        "questions[7].target: target 'responses.comment' already used by questions[1] (recommend_why)",
    ),
    (
        "duplicate label in a scale",
        _set(["scales", "rating", "labels", 4], "ru", "Скорее не доволен"),
        "scales.rating.labels.4.ru: duplicate label 'Скорее не доволен' (already used at scales.rating.labels.2.ru)",
    ),
    (
        "duplicate label after normalising",
        _set(["scales", "price", "labels", 2], "en", "much too EXPENSIVE!"),
        "scales.price.labels.2.en: duplicate label 'much too EXPENSIVE!'",
    ),
    (
        "label names two points across languages",
        _set(["scales", "choice", "labels", 0], "en", "Выбрано"),
        "scales.choice.labels.1.ru: duplicate label 'Выбрано' (already used at scales.choice.labels.0.en)",
    ),
    (
        "grid over touchpoints without touchpoints",
        _set(["questions", 4], "items", "touchpoints"),
        "questions[4].items: item source 'touchpoints' but the template has no 'touchpoints' list",
    ),
    (
        "text question on responses.nps",
        _set(["questions", 7], "target", "responses.nps"),
        "questions[7].target: a text question cannot feed 'responses.nps'",
    ),
    (
        "attribute grid on answers.service",
        _set(["questions", 4], "target", "answers.service"),
        "questions[4].target: 'answers.service' needs a question over services",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
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


def _b2b_touchpoint_dup(d):
    d["touchpoints"][2]["id"] = d["directions"][0]["services"][0]["id"]


BROKEN_B2B = [
    ("missing touchpoint en", _del(["touchpoints", 3], "en"), "touchpoints[3]: missing 'en'"),
    ("empty touchpoint ru", _set(["touchpoints", 0], "ru", ""), "touchpoints[0].ru: expected a non-empty text"),
    (
        "touchpoint id shared with a service",
        _b2b_touchpoint_dup,
        "touchpoints[2].id: duplicate id 'machinery_supply' (already used at directions[0].services[0])",
    ),
    ("touchpoints not a list", _set([], "touchpoints", {"a": 1}), "touchpoints: expected a list"),
    (
        "touchpoints removed",
        _del([], "touchpoints"),
        "questions[5].items: item source 'touchpoints' but the template has no 'touchpoints' list",
    ),
    (
        "unknown item source",
        _set(["questions", 5], "items", "stages"),
        "questions[5].items: unknown item source 'stages' (expected one of services, attributes, touchpoints)",
    ),
    (
        "two questions on responses.comment",
        _set(["questions", 1], "target", "responses.comment"),
        "questions[8].target: target 'responses.comment' already used by questions[1] (recommend_why)",
    ),
    (
        "duplicate label in a scale",
        _set(["scales", "rating", "labels", 5], "en", "Satisfied"),
        "scales.rating.labels.5.en: duplicate label 'Satisfied' (already used at scales.rating.labels.4.en)",
    ),
    (
        "touchpoint grid on answers.attribute",
        _set(["questions", 5], "target", "answers.attribute"),
        "questions[5].target: 'answers.attribute' needs a question over attributes",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), BROKEN_B2B, ids=[b[0] for b in BROKEN_B2B])
def test_broken_b2b_template_is_refused(tmp_path, name, mutate, expected):
    broken = _raw("b2b_industrial")
    mutate(broken)
    path = tmp_path / "b2b_industrial.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as exc:
        load_questionnaire(path)
    msg = str(exc.value)
    assert msg.startswith("b2b_industrial.yaml: "), msg
    assert expected in msg, msg


def test_second_default_nps_question_is_refused(tmp_path, raw):
    """Two nps questions both land in responses.nps even without a target."""
    broken = copy.deepcopy(raw)
    extra = {"id": "recommend_again", "type": "nps", "scale": "nps", "ru": "Ещё раз?", "en": "Again?"}
    broken["questions"].append(extra)
    path = tmp_path / "pr_agency.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(
        QuestionnaireError, match=r"questions\[8\]: target 'responses.nps' already used by questions\[0\]"
    ):
        load_questionnaire(path)


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
    with pytest.raises(QuestionnaireError, match=r"bad\.yaml: not valid YAML"):
        load_questionnaire(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"list\.yaml: expected a mapping"):
        load_questionnaire(lst)


def test_minimal_custom_template(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    q = load_questionnaire(path)
    assert q.version == "1"
    assert q.services.to_dict("records") == [
        {"service_id": "press", "direction": "media", "name_ru": "Пресс-релизы", "name_en": "Press releases"}
    ]
    assert q.label("speed", "en") == "Speed"
