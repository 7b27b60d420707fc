"""Helpers the tool readers share: meta-question titles, grid headers, unique keys, checkbox cells."""

from __future__ import annotations

import re

import pandas as pd

from cxlab.ingest.answers import normalize_text
from cxlab.ingest.files import RawTable
from cxlab.ingest.source import SourceColumn

__all__ = [
    "TITLE_FIELDS",
    "title_field",
    "describe_header",
    "unique_keys",
    "text_frame",
    "split_grid",
    "choice_separator",
]

# Titles an agency gives to meta questions (compared after normalize_text).
TITLE_FIELDS = {
    "token": {
        "token",
        "токен",
        "персональный код",
        "код участника",
        "id респондента",
        "respondent id",
        "код респондента",
        "идентификатор респондента",
        "personal code",
        "participant code",
        "respondent code",
        "код приглашения",
        "invitation code",
        "ваш персональный код",
    },
    "email": {
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "электронная почта",
        "эл почта",
        "адрес электронной почты",
        "ваш email",
        "ваш e-mail",
        "your email",
        "эл. почта",
        "эл.почта",
        "почта",
    },
    "company": {
        "компания",
        "название компании",
        "company",
        "company name",
        "организация",
        "название организации",
        "ваша компания",
        "your company",
        "organization",
        "organisation",
        "client",
        "клиент",
    },
    "name": {
        "name",
        "имя",
        "фио",
        "ваше имя",
        "your name",
        "full name",
        "имя и фамилия",
        "контактное лицо",
        "ваши фио",
    },
}

_GRID = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]$")


def title_field(title: str | None) -> str | None:
    """Meta field a question title stands for (``"Персональный код"`` -> ``"token"``), or None."""
    key = normalize_text(title)
    return next((f for f, titles in TITLE_FIELDS.items() if key in titles), None)


def unique_keys(headers: list[str]) -> list[str]:
    """Headers made unique: a repeated title gets `` (2)``, `` (3)``..."""
    keys: list[str] = []
    for h in headers:
        key, n = h, 2
        while key in keys:
            key, n = f"{h} ({n})", n + 1
        keys.append(key)
    return keys


def text_frame(raw: RawTable, keys: list[str]) -> pd.DataFrame:
    """The raw cells (missing as None, as ``read_table`` gives them) under unique keys."""
    return raw.frame.set_axis(keys, axis=1)


def describe_header(header: str) -> SourceColumn:
    """A column known from its header alone: a meta question by its title, else a question or grid row.

    >>> describe_header("Персональный код").field, describe_header("Оцените работу [Сроки]").item
    ('token', 'Сроки')
    """
    field = title_field(header)
    if field:
        return SourceColumn(key=header, field=field)
    question, item = split_grid(header)
    return SourceColumn(key=header, question=question, item=item)


def split_grid(header: str) -> tuple[str, str | None]:
    """``"Title [Row]"`` -> ``("Title", "Row")``; other headers -> ``(header, None)``."""
    m = _GRID.match(header)
    return (m.group(1), m.group(2).strip()) if m else (header, None)


def choice_separator(values: pd.Series, separators) -> str | None:
    """The separator of a multiple choice written into one cell, or None for other questions.

    A column is taken as a multiple choice when a part of a cell with several
    parts also appears in another, different cell (``"A;B"`` and ``"A"``):
    a comment with a comma, or a single-choice label that contains one
    (``"Справедливая цена, на уровне рынка"``), is not split.
    """
    cells = {str(v) for v in values if isinstance(v, str) and v.strip()}
    if any("\n" in c for c in cells):
        return None
    for sep in separators:
        parts = {c: [p.strip() for p in c.split(sep) if p.strip()] for c in cells}
        if not any(len(p) > 1 for p in parts.values()):
            continue
        where: dict[str, set] = {}
        for cell, ps in parts.items():
            for p in ps:
                where.setdefault(p, set()).add(cell)
        if any(len(where[p]) > 1 for ps in parts.values() if len(ps) > 1 for p in ps):
            return sep
    return None
