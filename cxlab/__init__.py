"""cxlab: honest client-experience measures for agencies and B2B service firms.

CSI, CSAT and NPS with their n and intervals, by service, client, manager and
team, from wave to wave; one DuckDB workspace per company; one command per
survey wave (``cxlab run-wave``).

Examples
--------
>>> import cxlab
>>> cxlab.metrics.nps([10, 9, 8, 3]).estimate
25.0
"""

from cxlab.store import ImportReport, Workspace

__version__ = "0.1.0"

__all__ = ["Workspace", "ImportReport", "metrics", "__version__"]


def __getattr__(name):
    # Heavier modules load on first use so that `import cxlab` stays quick.
    import importlib

    # (`cxlab run-wave` starts faster without scipy and statsmodels.)
    if name in ("metrics", "stats", "simulate", "ingest", "drivers", "risk", "text", "present", "pipeline", "summary"):
        return importlib.import_module(f"cxlab.{name}")
    raise AttributeError(f"module 'cxlab' has no attribute {name!r}")
