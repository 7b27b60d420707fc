"""``python -m cxlab.serve <voila options>``: run Voila with the token from the environment.

Started by :func:`cxlab.serve.serve_dashboard` and
:func:`cxlab.serve.start_dashboard`, never with the token on its command line.
"""

from __future__ import annotations

import os
import sys

from ._common import _SECRET_ENV, MIN_TOKEN_LENGTH, TOKEN_ENV


def _launch_voila(argv: list[str]) -> None:
    """Run Voila with the token taken from the environment, not the command line."""
    token = os.environ.pop(TOKEN_ENV, "")
    for name in _SECRET_ENV:  # kernels start with a copy of this environment
        os.environ.pop(name, None)
    if len(token) < MIN_TOKEN_LENGTH:
        sys.exit(f"cxlab.serve: set {TOKEN_ENV} to a token of at least {MIN_TOKEN_LENGTH} characters")
    import warnings

    from voila.app import Voila

    # `file_allowlist=[]` is traitlets' older list syntax, and the only one
    # that can say "empty"; its deprecation warning would open every log
    # (set after the import: importing voila turns traitlets' warnings on).
    warnings.filterwarnings("ignore", message=r".*for containers is deprecated", category=DeprecationWarning)

    Voila.launch_instance(argv, token=token)


if __name__ == "__main__":  # python -m cxlab.serve <voila options>, started by serve/start_dashboard
    _launch_voila(sys.argv[1:])
