"""The wave report: what ``notebooks/wave_report.ipynb`` shows and writes.

The notebook holds narrative and calls; this module holds the work, so it is
tested like the rest of cxlab.  :class:`WaveReport` reads the workspace once,
summarises the wave (:func:`cxlab.summary.summarize_wave`) and renders its
parts: headline table, charts, breakdown tables, the Excel pack,
``metrics.json`` and the PNG figures.

Examples
--------
>>> rep = WaveReport("workspaces/demo", "2026-Q3", lang="en")  # doctest: +SKIP
>>> rep.write_outputs("reports/demo/2026-Q3")                  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cxlab.errors import NotFoundError
from cxlab.present import figures as figs
from cxlab.present.excel import Sheet, write_pack
from cxlab.present.labels import t
from cxlab.safe_text import strip_control
from cxlab.stats import registry
from cxlab.summary import DEFINITIONS, SurveyData, summarize_wave

__all__ = ["WaveReport"]

HEADLINE_ORDER = ["nps", "nps_clustered", "nps_account", "nps_revenue", "csat_mean", "top2box", "csi", "response_rate"]
SHARE_METRICS = {"top2box", "response_rate"}


class WaveReport:
    """One wave's report in one language.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : str
    lang : {"ru", "en"}
    min_n : int
        Minimum respondents per cell; smaller cells are suppressed.
    """

    def __init__(self, workspace, wave: str | None = None, *, lang: str = "ru", min_n: int = 10):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.lang = lang
        self.min_n = min_n
        self.wave = wave or self.ws.latest_wave()
        self.wave_record = self.ws.wave(self.wave)
        self.data = SurveyData.from_workspace(self.ws)
        self.summary = summarize_wave(self.data, self.wave, min_n=min_n)
        self.figures: dict[str, bytes] = {}  # name -> PNG
        self._direction_names = self._directions()

    def _directions(self) -> dict:
        from cxlab.questionnaire import find_questionnaire

        q = find_questionnaire(self.wave_record.get("questionnaire") or "pr_agency")
        return {} if q is None else {d["id"]: d[self.lang] for d in q.directions}

    # --------------------------------------------------------------- text
    def title(self) -> str:
        return f"{t('report_title', self.lang)}: {self.ws.name}, {self.wave}"

    def intro(self) -> str:
        s = self.summary
        n = int(self.summary.headline_value("nps").get("n", 0))
        prev = s.previous_wave or "—"
        if self.lang == "ru":
            return (
                f"# {self.title()}\n\nОтветов в волне: **{n}**. Предыдущая волна: {prev}. "
                f"Ячейки, где ответивших меньше {self.min_n}, скрыты. Все оценки — с 95% интервалами; "
                "определения и методы указаны у каждой таблицы и графика."
            )
        return (
            f"# {self.title()}\n\nResponses in the wave: **{n}**. Previous wave: {prev}. "
            f"Cells with fewer than {self.min_n} respondents are suppressed. Every estimate has a "
            "95% interval; definitions and methods are stated beside each table and chart."
        )

    def definitions(self, metrics=HEADLINE_ORDER) -> str:
        lines = [f"**{t('definitions', self.lang)}**", ""]
        for m in metrics:
            if m in DEFINITIONS:
                lines.append(f"- **{t(m, self.lang)}**: {registry.definition(m, self.lang)}")
        return "\n".join(lines)

    # -------------------------------------------------------------- tables
    def headline(self) -> pd.DataFrame:
        h = self.summary.headline.copy()
        h["order"] = h["metric"].map({m: i for i, m in enumerate(HEADLINE_ORDER)})
        h = h.sort_values("order").drop(columns="order")
        ch = self.summary.changes
        if len(ch):
            h["change"] = h["metric"].map(ch.set_index("metric")["change"])
            h["p_value"] = h["metric"].map(ch.set_index("metric")["p_value"])
        h.insert(1, "label", h["metric"].map(lambda m: t(m, self.lang)))
        h["definition"] = h["metric"].map(lambda m: registry.definition(m, self.lang) if m in DEFINITIONS else "")
        return h.reset_index(drop=True)

    def display_headline(self):
        """Headline figures for the HTML report (formatted, index hidden)."""
        h = self.headline()
        out = pd.DataFrame({t("metric", self.lang): h["label"]})
        fmt = [(_fmt_share if m in SHARE_METRICS else _fmt_num) for m in h["metric"]]
        out[t("estimate", self.lang)] = [f(v) for f, v in zip(fmt, h["estimate"])]
        out["95%"] = [f"{f(lo)} … {f(hi)}" for f, lo, hi in zip(fmt, h["ci_low"], h["ci_high"])]
        # The method names are long: they go under the table, keyed by metric.
        out["n"] = h["n"].astype(int)
        if "change" in h:
            out[t("change", self.lang)] = [
                ("" if pd.isna(c) else f"{100 * c:+.1f} pp" if m in SHARE_METRICS else f"{c:+.1f}")
                + ("" if pd.isna(p) else f" (p={p:.3f})")
                for m, c, p in zip(h["metric"], h["change"], h["p_value"])
            ]
        out[t("method", self.lang)] = h["method"]
        return _styled(out, self.lang)

    def breakdown_table(self, name: str):
        """A breakdown for the HTML report: compact, labels in the report's language, suppressed cells blank.

        The Excel pack keeps every column (standard errors, design effects,
        interval bounds as numbers); the report shows estimate, interval and n.
        """
        frame = getattr(self.summary, name).copy()
        if name == "by_service":
            frame.insert(0, "service", frame["name_ru" if self.lang == "ru" else "name_en"])
            frame["direction"] = frame["direction"].map(lambda d: self._direction_names.get(d, d))
        if name == "by_direction":
            frame["direction"] = frame["direction"].map(lambda d: self._direction_names.get(d, d))
        method = frame["method"].dropna()
        method = method[method != ""].iloc[0] if (method != "").any() else ""
        label = {"by_service": ["service", "direction"], "by_direction": ["direction"]}.get(
            name, [name.removeprefix("by_")]
        )
        out = frame[label + ["n"]].copy()
        out["estimate"] = frame["estimate"]
        out["95%"] = _interval(frame["ci_low"], frame["ci_high"])
        for col in ("pct_promoters", "pct_passives", "pct_detractors"):
            if col in frame:
                out[col] = frame[col]
        if "rating_mean" in frame:
            out["rating_mean"] = frame["rating_mean"]
            out["rating_95"] = _interval(frame["rating_ci_low"], frame["rating_ci_high"], 2)
            out["rating_n"] = frame["rating_n"]
        if "csi" in frame:
            out["csi"] = frame["csi"]
            out["csi_95"] = _interval(frame["csi_ci_low"], frame["csi_ci_high"])
        styled = _styled(
            out, self.lang, percent=["pct_promoters", "pct_passives", "pct_detractors"], decimals={"rating_mean": 2}
        )
        return styled.set_caption(
            f"{t('method', self.lang)}: {method}. " + t("suppressed_note", self.lang).format(min_n=self.min_n)
        )

    def changes_table(self):
        """Changes since the previous wave: headline figures, then cells (Holm-adjusted)."""
        s = self.summary
        if s.previous_wave is None:
            return pd.DataFrame({t("changes", self.lang): [t("no_previous", self.lang)]})
        parts = [s.changes.assign(dimension="", cell="")]
        if len(s.changes_by_cell):
            parts.append(s.changes_by_cell[~s.changes_by_cell["suppressed"].astype(bool)])
        frame = pd.concat(parts, ignore_index=True)
        frame["dimension"] = frame["dimension"].map(lambda d: t(d, self.lang) if d else "")
        frame["metric"] = frame["metric"].map(lambda m: t(m, self.lang))
        keep = [
            c
            for c in (
                "dimension",
                "cell",
                "metric",
                "before",
                "after",
                "change",
                "ci_low",
                "ci_high",
                "p_value",
                "p_adjusted",
                "significant",
                "n_before",
                "n_after",
            )
            if c in frame
        ]
        return _styled(frame[keep], self.lang, decimals={"p_value": 3, "p_adjusted": 3}).set_caption(
            f"{s.previous_wave} → {s.wave}. "
            + {
                "ru": "Изменения по ячейкам: поправка Холма на множественные сравнения.",
                "en": "Changes by cell: Holm adjustment for multiple comparisons.",
            }[self.lang]
        )

    def by_client_table(self):
        """Accounts, worst first: descriptive figures, no respondent identities."""
        return _styled(
            self.summary.by_client, self.lang, decimals={"contract_value": 0, "mean_recommend": 1, "overall_mean": 2}
        )

    # -------------------------------------------------------------- charts
    def figure(self, name: str):
        """Draw a chart, keep it as PNG for the outputs and return it for display.

        Each chart is rendered once, at print resolution, and shown as that
        image: the report and the PNG files are the same picture, and the
        notebook does not pay for rendering twice.
        """
        s = self.summary
        if name == "nps_trend":
            fig = figs.nps_trend(s.trend, lang=self.lang)
        elif name == "nps_by_service":
            fig = figs.nps_by_service(s.by_service, lang=self.lang, min_n=self.min_n)
        elif name == "csi_by_direction":
            fig = figs.csi_by_direction(s.by_direction, self._direction_names, lang=self.lang, min_n=self.min_n)
        else:
            raise NotFoundError(f"unknown figure '{name}'", kind="figure", key=name)
        self.figures[name], shown = figure_html(fig)
        return shown

    # ------------------------------------------------------------- outputs
    def excel_sheets(self) -> list[Sheet]:
        s, lang = self.summary, self.lang
        note_n = t("suppressed_note", lang).format(min_n=self.min_n)
        h = self.headline()
        share_rows = h["metric"].isin(SHARE_METRICS)
        headline_sheet = h[
            ["wave_id", "metric", "label", "estimate", "ci_low", "ci_high", "se", "n"]
            + [c for c in ("change", "p_value") if c in h]
            + ["method", "definition"]
        ]
        # Shares and points share a column; shares are kept as numbers 0-1 in
        # their own columns so that Excel's percentage format applies to them only.
        headline_sheet = headline_sheet.assign(
            **{f"{c}_share": headline_sheet[c].where(share_rows) for c in ("estimate", "ci_low", "ci_high")}
        )
        for c in ("estimate", "ci_low", "ci_high"):
            headline_sheet.loc[share_rows, c] = np.nan
        headers = {c: t(c, lang) for c in headline_sheet.columns}
        headers.update(
            {
                "estimate_share": t("estimate", lang) + ", %",
                "ci_low_share": t("ci_low", lang) + ", %",
                "ci_high_share": t("ci_high", lang) + ", %",
                "label": t("metric", lang),
                "metric": "id",
            }
        )
        pct = ["pct_promoters", "pct_passives", "pct_detractors"]
        sheets = [
            Sheet(
                t("summary", lang),
                headline_sheet,
                headers=headers,
                percent=["estimate_share", "ci_low_share", "ci_high_share"],
                decimals={"n": 0},
                note=f"{self.title()}. {note_n}",
            ),
            Sheet(
                t("trend", lang),
                s.trend,
                headers={c: t(c, lang) for c in s.trend.columns},
                decimals={"n": 0},
                note={
                    "ru": "Показатели по волнам (response_rate — доля 0-1).",
                    "en": "Figures by wave (response_rate as a share 0-1).",
                }[lang],
            ),
            Sheet(
                t("by_service", lang),
                s.by_service,
                percent=pct,
                headers={c: t(c, lang) for c in s.by_service},
                decimals={"n": 0, "rating_n": 0, "rating_mean": 2},
                note=note_n,
            ),
            Sheet(
                t("by_direction", lang),
                s.by_direction,
                headers={c: t(c, lang) for c in s.by_direction},
                decimals={"n": 0},
                note=note_n,
            ),
            Sheet(
                t("by_client", lang),
                s.by_client,
                headers={c: t(c, lang) for c in s.by_client},
                decimals={"contract_value": 0, "respondents": 0, "mean_recommend": 2, "overall_mean": 2},
                note={
                    "ru": "Описательные показатели клиентов (1-4 респондента на клиента: без интервалов).",
                    "en": "Descriptive account figures (1-4 respondents per account: no intervals).",
                }[lang],
            ),
            *(
                Sheet(
                    t(key, lang),
                    frame,
                    percent=pct,
                    headers={c: t(c, lang) for c in frame},
                    decimals={"n": 0},
                    note=note_n,
                )
                for key, frame in (
                    ("by_manager", s.by_manager),
                    ("by_team", s.by_team),
                    ("by_segment", s.by_segment),
                    ("by_role", s.by_role),
                )
            ),
        ]
        changes = s.changes_by_cell if len(s.changes_by_cell) else s.changes
        if len(s.changes):
            changes = pd.concat(
                [
                    s.changes.assign(dimension="overall", cell="")[
                        ["dimension", "cell", "metric"] + [c for c in s.changes.columns if c != "metric"]
                    ],
                    s.changes_by_cell,
                ],
                ignore_index=True,
            )
        sheets.append(
            Sheet(
                t("changes", lang),
                changes,
                headers={c: t(c, lang) for c in changes.columns},
                decimals={"n_before": 0, "n_after": 0, "p_value": 4, "p_adjusted": 4},
                note=t("no_previous", lang) if s.previous_wave is None else f"{s.previous_wave} → {s.wave}; Holm",
            )
        )
        return sheets

    def write_outputs(self, output_dir) -> list[Path]:
        """Excel pack, metrics.json and every figure drawn so far (all drawn if none were)."""
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [write_pack(out / "wave_pack.xlsx", self.excel_sheets())]
        payload = {
            "workspace": self.ws.name,
            "lang": self.lang,
            **self.summary.to_json(),
            "definitions": {k: v[self.lang] for k, v in DEFINITIONS.items()},
        }
        (out / "metrics.json").write_text(json_text(payload), encoding="utf-8")
        written.append(out / "metrics.json")
        if not self.figures:
            for name in ("nps_trend", "nps_by_service", "csi_by_direction"):
                self.figure(name)
        return written + write_figures(self.figures, out / "figures")


class SectionOutputs:
    """``write_outputs`` of a report section run beside the wave report (drivers, churn risk).

    A subclass sets ``PACK_NAME`` (its Excel pack, merged into
    ``wave_pack.xlsx`` by ``cxlab run-wave``), ``JSON_NAME`` and
    ``FIGURE_PREFIX``, and has ``excel_sheets()``, ``to_json()``,
    ``figures``, ``available_figures()`` and ``figure(name)``.
    """

    PACK_NAME: str
    JSON_NAME: str
    FIGURE_PREFIX: str

    if TYPE_CHECKING:
        # What the subclass has (declared for the type checker only).
        figures: dict[str, bytes]

        def excel_sheets(self) -> list[Sheet]: ...
        def to_json(self) -> dict[str, Any]: ...
        def available_figures(self) -> list[str]: ...
        def figure(self, name: str) -> Any: ...

    def write_outputs(self, output_dir) -> list[Path]:
        """The section's pack, its JSON and the charts drawn so far (all if none were)."""
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        sheets = self.excel_sheets()
        if sheets:
            written.append(write_pack(out / self.PACK_NAME, sheets))
        (out / self.JSON_NAME).write_text(json_text(self.to_json()), encoding="utf-8")
        written.append(out / self.JSON_NAME)
        if not self.figures:
            for name in self.available_figures():
                self.figure(name)
        return written + write_figures(self.figures, out / "figures", prefix=self.FIGURE_PREFIX)


