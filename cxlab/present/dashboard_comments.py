"""The dashboard's comments: coded by theme once, masked, listed and summarised for a selection.

The part of :class:`~cxlab.present.dashboard_data.DashboardData` that codes
every response's words with :func:`cxlab.text.code_themes` on first use,
masks personal data in them, and gives a selection's comments and themes,
hidden below ``min_n`` respondents.
"""

from __future__ import annotations

import warnings
from typing import cast

import numpy as np
import pandas as pd

from cxlab import metrics
from cxlab.present.dashboard_query import Selection, _DashboardBase
from cxlab.present.derived_results import DerivedResults, coded_from_bundle, coded_to_bundle, results_of
from cxlab.text import code_themes, load_codebook, theme_summary
from cxlab.text.masking import mask_personal, respondent_names
from cxlab.text.themes import TEXT_COLUMNS as _TEXT_COLUMNS
from cxlab.text.themes import theme_ids

__all__ = ["COMMENT_COLUMNS"]

#: Columns of :meth:`DashboardData.comments`.
COMMENT_COLUMNS = ["nps", "category", "comment", "themes", "theme_ids", "sentiment"]


class _Comments(_DashboardBase):
    """Comments and themes of a selection (a part of ``DashboardData``)."""

    @property
    def codebook(self):
        """The theme codebook (``templates/themes/agency.yaml``), loaded once."""
        with self._text_lock:
            if self._codebook is None:
                self._codebook = load_codebook()
            return self._codebook

    def theme_labels(self, lang: str = "ru") -> dict[str, str]:
        """Theme id -> label in ``lang``, in codebook order."""
        return self.codebook.labels(lang)

    def coded_comments(self) -> pd.DataFrame:
        """Every response with words (why the score and the comment), coded by theme once.

        :func:`cxlab.text.code_themes` on ``response_id, reason, comment,
        nps`` of the responses that hold any text; the index is the
        responses' (so a selection's mask picks its rows).  Read from the
        workspace's store when stored for these very words and codebook
        (coded at import), else coded once and stored; kept in memory;
        thread-safe like :meth:`risk_scores`.  The text is not masked here:
        see :meth:`comments`.
        """
        with self._text_lock:
            if self._coded is None:
                words = self._words()
                self._coded = results_of(self).get(
                    "themes",
                    self.themes_args(),
                    lambda: self._code_comments(words),
                    coded_to_bundle,
                    lambda bundle: coded_from_bundle(bundle, self.responses),
                )
            return self._coded

    def themes_args(self) -> dict:
        """What the coded comments are keyed by in the store: the codebook and a hash of the words coded.

        Without the text lock: :meth:`DashboardData.ready` asks while the
        comments may be being coded in the background, and must not wait for
        it (two threads computing it at once get the same answer).
        """
        found = vars(self).get("_themes_args")
        if found is None:
            codebook = self._codebook if self._codebook is not None else load_codebook()
            found = DerivedResults.themes_args(codebook, self._words())
            self._themes_args = found
        return found

    def _words(self) -> pd.DataFrame:
        """``response_id``, the text columns and ``nps`` of the responses with any words (code_themes' input).

        Selected once and kept (the responses are read once, when the dashboard starts).
        """
        found = vars(self).get("_words_frame")
        if found is not None:
            return found
        r = self.responses
        cols = [c for c in ("response_id",) + _TEXT_COLUMNS + ("nps",) if c in r]
        words = np.zeros(len(r), dtype=bool)
        for col in _TEXT_COLUMNS:
            if col in r:
                try:  # vectorised: .str gives NaN for what is not text (a number, None)
                    has = r[col].str.strip().fillna("").ne("")
                except AttributeError:  # no text in the column at all
                    has = r[col].map(lambda v: isinstance(v, str) and bool(v.strip()))
                words |= has.to_numpy(dtype=bool)
        found = r.loc[words, cols]
        self._words_frame = found
        return found

    def _code_comments(self, words: pd.DataFrame | None = None) -> pd.DataFrame:
        coded = code_themes(self._words() if words is None else words, self.codebook)
        coded["theme_ids"] = theme_ids(coded, self.codebook)
        return coded

    def _selected_coded(self, sel: Selection) -> tuple[pd.DataFrame | None, str | None]:
        """The selection's coded comments, or None and why they are hidden (fewer than ``min_n`` respondents)."""
        mask = self.response_mask(sel)
        n = int(mask.sum())
        if n < self.min_n:
            return None, f"n = {n} < {self.min_n}"
        coded = self.coded_comments()
        part = coded[mask[coded.index.to_numpy()]] if len(coded) else coded
        return part, None

    def _masked_text(self, lang: str) -> pd.Series:
        """The coded texts as they may be shown: e-mails, phones and respondents' names masked (once per language).

        :func:`cxlab.text.masking.mask_personal` with the names of every
        contact who answered, as in the report's comments section.
        """
        with self._text_lock:
            if lang not in self._masked:
                coded = self.coded_comments()
                names = respondent_names(self.ws.contacts(include_pii=True), self.responses)
                self._masked[lang] = pd.Series(
                    [mask_personal(t, names, lang=lang) for t in coded["text"]], index=coded.index, dtype=object
                )
            return self._masked[lang]

    def comments(self, sel: Selection, lang: str = "ru") -> tuple[pd.DataFrame, str | None]:
        """The selection's comments with their themes, without who wrote them, or why they are hidden.

        Shown only when the selection has at least ``min_n`` respondents
        (a small cell would let a reader guess the author).  The text is the
        respondent's words as :func:`cxlab.text.code_themes` reads them
        (why the score and the comment, joined), with e-mail addresses,
        phone numbers and respondents' names masked (markers in ``lang``).

        Returns
        -------
        frame : DataFrame
            ``nps, category, comment, themes`` (theme labels in ``lang``,
            joined by "; "), ``theme_ids`` (codebook ids, "; "),
            ``sentiment`` (positive | negative | mixed | neutral); lowest
            score first.  Empty when hidden.
        hidden : str or None
            Why the comments are hidden (``n = 4 < 10``), or None.
        """
        part, hidden = self._selected_coded(sel)
        if hidden is not None:
            return pd.DataFrame(columns=COMMENT_COLUMNS), hidden
        part = cast(pd.DataFrame, part)  # not hidden: the selection's coded comments
        nps = pd.to_numeric(part["nps"], errors="coerce")
        # A category is a 0-10 reading: none for a wave that asked the question on another scale.
        category = (
            metrics.classify_nps(nps).to_numpy() if len(part) and sel.wave in self.nps_waves else [None] * len(part)
        )
        out = pd.DataFrame(
            {
                "nps": nps.to_numpy(),
                "category": category,
                "comment": self._masked_text(lang).loc[part.index].to_numpy(),
                "themes": [self.codebook.join_labels(ids, lang) for ids in part["theme_ids"]],
                "theme_ids": part["theme_ids"].to_numpy(),
                "sentiment": part["sentiment"].to_numpy(),
            },
            columns=COMMENT_COLUMNS,
        )
        return out.sort_values("nps", na_position="last", kind="stable").reset_index(drop=True), None

    def themes(self, sel: Selection, lang: str = "ru") -> tuple[pd.DataFrame | None, str | None]:
        """What the selection's comments are about: :func:`cxlab.text.theme_summary` of its coded comments.

        One row per theme of the codebook: ``theme, label`` (in ``lang``),
        ``n, n_comments, share`` and, for a wave with NPS on 0-10, the shares
        among detractors and promoters, the gap between them and the link to
        the score (comparisons with fewer than ``min_n`` comments on a side
        are left empty by ``theme_summary``).  Hidden, as the comments are,
        when the selection has fewer than ``min_n`` respondents.

        Returns
        -------
        frame : DataFrame or None
            None when hidden; no rows when the selection has no comments.
        hidden : str or None
        """
        key = (sel, lang)
        if key not in self._theme_cache:
            part, hidden = self._selected_coded(sel)
            result: tuple[pd.DataFrame | None, str | None]
            if hidden is not None:
                result = (None, hidden)
            elif not len(cast(pd.DataFrame, part)):
                # theme_summary needs at least one row; no comments is no themes.
                result = (pd.DataFrame(columns=["theme", "label", "n", "n_comments", "share"]), None)
            else:
                score = "nps" if sel.wave in self.nps_waves else None
                with warnings.catch_warnings():
                    # scipy's precision notes on groups whose scores are all alike; the intervals stand.
                    warnings.simplefilter("ignore", RuntimeWarning)
                    result = (
                        theme_summary(
                            part,
                            score=score,
                            codebook=self.codebook,
                            lang=lang,
                            confidence=self.confidence,
                            min_n=self.min_n,
                        ),
                        None,
                    )
            if len(self._theme_cache) > 256:
                self._theme_cache.clear()
            self._theme_cache[key] = result
        return self._theme_cache[key]

    def comment_method(self, lang: str = "ru") -> str:
        """How the comments were coded (codebook, lemmatiser, sentiment method), in ``lang``."""
        return self.coded_comments().attrs.get("method", {}).get(lang, "")
