"""``python -m cxlab.serve --cxlab-token-fd=N <voila options>``: run Voila the way cxlab serves it.

Started by :func:`cxlab.serve.serve_dashboard` and
:func:`cxlab.serve.start_dashboard`, with the token in an inherited pipe
(never on a command line or in the environment); see
:mod:`cxlab.serve._launcher`.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":  # started by serve_dashboard / start_dashboard
    from ._launcher import launch

    launch(sys.argv[1:])