def json_text(payload) -> str:
    """A report's JSON: UTF-8, indented, and without control characters in any key or value.

    Stored text may predate the cleaning at import (``cxlab repair`` fixes
    the workspace); ``json.dumps`` would keep NUL or a vertical tab as
    ``\\u0000`` escapes and DEL or C1 characters raw.

    >>> json_text({"quote": "Сроки\\x0bсорваны", "n": 3})
    '{\\n  "quote": "Срокисорваны",\\n  "n": 3\\n}'
    """
    return strip_control(json.dumps(_without_control(payload), ensure_ascii=False, indent=2, default=str))


def _without_control(value):
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, dict):
        return {_without_control(k): _without_control(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_control(v) for v in value]
    return value


def records(frame: pd.DataFrame | None) -> list:
    """A frame as JSON-ready records (NaN as null, dates in ISO); ``[]`` for none."""
    if frame is None or not len(frame):
        return []
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def write_figures(figures: dict[str, bytes], folder, prefix: str = "") -> list[Path]:
    """Write PNG charts as ``<folder>/<prefix><name>.png``; the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, png in figures.items():
        path = folder / f"{prefix}{name}.png"
        path.write_bytes(png)
        paths.append(path)
    return paths


def figure_html(fig):
    """A figure as PNG bytes and as an ``<img>`` for the report (closed afterwards).

    Each chart is rendered once, at print resolution: the report and the
    PNG files are the same picture, and the notebook does not render twice.
    Rendered in the house style with its save settings given explicitly
    (:func:`~cxlab.present.figures.cxlab_style`, :data:`~cxlab.present.figures.SAVEFIG`).
    """
    import base64
    import html
    import io

    from IPython.display import HTML

    title = fig.axes[0].get_title()
    buffer = io.BytesIO()
    with figs.cxlab_style():
        fig.savefig(buffer, format="png", **figs.SAVEFIG)
    width = min(900, int(fig.get_figwidth() * 100))
    plt.close(fig)
    png = buffer.getvalue()
    data = base64.b64encode(png).decode("ascii")
    return png, HTML(
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(title)}" style="max-width:100%;width:{width}px">'
    )


def _styled(frame: pd.DataFrame, lang: str, percent=(), decimals=None, headers=None):
    """pandas Styler for the HTML report: labels translated, numbers rounded, no index.

    ``headers`` names columns whose label is not the translated column name.
    """
    decimals = decimals or {}
    formats: dict[Any, Callable[..., str]] = {}
    for col in frame.columns:
        if col in percent:
            formats[col] = lambda v: "—" if pd.isna(v) else f"{100 * v:.0f}%"
        elif col in ("n", "n_before", "n_after", "rating_n", "respondents"):
            formats[col] = lambda v: "" if pd.isna(v) else f"{int(v)}"
        elif pd.api.types.is_bool_dtype(frame[col]):
            formats[col] = lambda v, _l=lang: t("yes" if v else "no", _l)
        elif pd.api.types.is_float_dtype(frame[col]):
            places = decimals.get(col, 1)
            formats[col] = lambda v, _p=places: "—" if pd.isna(v) else _num(v, _p, thousands=True)
    # Cells hold clients' words (comments, topic examples): text, never markup.
    styled = frame.style.format(formats, escape="html").hide(axis="index")
    intervals = [c for c in frame.columns if c == "95%" or str(c).endswith("_95")]
    if intervals:
        # An interval broken over two lines reads as two numbers.
        styled = styled.set_properties(subset=intervals, **{"white-space": "nowrap"})
    headers = headers or {}
    return styled.relabel_index([headers.get(c, t(c, lang)) for c in frame.columns], axis="columns")


def _num(v, places: int = 1, thousands: bool = False) -> str:
    """A number as text, never '-0.0'; thousands split by a narrow space when asked."""
    text = f"{round(float(v), places) + 0.0:{',' if thousands else ''}.{places}f}"
    return text.replace(",", "\u202f")


def _interval(low: pd.Series, high: pd.Series, places: int = 1) -> list[str]:
    return [
        "—" if pd.isna(lo) or pd.isna(hi) else f"{_num(lo, places)} … {_num(hi, places)}" for lo, hi in zip(low, high)
    ]


def _rank_range(low, high) -> str:
    """A rank interval as text: '2', '1–3', or '—' when there is none."""
    if pd.isna(low):
        return "—"
    return f"{int(low)}" if low == high else f"{int(low)}–{int(high)}"


def _fmt_num(v) -> str:
    return "—" if pd.isna(v) else _num(v)


def _fmt_share(v) -> str:
    return "—" if pd.isna(v) else f"{100 * v:.1f}%"
