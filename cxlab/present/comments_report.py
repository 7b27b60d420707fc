"""The comments section of the wave report: what clients say in their own words.

:class:`CommentsReport` reads the workspace once and, for one wave, codes
every comment (the "why this score" answer and the open comment, joined) by
the codebook's themes with :func:`cxlab.text.code_themes`, then shows each
theme's frequency, its share among detractors and promoters, its link to
the score (:func:`cxlab.text.theme_summary`), two or three representative
quotes (:func:`cxlab.text.representative_quotes`), the themes over waves
(:func:`cxlab.text.themes_over_waves`) and the topics the codebook misses
(:func:`cxlab.text.discover_themes`).  It writes ``comments_pack.xlsx``
(merged into the wave pack by ``cxlab run-wave``): the themes table, the
comments with their themes for follow-up, themes by wave, new topics and
the codebook itself.

Privacy: quotes and the comments sheet never carry the respondent's name,
e-mail or phone; e-mail addresses and phone numbers written inside the text
are masked, and so is every part of a respondent's name (from the contacts
table) in any inflected form.

Examples
--------
>>> rep = CommentsReport("workspaces/demo", "2026-Q3", lang="en")   # doctest: +SKIP
>>> rep.write_outputs("reports/demo/2026-Q3")                       # doctest: +SKIP
"""

from __future__ import annotations

import html

import pandas as pd

from cxlab import text as cxtext
from cxlab.errors import NotFoundError
from cxlab.metrics.nps import classify_nps
from cxlab.present import comment_figures as cfig
from cxlab.present.excel import Sheet
from cxlab.present.labels import pick
from cxlab.present.report import SectionOutputs, _interval, _styled, figure_html, records
from cxlab.text.discovery import DISCOVERY_METHOD
from cxlab.text.masking import mask_personal, respondent_names
from cxlab.text.quotes import QUOTE_METHOD
from cxlab.text.theme_stats import SUMMARY_METHOD, has_text
from cxlab.text.themes import theme_ids

__all__ = ["CommentsReport", "PACK_NAME"]

PACK_NAME = "comments_pack.xlsx"

