"""Every survey tool's export, read end to end and checked value by value.

The fixtures under ``fixtures/<tool>/`` were built from each tool's
documentation (see the FORMATS-*.md notes beside them); each has an
``.expected.json`` with what a correct import must produce, row by row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cxlab.ingest import read_export
from cxlab.ingest.interpret import TOOL_PREFIX
from cxlab.questionnaire import load_questionnaire

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("*/*") if p.suffix in (".csv", ".xlsx"))


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire("pr_agency")


def _ids_by_label(q) -> dict[str, str]:
    out = {}
    for lang in ("ru", "en"):
        out.update({label: ident for ident, label in q.labels(lang).items()})
    return out


def _value(v):
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_export_reads_value_by_value(path, questionnaire):
    expected = json.loads(Path(str(path) + ".expected.json").read_text(encoding="utf-8"))
    data = read_export(path, questionnaire=questionnaire)
    assert data.tool == path.parent.name
    ids = _ids_by_label(questionnaire)
    got = data.responses.set_index("_row")
    answers = data.answers
    prefix = TOOL_PREFIX[data.tool]
    for row in expected:
        r = got.loc[row["row"]]
        where = f"{path.name} row {row['row']}"
        if row["response_id"] is not None:
            assert r["response_id"] == f"{prefix}-{row['response_id']}", where
        stamp = _value(r["submitted_at"])
        assert (None if stamp is None else pd.Timestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")) == row["submitted_at"], (
            where
        )
        assert _value(r["_token"]) == row["token"], where
        assert _value(r["_email"]) == (row["email"].casefold() if row["email"] else None), where
        for col in ("nps", "overall", "price"):
            assert _value(r[col]) == row[col], f"{where} {col}"
        for col in ("reason", "comment"):
            assert _value(r[col]) == row[col], f"{where} {col}"
        assert bool(r["complete"]) == row["complete"], where
        mine = answers[answers["_row"] == row["row"]]
        for kind, key in (("attribute", "attributes"), ("service", "services")):
            values = dict(mine.loc[mine["kind"] == kind, ["item", "value"]].itertuples(index=False))
            assert values == {ids[label]: v for label, v in row[key].items()}, f"{where} {key}"
        needs = mine[mine["kind"] == "need"]
        chosen = sorted(needs.loc[needs["value"] == 1, "item"])
        if data.tool == "qualtrics" and "numeric" in path.name and row["needs"]:
            # Numeric exports code options by position in Qualtrics' own list, which the file does
            # not carry: the codes are reported, not guessed.
            assert chosen == [] and any("not one of the questionnaire" in n for n in data.notes), where
            continue
        assert chosen == sorted(ids[label] for label in row["needs"]), f"{where} needs"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_export_without_questionnaire_finds_the_recommend_question(path):
    expected = json.loads(Path(str(path) + ".expected.json").read_text(encoding="utf-8"))
    data = read_export(path)
    got = data.responses.set_index("_row")["nps"]
    assert [_value(got.get(row["row"])) for row in expected] == [row["nps"] for row in expected]
