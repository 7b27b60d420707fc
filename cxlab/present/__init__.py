"""Presentation: charts, the Excel pack, report assembly, labels in RU/EN.

Only this layer and the pipeline write files under ``reports/``.
"""

from cxlab.present.excel import Sheet, write_pack
from cxlab.present.labels import t

__all__ = ["Sheet", "write_pack", "t"]
