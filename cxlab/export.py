"""Export a workspace's canonical tables for other systems (BI, CRM, R).

Contact personal data (names, e-mails, phones) is left out unless
``include_pii=True``: exports travel further than the workspace does.

Examples
--------
>>> paths = export_tables(ws, "out", fmt="parquet", wave="2026-Q3")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from cxlab.errors import ParameterError
from cxlab.schema import TABLE_ORDER

__all__ = ["export_tables", "FORMATS"]

FORMATS = ("csv", "parquet", "xlsx")


def export_tables(
    ws, out_dir, *, fmt: str = "csv", wave: str | None = None, include_pii: bool = False, tables=None
) -> list[Path]:
    """Write every canonical table (or ``tables``) to ``out_dir``.

    Parameters
    ----------
    fmt : {"csv", "parquet", "xlsx"}
        CSV is UTF-8 with a byte-order mark so that Excel opens Cyrillic
        correctly; xlsx is one workbook with a sheet per table.
    wave : str, optional
        Keep only this wave's rows in tables that have a wave; reference
        tables are written whole.
    include_pii : bool
        Keep contact names, e-mails and phones.
    """
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {FORMATS}, not {fmt!r}", parameter="fmt", value=fmt)
    if wave is not None:
        ws.wave(wave)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {}
    for name in tables or TABLE_ORDER:
        has_wave = name in ("invitations", "responses", "answers", "actions", "imports")
        frames[name] = ws.table(name, wave=wave if has_wave else None, include_pii=include_pii)
    written = []
    if fmt == "xlsx":
        from cxlab.present.excel import Sheet, write_pack

        written.append(
            write_pack(
                out / f"{ws.name}{'_' + wave if wave else ''}.xlsx",
                [Sheet(name, frame) for name, frame in frames.items()],
            )
        )
        return written
    for name, frame in frames.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    return written
