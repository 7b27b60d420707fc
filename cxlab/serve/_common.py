"""Settings and the error shared by the dashboard server's modules."""

from __future__ import annotations

from cxlab.errors import DashboardError as DashboardError  # re-exported for the server's modules

#: Environment variable that holds a configured dashboard token.
TOKEN_ENV = "CXLAB_DASHBOARD_TOKEN"
#: Shorter configured tokens are refused: a token is the only lock on the door.
MIN_TOKEN_LENGTH = 16
DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"
LANGUAGES = ("ru", "en")
# Variables the kernel must not inherit from the server: Voila reads a token
# from JUPYTER_TOKEN when it is not given one, and the dashboard has no use
# for either.
_SECRET_ENV = (TOKEN_ENV, "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")
