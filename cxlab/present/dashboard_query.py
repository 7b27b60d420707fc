"""The dashboard's selection: the filters, the query string checked against the workspace, the rows selected.

:class:`Selection` is what the viewer picked (a wave and optional
filters); :class:`DashboardQueryError` is the refusal of a query-string
value.  The methods here are the part of
:class:`~cxlab.present.dashboard_data.DashboardData` that lists the values
each filter can take, reads a query string into a selection, and turns a
selection into the responses and client accounts it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd

from cxlab.errors import DashboardQueryError

if TYPE_CHECKING:
    import threading

    from cxlab.drivers import ImportancePerformance
    from cxlab.present.dashboard_data import _Prepared
    from cxlab.risk import RiskScores
    from cxlab.store import Workspace
    from cxlab.summary import SurveyData
    from cxlab.summary.figures import WaveFigures
    from cxlab.text import Codebook

    class _DashboardBase:
        """What the parts of ``DashboardData`` use of each other: its state (set in ``__init__``) and methods."""

        ws: Workspace
        data: SurveyData
        min_n: int
        confidence: float
        n_boot: int
        ipa_boot: int
        seed: int
        responses: pd.DataFrame
        waves: list[str]
        nps_waves: list[str]
        _prepared: _Prepared
        _services: pd.DataFrame
        _client_services: pd.DataFrame
        _invitations: pd.DataFrame
        _risk: dict[str, RiskScores]
        _figures: dict[str, WaveFigures]
        _figures_lock: threading.RLock
        _wave_info: pd.DataFrame
        currency: str
        _risk_lock: threading.RLock
        _flags: dict[tuple[str, str], pd.DataFrame]
        _panel: pd.DataFrame | None
        _driver_frames: dict[str, tuple[pd.DataFrame, list[str]]]
        _ipa_cache: dict[Selection, ImportancePerformance | str]
        _tile_memo: dict[tuple[str, str], dict]
        _coded: pd.DataFrame | None
        _codebook: Codebook | None
        _masked: dict[str, pd.Series]
        _theme_cache: dict[tuple[Selection, str], tuple[pd.DataFrame | None, str | None]]
        _text_lock: threading.RLock

        def response_mask(self, sel: Selection, *, all_waves: bool = False) -> np.ndarray: ...
        def clients_buying(self, service: str) -> set[str]: ...
        def account_ids(self, sel: Selection, clients: pd.DataFrame) -> pd.Series: ...
        def previous_wave(self, wave: str) -> str | None: ...
        def rating_scale(self, wave: str) -> str: ...
        def risk_scores(self, wave: str) -> RiskScores: ...
        def figures(self, wave: str) -> WaveFigures | None: ...
        def value_label(self, filter_name: str, value, lang: str) -> str: ...
        def attribute_label(self, item: str, wave: str | None, lang: str) -> str: ...

else:
    # The type checker's view only: at run time the parts derive from object, as before.
    _DashboardBase = object

__all__ = ["Selection", "DashboardQueryError", "FILTERS", "QUERY_KEYS"]

#: The filters, in the order the dashboard shows them.
FILTERS = ("wave", "direction", "service", "team", "manager", "segment", "role")
#: Query-string keys the dashboard reads; ``token`` is the server's own and
#: ``voila-template``/``voila-theme`` are ignored by the server (overrides are off).
QUERY_KEYS = FILTERS + ("lang",)
_IGNORED_KEYS = {"token", "voila-template", "voila-theme"}
# Filters that apply to client accounts (revenue at risk, flags) and the column holding them.
_ACCOUNT_FILTERS = ("direction", "service", "team", "manager", "segment")


@dataclass(frozen=True)
class Selection:
    """What the viewer picked: a wave and optional filters (None = all)."""

    wave: str
    direction: str | None = None
    service: str | None = None
    team: str | None = None
    manager: str | None = None
    segment: str | None = None
    role: str | None = None

    def filters(self) -> dict:
        """The filters that are set, without the wave."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "wave" and getattr(self, f.name) is not None
        }

    def key(self) -> str:
        """A stable text key, e.g. ``2026-Q3|team=Media``; shown to tests in the page."""
        return "|".join([self.wave] + [f"{k}={v}" for k, v in self.filters().items()])


