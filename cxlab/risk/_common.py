"""Private helpers shared by the modules of :mod:`cxlab.risk`: language check, number text, summaries, windows."""

from __future__ import annotations

import textwrap

import pandas as pd

from cxlab.errors import ParameterError
from cxlab.risk.features import wave_cutoffs


def _check_lang(lang: str) -> None:
    if lang not in ("ru", "en"):
        raise ParameterError(f"lang must be 'ru' or 'en', got {lang!r}", parameter="lang", value=lang)


def _fmt(x, digits: int = 3) -> str:
    return "nan" if x is None or pd.isna(x) else f"{float(x):.{digits}f}"


def _close_summary(lines: list, message: dict | None, lang: str, width: int) -> str:
    """A summary's last lines: the result's message, if any, then the closing rule."""
    if message:
        lines += ["-" * width] + textwrap.wrap(message[lang], width=width)
    return "\n".join(lines + ["=" * width])


def _horizon_end(cutoff: pd.Series, horizon_months: int) -> pd.Series:
    return pd.to_datetime(cutoff) + pd.DateOffset(months=int(horizon_months))


def _known_waves(data) -> list[str]:
    return wave_cutoffs(data.waves, data.responses)["wave_id"].tolist()
