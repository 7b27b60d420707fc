"""From a survey tool's columns to canonical responses and answers.

A :class:`~cxlab.ingest.source.ToolTable` says what each column is in the
tool's terms (question wording, grid row, meta field).  :func:`interpret`
decides what each question is in cxlab's terms:

* with the wave's questionnaire, every question is matched by its wording
  (Russian or English, tolerant of small rewording and numbering) or by the
  tool's question code, and every grid row or choice by its label;
* without one, the recommend question is recognised by its wording *and*
  its 0-10 answers (a recommend question on another scale is not taken as
  NPS), rating grids by their layout (one question over several rows), and
  satisfaction, price, "why" and comment questions by their wording; grid
  rows are named by the bundled templates' labels when they match.

Answers given as labels are read with the label table of the question's
scale.  Nothing is dropped silently: a column that is not used is named in
the notes, a cell that cannot be read is a :class:`~cxlab.errors.Problem`
(file, spreadsheet row, column, reason).

The module is a little over 600 lines: :func:`interpret` is one pass over the
columns, and the private functions after it are the steps of that pass,
sharing its frames and its list of problems.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cxlab.errors import Problem
from cxlab.ingest.answers import is_selected, normalize_text, parse_flag, split_choices, to_score
from cxlab.ingest.canonical import RESPONSE_FIELDS, label_scale
from cxlab.ingest.files import to_datetime
from cxlab.ingest.source import SourceColumn, ToolTable

__all__ = ["Interpretation", "interpret", "TOOL_PREFIX"]

#: Prefix of response ids per tool: ids are only unique within one tool's survey.
TOOL_PREFIX = {
    "google_forms": "gf",
    "yandex_forms": "yf",
    "surveymonkey": "sm",
    "qualtrics": "qx",
    "limesurvey": "ls",
    "generic": "gen",
}

_WORDS = {
    "nps": re.compile(r"порекоменд|рекомендова|рекомендац|посовет|recommend"),
    "importance": re.compile(r"важн|значим|important|importance"),
    "reason": re.compile(r"почему|why|reason|причин|поясн|объясн"),
    "overall": re.compile(r"удовлетвор|доволь|satisf"),
    "price": re.compile(r"стоимост|\bцен|price|pricing|\bcost|дорог"),
    "comment": re.compile(r"коммент|comment|улучш|improve|пожелан|suggest|измени|\bchange|предлож|добав"),
    "need": re.compile(
        r"не хватает|не хватило|недостает|недоста|lack|missing|would find useful|"
        r"хотели бы|would like|интерес|useful"
    ),
    "service": re.compile(r"услуг|service"),
}
_SINGLE_FIELDS = ("nps", "overall", "price", "reason", "comment")
_TEXT_FIELDS = ("reason", "comment")
_MATCH_THRESHOLD = 0.8


@dataclass
class Interpretation:
    """What :func:`interpret` made of an export.

    Attributes
    ----------
    responses : DataFrame
        Canonical response columns, ``_row`` and the matching keys ``_token``,
        ``_email``, ``_company`` (personal data: used to find the contact,
        never stored).
    answers : DataFrame
        Canonical answers with ``_row`` and ``_column``.
    problems : list of Problem
        Cells that could not be read (they are left empty).
    notes : list of str
        How the file was understood: columns not used, partial responses.
    columns : DataFrame
        One row per source column: ``column, question, item, target, how``.
    """

    responses: pd.DataFrame
    answers: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: pd.DataFrame | None = None


# --------------------------------------------------------------- look-ups
def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= 15 and shorter in longer:
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


@dataclass
class _Vocabulary:
    """Questions, items and label tables of one questionnaire (or of all bundled ones)."""

    questions: list[dict]  # {id, texts: [normalised], target, scale, items}
    items: dict[str, dict[str, str]]  # source -> {normalised label or id -> id}
    # scale name -> {normalised label -> point}; looked up with label_scale(), None for a need (no labels)
    labels: dict[str | None, dict[str, int]]
    scales: dict[str, tuple[int, int]]
    option_labels: dict[str, list[str]]  # source -> labels as written (for splitting cells)

    def question_for(self, group: list[SourceColumn]) -> dict | None:
        text = normalize_text(group[0].question)
        codes = {re.split(r"[\[_.]", c.code)[0].casefold() for c in group if c.code}
        best, score = None, 0.0
        for q in self.questions:
            s = 1.0 if q["id"].casefold() in codes else max(_similarity(text, t) for t in q["texts"])
            if s > score:
                best, score = q, s
        return best if score >= _MATCH_THRESHOLD else None

    def item_for(self, source: str, label: str | None, code: str | None = None) -> str | None:
        table = self.items.get(source, {})
        if code:
            sub = re.search(r"\[([^\]]+)\]|_([A-Za-z]\w*)$", code)
            key = (sub.group(1) or sub.group(2)) if sub else None
            if key and key.casefold() in table:
                return table[key.casefold()]
        key = normalize_text(label)
        if key in table:
            return table[key]
        best, score = None, 0.0
        for text, item in table.items():
            s = _similarity(key, text)
            if s > score:
                best, score = item, s
        return best if score >= 0.85 else None


def _vocabulary(questionnaires) -> _Vocabulary:
    questions: list[dict]
    items: dict[str, dict[str, str]]
    labels: dict[str | None, dict[str, int]]
    scales: dict[str, tuple[int, int]]
    option_labels: dict[str, list[str]]
    table: dict[str, Any]  # one source's items, then one scale's labels
    questions, items, labels, scales, option_labels = [], {}, {}, {}, {}
    for qn in questionnaires:
        for q in qn.questions:
            questions.append(
                {
                    "id": q["id"],
                    "texts": [normalize_text(q[lang]) for lang in ("ru", "en")],
                    "target": qn.target(q["id"]),
                    "scale": q.get("scale"),
                    "items": q.get("items"),
                    "questionnaire": qn.id,
                }
            )
        frames = {"services": (qn.services, "service_id"), "attributes": (qn.attributes, "attribute_id")}
        touch = getattr(qn, "touchpoints", None)
        if touch is not None and len(touch):
            frames["touchpoints"] = (touch, "touchpoint_id")
        for source, (frame, id_col) in frames.items():
            table = items.setdefault(source, {})
            written = option_labels.setdefault(source, [])
            for row in frame.itertuples(index=False):
                ident = getattr(row, id_col)
                table.setdefault(ident.casefold(), ident)
                for name in (row.name_ru, row.name_en):
                    table.setdefault(normalize_text(name), ident)
                    written.append(name)
        for name in qn.scales:
            table = labels.setdefault(name, {})
            for text, point in qn.scale_label_values(name).items():
                table.setdefault(text, point)
        for name, bounds in qn.scales.items():
            scales.setdefault(name, bounds)
    return _Vocabulary(questions, items, labels, scales, option_labels)


@lru_cache(maxsize=1)
def _bundled_vocabulary() -> _Vocabulary:
    from cxlab.questionnaire import TEMPLATE_DIR, load_questionnaire

    return _vocabulary([load_questionnaire(p) for p in sorted(TEMPLATE_DIR.glob("*.yaml"))])


# ----------------------------------------------------------------- interpret
def interpret(table: ToolTable, questionnaire=None) -> Interpretation:
    """Turn a tool's export into canonical responses and answers.

    Parameters
    ----------
    table : ToolTable
        The export as a tool reader returned it.
    questionnaire : Questionnaire, optional
        The wave's questionnaire: every question is then mapped by its
        wording or code.  Without it the recommend question, rating grids and
        the usual single questions are recognised (see the module notes).

    Returns
    -------
    Interpretation
    """
    vocab = _vocabulary([questionnaire]) if questionnaire is not None else _bundled_vocabulary()
    frame, raw = table.frame, table.raw
    problems: list[Problem] = []
    notes: list[str] = list(table.notes)
    uses: list[dict] = []
    n = len(frame)
    rows = np.asarray(raw.rows[:n], dtype=int)

    responses = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in RESPONSE_FIELDS})
    for helper in ("_token", "_email", "_company"):
        responses[helper] = None
    answers: list[pd.DataFrame] = []

    # ---- meta columns
    meta = {c.field: c for c in reversed(table.columns) if c.is_meta}  # first column of a field wins
    for col in table.columns:
        if col.is_meta:
            uses.append(
                _use(
                    col,
                    col.field if col.field != "ignore" else None,
                    "meta" if col.field != "ignore" else "ignored (tool bookkeeping)",
                )
            )
    _read_meta(table, meta, responses, problems)

    # ---- columns a user mapped to canonical fields
    taken: dict[str, str] = {}
    item: str | None
    for col in table.columns:
        if col.target is None or col.is_meta:
            continue
        kind, sep, item = col.target.partition(":")
        if sep:
            values = to_score(
                frame[col.key],
                labels=vocab.labels.get(label_scale(kind), {}),
                table=raw,
                column=col.key,
                question=col.question,
                problems=problems,
            )
            keep = values.notna().to_numpy()
            if keep.any():
                answers.append(
                    pd.DataFrame(
                        {
                            "_pos": np.flatnonzero(keep),
                            "item": item,
                            "kind": kind,
                            "value": values.to_numpy()[keep],
                            "_column": col.key,
                        }
                    )
                )
        elif col.target in ("nps", "overall", "price"):
            labels = vocab.labels.get(label_scale(col.target), {})
            responses[col.target] = to_score(
                frame[col.key], labels=labels, table=raw, column=col.key, question=col.question, problems=problems
            ).to_numpy()
        else:
            responses[col.target] = frame[col.key].to_numpy()
        taken[col.target] = col.key
        uses.append(_use(col, col.target, "mapping"))

    # ---- questions, grouped by wording
    groups: dict[str, list[SourceColumn]] = {}
    for col in table.columns:
        if not col.is_meta and col.target is None:
            groups.setdefault(col.question or col.key, []).append(col)
    for group in groups.values():
        q = vocab.question_for(group) if questionnaire is not None else None
        how = f"questionnaire question '{q['id']}'" if q else None
        target = q["target"] if q else None
        if q is None:
            # Not in the wave's questionnaire (or none given): a bundled template's wording, then
            # wording and answers.
            q_guess = _bundled_vocabulary().question_for(group)
            if q_guess is not None and q_guess["target"] == "responses.nps":
                q_guess = None  # NPS is only taken with 0-10 answers: _guess checks them
            if q_guess is not None:
                q, target, how = q_guess, q_guess["target"], f"bundled question '{q_guess['id']}'"
            else:
                target, how = _guess(group, frame, vocab)
        if target is None:
            for col in group:
                uses.append(_use(col, None, how or "not recognised"))
            notes.append(f"column(s) {_names(group)} not used: {how or 'question not recognised'}")
            continue
        kind, _, name = target.partition(".")
        if kind == "responses":
            col = group[0]
            if name in taken:
                notes.append(f"column {_names([col])} not used: '{name}' already comes from column '{taken[name]}'")
                uses.append(_use(col, None, f"duplicate of {name}"))
                continue
            scale = (q or {}).get("scale") or label_scale(name)
            if name in _TEXT_FIELDS:
                responses[name] = [v if isinstance(v, str) else None for v in frame[col.key].tolist()]
            else:
                values = to_score(
                    frame[col.key],
                    labels=vocab.labels.get(scale, {}),
                    table=raw,
                    column=col.key,
                    question=col.question,
                    problems=problems,
                )
                responses[name] = values.to_numpy()
            taken[name] = col.key
            uses.append(_use(col, name, how))
            for extra in group[1:]:
                uses.append(_use(extra, None, f"part of '{name}' question, not used"))
                notes.append(f"column {_names([extra])} not used (second column of the {name} question)")
            continue
        item_kind = name  # service | attribute | touchpoint | need
        source = (q or {}).get("items") or (
            "services"
            if item_kind in ("service", "need")
            else "touchpoints"
            if item_kind == "touchpoint"
            else "attributes"
        )
        if item_kind == "need":
            answers.extend(_read_choices(table, group, vocab, source, responses, uses, notes, how))
            continue
        scale = (q or {}).get("scale") or "rating"
        for col in group:
            item = vocab.item_for(source, col.item, col.code)
            if item is None and questionnaire is None and col.item:
                item = col.item  # a grid of the tool's own rows, kept under their labels
            if item is None:
                uses.append(_use(col, None, f"row '{col.item}' is not in the questionnaire's {source}"))
                notes.append(
                    f"column {_names([col])} not used: row '{col.item}' is not one of the questionnaire's {source}"
                )
                continue
            values = to_score(
                frame[col.key],
                labels=vocab.labels.get(scale, {}),
                table=raw,
                column=col.key,
                question=col.question,
                problems=problems,
            )
            keep = values.notna().to_numpy()
            uses.append(_use(col, f"{item_kind}:{item}", how or "grid layout"))
            if keep.any():
                answers.append(
                    pd.DataFrame(
                        {
                            "_pos": np.flatnonzero(keep),
                            "item": item,
                            "kind": item_kind,
                            "value": values.to_numpy()[keep],
                            "_column": col.key,
                        }
                    )
                )

    answer_frame = _answer_frame(answers, responses, rows)
    twice = answer_frame.duplicated(["_pos", "kind", "item"], keep="first")
    if twice.any():
        # Two columns feeding one item (two grids with the same rows): the first is kept.
        for (kind, item), grp in answer_frame[twice].groupby(["kind", "item"]):
            kept = answer_frame.loc[
                ~twice & (answer_frame["kind"] == kind) & (answer_frame["item"] == item), "_column"
            ].iloc[0]
            notes.append(
                f"column(s) {', '.join(sorted(set(grp['_column'])))} not used: {kind} '{item}' already "
                f"comes from column '{kept}'"
            )
        answer_frame = answer_frame[~twice].reset_index(drop=True)
    _finish_responses(table, responses, answer_frame, rows, notes)
    if responses["language"].isna().all():
        texts = " ".join(str(c.question or "") for c in table.columns if not c.is_meta)
        if texts.strip():
            responses["language"] = "ru" if re.search("[а-яА-ЯёЁ]", texts) else "en"
    answer_frame["response_id"] = responses["response_id"].to_numpy()[answer_frame.pop("_pos").to_numpy()]
    answer_frame = answer_frame[["response_id", "item", "kind", "value", "scale", "_row", "_column"]]
    empty = _empty_responses(responses, answer_frame)
    if empty.any():
        notes.append(
            f"{int(empty.sum())} response(s) with no answers at all not loaded (rows "
            f"{', '.join(str(int(r)) for r in responses.loc[empty, '_row'][:10])})"
        )
        responses = responses[~empty].reset_index(drop=True)
        answer_frame = answer_frame[answer_frame["_row"].isin(responses["_row"])].reset_index(drop=True)
    columns = pd.DataFrame(uses, columns=["column", "question", "item", "target", "how"])
    return Interpretation(responses=responses, answers=answer_frame, problems=problems, notes=notes, columns=columns)


def _use(col: SourceColumn, target, how) -> dict:
    return {"column": col.key, "question": col.question, "item": col.item, "target": target, "how": how}


def _names(group) -> str:
    return ", ".join(f"'{c.key}'" for c in group[:5]) + (" ..." if len(group) > 5 else "")


def _guess(group: list[SourceColumn], frame: pd.DataFrame, vocab: _Vocabulary) -> tuple[str | None, str]:
    """Recognise a question without a questionnaire: wording, answers and layout."""
    text = normalize_text(group[0].question or group[0].key)
    is_grid = len(group) > 1 or group[0].item is not None
    per_option = any(c.choice for c in group) or (is_grid and _looks_like_choices(group, frame))
    if per_option or group[0].choice_separator:
        if _WORDS["need"].search(text):
            return "answers.need", "multiple choice of services the client lacks (wording)"
        if per_option:
            return None, "multiple choice not used by cxlab"
        # One cell with commas that a reader took for checkboxes may as well be a comment.
    if is_grid:
        kind = (
            "importance"
            if _WORDS["importance"].search(text)
            else "service"
            if _WORDS["service"].search(text)
            else "attribute"
        )
        return f"answers.{kind}", "rating grid (layout)"
    values = frame[group[0].key]
    options = vocab.option_labels.get("services", [])
    if _WORDS["need"].search(text) and values.dropna().map(lambda v: any(o in v for o in options)).any():
        return "answers.need", "services the client lacks, listed in one cell (wording)"
    if _WORDS["nps"].search(text):
        scores = to_score(values, labels=vocab.labels.get("nps", {}), problems=[]).dropna()
        on_scale = scores.between(0, 10) & (scores % 1 == 0)
        # Mostly whole points 0-10 reaching above 5: the odd cell off the scale is refused
        # by the import, not a reason to drop the question.
        if len(scores) and on_scale.mean() >= 0.9 and scores[on_scale].max() > 5:
            return "responses.nps", "recommend question (wording and 0-10 answers)"
        return None, "worded like the recommend question but its answers are not on a 0-10 scale"
    numeric = to_score(values, labels={**vocab.labels.get("rating", {}), **vocab.labels.get("price", {})}, problems=[])
    mostly_scores = values.notna().sum() > 0 and numeric.notna().sum() >= 0.8 * values.notna().sum()
    if _WORDS["reason"].search(text) and not mostly_scores:
        return "responses.reason", "why-the-score question (wording)"
    if _WORDS["price"].search(text) and mostly_scores:
        return "responses.price", "price perception (wording)"
    if _WORDS["overall"].search(text) and mostly_scores:
        return "responses.overall", "overall satisfaction (wording)"
    if _WORDS["comment"].search(text) and not mostly_scores:
        return "responses.comment", "open comment (wording)"
    return None, "question not recognised"


def _looks_like_choices(group, frame) -> bool:
    """Per-option columns hold the option's own label, 1/Y/Yes or nothing."""
    for col in group:
        cells = frame[col.key].dropna().astype(str).str.strip()
        allowed = {normalize_text(col.item), "1", "y", "yes", "да", "0", "n", "no", "нет", "выбрано"}
        if len(cells) and not cells.map(normalize_text).isin(allowed).all():
            return False
    return True