class _Selecting(_DashboardBase):
    """Filter values, query-string checking and selected rows (a part of ``DashboardData``)."""

    # ------------------------------------------------------------ options
    def options(self) -> dict[str, list[str]]:
        """The values each filter can take (what exists in the workspace)."""
        r = self.responses

        def values(col):
            return sorted(str(v) for v in r[col].dropna().unique()) if col in r else []

        services = sorted(self._services.index.astype(str)) if len(self._services) else []
        return {
            "wave": list(self.waves),
            "direction": values("direction"),
            "service": services,
            "team": values("team"),
            "manager": values("manager"),
            "segment": values("segment"),
            "role": values("role"),
        }

    def service_label(self, service_id: str, lang: str) -> str:
        if not len(self._services) or service_id not in self._services.index:
            return service_id
        row = self._services.loc[service_id]
        name = row.get(f"name_{lang}") or row.get("name_en") or service_id
        return f"{row.get('direction', '')} · {name}" if row.get("direction") else str(name)

    def questionnaire(self, wave: str | None = None):
        """The questionnaire the wave was asked with (the latest wave's by default), or None if unknown."""
        from cxlab.questionnaire import find_questionnaire

        wave = wave or (self.waves[-1] if self.waves else None)
        info = getattr(self, "_wave_info", None)
        name = "pr_agency"
        if wave is not None and info is not None and wave in info.index:
            name = info.loc[wave].get("questionnaire") or name
        cache = self.__dict__.setdefault("_questionnaires", {})
        if name not in cache:
            try:
                cache[name] = find_questionnaire(name)
            except Exception:  # a workspace's own template that is gone: labels fall back to ids
                cache[name] = None
        return cache[name]

    def value_label(self, filter_name: str, value, lang: str) -> str:
        """What a viewer reads for a filter value, in ``lang``.

        Services by their name (``name_ru``/``name_en`` of the services
        table), directions by the questionnaire's label, roles and segments by
        their labels (:data:`~cxlab.present.dashboard_words.ROLE_LABELS`,
        :data:`~cxlab.present.dashboard_words.SEGMENT_LABELS`); managers,
        teams and waves are names and stay as they are.  An unknown value is
        shown as stored.

        Examples
        --------
        >>> d.value_label("role", "day_to_day", "ru")            # doctest: +SKIP
        'контактное лицо'
        >>> d.value_label("direction", "media_relations", "en")  # doctest: +SKIP
        'Media relations'
        """
        from cxlab.present.dashboard_words import ROLE_LABELS, SEGMENT_LABELS

        if value is None:
            return ""
        value = str(value)
        lang = "ru" if lang == "ru" else "en"
        if filter_name == "service":
            if len(self._services) and value in self._services.index:
                name = self._services.loc[value].get(f"name_{lang}")
                if isinstance(name, str) and name:
                    return name
            return self._questionnaire_label(value, lang)
        if filter_name == "direction":
            return self._questionnaire_label(value, lang)
        if filter_name == "role":
            return ROLE_LABELS.get(value, {}).get(lang, value)
        if filter_name == "segment":
            return SEGMENT_LABELS.get(value, {}).get(lang, value)
        return value

    def attribute_label(self, item: str, wave: str | None, lang: str) -> str:
        """The name of a relationship attribute or driver (``attr_`` prefix or not) in ``lang``.

        From the wave's questionnaire; a service id gets the service's name.

        Examples
        --------
        >>> d.attribute_label("attr_responsiveness", "2026-Q3", "ru")   # doctest: +SKIP
        """
        lang = "ru" if lang == "ru" else "en"
        base = str(item).removeprefix("attr_")
        for key in (str(item), base):
            text = self._questionnaire_label(key, lang, wave, fallback=None)
            if text is not None:
                return text
        if len(self._services) and base in self._services.index:
            return self.value_label("service", base, lang)
        if str(item) == "overall":
            return "общая удовлетворённость" if lang == "ru" else "overall satisfaction"
        return base.replace("_", " ")

    def _questionnaire_label(self, item: str, lang: str, wave: str | None = None, fallback: str | None = ""):
        q = self.questionnaire(wave)
        if q is not None:
            try:
                return q.label(item, lang)
            except Exception:  # not in the template (NotFoundError): the stored id below
                pass
        return item if fallback == "" else fallback

    def latest(self) -> Selection:
        if not self.waves:
            raise DashboardQueryError("the workspace has no responses yet")
        return Selection(wave=self.waves[-1])

    def selection_from_query(self, query: str) -> tuple[Selection, str | None]:
        """The selection and language a query string asks for, every value checked against what exists.

        Returns
        -------
        selection : Selection
        lang : str or None

        Raises
        ------
        DashboardQueryError
            For a key the dashboard does not read (the workspace, a file or a
            notebook cannot be chosen from the URL) or a value that does not
            exist, naming the key, the value and what is allowed.
        """
        pairs = parse_qsl(query or "", keep_blank_values=True)
        options = self.options()
        chosen: dict = {}
        lang = None
        for key, value in pairs:
            if key in _IGNORED_KEYS:
                continue
            if key not in QUERY_KEYS:
                raise DashboardQueryError(
                    f"unknown parameter {key!r} in the address; the workspace and the notebook are fixed when "
                    f"the server starts. Parameters: {', '.join(QUERY_KEYS)}",
                    parameter=key,
                    value=value,
                )
            if key in chosen or (key == "lang" and lang is not None):
                raise DashboardQueryError(f"parameter {key!r} is given twice", parameter=key, value=value)
            if key == "lang":
                if value not in ("ru", "en"):
                    raise DashboardQueryError(
                        f"lang={_show(value)} is not a language of the dashboard (ru, en)", parameter=key, value=value
                    )
                lang = value
                continue
            if value not in options[key]:
                known = ", ".join(options[key][:20]) + (" …" if len(options[key]) > 20 else "")
                raise DashboardQueryError(
                    f"{key}={_show(value)} does not exist in this workspace ({key} values: {known or 'none'})",
                    parameter=key,
                    value=value,
                )
            chosen[key] = value
        base = self.latest()
        return replace(base, **chosen), lang

    # ------------------------------------------------------------ selecting
    def response_mask(self, sel: Selection, *, all_waves: bool = False) -> np.ndarray:
        """Which responses the selection covers (every wave when ``all_waves``)."""
        r = self.responses
        mask = np.ones(len(r), dtype=bool) if all_waves else (r["wave_id"] == sel.wave).to_numpy()
        for key, value in sel.filters().items():
            if key == "service":
                mask = mask & r["client_id"].isin(self.clients_buying(value)).to_numpy()
            elif key in r:
                mask = mask & (r[key] == value).to_numpy()
        return mask

    def clients_buying(self, service: str) -> set:
        cs = self._client_services
        return set(cs.loc[cs["service_id"] == service, "client_id"].astype(str)) if len(cs) else set()

    def account_ids(self, sel: Selection, clients: pd.DataFrame) -> pd.Series:
        """The ``client_id`` of the rows of ``clients`` (``client_id, manager, team``) the account filters keep.

        The role filter does not apply to accounts.
        """
        keep = pd.Series(True, index=clients.index)
        info = self.data.clients.set_index("client_id")
        for key, value in sel.filters().items():
            if key == "service":
                keep &= clients["client_id"].isin(self.clients_buying(value))
            elif key in ("direction", "segment"):
                keep &= clients["client_id"].map(info[key]) == value
            elif key in ("team", "manager"):
                col = clients[key] if key in clients else clients["client_id"].map(info[key])
                keep &= col == value
        return clients.loc[keep, "client_id"]

    def previous_wave(self, wave: str) -> str | None:
        i = self.waves.index(wave)
        return self.waves[i - 1] if i > 0 else None


_SAFE = re.compile(r"[^\w .,:;@()+\-/\\]")


def _show(value: str) -> str:
    """A query value quoted for a message: trimmed and without markup characters."""
    text = _SAFE.sub("?", value)[:80]
    return repr(text)
