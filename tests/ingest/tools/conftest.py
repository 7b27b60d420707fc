"""Shared checks of the tool readers."""

from __future__ import annotations

import csv
import io

import pytest

from cxlab.ingest.files import read_table


@pytest.fixture
def reads_the_same_when_resaved(tmp_path):
    """Write an export's rows again (as Excel or another tool would save them) and check the reader
    finds the same table: encoding and separator detected, same frame, same column descriptions."""

    def check(reader, rows, original, *, encoding="cp1251", sep=";", name="resaved.csv", **writer):
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator="\r\n", **writer).writerows(rows)
        path = tmp_path / name
        path.write_bytes(buf.getvalue().encode(encoding))
        copy, first = reader.read(path), reader.read(original)
        assert (copy.raw.encoding, copy.raw.separator) == (encoding, sep)
        assert reader.detect(read_table(path))
        assert copy.frame.equals(first.frame)
        assert [vars(c) for c in copy.columns] == [vars(c) for c in first.columns]

    return check
