"""Files in encodings cxlab must not guess: refused with the candidates, read when named, corrected with --replace.

Before, a file that was not UTF-8 was read as cp1251 whatever it was: KOI8-R,
Latin-1, Shift-JIS and UTF-8 with one bad byte were stored garbled with exit
0, UTF-16 without a byte-order mark gave "Expected 9 fields in line 2, saw 12"
and random bytes a raw ``charmap`` codec message; a response stored garbled
could not be corrected ("an import never overwrites a response").

Every file is made here; the command line is called in-process
(:func:`cxlab.cli.main`, its one error handler) and once as a subprocess.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pandas as pd
import pytest

import cxlab.store.imports as store_imports
from cxlab import Workspace
from cxlab.cli import main

HEADER = "response_id;contact_id;nps;comment"
RUSSIAN = {
    "R1": "Сроки срываются, отчёты приходят с ошибками",
    "R2": "Менеджер молодец, всё быстро и понятно",
}
RUSSIAN_CSV = "\n".join([HEADER, *(f"{rid};K{i};{9 - i};{c}" for i, (rid, c) in enumerate(RUSSIAN.items(), 1))]) + "\n"
FRENCH_CSV = f"{HEADER}\nR1;K1;9;Très bien, café crème à volonté\nR2;K2;7;Délais non respectés, équipe sympathique\n"
JAPANESE_CSV = f"{HEADER}\nR1;K1;9;とても良いサービスでした\nR2;K2;7;納期が遅れました。改善してください\n"


def _import(ws: Workspace, path, *extra: str) -> int:
    return main(["import", "--workspace", str(ws.path), "--wave", "2026-Q3", *extra, str(path)])


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _tables(ws: Workspace) -> dict[str, pd.DataFrame]:
    """Every row of the tables an import writes, to compare before and after."""
    with ws.connect() as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").df() for t in ("responses", "answers", "imports")}


def _comments(ws: Workspace) -> dict[str, str]:
    return ws.responses().set_index("response_id")["comment"].to_dict()


def _utf8_with_bad_byte() -> bytes:
    data = RUSSIAN_CSV.encode("utf-8")
    at = data.index("Менеджер".encode()) + len("Мене".encode())
    return data[:at] + b"\xff" + data[at:]  # row 3 (R2), column 'comment'


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("koi8.csv", RUSSIAN_CSV.encode("koi8_r"), ["it could be koi8_r (Russian)", "--encoding koi8_r"]),
        ("latin1.csv", FRENCH_CSV.encode("latin_1"), ["it could be cp1252 (French)", "--encoding cp1252"]),
        ("sjis.csv", JAPANESE_CSV.encode("shift_jis"), ["it could be cp932", "--encoding cp932"]),
        (
            "damaged.csv",
            _utf8_with_bad_byte(),
            ["damaged UTF-8", "damaged.csv, row 3, column 'comment': byte 0xFF is not valid UTF-8"],
        ),
        ("noise.csv", random.Random(16).randbytes(4000), ["noise.csv: not a text table (no encoding fits)"]),
    ],
)
def test_a_file_not_clearly_one_encoding_is_refused_naming_the_candidates(
    small_ws, tmp_path, capsys, name, data, expected
):
    path = tmp_path / name
    path.write_bytes(data)
    before = _tables(small_ws)
    assert _import(small_ws, path) == 2
    err = _one_line(capsys)
    assert name in err and "nothing was loaded" in err
    for text in expected:
        assert text in err
    after = _tables(small_ws)
    assert all(before[t].equals(after[t]) for t in before)  # nothing stored, no audit row


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(small_ws, tmp_path, capsys, codec):
    path = tmp_path / "wide.csv"
    path.write_bytes(RUSSIAN_CSV.encode(codec))
    assert _import(small_ws, path) == 0, capsys.readouterr().err
    assert f"read as {codec} text separated by ';'" in capsys.readouterr().out
    assert _comments(small_ws) == RUSSIAN


def test_russian_cp1251_with_semicolons_is_still_read(small_ws, tmp_path, capsys):
    path = tmp_path / "excel.csv"
    path.write_bytes(RUSSIAN_CSV.encode("cp1251"))
    assert _import(small_ws, path) == 0, capsys.readouterr().err
    assert "read as cp1251 text" in capsys.readouterr().out
    assert _comments(small_ws) == RUSSIAN


def test_encoding_option_reads_the_koi8_file_with_the_right_text(small_ws, tmp_path, capsys):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))
    assert _import(small_ws, path, "--encoding", "koi8_r") == 0, capsys.readouterr().err
    assert _comments(small_ws) == RUSSIAN


def test_unknown_encoding_is_one_line(small_ws, tmp_path, capsys):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))
    assert _import(small_ws, path, "--encoding", "klingon") == 2
    assert "unknown encoding 'klingon'" in _one_line(capsys)
    assert _import(small_ws, path, "--encoding", "base64") == 2  # a codec, but not of text
    assert "unknown encoding 'base64'" in _one_line(capsys)
    assert small_ws.responses().empty


def test_replacement_characters_are_refused_unless_the_encoding_is_named(small_ws, tmp_path, capsys):
    path = tmp_path / "lost.csv"
    path.write_bytes(f"{HEADER}\nR1;K1;9;ok\nR2;K2;7;Сро\ufffd\ufffdки\n".encode())
    assert _import(small_ws, path) == 2
    assert "lost.csv, row 3, column 'comment': the text holds U+FFFD" in _one_line(capsys)
    assert small_ws.responses().empty
    # The damaged UTF-8 file, named as UTF-8: the user accepts the loss, and is told where it is.
    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(_utf8_with_bad_byte())
    assert _import(small_ws, damaged, "--encoding", "utf-8") == 0
    out = capsys.readouterr().out
    assert "1 byte sequence(s) are not utf-8 and were replaced by U+FFFD (the first at row 3, column 'comment')" in out
    assert "\ufffd" in _comments(small_ws)["R2"]


def test_replace_corrects_a_garbled_response_and_keeps_an_audit_row(small_ws, tmp_path, capsys):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))
    # A wrong choice of encoding stores mojibake (what every non-UTF-8 file got before).
    assert _import(small_ws, path, "--encoding", "cp1251") == 0
    garbled = _comments(small_ws)
    assert garbled["R1"] == RUSSIAN["R1"].encode("koi8_r").decode("cp1251") != RUSSIAN["R1"]
    first_import = small_ws.imports()["import_id"].item()
    # Without --replace the corrected file is refused, row by row, and nothing changes.
    corrected = tmp_path / "corrected.csv"
    corrected.write_bytes(RUSSIAN_CSV.encode("utf-8"))
    assert _import(small_ws, corrected) == 1
    assert "an import never overwrites a response" in capsys.readouterr().out
    assert _comments(small_ws) == garbled

    assert _import(small_ws, corrected, "--replace") == 0
    out = capsys.readouterr().out
    assert "2 responses loaded (0 grid answers), 2 stored responses replaced" in out
    assert _comments(small_ws) == RUSSIAN
    assert len(small_ws.responses()) == 2
    audit = small_ws.imports().sort_values("imported_at")
    last = audit.iloc[-1]
    assert (last["source"], last["rows_loaded"], last["rows_refused"]) == ("corrected.csv", 2, 0)
    assert f"replace: 2 stored response(s) replaced (import(s) {first_import}): R1, R2" in last["message"]
    assert (small_ws.responses()["import_id"] == last["import_id"]).all()  # the responses now come from it


def test_replace_rereads_the_same_bytes_with_the_right_encoding(small_ws, tmp_path, capsys):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))
    assert _import(small_ws, path, "--encoding", "cp1251") == 0
    garbled = _comments(small_ws)
    # The same bytes are "already imported"; the message says how to correct them.
    assert _import(small_ws, path, "--encoding", "koi8_r") == 0
    assert "to correct what was stored from it, import it again with --replace" in capsys.readouterr().out
    assert _comments(small_ws) == garbled
    assert _import(small_ws, path, "--encoding", "koi8_r", "--replace") == 0
    assert _comments(small_ws) == RUSSIAN
    assert len(small_ws.imports()) == 2


def test_a_replace_that_fails_midway_changes_nothing(small_ws, tmp_path, monkeypatch):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))
    assert _import(small_ws, path, "--encoding", "cp1251") == 0
    before = _tables(small_ws)
    real_insert = store_imports._insert

    def insert_then_fail(con, table, frame):
        if table == "imports":  # the old responses are deleted and the new inserted by now
            raise OSError(28, "No space left on device")
        return real_insert(con, table, frame)

    monkeypatch.setattr(store_imports, "_insert", insert_then_fail)
    with pytest.raises(OSError, match="No space left"):
        small_ws.import_wave(str(path), "2026-Q3", encoding="koi8_r", replace=True)
    after = _tables(small_ws)
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table])


def test_the_command_line_refuses_then_reads_with_encoding(small_ws, tmp_path):
    path = tmp_path / "koi8.csv"
    path.write_bytes(RUSSIAN_CSV.encode("koi8_r"))

    def cxlab(*args):
        command = [sys.executable, "-m", "cxlab.cli", "import", "--workspace", str(small_ws.path), "--wave", "2026-Q3"]
        return subprocess.run([*command, *args, str(path)], capture_output=True, text=True)

    refused = cxlab()
    assert refused.returncode == 2 and refused.stdout == ""
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(
        "cxlab import: error: the file's encoding is not clear; nothing was loaded: koi8.csv: not UTF-8, UTF-16 "
        "or Russian cp1251 text; it could be koi8_r (Russian)"
    )
    assert line.endswith("; choose with: cxlab import --encoding koi8_r ...")
    read = cxlab("--encoding", "koi8_r")
    assert read.returncode == 0, read.stderr
    assert "2 rows read, 2 responses loaded" in read.stdout
    assert Workspace(small_ws.path).responses().set_index("response_id")["comment"].to_dict() == RUSSIAN
