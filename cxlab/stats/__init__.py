"""What several analysis layers share: intervals, resampling, multiple-comparison adjustment, the metric registry.

The lowest analysis layer: it imports nothing from cxlab but
:mod:`cxlab.errors`, and the metrics, drivers, risk, text, fieldwork and
present layers import from it.

- :mod:`cxlab.stats.intervals`: Wilson interval of a share, Student t
  interval of a mean, normal and t quantiles, the check of a confidence level;
- :mod:`cxlab.stats.resampling`: bootstrap resamples as row weights, whole
  clients drawn when the data are clustered;
- :mod:`cxlab.stats.adjust`: p-values adjusted for multiple comparisons;
- :mod:`cxlab.stats.registry`: every metric's name, RU/EN label, range, unit,
  direction of good and definition.

scipy and statsmodels load on the first computation that needs them, so
importing this package (for the registry, say) stays quick.

Examples
--------
>>> from cxlab import stats
>>> [round(x, 4) for x in stats.wilson(81, 263, 0.95)]
[0.2553, 0.3662]
>>> stats.label("response_rate", "ru")
'Доля ответивших'
"""

from __future__ import annotations

from cxlab.stats.adjust import ADJUST_NAMES, adjust_pvalues
from cxlab.stats.intervals import check_confidence, level_text, t_critical, t_mean, wilson, z_critical
from cxlab.stats.registry import METRICS, Metric, definition, is_better, label, metric, sentence
from cxlab.stats.resampling import resample_weights

__all__ = [
    "wilson",
    "t_mean",
    "check_confidence",
    "level_text",
    "z_critical",
    "t_critical",
    "resample_weights",
    "adjust_pvalues",
    "ADJUST_NAMES",
    "Metric",
    "METRICS",
    "metric",
    "label",
    "definition",
    "sentence",
    "is_better",
]
