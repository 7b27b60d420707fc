"""What ``python -m cxlab.serve`` changes in Voila before it starts: token, log, pages, kernels.

The Voila process runs this module's :func:`launch`, which

- reads the token from an inherited pipe (``--cxlab-token-fd=N``, its own
  option, taken off the command line before Voila sees it), so that the
  token is in neither the command line nor ``/proc/<pid>/environ`` of the
  server or its kernels;
- redacts every ``token=...`` value and the token itself in every log record
  (:func:`redact`, installed as the record factory: tornado, Jupyter and
  Voila all log the full URL of a refused request);
- serves the page through :func:`page_handler_class`: it sets the ``_xsrf``
  cookie that the page's shutdown request (sent when the page closes) must
  carry, removes ``token=`` from the request before Voila hands the query to
  the kernel, and refuses a visitor with a page in their language when
  ``--max-kernels`` kernels serve visitors (:mod:`cxlab.serve._kernels`);
- answers errors of HTML pages with :func:`cxlab.serve._pages.error_page`;
- lets only local kernels wait on Voila's query socket, and logs when a
  preheated kernel is ready for a visitor (:func:`guard_query_socket`);
- kills what is left of its child processes (kernels still starting, say)
  once Voila has stopped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys

from ._common import (
    _SECRET_ENV,
    DEFAULT_MAX_KERNELS,
    DEFAULT_PREHEAT,
    MAX_KERNELS_ENV,
    MIN_TOKEN_LENGTH,
    PREHEAT_ENV,
    TOKEN_FD_OPTION,
    TOKEN_PATTERN,
)
from ._kernels import (
    admit,
    admitted,
    guard_query_socket,
    pending_visitors,
    reclaim_kernels,
    track_connections,
    visitor_kernels,
    watch_visitor_kernels,
)
from ._pages import error_page, page_lang

REDACTED = "[redacted]"
#: ``token=<value>`` in a URL (``?token=``, ``&token=``, ``%26token%3D``) or a form.
_TOKEN_PARAM = re.compile(r"(token(?:=|%3D))[^&\s\"'<>;,)]*", re.IGNORECASE)
# A Cookie header in a logged dict of headers: the login cookie opens the door as the token does.
_COOKIE_HEADER = re.compile(r"((['\"])Cookie\2\s*:\s*)(['\"]).*?(?<!\\)\3", re.IGNORECASE)
#: The language cookie the page's loading text reads when the URL has no ``lang=``.
LANG_COOKIE = "cxlab_lang"


def redact(text: str, secrets=()) -> str:
    """``text`` with each ``token=`` value, each Cookie header and each of ``secrets`` replaced.

    Examples
    --------
    >>> redact("403 GET /?token=abc123&wave=2026-Q3 (127.0.0.1)")
    '403 GET /?token=[redacted]&wave=2026-Q3 (127.0.0.1)'
    >>> redact("cookie sk-0123456789abcdef", ["sk-0123456789abcdef"])
    'cookie [redacted]'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _TOKEN_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    return _COOKIE_HEADER.sub(lambda m: f"{m.group(1)}{m.group(3)}{REDACTED}{m.group(3)}", text)


def install_redaction(secrets=()) -> None:
    """Redact (:func:`redact`) the message and traceback of every log record made in this process.

    A record factory rather than a filter: filters sit on loggers or
    handlers, and Jupyter, tornado and Voila create theirs after this runs.
    """
    secrets = tuple(s for s in secrets if s)
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as Python would, redacted all the same
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact(message, secrets), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return record

    logging.setLogRecordFactory(factory)


