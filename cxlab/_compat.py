"""Names that moved when a module was split, still importable from where they were.

A module that gave names away sets ``__getattr__ = moved(__name__, {name: new_module, ...})``:
``from cxlab.risk.model import score_clients`` then goes on working (the name is looked up in its new
module on first use, so no import cycle arises), and the new home is the one documented.

Examples
--------
>>> getattr_ = moved("cxlab.example", {"wilson": "cxlab.stats.intervals"})
>>> getattr_("wilson").__module__
'cxlab.stats.intervals'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["moved"]


def moved(module: str, names: dict[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that finds each of ``names`` in the module it moved to.

    Parameters
    ----------
    module : str
        The old module's name (for the ``AttributeError`` of any other name).
    names : dict
        Name -> the module that now defines it.
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