def _read_choices(table, group, vocab, source, responses, uses, notes, how) -> list[pd.DataFrame]:
    """Services the client lacks: 1 for each selected option, 0 for the others of a response that answered."""
    frame, n = table.frame, len(table.frame)
    selected: dict[str, np.ndarray] = {}
    pos: int | np.ndarray  # a cell's position, then the positions of the responses that answered
    options = vocab.option_labels.get(source, [])
    if len(group) == 1 and group[0].item is None:
        col = group[0]
        for pos, cell in enumerate(frame[col.key].tolist()):
            found, rest = split_choices(cell, options, col.choice_separator or ",")
            for label in found:
                item = vocab.item_for(source, label)
                selected.setdefault(item, np.zeros(n, bool))[pos] = True
            for other in rest:
                notes.append(
                    f"row {table.row_number(pos)}, column '{col.key}': choice '{other}' is not one "
                    f"of the questionnaire's {source}; not loaded"
                )
        uses.append(_use(col, "need:*", how or "multiple choice in one cell"))
    else:
        for col in group:
            item = vocab.item_for(source, col.item, col.code)
            if item is None:
                uses.append(_use(col, None, f"option '{col.item}' is not one of the {source}"))
                if frame[col.key].map(is_selected).any():
                    notes.append(
                        f"column {_names([col])} not used: option '{col.item}' is not one of the "
                        f"questionnaire's {source}"
                    )
                continue
            mask = frame[col.key].map(is_selected).to_numpy(bool)
            selected[item] = selected.get(item, np.zeros(n, bool)) | mask
            uses.append(_use(col, f"need:{item}", how or "multiple choice option"))
    if not selected:
        return []
    answered = np.zeros(n, bool)
    for mask in selected.values():
        answered |= mask
    if responses["complete"].notna().any():
        answered |= responses["complete"].fillna(True).to_numpy(bool)
    else:
        answered[:] = True
    out = []
    for item, mask in selected.items():
        pos = np.flatnonzero(answered)
        out.append(
            pd.DataFrame(
                {
                    "_pos": pos,
                    "item": item,
                    "kind": "need",
                    "value": mask[pos].astype(float),
                    "_column": "|".join(c.key for c in group),
                }
            )
        )
    return out


