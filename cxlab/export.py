"""Export a workspace's canonical tables for other systems (BI, CRM, R).

Exports travel further than the workspace does, so they are safe by default:

* **Personal data.**  Contact names, e-mails and phones (and invitation
  tokens) are left out, and the free text (:data:`FREE_TEXT`: respondents'
  reasons and comments, action notes, event details) is masked with the
  reports' masker, :func:`cxlab.text.masking.mask_personal`: e-mail
  addresses, phone numbers and the names of the workspace's contacts, with
  markers in the respondent's language.  ``include_pii=True`` keeps all.
* **Formulas.**  CSV and XLSX are opened by spreadsheets, which run a cell
  that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return.
  Such text gets a leading ``'`` (:func:`cxlab.safe_text.neutralise_formula`,
  OWASP's CSV-injection rule; numbers stay numbers), unless ``raw=True``.
  Parquet is typed data read by programs, never by a spreadsheet: its text
  is written as stored.
* **Control characters** (NUL, vertical tab...) are removed in every format
  (:func:`cxlab.safe_text.strip_control`): XLSX cannot hold them, and no
  reader wants them.
* **Nothing half-written.**  Every file is written under a temporary name in
  the output folder and renamed into place only when all of them are
  complete; on a full disk or an unwritable folder the temporaries are
  removed, earlier files are left as they were, and a
  :class:`~cxlab.errors.ParameterError` names the path and the reason.

Examples
--------
>>> paths = export_tables(ws, "out", fmt="parquet", wave="2026-Q3")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cxlab.errors import ParameterError
from cxlab.safe_text import safe_frame
from cxlab.schema import TABLE_ORDER

__all__ = ["export_tables", "FORMATS", "FREE_TEXT", "mask_free_text"]

FORMATS = ("csv", "parquet", "xlsx")
#: Columns of free text, typed by respondents or staff, in which personal data is masked without include_pii.
FREE_TEXT = {"responses": ("reason", "comment"), "actions": ("note",), "events": ("detail",), "invitations": ("note",)}
_WAVE_TABLES = ("invitations", "responses", "answers", "actions", "imports")
# Temporaries are hidden files in the output folder (a rename is atomic only within one filesystem).
_TMP_PREFIX, _TMP_SUFFIX = ".cxlab-export-", ".tmp"


def export_tables(
    ws,
    out_dir,
    *,
    fmt: str = "csv",
    wave: str | None = None,
    include_pii: bool = False,
    raw: bool = False,
    tables=None,
) -> list[Path]:
    """Write every canonical table (or ``tables``) to ``out_dir``, all files or none.

    Parameters
    ----------
    fmt : {"csv", "parquet", "xlsx"}
        CSV is UTF-8 with a byte-order mark so that Excel opens Cyrillic
        correctly; xlsx is one workbook with a sheet per table.
    wave : str, optional
        Keep only this wave's rows in tables that have a wave; reference
        tables are written whole.
    include_pii : bool
        Keep contact names, e-mails and phones, and the free text unmasked.
    raw : bool
        Write formula-like text in CSV and XLSX as stored, without the
        leading ``'`` (personal data stays masked without ``include_pii``).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ParameterError
        An unknown format, or an output that cannot be written (a full disk,
        a read-only folder, a file where the folder should be): the message
        names the path and the system's reason; nothing was written.
    """
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {FORMATS}, not {fmt!r}", parameter="fmt", value=fmt)
    if wave is not None:
        ws.wave(wave)
    frames = {}
    for name in tables or TABLE_ORDER:
        frames[name] = ws.table(name, wave=wave if name in _WAVE_TABLES else None, include_pii=include_pii)
    # Control characters out first (the masker must see "ivan@x.ru", not "ivan\x00@x.ru"), then personal
    # data, then formulas (a masked phone no longer starts with "+").
    frames = {name: safe_frame(frame, raw=True) for name, frame in frames.items()}
    if not include_pii:
        mask_free_text(frames, ws)
    if fmt != "parquet" and not raw:
        frames = {name: safe_frame(frame) for name, frame in frames.items()}
    out = Path(out_dir)
    writers: dict[Path, Callable[[Path], object]] = {}
    if fmt == "xlsx":
        from cxlab.present.excel import Sheet, write_pack

        sheets = [Sheet(name, frame) for name, frame in frames.items()]
        writers[out / f"{ws.name}{'_' + wave if wave else ''}.xlsx"] = lambda tmp: write_pack(tmp, sheets)
    else:
        for name, frame in frames.items():
            writers[out / f"{name}.{fmt}"] = _writer(frame, fmt)
    return _write_all(out, writers)


def mask_free_text(frames: dict[str, pd.DataFrame], ws) -> None:
    """Mask personal data in the :data:`FREE_TEXT` columns of ``frames`` (in place), as the reports do.

    :func:`cxlab.text.masking.mask_personal` with the names of every contact
    of the workspace; the markers are in the row's language (the response's,
    else its contact's, else the workspace's).

    Examples
    --------
    >>> frames = {"responses": pd.DataFrame({"comment": ["Иван Петров, ivan@x.ru"], "language": ["ru"]})}
    >>> mask_free_text(frames, ws)  # doctest: +SKIP
    >>> frames["responses"]["comment"].tolist()  # doctest: +SKIP
    ['[имя] [имя], [e-mail]']
    """
    from cxlab.text.masking import mask_personal

    if not any(col in frames.get(table, ()) for table, cols in FREE_TEXT.items() for col in cols):
        return
    contacts = ws.contacts(include_pii=True)
    names = tuple(sorted({n.strip() for n in contacts["name"] if isinstance(n, str) and n.strip()}))
    default = _lang(ws.meta.get("language")) or "ru"
    contact_lang = dict(zip(contacts["contact_id"], contacts["language"].map(_lang)))
    for table, cols in FREE_TEXT.items():
        frame = frames.get(table)
        if frame is None or not any(col in frame for col in cols):
            continue
        own = frame["language"].map(_lang) if "language" in frame else pd.Series(None, index=frame.index)
        by_contact = frame["contact_id"].map(contact_lang) if "contact_id" in frame else own
        langs = [a or b or default for a, b in zip(own, by_contact)]
        for col in cols:
            if col in frame:
                frame[col] = [
                    mask_personal(text, names, lang=lang) if isinstance(text, str) and text.strip() else text
                    for text, lang in zip(frame[col], langs)
                ]


def _lang(value) -> str | None:
    """``"ru"`` or ``"en"`` from a language code (``"ru-RU"``, ``"EN"``), else None."""
    code = value.strip()[:2].lower() if isinstance(value, str) else ""
    return code if code in ("ru", "en") else None


def _writer(frame: pd.DataFrame, fmt: str) -> Callable[[Path], object]:
    if fmt == "csv":

        def write(path: Path) -> None:
            # With a byte-order mark Excel reads the file as UTF-8 (Cyrillic intact).  Rows end in CRLF
            # (RFC 4180), so that a cell holding a carriage return is quoted: a bare CR would start a new
            # row, and the text after it a cell of its own ("\r=1" a formula "=1").
            with open(path, "w", encoding="utf-8-sig", newline="") as f:
                frame.to_csv(f, index=False, lineterminator="\r\n")

        return write
    return lambda path: frame.to_parquet(path, index=False)


def _write_all(out: Path, writers: dict[Path, Callable[[Path], object]]) -> list[Path]:
    """Write every file under a temporary name in ``out``, then rename them all into place.

    A failure (full disk, no permission, a file where ``out`` should be)
    removes the temporaries and the folders this call created, leaves every
    earlier file as it was and raises one :class:`ParameterError` naming the
    path and the system's reason.
    """
    if out.exists() and not out.is_dir():
        raise ParameterError(f"cannot export to {out}: it is a file, not a folder", parameter="out", value=str(out))
    created = [p for p in (out, *out.parents) if not p.exists()]
    temporaries: dict[Path, Path] = {}
    target, replaced = out, 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(out)
        for final, write in writers.items():
            target = final
            tmp = out / f"{_TMP_PREFIX}{final.name}.{secrets.token_hex(4)}{_TMP_SUFFIX}"
            temporaries[final] = tmp
            write(tmp)
            _sync(tmp)
        for final, tmp in temporaries.items():
            target = final
            os.replace(tmp, final)
            replaced += 1
    except OSError as exc:
        for tmp in temporaries.values():
            _remove(tmp)
        for folder in created:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        what = "create the folder" if target == out else "write"
        if replaced:
            done = f"{replaced} of {len(writers)} files were replaced"
        elif out in created or target == out:
            done = "nothing was exported"
        else:
            done = f"nothing was exported (earlier files in {out} are unchanged)"
        raise ParameterError(
            f"cannot {what} {target}: {exc.strerror or exc}; {done}", parameter="out", value=str(out)
        ) from None
    return list(writers)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # its folder is gone or not a folder: nothing to remove
        path.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a written file to the disk, so that a full disk is noticed before the rename, not after it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_temporaries(out: Path, age: float = 3600.0) -> None:
    """Temporaries of an export killed before it could clean up (older than ``age`` seconds: not a running one's)."""
    now = time.time()
    for stale in out.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"):
        try:
            if now - stale.stat().st_mtime > age:
                stale.unlink()
        except FileNotFoundError:
            pass
