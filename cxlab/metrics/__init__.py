"""Client-experience metrics: NPS, CSAT, CSI, with n, interval and method.

Pure functions on pandas/numpy objects (no I/O).  Every estimate is an
:class:`Estimate` (or a :class:`Change` for a difference between waves) that
carries its n, its interval and the name of the method; breakdowns are tidy
frames with the same figures per cell and small cells suppressed.

Examples
--------
>>> from cxlab import metrics
>>> e = metrics.nps([10, 9, 9, 10, 7, 8, 7, 3, 6, 0])
>>> print(e)
nps = 10.00 [95% CI -41.48, 61.48], n = 10 (NPS, trinomial Wald interval (z))
"""

from cxlab.stats.adjust import adjust_pvalues

from ._result import DEFINITIONS, Change, Estimate, metric_definition
from ._validate import NPSScaleError
from .breakdown import BREAKDOWN_METRICS, breakdown, nps_breakdown_from_counts
from .change import breakdown_change
from .clustered import nps_account, nps_clustered, nps_revenue_weighted
from .csat import csat_mean, top2box
from .csi import csi, csi_scores
from .nps import NPS_METHODS, classify_nps, net_score, nps, nps_from_counts, nps_shares
from .two_sample import (
    independent_change,
    mean_change,
    nps_change,
    nps_change_from_counts,
    proportion_change,
    top2box_change,
)

__all__ = [
    "Estimate",
    "Change",
    "DEFINITIONS",
    "metric_definition",
    "NPSScaleError",
    "NPS_METHODS",
    "BREAKDOWN_METRICS",
    "nps_from_counts",
    "nps",
    "nps_shares",
    "classify_nps",
    "net_score",
    "csat_mean",
    "top2box",
    "csi_scores",
    "csi",
    "nps_clustered",
    "nps_account",
    "nps_revenue_weighted",
    "breakdown",
    "nps_breakdown_from_counts",
    "nps_change",
    "nps_change_from_counts",
    "mean_change",
    "proportion_change",
    "top2box_change",
    "breakdown_change",
    "adjust_pvalues",
    "independent_change",
]