def _answer_frame(parts, responses, rows) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(
            {
                "_pos": pd.Series(dtype=int),
                "item": pd.Series(dtype=object),
                "kind": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
                "scale": pd.Series(dtype=object),
                "_row": pd.Series(dtype=int),
                "_column": pd.Series(dtype=object),
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["scale"] = frame["kind"].map({"need": "0-1"})
    frame["_row"] = rows[frame["_pos"].to_numpy()]
    return frame


# ------------------------------------------------------------------- meta
_LANGS = {
    "ru": "ru",
    "rus": "ru",
    "russian": "ru",
    "русский": "ru",
    "en": "en",
    "eng": "en",
    "english": "en",
    "английский": "en",
}


def _read_meta(table: ToolTable, meta: dict, responses: pd.DataFrame, problems: list) -> None:
    frame, raw = table.frame, table.raw

    def cells(name):
        col = meta.get(name)
        return None if col is None else frame[col.key]

    for name in ("submitted_at", "started_at"):
        values = cells(name)
        if values is not None:
            parsed = to_datetime(values, table=raw, column=meta[name].key, problems=problems)
            if name == "submitted_at":
                responses["submitted_at"] = parsed.to_numpy()
            else:
                responses["_started_at"] = parsed.to_numpy()
    if cells("token") is not None:
        responses["_token"] = cells("token").to_numpy()
    if cells("email") is not None:
        responses["_email"] = cells("email").map(lambda v: v.strip().casefold() if isinstance(v, str) else None)
    if cells("company") is not None:
        responses["_company"] = cells("company").to_numpy()
    if cells("language") is not None:
        responses["language"] = cells("language").map(
            lambda v: _LANGS.get(re.split(r"[-_]", normalize_text(v))[0]) if isinstance(v, str) else None
        )
    complete = pd.Series([None] * len(frame), dtype=object)
    if cells("finished") is not None:
        complete = cells("finished").map(parse_flag)
    if cells("progress") is not None:
        progress = to_score(cells("progress").map(lambda v: v.rstrip("%") if isinstance(v, str) else v), problems=[])
        complete = complete.where(complete.notna(), progress.map(lambda p: None if np.isnan(p) else p >= 100))
    if "submitted_at" in meta and "_started_at" in responses:
        # LimeSurvey leaves submitdate empty for a response that was started and not finished.
        started_only = responses["submitted_at"].isna() & responses["_started_at"].notna()
        complete = complete.where(complete.notna() | ~started_only.to_numpy(), False)
    responses["complete"] = complete.to_numpy()
    ids = cells("response_id")
    if ids is not None:
        responses["response_id"] = ids.to_numpy()
    if "_started_at" not in responses:
        responses["_started_at"] = pd.NaT


def _finish_responses(table: ToolTable, responses, answers, rows, notes) -> None:
    prefix = TOOL_PREFIX.get(table.tool, table.tool)
    responses["_row"] = rows
    given = responses["response_id"].notna().to_numpy()
    if table.tool != "generic":
        # A tool's ids are unique within its survey only: prefixed with the tool.
        responses.loc[given, "response_id"] = [f"{prefix}-{v}" for v in responses.loc[given, "response_id"]]
    responses["_id_generated"] = ~given
    if not given.all():
        # Tools without response ids (Google Forms): an id from when and who, so that a
        # cumulative export, or one with a question added to the form, gives the same ids.
        who = [c.key for c in table.columns if c.field in ("submitted_at", "token", "email", "company", "name")]
        stamp = table.meta("submitted_at")
        if not [c for c in who if stamp is None or c != stamp.key]:
            who = [c.key for c in table.columns]  # only a timestamp (or nothing): the whole row
        cells = table.frame[who].itertuples(index=False, name=None)
        digests = [
            hashlib.sha1("\x1f".join("" if v is None else str(v) for v in row).encode("utf-8")).hexdigest()[:12]
            for row in cells
        ]
        responses.loc[~given, "response_id"] = [f"{prefix}-{d}" for d, g in zip(digests, given) if not g]
    partial = responses["complete"].eq(False)
    if partial.any():
        notes.append(
            f"{int(partial.sum())} partial response(s) (the respondent did not finish): loaded with "
            "the answers given, marked complete = false"
        )
    responses["complete"] = responses["complete"].where(responses["complete"].notna(), True)
    if "_started_at" in responses:
        del responses["_started_at"]


def _empty_responses(responses, answers) -> pd.Series:
    has_answer = responses["_row"].isin(answers["_row"])
    cols = ["nps", "overall", "price", "reason", "comment"]
    has_value = responses[cols].notna().any(axis=1)
    return ~(has_answer | has_value)
