"""Settings and the error shared by the dashboard server's modules."""

from __future__ import annotations

import re

from cxlab.errors import DashboardError as DashboardError  # re-exported for the server's modules

#: Environment variable that holds a configured dashboard token.
TOKEN_ENV = "CXLAB_DASHBOARD_TOKEN"
#: Shorter configured tokens are refused: a token is the only lock on the door.
MIN_TOKEN_LENGTH = 16
#: Longer ones too: the token travels through a pipe written before Voila starts.
MAX_TOKEN_LENGTH = 512
#: The characters a token may hold: RFC 3986's unreserved ones, which a URL
#: carries unchanged (``+``, ``%``, ``/``, ``&`` ... would be decoded or split).
TOKEN_CHARACTERS = "A-Z a-z 0-9 - . _ ~"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9\-._~]+")
DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"
LANGUAGES = ("ru", "en")
#: Kernels kept started and run up to the point where they wait for a request.
DEFAULT_PREHEAT = 1
#: Live kernels at most, the preheated ones included (each holds about 400 MB).
DEFAULT_MAX_KERNELS = 6
#: A kernel without a connection (its page closed without saying so) is shut
#: down after this many idle seconds; the culler looks every CULL_INTERVAL
#: seconds, so it goes within two minutes of its last activity.
CULL_IDLE_SECONDS = 90
CULL_INTERVAL_SECONDS = 30
# Variables the kernel must not inherit from the server: Voila reads a token
# from JUPYTER_TOKEN when it is not given one, and the dashboard has no use
# for either.
_SECRET_ENV = (TOKEN_ENV, "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")
# Non-secret settings for the launcher (python -m cxlab.serve), passed in its environment.
MAX_KERNELS_ENV = "CXLAB_DASHBOARD_MAX_KERNELS"
PREHEAT_ENV = "CXLAB_DASHBOARD_PREHEAT"
# The launcher's own option: the file descriptor of the pipe the token comes through.
TOKEN_FD_OPTION = "--cxlab-token-fd="
