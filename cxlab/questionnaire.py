"""Questionnaire templates: the service catalogue, attributes and questions.

A questionnaire is a YAML file in ``templates/questionnaires/`` (see
``pr_agency.yaml``).  It holds

* ``id``, ``title`` (``{ru, en}``) and ``version``;
* ``scales``: named answer scales, each ``{min, max, labels}`` where
  ``labels`` maps a point of the scale to ``{ru, en}``;
* ``directions``: the catalogue of services grouped by direction of work,
  each direction ``{id, ru, en, services: [{id, ru, en}, ...]}``;
* ``attributes``: the relationship attributes rated in the attribute grid
  (``{id, ru, en}``);
* ``touchpoints`` (optional): the stages of the customer journey rated in a
  touchpoint grid (``{id, ru, en}``), e.g. commercial proposal, delivery;
* ``questions``: ``{id, type, ru, en}`` plus ``scale`` (a scale name, required
  for ``nps``, ``rating`` and ``grid``), ``items`` (``services``,
  ``attributes`` or ``touchpoints``, required for ``grid`` and
  ``multi_choice``), and optionally ``target`` (where the answer lands:
  ``responses.nps``, ``answers.service``, ...) and ``required``.

Every text exists in Russian and English and every id is unique in the file
(directions, services, attributes, touchpoints and questions share one
namespace), so :meth:`Questionnaire.label` is unambiguous.  The labels of one
scale are unique (after :func:`normalize_label`), so an answer given as a
label reads back to one point (:meth:`Questionnaire.scale_label_values`).
Each ``responses.*`` column is fed by at most one question, and a target
fits its question (a text question cannot land in ``responses.nps``, a grid
over attributes cannot land in ``answers.service``).  A template that breaks
these rules is refused with :class:`QuestionnaireError`, whose message names
the file and the key path, e.g.
``pr_agency.yaml: directions[2].services[0]: missing 'en'``.

Examples
--------
>>> from cxlab.questionnaire import load_questionnaire
>>> q = load_questionnaire("pr_agency")
>>> q.scales["nps"]
(0, 10)
>>> list(q.services.columns)
['service_id', 'direction', 'name_ru', 'name_en']
>>> q.label("responsiveness", "en")
'Responsiveness'
>>> q.target("recommend_why")
'responses.reason'
>>> q.scale_label_values("rating")["скорее доволен"]
4
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from cxlab.errors import MissingFileError, NotFoundError, ParameterError, QuestionnaireError
from cxlab.resources import template_path
from cxlab.schema import TABLES

__all__ = [
    "QuestionnaireError",
    "Questionnaire",
    "load_questionnaire",
    "validate_questionnaire",
    "TEMPLATE_DIR",
    "LANGS",
    "QUESTION_TYPES",
    "QUESTION_TARGETS",
    "ITEM_SOURCES",
    "normalize_label",
    "find_questionnaire",
]

#: Directory of the bundled questionnaire templates (``templates/questionnaires``, package data).
TEMPLATE_DIR = template_path("questionnaires")

#: Languages every text must exist in.
LANGS = ("ru", "en")

#: Allowed question types.
QUESTION_TYPES = ("nps", "rating", "grid", "multi_choice", "text")

#: Allowed values of a question's ``target``.
QUESTION_TARGETS = (
    "responses.nps",
    "responses.overall",
    "responses.price",
    "responses.reason",
    "responses.comment",
    "answers.service",
    "answers.attribute",
    "answers.touchpoint",
    "answers.need",
    "answers.importance",
)

#: Allowed values of a question's ``items``: the list a grid or a
#: multi-choice question runs over.
ITEM_SOURCES = ("services", "attributes", "touchpoints")

# Where a question lands when it names no ``target``: (type, items) -> target.
# Only unambiguous cases have a default; a rating or text question must say
# which ``responses`` column it feeds.
_DEFAULT_TARGETS: dict[tuple[str | None, str | None], str] = {
    ("nps", None): "responses.nps",
    ("grid", "services"): "answers.service",
    ("grid", "attributes"): "answers.attribute",
    ("grid", "touchpoints"): "answers.touchpoint",
    ("multi_choice", "services"): "answers.need",
}
# Which question types may feed a target: one number per response needs a
# scale, free text goes to the text columns, answers rows come from lists.
_TARGET_TYPES = {
    "responses.nps": ("nps", "rating"),
    "responses.overall": ("nps", "rating"),
    "responses.price": ("nps", "rating"),
    "responses.reason": ("text",),
    "responses.comment": ("text",),
    "answers.service": ("grid", "multi_choice"),
    "answers.attribute": ("grid", "multi_choice"),
    "answers.touchpoint": ("grid", "multi_choice"),
    "answers.need": ("grid", "multi_choice"),
    "answers.importance": ("grid", "multi_choice"),
}
# Answers of these kinds carry an item id of one list, so the question must
# run over that list (need and importance may be asked about any list).
_TARGET_ITEMS = {
    "answers.service": "services",
    "answers.attribute": "attributes",
    "answers.touchpoint": "touchpoints",
}
_NEEDS_SCALE = {"nps", "rating", "grid"}
_NEEDS_ITEMS = {"grid", "multi_choice"}
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def normalize_label(text: str) -> str:
    """The form a scale label is matched in.

    Lower-case, ``ё`` -> ``е``, runs of white space (non-breaking spaces
    included) collapsed to one space, and punctuation stripped at both ends,
    so ``"«Скорее  доволен.»"`` and ``"скорее доволен"`` match.  Punctuation
    inside is kept (``"И да, и нет"`` -> ``"и да, и нет"``): a comma inside
    a label is part of its wording, not noise around it.

    Examples
    --------
    >>> normalize_label("  «Скорее  доволен.» ")
    'скорее доволен'
    >>> normalize_label("Всё отлично!")
    'все отлично'
    """
    s = " ".join(str(text).lower().replace("ё", "е").split())

    # Strip punctuation and the spaces it leaves, at both ends: "- Да." -> "да".
    def is_edge(ch: str) -> bool:
        return ch.isspace() or unicodedata.category(ch).startswith("P")

    lo, hi = 0, len(s)
    while lo < hi and is_edge(s[lo]):
        lo += 1
    while hi > lo and is_edge(s[hi - 1]):
        hi -= 1
    return s[lo:hi]


def _default_target(question: dict) -> str | None:
    return _DEFAULT_TARGETS.get((question.get("type"), question.get("items")))


def _item_frame(items, id_column: str) -> pd.DataFrame:
    """Attributes or touchpoints as a frame: id, name_ru, name_en."""
    return pd.DataFrame(
        [(x["id"], x["ru"], x["en"]) for x in items or []], columns=[id_column, "name_ru", "name_en"]
    ).astype("str")


def _empty_touchpoints() -> pd.DataFrame:
    return _item_frame([], "touchpoint_id")


@dataclass
class Questionnaire:
    """A loaded and validated questionnaire template.

    Attributes
    ----------
    id, title, version
        Template id, ``{"ru": ..., "en": ...}`` title and version string.
    scales
        Scale name -> ``(min, max)``.
    directions
        List of ``{"id", "ru", "en", "services": [{"id", "ru", "en"}, ...]}``.
    services
        Frame with the columns of the canonical ``services`` table
        (``service_id, direction, name_ru, name_en``).
    attributes
        Frame ``attribute_id, name_ru, name_en``.
    touchpoints
        Frame ``touchpoint_id, name_ru, name_en`` (empty when the template
        has no ``touchpoints``).
    questions
        List of question dicts as written in the template.
    scale_labels
        Scale name -> {point: {"ru", "en"}}.
    path
        File the template was read from.
    """

    id: str
    title: dict
    version: str
    scales: dict[str, tuple[int, int]]
    directions: list[dict]
    services: pd.DataFrame
    attributes: pd.DataFrame
    questions: list[dict]
    scale_labels: dict[str, dict[int, dict]] = field(default_factory=dict)
    path: Path | None = None
    touchpoints: pd.DataFrame = field(default_factory=_empty_touchpoints)

    def __post_init__(self) -> None:
        labels: dict[str, dict[str, str]] = {}
        for d in self.directions:
            labels[d["id"]] = {lang: d[lang] for lang in LANGS}
            for s in d.get("services", []):
                labels[s["id"]] = {lang: s[lang] for lang in LANGS}
        for row in self.attributes.itertuples(index=False):
            labels[row.attribute_id] = {"ru": row.name_ru, "en": row.name_en}
        for row in self.touchpoints.itertuples(index=False):
            labels[row.touchpoint_id] = {"ru": row.name_ru, "en": row.name_en}
        for q in self.questions:
            labels[q["id"]] = {lang: q[lang] for lang in LANGS}
        self._labels = labels

    # -- look-ups ---------------------------------------------------------
    def label(self, item_id: str, lang: str = "ru") -> str:
        """Name of a service, attribute, touchpoint, direction or question in ``lang``.

        Raises ``KeyError`` for an unknown id and ``ValueError`` for a
        language other than ``"ru"`` or ``"en"``.
        """
        if lang not in LANGS:
            raise ParameterError(f"lang must be one of {LANGS}, got {lang!r}", parameter="lang", value=lang)
        try:
            return self._labels[item_id][lang]
        except KeyError:
            raise NotFoundError(f"{self.id}: unknown id {item_id!r}", kind="id", key=item_id) from None

    def labels(self, lang: str = "ru") -> dict[str, str]:
        """All ids -> names in ``lang``."""
        if lang not in LANGS:
            raise ParameterError(f"lang must be one of {LANGS}, got {lang!r}", parameter="lang", value=lang)
        return {k: v[lang] for k, v in self._labels.items()}

    def question(self, question_id: str) -> dict:
        """The question with this id (``KeyError`` if absent)."""
        for q in self.questions:
            if q["id"] == question_id:
                return q
        raise NotFoundError(f"{self.id}: unknown question {question_id!r}", kind="question", key=question_id)

    def target(self, question_id: str) -> str | None:
        """Where the answers to a question land in the canonical tables.

        The question's explicit ``target``, else the default for its type:
        ``nps`` -> ``responses.nps``; a grid over services, attributes or
        touchpoints -> ``answers.service``, ``answers.attribute`` or
        ``answers.touchpoint``; a multi-choice over services ->
        ``answers.need``.  ``None`` when the question has neither (its answers
        have no canonical column).  ``KeyError`` for an unknown question.
        """
        q = self.question(question_id)
        return q.get("target") or _default_target(q)

    def scale_text(self, name: str) -> str:
        """A scale as the canonical text ``"min-max"`` (``"0-10"``)."""
        lo, hi = self.scales[name]
        return f"{lo}-{hi}"

    def scale_label_values(self, scale_name: str) -> dict[str, int]:
        """Label text -> point of a scale, to read answers given as labels.

        Every label in both languages is a key as written and in its
        :func:`normalize_label` form, so an importer looks up
        ``normalize_label(answer)`` (or the raw text) and gets the point:
        ``"Скорее доволен"`` and ``"скорее доволен."`` -> 4 on ``rating``.
        Validation guarantees that no text names two points.  Empty for a
        scale without labels; ``KeyError`` for an unknown scale.

        Examples
        --------
        >>> q = load_questionnaire("pr_agency")
        >>> values = q.scale_label_values("rating")
        >>> values["Satisfied"], values[normalize_label("«Полностью доволен!»")]
        (4, 5)
        """
        if scale_name not in self.scales:
            raise NotFoundError(f"{self.id}: unknown scale {scale_name!r}", kind="scale", key=scale_name)
        out: dict[str, int] = {}
        for point, texts in self.scale_labels.get(scale_name, {}).items():
            for lang in LANGS:
                out[texts[lang]] = point
                out[normalize_label(texts[lang])] = point
        return out

    @property
    def service_ids(self) -> list[str]:
        return self.services["service_id"].tolist()

    @property
    def attribute_ids(self) -> list[str]:
        return self.attributes["attribute_id"].tolist()

    @property
    def touchpoint_ids(self) -> list[str]:
        return self.touchpoints["touchpoint_id"].tolist()

    @property
    def direction_ids(self) -> list[str]:
        return [d["id"] for d in self.directions]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
class _Checker:
    def __init__(self, fname: str):
        self.fname = fname

    def fail(self, path: str, msg: str):
        where = f"{self.fname}: {path}: " if path else f"{self.fname}: "
        raise QuestionnaireError(where + msg, file=self.fname, field=path or None)

    def mapping(self, obj, path: str) -> dict:
        if not isinstance(obj, dict):
            self.fail(path, f"expected a mapping, got {type(obj).__name__}")
        return obj

    def seq(self, obj, path: str, *, nonempty: bool = True) -> list:
        if not isinstance(obj, list):
            self.fail(path, f"expected a list, got {type(obj).__name__}")
        if nonempty and not obj:
            self.fail(path, "must not be empty")
        return obj

    def key(self, obj: dict, key: str, path: str):
        if key not in obj or obj[key] is None:
            self.fail(path, f"missing {key!r}")
        return obj[key]

    def text(self, obj, path: str) -> str:
        if not isinstance(obj, str) or not obj.strip():
            self.fail(path, "expected a non-empty text")
        return obj

    def langs(self, obj: dict, path: str) -> None:
        """``obj`` carries ``ru`` and ``en`` texts."""
        for lang in LANGS:
            value = self.key(obj, lang, path)
            self.text(value, _join(path, lang))

    def ident(self, obj: dict, path: str, seen: dict[str, str]) -> str:
        value = self.key(obj, "id", path)
        if not isinstance(value, str) or not value or not set(value) <= _ID_CHARS or not value[0].isalpha():
            self.fail(
                _join(path, "id"), f"invalid id {value!r} (lower-case letters, digits and '_', starting with a letter)"
            )
        if value in seen:
            self.fail(_join(path, "id"), f"duplicate id {value!r} (already used at {seen[value]})")
        seen[value] = path
        return value

    def integer(self, obj, path: str) -> int:
        if isinstance(obj, bool) or not isinstance(obj, int):
            self.fail(path, f"expected an integer, got {obj!r}")
        return obj


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def validate_questionnaire(raw: Any, fname: str = "<questionnaire>") -> None:
    """Check a parsed template; raise :class:`QuestionnaireError` on the first problem.

    ``fname`` is used as the prefix of error messages.
    """
    c = _Checker(fname)
    c.mapping(raw, "")
    qid = c.key(raw, "id", "")
    if not isinstance(qid, str) or not qid or not set(qid) <= _ID_CHARS:
        c.fail("id", f"invalid id {qid!r}")
    c.langs(c.mapping(c.key(raw, "title", ""), "title"), "title")
    version = c.key(raw, "version", "")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        c.fail("version", f"expected a text or number, got {version!r}")

    # scales
    scales = c.mapping(c.key(raw, "scales", ""), "scales")
    if not scales:
        c.fail("scales", "must not be empty")
    for name, sc in scales.items():
        path = _join("scales", name)
        if not isinstance(name, str):
            c.fail(path, "scale names must be texts")
        c.mapping(sc, path)
        lo = c.integer(c.key(sc, "min", path), _join(path, "min"))
        hi = c.integer(c.key(sc, "max", path), _join(path, "max"))
        if lo >= hi:
            c.fail(path, f"min ({lo}) must be below max ({hi})")
        labels = sc.get("labels")
        if labels is not None:
            c.mapping(labels, _join(path, "labels"))
            # Importers read answers given as labels back to points, so one
            # (normalised) text must name one point, in either language.
            label_seen: dict[str, tuple[int, str]] = {}
            for point, lab in labels.items():
                lpath = f"{path}.labels.{point}"
                c.integer(point, lpath)
                if not lo <= point <= hi:
                    c.fail(lpath, f"label point {point} outside the scale {lo}-{hi}")
                c.langs(c.mapping(lab, lpath), lpath)
                for lang in LANGS:
                    norm = normalize_label(lab[lang])
                    tpath = _join(lpath, lang)
                    if norm in label_seen and label_seen[norm][0] != point:
                        c.fail(tpath, f"duplicate label {lab[lang]!r} (already used at {label_seen[norm][1]})")
                    label_seen.setdefault(norm, (point, tpath))

    seen: dict[str, str] = {}
    # directions and services
    directions = c.seq(c.key(raw, "directions", ""), "directions")
    for i, d in enumerate(directions):
        path = _join("directions", i)
        c.mapping(d, path)
        c.ident(d, path, seen)
        c.langs(d, path)
        services = c.seq(c.key(d, "services", path), _join(path, "services"))
        for j, s in enumerate(services):
            spath = _join(_join(path, "services"), j)
            c.mapping(s, spath)
            c.ident(s, spath, seen)
            c.langs(s, spath)

    # attributes; touchpoints are optional (not every business rates its customer journey)
    attributes = c.seq(c.key(raw, "attributes", ""), "attributes")
    touchpoints = raw.get("touchpoints")
    if touchpoints is not None:
        c.seq(touchpoints, "touchpoints")
    for name, items in (("attributes", attributes), ("touchpoints", touchpoints or [])):
        for i, item in enumerate(items):
            path = _join(name, i)
            c.mapping(item, path)
            c.ident(item, path, seen)
            c.langs(item, path)

    # questions
    questions = c.seq(c.key(raw, "questions", ""), "questions")
    response_targets: dict[str, str] = {}  # responses.* target -> question path
    for i, q in enumerate(questions):
        path = _join("questions", i)
        c.mapping(q, path)
        c.ident(q, path, seen)
        c.langs(q, path)
        qtype = c.key(q, "type", path)
        if qtype not in QUESTION_TYPES:
            c.fail(
                _join(path, "type"), f"unknown question type {qtype!r} (expected one of {', '.join(QUESTION_TYPES)})"
            )
        if qtype in _NEEDS_SCALE:
            c.key(q, "scale", path)
        if q.get("scale") is not None and q["scale"] not in scales:
            c.fail(_join(path, "scale"), f"unknown scale {q['scale']!r} (defined: {', '.join(map(str, scales))})")
        if qtype == "nps" and q.get("scale") in scales:
            sc = scales[q["scale"]]
            if (sc["min"], sc["max"]) != (0, 10):
                c.fail(
                    _join(path, "scale"),
                    f"an nps question needs a 0-10 scale, {q['scale']!r} is {sc['min']}-{sc['max']}",
                )
        if qtype in _NEEDS_ITEMS:
            items = c.key(q, "items", path)
            if items not in ITEM_SOURCES:
                c.fail(
                    _join(path, "items"), f"unknown item source {items!r} (expected one of {', '.join(ITEM_SOURCES)})"
                )
            if items == "touchpoints" and not touchpoints:
                c.fail(_join(path, "items"), "item source 'touchpoints' but the template has no 'touchpoints' list")
        if "target" in q and q["target"] not in QUESTION_TARGETS:
            c.fail(_join(path, "target"), f"unknown target {q['target']!r}")
        target = q.get("target") or _default_target(q)
        tpath = _join(path, "target") if q.get("target") else path
        if target is not None:
            if qtype not in _TARGET_TYPES[target]:
                c.fail(tpath, f"a {qtype} question cannot feed {target!r} (needs {' or '.join(_TARGET_TYPES[target])})")
            need_items = _TARGET_ITEMS.get(target)
            if need_items and q.get("items") != need_items:
                c.fail(tpath, f"{target!r} needs a question over {need_items}, this one is over {q.get('items')!r}")
            # One value per response: a second question on the same column
            # would overwrite the first (recommend_why vs comment).
            if target.startswith("responses."):
                if target in response_targets:
                    c.fail(tpath, f"target {target!r} already used by {response_targets[target]}")
                response_targets[target] = f"{path} ({q['id']})"
        if "required" in q and not isinstance(q["required"], bool):
            c.fail(_join(path, "required"), f"expected true or false, got {q['required']!r}")


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------
def _resolve(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists() or len(p.parts) > 1:
        if not p.exists():
            raise MissingFileError(f"questionnaire file not found: {p}", kind="questionnaire file", key=str(p))
        return p
    for suffix in (".yaml", ".yml"):
        cand = TEMPLATE_DIR / f"{name_or_path}{suffix}"
        if cand.exists():
            return cand
    available = sorted(f.stem for f in TEMPLATE_DIR.glob("*.y*ml")) if TEMPLATE_DIR.exists() else []
    raise MissingFileError(
        f"no questionnaire template {name_or_path!r} in {TEMPLATE_DIR} (available: {', '.join(available) or 'none'})",
        kind="questionnaire template",
        key=str(name_or_path),
    )


def load_questionnaire(name_or_path: str | Path = "pr_agency") -> Questionnaire:
    """Load and validate a questionnaire template.

    Parameters
    ----------
    name_or_path
        A template name (``"pr_agency"`` -> ``templates/questionnaires/pr_agency.yaml``
        in the repository) or a path to a YAML file.

    Raises
    ------
    FileNotFoundError
        No such template.
    QuestionnaireError
        The file is not valid YAML or breaks the template schema; the message
        names the file and the offending key path.
    """
    path = _resolve(name_or_path)
    fname = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuestionnaireError(f"{fname}: not valid YAML: {exc}", file=fname) from exc
    validate_questionnaire(raw, fname)

    scales = {name: (int(sc["min"]), int(sc["max"])) for name, sc in raw["scales"].items()}
    scale_labels = {
        name: {int(k): dict(v) for k, v in (sc.get("labels") or {}).items()} for name, sc in raw["scales"].items()
    }
    directions = [
        {
            "id": d["id"],
            "ru": d["ru"],
            "en": d["en"],
            "services": [{"id": s["id"], "ru": s["ru"], "en": s["en"]} for s in d["services"]],
        }
        for d in raw["directions"]
    ]
    svc_cols = TABLES["services"].names
    services = pd.DataFrame(
        [(s["id"], d["id"], s["ru"], s["en"]) for d in directions for s in d["services"]],
        columns=svc_cols,
    ).astype("str")
    attributes = _item_frame(raw["attributes"], "attribute_id")
    touchpoints = _item_frame(raw.get("touchpoints"), "touchpoint_id")
    questions = [dict(q) for q in raw["questions"]]
    return Questionnaire(
        id=raw["id"],
        title={lang: raw["title"][lang] for lang in LANGS},
        version=str(raw["version"]),
        scales=scales,
        directions=directions,
        services=services,
        attributes=attributes,
        touchpoints=touchpoints,
        questions=questions,
        scale_labels=scale_labels,
        path=path,
    )


def find_questionnaire(name_or_path) -> Questionnaire | None:
    """The questionnaire a wave names, or None when this checkout cannot load it.

    A workspace may use a questionnaire of its own that is not bundled here;
    reports then show ids where names would be, rather than failing.

    Examples
    --------
    >>> find_questionnaire("pr_agency").id, find_questionnaire("no_such_template")
    ('pr_agency', None)
    """
    if not name_or_path:
        return None
    try:
        return load_questionnaire(name_or_path)
    except Exception:
        return None