_TEXT = {
    "title": {"ru": "Что клиенты пишут своими словами", "en": "What clients say in their own words"},
    "themes": {"ru": "Темы комментариев", "en": "Comment themes"},
    "quotes": {"ru": "Характерные цитаты", "en": "Representative quotes"},
    "waves": {"ru": "Темы по волнам", "en": "Themes over waves"},
    "discovery": {"ru": "Темы, которых нет в кодбуке", "en": "Themes the codebook misses"},
    "no_comments": {"ru": "В этой волне нет комментариев.", "en": "There are no comments in this wave."},
}
_SHEETS = {
    "themes": {"ru": "Темы", "en": "Themes"},
    "comments": {"ru": "Комментарии", "en": "Comments"},
    "waves": {"ru": "Темы по волнам", "en": "Themes by wave"},
    "discovery": {"ru": "Новые темы", "en": "New topics"},
    "codebook": {"ru": "Кодбук", "en": "Codebook"},
}
_H = {  # column headers, ru / en
    "label": ("Тема", "Theme"),
    "n": ("Комментариев", "Comments"),
    "share": ("Доля", "Share"),
    "share_95": ("95%", "95%"),
    "n_negative": ("Жалобы", "Complaints"),
    "n_positive": ("Похвала", "Praise"),
    "share_detractors": ("У критиков", "Detractors"),
    "share_promoters": ("У промоутеров", "Promoters"),
    "detractor_gap": ("Разница, п.п.", "Gap, pp"),
    "gap_95": ("95%", "95%"),
    "score_gap": ("Оценка с темой − без", "Score with − without"),
    "score_95": ("95%", "95%"),
    "top_terms": ("Слова темы", "Top terms"),
    "n_comments": ("Комментариев", "Comments"),
    "n_uncovered": ("Без темы кодбука", "Not coded"),
    "examples": ("Примеры", "Examples"),
    "text": ("Комментарий", "Comment"),
    "themes": ("Темы", "Themes"),
    "negative": ("Жалобы на", "Complaints"),
    "positive": ("Похвала за", "Praise"),
    "sentiment": ("Тональность", "Sentiment"),
    "nps": ("Оценка 0-10", "Score 0-10"),
    "category": ("Группа", "Group"),
    "client": ("Клиент", "Client"),
    "manager": ("Менеджер", "Manager"),
    "team": ("Команда", "Team"),
    "role": ("Роль", "Role"),
    "wave_id": ("Волна", "Wave"),
    "response_id": ("Ответ", "Response"),
    "theme": ("Код темы", "Theme id"),
    "share_ci_low": ("Доля: от", "Share: from"),
    "share_ci_high": ("Доля: до", "Share: to"),
    "n_detractors": ("Критиков", "Detractors (n)"),
    "n_promoters": ("Промоутеров", "Promoters (n)"),
    "share_detractors_ci_low": ("У критиков: от", "Detractors: from"),
    "share_detractors_ci_high": ("У критиков: до", "Detractors: to"),
    "share_promoters_ci_low": ("У промоутеров: от", "Promoters: from"),
    "share_promoters_ci_high": ("У промоутеров: до", "Promoters: to"),
    "detractor_gap_ci_low": ("Разница: от", "Gap: from"),
    "detractor_gap_ci_high": ("Разница: до", "Gap: to"),
    "detractor_gap_p": ("Разница: p", "Gap: p"),
    "detractor_gap_p_adjusted": ("Разница: p (Холм)", "Gap: p (Holm)"),
    "mean_with": ("Средняя оценка с темой", "Mean score with"),
    "mean_without": ("Без темы", "Mean score without"),
    "score_gap_ci_low": ("Оценка: от", "Score gap: from"),
    "score_gap_ci_high": ("Оценка: до", "Score gap: to"),
    "score_gap_p": ("Оценка: p", "Score gap: p"),
    "score_gap_p_adjusted": ("Оценка: p (Холм)", "Score gap: p (Holm)"),
    "nps_with": ("NPS с темой", "NPS with"),
    "nps_without": ("NPS без темы", "NPS without"),
    "suppressed": ("Сравнение скрыто (мало)", "Comparison hidden (small)"),
    "method": ("Метод", "Method"),
}
_CATEGORY = {
    "promoter": ("промоутер", "promoter"),
    "passive": ("нейтрал", "passive"),
    "detractor": ("критик", "detractor"),
}
_SENTIMENT = {
    "positive": ("позитивная", "positive"),
    "negative": ("негативная", "negative"),
    "mixed": ("смешанная", "mixed"),
    "neutral": ("нейтральная", "neutral"),
    "": ("", ""),
}


def _h(key: str, lang: str) -> str:
    return pick(_H, key, lang)


