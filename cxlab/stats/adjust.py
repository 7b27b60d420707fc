"""Adjustment of p-values for multiple comparisons, and the names of the methods in words.

:func:`adjust_pvalues` is used wherever several cells, themes or drivers are
tested at once (changes by cell, themes over waves, drivers over waves,
manager profiles); :data:`ADJUST_NAMES` names each method in the captions.
statsmodels is imported on the first adjustment, not with the module.

Examples
--------
>>> adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(2).tolist()
[0.03, 0.04, 0.04]
>>> ADJUST_NAMES["fdr_bh"]
'Benjamini-Hochberg FDR'
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxlab.errors import ParameterError

__all__ = ["adjust_pvalues", "ADJUST_NAMES"]

#: Each ``multipletests`` method by its name in words.
ADJUST_NAMES: dict[str, str] = {
    "holm": "Holm",
    "fdr_bh": "Benjamini-Hochberg FDR",
    "bonferroni": "Bonferroni",
    "hommel": "Hommel",
    "fdr_by": "Benjamini-Yekutieli FDR",
    "sidak": "Sidak",
    "holm-sidak": "Holm-Sidak",
}


def adjust_pvalues(pvalues: npt.ArrayLike, method: str | None = "holm") -> npt.NDArray[np.float64]:
    """Adjust p-values for multiple testing (NaN stays NaN and is not counted).

    Thin wrapper around ``statsmodels.stats.multitest.multipletests``.

    Parameters
    ----------
    pvalues : array-like
        Raw p-values; NaN marks an untested cell.
    method : str or None, default "holm"
        Any ``multipletests`` method (``"holm"``, ``"fdr_bh"``...); None
        returns the p-values unchanged.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same length and order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float).ravel().copy()
    ok = ~np.isnan(p)
    if np.any((p[ok] < 0) | (p[ok] > 1)):
        raise ParameterError("p-values must lie between 0 and 1", parameter="pvalues")
    if method is None or not ok.any():
        return p
    import gc

    from statsmodels.stats.multitest import multipletests

    # statsmodels' Holm branch ends with gc.collect(), which walks every object
    # of a kernel holding a survey (0.05-0.2 s per call, and the dashboard adjusts
    # per cell table); objects frozen into the permanent generation are skipped.
    gc.freeze()
    try:
        p[ok] = multipletests(p[ok], method=method)[1]
    finally:
        gc.unfreeze()
    return p
