"""A wave's headline figures, trend and breakdowns, as tidy frames.

Pure analysis: :func:`summarize_wave` takes the survey's frames
(:class:`SurveyData`, read from a workspace by :meth:`SurveyData.from_workspace`)
and returns a :class:`WaveSummary` whose tables the report, the Excel pack,
``metrics.json`` and the dashboard all show, so the numbers agree everywhere.

Definitions used here (also printed in the report):

- *NPS* (respondents): promoters 9-10 minus detractors 0-6, in points, over
  the respondents of the wave; interval from the trinomial variance, and a
  second, cluster-robust one because several contacts answer per client.
- *Account NPS*: each client account counts once (mean of its respondents'
  net scores +100/0/-100); *revenue-weighted NPS*: the same account values
  weighted by annual contract value.
- *CSAT*: overall satisfaction (1-5): mean (t interval) and top-2-box share
  (Wilson interval).
- *CSI*: for each respondent the mean of all satisfaction ratings they gave
  (overall, each service, each relationship attribute), each rescaled to
  0-100; the CSI is the mean over respondents (t interval).  Where the wave
  asked for importance, *CSI (weighted)* is shown beside it.
- *Breakdowns* of NPS carry cluster-robust intervals (clients as clusters);
  a cell where everyone answered alike gets the adjusted-Wald interval.
- *By service*: a respondent counts under every service the client buys.
- *By client*: descriptive account figures, no intervals (one to four
  respondents per account cannot carry one).
- *Response rate*: responded / delivered invitations (sent and not bounced,
  or responded), Wilson interval: the figure ``cxlab wave status`` shows,
  computed by :func:`cxlab.fieldwork.funnel.wave_response_rate`.

Examples
--------
>>> from cxlab.summary import summarize_wave, SurveyData   # doctest: +SKIP
>>> s = summarize_wave(SurveyData.from_workspace(ws), "2026-Q3")  # doctest: +SKIP
>>> s.headline[["metric", "estimate", "ci_low", "ci_high", "n"]]  # doctest: +SKIP
"""

from __future__ import annotations

from .cells import nps_cell_changes as nps_cell_changes
from .cells import nps_cells as nps_cells
from .cells import nps_cells_columns as nps_cells_columns
from .cells import service_nps_cells as service_nps_cells
from .survey import SurveyData
from .survey import waves_up_to as waves_up_to
from .wave import DEFINITIONS, WaveSummary, csi_items, summarize_wave

__all__ = ["SurveyData", "WaveSummary", "summarize_wave", "csi_items", "DEFINITIONS"]