class CommentsReport(SectionOutputs):
    """Comment themes, quotes, themes over waves and new topics for one wave in one language.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : str, optional
        Default: the latest wave with responses.
    lang : {"ru", "en"}
    min_n : int
        A comparison (with vs without a theme, detractors vs promoters)
        needs this many comments on each side.
    codebook : optional
        Codebook name, path or mapping; default ``templates/themes/agency.yaml``.
    n_quotes : int
        Quotes per theme.
    """

    PACK_NAME = PACK_NAME
    JSON_NAME, FIGURE_PREFIX = "comments.json", "comments_"

    def __init__(
        self, workspace, wave: str | None = None, *, lang: str = "ru", min_n: int = 10, codebook=None, n_quotes: int = 3
    ):
        from cxlab.store import Workspace

        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self.lang, self.min_n, self.n_quotes = lang, min_n, n_quotes
        self.wave = wave or self.ws.latest_wave()
        self.ws.wave(self.wave)
        self.codebook = cxtext.load_codebook(codebook)
        self.figures: dict[str, bytes] = {}
        self._compute()

    # ------------------------------------------------------------ computing
    def _compute(self) -> None:
        from cxlab.schema import parse_scale
        from cxlab.summary import waves_up_to

        responses = self.ws.response_frame()
        order = waves_up_to(self.ws.waves(), responses, self.wave) or [self.wave]
        # The score's link is a 0-10 reading: a wave asked on another scale gets counts and shares only.
        scale = self.ws.wave(self.wave).get("nps_scale") or "0-10"
        self.score = "nps" if parse_scale(scale) == (0, 10) else None
        self.names = respondent_names(self.ws.contacts(include_pii=True), responses)
        responses = responses[responses["wave_id"].isin(order)]
        clients = self.ws.clients().set_index("client_id")["name"]
        keep = [
            "response_id",
            "wave_id",
            "client_id",
            "contact_id",
            "manager",
            "team",
            "role",
            "nps",
            "reason",
            "comment",
        ]
        frame = responses[[c for c in keep if c in responses]].copy()
        frame["client"] = frame["client_id"].map(clients)
        coded = cxtext.code_themes(frame, self.codebook)
        self.coded_all = coded[has_text(coded)]
        self.coded = self.coded_all[self.coded_all["wave_id"] == self.wave]
        self.n_responses = int((responses["wave_id"] == self.wave).sum())
        self.summary = cxtext.theme_summary(
            self.coded, score=self.score, codebook=self.codebook, lang=self.lang, min_n=self.min_n
        )
        self.over_waves = cxtext.themes_over_waves(
            self.coded_all, codebook=self.codebook, lang=self.lang, order=order, min_n=self.min_n
        )
        self.discovery = cxtext.discover_themes(self.coded, self.codebook, names=self.names, lang=self.lang)
        self.quotes = self._quotes()

    def _quotes(self) -> pd.DataFrame:
        parts = [
            cxtext.representative_quotes(
                self.coded,
                theme,
                k=self.n_quotes,
                score=self.score,
                codebook=self.codebook,
                names=self.names,
                lang=self.lang,
            )
            for theme in self.summary.loc[self.summary["n"] > 0, "theme"]
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=["theme", "quote", "polarity", "score", "similarity"])
        return pd.concat(parts, ignore_index=True).drop(columns=["row"])

    # ----------------------------------------------------------------- text
    def intro(self) -> str:
        n = len(self.coded)
        coded = int((self.coded["n_themes"] > 0).sum()) if n else 0
        share = f"{100 * n / self.n_responses:.0f}%" if self.n_responses else "—"
        method = self.coded_all.attrs.get("method", {}).get(self.lang, "")
        if self.lang == "ru":
            return (
                f"# {_TEXT['title']['ru']}\n\nВолна {self.wave}: комментарии оставили **{n}** из "
                f"{self.n_responses} ответивших ({share}); у {coded} из них найдена хотя бы одна тема кодбука "
                f"«{self.codebook.id}». {method}. Комментарий — ответ на вопрос «почему такая оценка» и "
                f"открытый комментарий вместе. Имена, e-mail и телефоны в цитатах скрыты."
            )
        return (
            f"# {_TEXT['title']['en']}\n\nWave {self.wave}: **{n}** of {self.n_responses} respondents left a "
            f"comment ({share}); {coded} of them mention at least one theme of the '{self.codebook.id}' "
            f"codebook. {method}. A comment is the answer to 'why this score' and the open comment together. "
            f"Names, e-mails and phone numbers in quotes are masked."
        )

    # --------------------------------------------------------------- tables
    def display_summary(self):
        s = self.summary
        if not len(self.coded):
            return pd.DataFrame({_TEXT["themes"][self.lang]: [_TEXT["no_comments"][self.lang]]})
        frame = pd.DataFrame(
            {
                "label": s["label"],
                "n": s["n"],
                "share": s["share"],
                "share_95": _interval(100 * s["share_ci_low"], 100 * s["share_ci_high"], 0),
                "n_negative": s["n_negative"],
                "n_positive": s["n_positive"],
            }
        )
        if "share_detractors" in s:
            frame["share_detractors"] = s["share_detractors"]
            frame["share_promoters"] = s["share_promoters"]
            frame["detractor_gap"] = 100 * s["detractor_gap"]
            frame["gap_95"] = _interval(100 * s["detractor_gap_ci_low"], 100 * s["detractor_gap_ci_high"], 0)
            frame["score_gap"] = s["score_gap"]
            frame["score_95"] = _interval(s["score_gap_ci_low"], s["score_gap_ci_high"], 1)
        caption = {
            "ru": f"n = {len(self.coded)} комментариев. Жалобы и похвала — по тональности упоминания темы. "
            f"Разница — доля темы у критиков минус у промоутеров; «оценка с темой − без» — разница средних "
            f"оценок 0-10. Сравнения, где с одной из сторон меньше {self.min_n} комментариев, скрыты. "
            f"Методы: {SUMMARY_METHOD['ru']}.",
            "en": f"n = {len(self.coded)} comments. Complaints and praise: the tone of the theme's mention. Gap: the "
            f"theme's share among detractors minus among promoters; score with − without: difference of "
            f"mean 0-10 scores. Comparisons with fewer than {self.min_n} comments on a side are hidden. "
            f"Methods: {SUMMARY_METHOD['en']}.",
        }[self.lang]
        return _styled(
            frame,
            self.lang,
            percent=["share", "share_detractors", "share_promoters"],
            decimals={"detractor_gap": 0, "score_gap": 1},
            headers={k: _h(k, self.lang) for k in frame.columns},
        ).set_caption(caption)

    def display_quotes(self):
        """Quotes per theme as HTML (escaped: a comment is text, never markup)."""
        from IPython.display import HTML

        if not len(self.quotes):
            return HTML(f"<p>{html.escape(_TEXT['no_comments'][self.lang])}</p>")
        group = {"ru": "оценка", "en": "score"}[self.lang]
        tone = {"positive": "+", "negative": "−", "neutral": "·"}
        blocks = []
        for theme in self.summary["theme"]:
            q = self.quotes[self.quotes["theme"] == theme]
            if not len(q):
                continue
            items = "".join(
                f"<li><span title='{html.escape(p)}'>{tone.get(p, '·')}</span> «{html.escape(text)}»"
                + ("" if pd.isna(sc) else f" <small>({group} {int(sc)})</small>")
                + "</li>"
                for text, p, sc in zip(q["quote"], q["polarity"], q["score"])
            )
            blocks.append(f"<p><b>{html.escape(self.codebook.label(theme, self.lang))}</b></p><ul>{items}</ul>")
        note = html.escape(f"{_TEXT['quotes'][self.lang]}: {QUOTE_METHOD[self.lang]}.")
        return HTML("".join(blocks) + f"<p><small>{note}</small></p>")

    def display_discovery(self):
        d = self.discovery
        if not len(d.topics):
            return pd.DataFrame({_TEXT["discovery"][self.lang]: [d.message.get(self.lang, "")]})
        frame = d.topics[["top_terms", "n_comments", "n_uncovered", "examples"]]
        return _styled(frame, self.lang, headers={k: _h(k, self.lang) for k in frame.columns}).set_caption(
            {
                "ru": f"{DISCOVERY_METHOD['ru']}, n = {d.n_documents}. Если тема повторяется, добавьте её слова в "
                "кодбук (templates/themes/*.yaml).",
                "en": f"{DISCOVERY_METHOD['en']}, n = {d.n_documents}. If a topic recurs, add its words to the "
                "codebook (templates/themes/*.yaml).",
            }[self.lang]
        )

    def comments_table(self) -> pd.DataFrame:
        """Every comment of the wave with its themes, for follow-up: no respondent name, e-mail or phone."""
        c, lang, cb = self.coded, self.lang, self.codebook
        i = 0 if lang == "ru" else 1

        def named(ids: pd.Series) -> pd.Series:
            return ids.map(lambda v: cb.join_labels(v, lang))

        category = (
            classify_nps(pd.to_numeric(c["nps"], errors="coerce"))
            if len(c) and self.score
            else pd.Series([None] * len(c), index=c.index, dtype=object)
        )
        out = pd.DataFrame(
            {
                "response_id": c["response_id"],
                "wave_id": c["wave_id"],
                "client": c.get("client"),
                "manager": c.get("manager"),
                "team": c.get("team"),
                "role": c.get("role"),
                "nps": c["nps"],
                "category": category.map(lambda k: _CATEGORY[k][i] if k in _CATEGORY else ""),
                "themes": named(theme_ids(c, cb)),
                "negative": named(c["negative_themes"]),
                "positive": named(c["positive_themes"]),
                "sentiment": c["sentiment"].map(lambda s: _SENTIMENT.get(s, (s, s))[i]),
                "text": [mask_personal(t, self.names, lang=lang) for t in c["text"]],
            }
        )
        return out.sort_values(["nps", "response_id"], na_position="last").reset_index(drop=True)

    # --------------------------------------------------------------- charts
    def available_figures(self) -> list[str]:
        names = []
        if len(self.coded) and "share_detractors" in self.summary and (self.summary["n"] > 0).any():
            names.append("themes")
        if self.over_waves["wave_id"].nunique() >= 2:
            names.append("waves")
        return names

    def figure(self, name: str):
        """Draw a chart, keep its PNG for the report folder, return it for display."""
        if name == "themes":
            fig = cfig.theme_bars(self.summary[self.summary["n"] > 0], lang=self.lang)
        elif name == "waves":
            fig = cfig.themes_heatmap(self.over_waves, lang=self.lang)
        else:
            raise NotFoundError(
                f"unknown figure {name!r}; figures: {self.available_figures()}", kind="figure", key=name
            )
        png, shown = figure_html(fig)
        self.figures[name] = png
        return shown

    # ------------------------------------------------------------- sections
    def section(self, name: str) -> list:
        """What the notebook displays for one section: heading, tables, charts."""
        from IPython.display import Markdown

        out: list = [Markdown(f"## {_TEXT[name][self.lang]}")]
        if name == "themes":
            out.append(self.display_summary())
            if "themes" in self.available_figures():
                out.append(self.figure("themes"))
        elif name == "quotes":
            out.append(self.display_quotes())
        elif name == "waves":
            if "waves" in self.available_figures():
                out.append(self.figure("waves"))
            else:
                out.append(
                    Markdown(
                        {"ru": "Предыдущих волн с комментариями нет.", "en": "No earlier wave with comments."}[
                            self.lang
                        ]
                    )
                )
        elif name == "discovery":
            out.append(self.display_discovery())
        else:
            raise NotFoundError(f"unknown section {name!r}", kind="section", key=name)
        return out

    # ----------------------------------------------------------- the pack
    def excel_sheets(self) -> list[Sheet]:
        lang = self.lang
        summary = self.summary
        pct = [c for c in summary.columns if c.startswith(("share", "detractor_gap")) and not c.endswith("_p")]
        comments = self.comments_table()
        topics = (
            self.discovery.topics
            if len(self.discovery.topics)
            else pd.DataFrame({"message": [self.discovery.message.get(lang, "")]})
        )
        return [
            Sheet(
                _SHEETS["themes"][lang],
                summary,
                percent=pct,
                headers={k: _h(k, lang) for k in summary.columns},
                decimals={
                    "mean_with": 2,
                    "mean_without": 2,
                    "score_gap": 2,
                    "score_gap_ci_low": 2,
                    "score_gap_ci_high": 2,
                    "score_gap_p": 4,
                    "detractor_gap_p": 4,
                },
                note=f"n = {len(self.coded)}; {SUMMARY_METHOD[lang]}",
            ),
            Sheet(
                _SHEETS["comments"][lang],
                comments,
                headers={k: _h(k, lang) for k in comments.columns},
                decimals={"nps": 0},
                note={
                    "ru": "Для работы с клиентами: без имён, e-mail и телефонов респондентов (в тексте скрыты).",
                    "en": "For follow-up: no respondent names, e-mails or phones (masked in the text).",
                }[lang],
            ),
            Sheet(
                _SHEETS["waves"][lang],
                self.over_waves,
                percent=["share", "ci_low", "ci_high", "change", "change_ci_low", "change_ci_high"],
                decimals={"p_value": 4, "p_adjusted": 4},
                note={
                    "ru": "Уилсон; изменения — Ньюкомб, тест скоров; p с поправкой Холма по темам волны.",
                    "en": "Wilson; changes: Newcombe, score test; p adjusted by Holm over the wave's themes.",
                }[lang],
            ),
            Sheet(
                _SHEETS["discovery"][lang], topics, note=f"{DISCOVERY_METHOD[lang]}, n = {self.discovery.n_documents}"
            ),
            Sheet(_SHEETS["codebook"][lang], self.codebook.to_frame(), note=self.codebook.source),
        ]

    def to_json(self) -> dict:
        """The figures and masked quotes (no respondent, client or contact)."""
        return {
            "wave": self.wave,
            "lang": self.lang,
            "codebook": self.codebook.id,
            "n_comments": len(self.coded),
            "n_responses": self.n_responses,
            "method": SUMMARY_METHOD[self.lang],
            "themes": records(self.summary),
            "over_waves": records(self.over_waves),
            "quotes": records(self.quotes.drop(columns=["similarity"], errors="ignore")),
            "new_topics": records(self.discovery.topics.drop(columns=["examples"], errors="ignore")),
        }