def read_token(argv: list[str]) -> tuple[str, list[str]]:
    """The token from the pipe named by ``--cxlab-token-fd=N`` (read, then closed) and the other options.

    Examples
    --------
    >>> r, w = os.pipe(); _ = os.write(w, b"a-token-of-16-chars-at-least"); os.close(w)
    >>> read_token([f"--cxlab-token-fd={r}", "nb.ipynb"])
    ('a-token-of-16-chars-at-least', ['nb.ipynb'])
    """
    rest, fd = [], None
    for arg in argv:
        if arg.startswith(TOKEN_FD_OPTION):
            fd = int(arg[len(TOKEN_FD_OPTION) :])
        else:
            rest.append(arg)
    if fd is None:
        return "", rest
    chunks = []
    with os.fdopen(fd, "rb") as pipe:
        while chunk := pipe.read(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8").strip(), rest


def _without_token(query: str) -> str:
    # Parameter by parameter, so that every other byte of the query stays as sent.
    return "&".join(p for p in query.split("&") if p and p.split("=", 1)[0].lower() != "token")


def page_handler_class(*, max_kernels: int, preheat: int, default_lang: str):
    """Voila's page handler with the ``_xsrf`` cookie set, the token kept from the kernel, and a kernel cap."""
    from tornado import web
    from voila.tornado.handler import TornadoVoilaHandler

    class CxlabPageHandler(TornadoVoilaHandler):
        @web.authenticated
        async def get(self, path=None):
            if path:  # single-notebook mode sends any other path to /voila/files/, which serves nothing
                return await super().get(path)
            # The page asks for its kernel's shutdown when it closes, a POST
            # that must carry this cookie's value (Voila's page never set it: 403).
            self.xsrf_token  # noqa: B018  (reading it sets the cookie)
            self.set_cookie(LANG_COOKIE, default_lang, path=self.base_url, samesite="Strict")
            request = self.request
            lang = page_lang(request.query, default_lang)
            # The identity provider has read the token (and set its cookie);
            # the kernel gets the query and URL without it.
            request.query = _without_token(request.query)
            request.uri = request.path + (f"?{request.query}" if request.query else "")
            for args in (request.arguments, request.query_arguments):
                args.pop("token", None)
            km = self.kernel_manager
            watch_visitor_kernels(km)
            in_use = len(visitor_kernels(km)) + pending_visitors()
            if in_use + 1 + preheat > max_kernels and await reclaim_kernels(km, self.log):
                in_use = len(visitor_kernels(km)) + pending_visitors()
            if in_use + 1 + preheat > max_kernels:
                self.log.warning(
                    "cxlab: visitor refused: %d kernel(s) serve pages and %d are kept preheated, "
                    "the limit is --max-kernels %d",
                    in_use,
                    preheat,
                    max_kernels,
                )
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.finish(error_page(503, lang, limit=max_kernels - preheat))
                return None
            slot = admit()  # counted until Voila names the visitor's kernel
            try:
                return await super().get(path)
            finally:
                admitted(slot)

    CxlabPageHandler.__module__ = __name__
    return CxlabPageHandler


def install_error_pages(default_lang: str) -> None:
    """HTML errors (403 without the token, 404 ...) as :func:`error_page` in the request's language.

    API handlers keep their JSON errors (they override ``write_error``); the
    file handler (tornado's, not Jupyter's) gets the same pages.
    """
    from jupyter_server.base.handlers import JupyterHandler
    from voila.static_file_handler import AllowListFileHandler

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.write(error_page(status_code, page_lang(self.request.query, default_lang)))

    JupyterHandler.write_error = write_error  # type: ignore[method-assign]
    AllowListFileHandler.write_error = write_error


def _kill_children() -> None:
    # Kernels run in sessions of their own; whatever Voila's shutdown missed
    # (a pool kernel still starting) is still our child until we exit.
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(children, timeout=5)


def launch(argv: list[str]) -> None:
    """Run Voila with ``argv`` (see the module docstring); the token comes through the pipe."""
    token, argv = read_token(argv)
    for name in _SECRET_ENV:  # kernels start with a copy of this environment
        os.environ.pop(name, None)
    if len(token) < MIN_TOKEN_LENGTH or not TOKEN_PATTERN.fullmatch(token):
        sys.exit(
            f"cxlab.serve: no usable token: start the dashboard with `cxlab dashboard` "
            f"(the token comes through {TOKEN_FD_OPTION}N, at least {MIN_TOKEN_LENGTH} URL-safe characters)"
        )
    install_redaction([token])
    default_lang = os.environ.get("CXLAB_DASHBOARD_LANG") or "ru"
    max_kernels = int(os.environ.get(MAX_KERNELS_ENV) or DEFAULT_MAX_KERNELS)
    preheat = int(os.environ.get(PREHEAT_ENV) or DEFAULT_PREHEAT)

    import warnings

    import voila.app
    from voila.app import Voila

    # `file_allowlist=[]` is traitlets' older list syntax, and the only one
    # that can say "empty"; its deprecation warning would open every log
    # (set after the import: importing voila turns traitlets' warnings on).
    warnings.filterwarnings("ignore", message=r".*for containers is deprecated", category=DeprecationWarning)
    # Voila's app builds its routes from this name (single-notebook mode).
    voila.app.TornadoVoilaHandler = page_handler_class(
        max_kernels=max_kernels, preheat=preheat, default_lang=default_lang
    )
    install_error_pages(default_lang)
    track_connections()
    guard_query_socket({"127.0.0.1", "::1", os.environ.get("VOILA_APP_IP", "127.0.0.1").strip("[]")})
    try:
        Voila.launch_instance(argv, token=token)
    finally:
        _kill_children()
