"""The wide frame key-driver analyses work on: one row per response.

:func:`driver_frame` joins a wave's (or several waves') responses with their
ratings: the outcome columns (``nps`` = likelihood to recommend 0-10,
``overall`` = overall satisfaction) beside one column per rated item
(relationship attributes by default, or services or touchpoints), plus what
analyses group or cluster by (client, manager, team, segment, role).  No
personal data: contacts appear only by their id.

Examples
--------
>>> from cxlab.summary import SurveyData                      # doctest: +SKIP
>>> frame, items = driver_frame(SurveyData.from_workspace(ws), wave="2026-Q3")  # doctest: +SKIP
>>> items                                                      # doctest: +SKIP
['responsiveness', 'understanding_goals', ...]
"""

from __future__ import annotations

import pandas as pd

from cxlab.errors import ParameterError

__all__ = ["driver_frame", "usable_drivers", "ID_COLUMNS", "OUTCOMES"]

#: Columns carried beside the ratings.
ID_COLUMNS = [
    "response_id",
    "wave_id",
    "contact_id",
    "client_id",
    "manager",
    "team",
    "segment",
    "direction",
    "role",
    "contract_value",
]
#: Outcome columns a driver analysis may explain.
OUTCOMES = ["nps", "overall", "price"]


def driver_frame(
    data, wave: str | list[str] | None = None, *, kind: str = "attribute", complete_only: bool = True
) -> tuple[pd.DataFrame, list[str]]:
    """Responses with their item ratings side by side.

    Parameters
    ----------
    data : cxlab.summary.SurveyData
        The survey's frames (``SurveyData.from_workspace(ws)``).
    wave : str or list of str, optional
        Wave id(s); all waves when omitted.
    kind : {"attribute", "service", "direction", "touchpoint"}
        Which grid supplies the item columns; ``"direction"`` is each
        respondent's mean rating of the services they rated in a direction
        (fewer, fuller columns than one per service: a client buys few).
    complete_only : bool
        Leave out partial responses (``complete = false``) when the column
        exists; drivers are read from whole questionnaires.

    Returns
    -------
    frame : DataFrame
        One row per response: :data:`ID_COLUMNS`, :data:`OUTCOMES`, then one
        float column per item (NaN where the item was not rated).
    items : list of str
        The item columns, in questionnaire order as stored (order of first
        appearance in ``answers``).
    """
    responses = data.responses
    if wave is not None:
        waves = [wave] if isinstance(wave, str) else list(wave)
        responses = responses[responses["wave_id"].isin(waves)]
    if complete_only and "complete" in responses.columns:
        responses = responses[responses["complete"].fillna(True).astype(bool)]
    answers = data.answers
    if kind not in ("attribute", "service", "direction", "touchpoint"):
        raise ParameterError(
            f"kind must be 'attribute', 'service', 'direction' or 'touchpoint', not {kind!r}",
            parameter="kind",
            value=kind,
        )
    grid = answers[
        (answers["kind"] == ("service" if kind == "direction" else kind))
        & answers["response_id"].isin(responses["response_id"])
    ]
    if kind == "direction":
        direction = data.services.set_index("service_id")["direction"]
        grid = (
            grid.assign(item=grid["item"].map(direction))
            .dropna(subset=["item"])
            .groupby(["response_id", "item"], sort=False, as_index=False)["value"]
            .mean()
        )
    items = list(dict.fromkeys(grid["item"].tolist()))
    wide = (
        grid.pivot_table(index="response_id", columns="item", values="value", aggfunc="first").reindex(columns=items)
        if len(grid)
        else pd.DataFrame(columns=items)
    )
    base = responses[[c for c in ID_COLUMNS + OUTCOMES if c in responses.columns]].copy()
    for col in OUTCOMES:
        if col in base:
            base[col] = base[col].astype(float)
    frame = base.merge(wide.astype(float), left_on="response_id", right_index=True, how="left")
    frame.columns.name = None
    return frame.reset_index(drop=True), items


def usable_drivers(frame: pd.DataFrame, items, *, min_share: float = 0.5) -> tuple[list[str], dict[str, str]]:
    """Items fit to be drivers: rated by at least ``min_share`` of the rows and not all alike.

    An attribute added late, asked of few respondents or rated the same by
    everyone would, under listwise deletion, empty the analysis or make it
    singular; it is left out and the reason kept for the report.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1, 2, 3, 4], "b": [5, 5, 5, 5], "c": [1, None, None, None]})
    >>> usable_drivers(f, ["a", "b", "c"])
    (['a'], {'b': 'everyone gave the same rating', 'c': 'rated by 1 of 4 respondents'})
    """
    kept, dropped = [], {}
    n = len(frame)
    for item in items:
        values = pd.to_numeric(frame[item], errors="coerce")
        rated = int(values.notna().sum())
        if rated < min_share * n or rated == 0:
            dropped[item] = f"rated by {rated} of {n} respondents"
        elif values.nunique() < 2:
            dropped[item] = "everyone gave the same rating"
        else:
            kept.append(item)
    return kept, dropped
