"""The identity provider that answers 403 to a visitor without the token.

Built on first use (``jupyter_server`` is imported only then), so that
importing :mod:`cxlab.serve` for the CLI stays fast.
"""

from __future__ import annotations

_TOKEN_ONLY = None


def _token_only_identity_provider():
    global _TOKEN_ONLY
    if _TOKEN_ONLY is None:
        from jupyter_server.auth.identity import PasswordIdentityProvider
        from tornado import web

        class TokenOnlyIdentityProvider(PasswordIdentityProvider):
            """Jupyter's token check, with no login form: no valid token or cookie, 403.

            A redirect to a form that asks for "password or token" and talks
            about ``jupyter server list`` means nothing to the executive who
            opened an old link; 403 says plainly that the link is not enough.
            """

            async def get_user(self, handler):
                user = super().get_user(handler)
                if hasattr(user, "__await__"):
                    user = await user  # type: ignore[misc]  # hasattr does not narrow to Awaitable for mypy
                # Static assets (JupyterLab extensions, themes) are public, as in Jupyter.
                if user is None and not isinstance(handler, web.StaticFileHandler):
                    # As Jupyter does before its own early 403: the error
                    # page asks for the current user, which must then be known.
                    handler.current_user = handler._jupyter_current_user = None
                    raise web.HTTPError(403, "no valid token in the URL and no login cookie")
                return user

        # Named after its public home, where Voila finds it (cxlab.serve.TokenOnlyIdentityProvider).
        TokenOnlyIdentityProvider.__module__ = __package__
        _TOKEN_ONLY = TokenOnlyIdentityProvider
    return _TOKEN_ONLY
