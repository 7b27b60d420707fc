"""The cxlab response file: one row per response, one column per rated item.

Columns: ``response_id, contact_id, client_id, submitted_at, nps, overall,
price, comment, language`` (``response_id`` and one of ``contact_id`` /
``client_id`` are required; ``wave_id`` is optional) and one column per grid
answer named ``<kind>:<item>``: ``attribute:responsiveness``,
``service:media_press_office``, ``need:events_conferences`` (1 = the client
lacks this service).  This is also the form any other export is mapped to.
"""

from __future__ import annotations

import pandas as pd

from cxlab.errors import InputError, Problem
from cxlab.ingest.files import RawTable, to_datetime
from cxlab.schema import TABLES

__all__ = ["ITEM_KINDS", "RESPONSE_FIELDS", "parse_wide", "to_wide", "is_item_column", "label_scale"]

ITEM_KINDS = ("attribute", "service", "touchpoint", "need", "importance")
RESPONSE_FIELDS = [c for c in TABLES["responses"].names if c not in ("import_id",)]
_NUMERIC = ("nps", "overall", "price")


def parse_wide(
    table: RawTable, mapping: dict[str, str] | None = None, *, problems: list | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a wide response file into canonical ``responses`` and ``answers``.

    Both frames carry a ``_row`` column with the spreadsheet row number, for
    messages; the store drops it before writing.

    Parameters
    ----------
    table : RawTable
        The file as read by :func:`cxlab.ingest.files.read_table`.
    mapping : dict, optional
        Source column -> canonical field (``{"Оценка": "nps",
        "Услуги: PR": "service:media_press_office"}``), for files from any tool.
    problems : list, optional
        Collects cells that cannot be read (left empty) instead of raising.
        Scores may be given as labels of the bundled questionnaires' scales
        ("Скорее доволен").
    """
    from cxlab.ingest.answers import parse_flag, to_score
    from cxlab.ingest.interpret import _bundled_vocabulary

    labels = _bundled_vocabulary().labels
    collect = problems is not None
    frame = table.frame.rename(columns=mapping or {})
    problems = problems if collect else []
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputError(Problem(table.source, 1, dup, "the column appears twice"))
    missing = [c for c in ("response_id",) if c not in frame.columns]
    if not ({"contact_id", "client_id"} & set(frame.columns)):
        missing.append("client_id (or contact_id)")
    if missing:
        raise InputError([Problem(table.source, 1, m, "required column is missing") for m in missing])
    item_cols = [c for c in frame.columns if is_item_column(c)]
    unknown = [c for c in frame.columns if c not in RESPONSE_FIELDS and c not in item_cols and c != "wave_id"]
    if unknown:
        raise InputError(
            [
                Problem(
                    table.source,
                    1,
                    c,
                    "unknown column: not a response field nor '<kind>:<item>' with kind in " + "|".join(ITEM_KINDS),
                )
                for c in unknown
            ]
        )
    rows = pd.Series([table.row_number(i) for i in range(len(frame))], index=frame.index)
    responses = pd.DataFrame(index=frame.index)
    for col in RESPONSE_FIELDS + ["wave_id"]:
        if col not in frame.columns:
            if col != "wave_id":
                responses[col] = True if col == "complete" else None  # complete unless marked otherwise
            continue
        if col in _NUMERIC:
            responses[col] = to_score(
                frame[col], labels=labels.get(label_scale(col), {}), table=table, column=col, problems=problems
            )
        elif col == "submitted_at":
            responses[col] = to_datetime(frame[col], table=table, column=col, problems=problems)
        elif col == "complete":
            responses[col] = [flag is not False for flag in frame[col].map(parse_flag)]
        else:
            responses[col] = frame[col].astype(object).where(frame[col].notna(), None)
    responses["_row"] = rows
    long = []
    for col in item_cols:
        kind, item = col.split(":", 1)
        values = to_score(
            frame[col], labels=labels.get(label_scale(kind), {}), table=table, column=col, problems=problems
        )
        keep = values.notna()
        if keep.any():
            long.append(
                pd.DataFrame(
                    {
                        "response_id": responses.loc[keep, "response_id"].values,
                        "item": item,
                        "kind": kind,
                        "value": values[keep].values,
                        "scale": None,
                        "_row": rows[keep].values,
                        "_column": col,
                    }
                )
            )
    answers = (
        pd.concat(long, ignore_index=True)
        if long
        else pd.DataFrame(columns=TABLES["answers"].names + ["_row", "_column"])
    )
    if problems and not collect:
        raise InputError(problems)
    return responses.reset_index(drop=True), answers


def label_scale(target: str) -> str | None:
    """The scale whose answer labels a field's cells may be written in.

    ``nps`` and ``price`` have their own; a need is ticked, not rated; every
    other rating (overall, services, attributes...) is on the rating scale.

    >>> [label_scale(t) for t in ("nps", "overall", "need", "attribute")]
    ['nps', 'rating', None, 'rating']
    """
    return {"nps": "nps", "price": "price", "need": None}.get(target, "rating")


def is_item_column(name) -> bool:
    """Whether a column name is ``<kind>:<item>`` with a known answer kind (``attribute:deadlines``)."""
    return isinstance(name, str) and ":" in name and name.split(":", 1)[0] in ITEM_KINDS


def to_wide(responses: pd.DataFrame, answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Canonical tables -> the wide response file (inverse of :func:`parse_wide`).

    >>> r = pd.DataFrame({"response_id": ["R1"], "client_id": ["C1"], "nps": [9]})
    >>> a = pd.DataFrame({"response_id": ["R1"], "item": ["deadlines"], "kind": ["attribute"], "value": [4.0]})
    >>> list(to_wide(r, a).columns)
    ['response_id', 'client_id', 'nps', 'attribute:deadlines']
    """
    keep = [c for c in RESPONSE_FIELDS + ["wave_id"] if c in responses.columns and c not in ("manager", "team")]
    wide = responses[keep].copy()
    if answers is not None and len(answers):
        cols = answers["kind"].astype(str) + ":" + answers["item"].astype(str)
        grid = answers.assign(_col=cols).pivot_table(
            index="response_id", columns="_col", values="value", aggfunc="first"
        )
        grid.columns.name = None
        wide = wide.merge(grid, left_on="response_id", right_index=True, how="left")
    return wide
