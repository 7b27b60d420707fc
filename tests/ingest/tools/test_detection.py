"""Which tool wrote a file: every reader says yes to its own exports and no to everyone else's.

One matrix instead of a list per reader: each committed fixture and a
minimal header of every format, against every reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxlab.ingest.files import read_table
from cxlab.ingest.tools import READERS, detect_tool, reader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(p for p in FIXTURES.glob("*/*") if p.suffix in (".csv", ".xlsx"))

#: Minimal heads of each format (and of a cxlab response file, which no reader may take).
HEADS = {
    "qualtrics": (
        "StartDate,EndDate,Status,ResponseId,Q1\nStart Date,End Date,Response Type,Response ID,"
        '"How likely?"\n"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}",'
        '"{""ImportId"":""status""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\n'
    ),
    "surveymonkey": (
        "Respondent ID,Collector ID,Start Date,End Date,How likely?\n,,,,Response\n"
        "114902331870,431234567,11/24/2026 10:00:00 AM,11/24/2026 10:04:00 AM,9\n"
    ),
    "google_forms": "Timestamp,How likely are you to recommend us?\n11/24/2026 10:05:33,9\n",
    "google_forms_ru": "Отметка времени,Насколько вероятно?\n24.11.2026 10:05:33,9\n",
    "limesurvey": "id,submitdate,lastpage,startlanguage,token,Q1\n1,2026-11-24 10:05:33,3,ru,abc,9\n",
    "limesurvey_codes": (
        '"id","submitdate","lastpage","startlanguage","seed","NPS"\n"1","2026-11-24 10:05:33","2","ru","123","9"\n'
    ),
    "yandex_forms": "ID,Время создания,Насколько вероятно?\n1,2026-11-24 10:05:33,9\n",
    "cxlab": "response_id;client_id;submitted_at;nps\nR1;C1;24.11.2026;9\n",
    "cxlab_comma": "response_id,submitted_at,nps\nr1,2026-11-24,9\n",
}


def _owner(name: str) -> str | None:
    return next((tool for tool in READERS if name.startswith(tool)), None)


@pytest.mark.parametrize("tool", READERS)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_reader_takes_only_its_own_fixtures(path, tool):
    assert reader(tool).detect(read_table(path)) == (path.parent.name == tool)


@pytest.mark.parametrize("tool", READERS)
@pytest.mark.parametrize("name", sorted(HEADS))
def test_each_reader_takes_only_its_own_minimal_header(name, tool):
    head = read_table(HEADS[name].encode("utf-8"), source=f"{name}.csv")
    assert reader(tool).detect(head) == (_owner(name) == tool)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_detect_tool_names_the_fixture_tool(path):
    assert detect_tool(read_table(path)) == path.parent.name
