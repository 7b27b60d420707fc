"""Personal survey links: the agency's form URL with the contact's token filled in.

The respondent answers in the agency's own form tool; the link carries a
personal token so that the answer comes back tied to the contact.

* Google Forms: a *pre-filled link* (form menu -> "Get pre-filled link"),
  ``https://docs.google.com/forms/d/e/<id>/viewform?usp=pp_url&entry.123456={token}``;
  more fields may be pre-filled the same way (``&entry.654321={client_name}``).
* Yandex Forms: *hidden fields* passed as GET parameters,
  ``https://forms.yandex.ru/u/<id>/?token={token}&client={client_id}``.
* Any other tool: a URL with the same placeholders.

Placeholders: ``{token}`` (required), ``{contact_id}``, ``{client_id}``,
``{client_name}``, ``{language}``, ``{wave}``.  Every value is URL-encoded
(client names are often Cyrillic and hold spaces, quotes and ``&``).

Examples
--------
>>> t = LinkTemplate("https://forms.yandex.ru/u/abc/?token={token}&client={client_name}", "yandex_forms")
>>> t.render(token="Xy_1", client_name="ООО «Альфа»")
'https://forms.yandex.ru/u/abc/?token=Xy_1&client=%D0%9E%D0%9E%D0%9E%20%C2%AB%D0%90%D0%BB%D1%8C%D1%84%D0%B0%C2%BB'
>>> LinkTemplate("https://forms.yandex.ru/u/abc/?client={client_id}")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cxlab.errors.WaveConfigError: the link has no {token} placeholder: ...
"""

from __future__ import annotations

import re
from string import Formatter
from urllib.parse import parse_qsl, quote, urlsplit

from cxlab.fieldwork.common import ConfigError

__all__ = ["LinkTemplate", "build_link", "PLACEHOLDERS", "FORM_TOOLS"]

#: Values a link template may use.
PLACEHOLDERS = ("token", "contact_id", "client_id", "client_name", "language", "wave")
#: Form tools whose link shape is checked.
FORM_TOOLS = ("google_forms", "yandex_forms", "other")

_GOOGLE_ENTRY = re.compile(r"^entry\.\d+$")


class LinkTemplate:
    """A validated form URL template.

    Parameters
    ----------
    url : str
        The form URL with placeholders, e.g. ``...?entry.123456={token}``.
    tool : {"google_forms", "yandex_forms", "other"}
        Checks the URL's shape for the tool (host, where placeholders go).

    Raises
    ------
    ConfigError
        No ``{token}``, an unknown placeholder, unbalanced braces, a URL that
        is not http(s), or a shape the tool does not accept.
    """

    def __init__(self, url: str, tool: str = "other"):
        if tool not in FORM_TOOLS:
            raise ConfigError(f"unknown form tool '{tool}'; choose one of {', '.join(FORM_TOOLS)}")
        self.url = url.strip()
        self.tool = tool
        self.fields = self._parse()
        self._check_shape()

    def __repr__(self) -> str:
        return f"LinkTemplate({self.url!r}, {self.tool!r})"

    def _parse(self) -> tuple[str, ...]:
        try:
            parts = list(Formatter().parse(self.url))
        except ValueError as exc:
            raise ConfigError(f"the link template is malformed ({exc}); placeholders look like {{token}}") from None
        fields = []
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name == "":
                raise ConfigError(
                    "empty placeholder {} in the link; use one of " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                )
            if name not in PLACEHOLDERS:
                raise ConfigError(
                    f"unknown placeholder {{{name}}} in the link; allowed: "
                    + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                )
            if spec or conversion:
                raise ConfigError(f"placeholder {{{name}}} takes no format or conversion; write {{{name}}}")
            fields.append(name)
        if "token" not in fields:
            raise ConfigError(
                "the link has no {token} placeholder: without the personal token a response "
                "cannot be tied to its contact (add e.g. '&entry.123456={token}' for Google Forms "
                "or '?token={token}' for a Yandex Forms hidden field)"
            )
        return tuple(dict.fromkeys(fields))

    def _check_shape(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ConfigError(f"the link must be an http(s) URL, got '{self.url[:60]}'")
        if "{" in parts.netloc:
            raise ConfigError("placeholders cannot stand in the link's host name")
        host = parts.hostname or ""
        in_query = {
            name: key for key, value in parse_qsl(parts.query, keep_blank_values=True) for name in _names(value)
        }
        if self.tool == "google_forms":
            if host != "docs.google.com" or "/forms/" not in parts.path:
                raise ConfigError(
                    "a Google Forms pre-filled link starts with https://docs.google.com/forms/ "
                    "(short forms.gle links cannot be pre-filled); use the form menu "
                    "'Get pre-filled link'"
                )
            for name in self.fields:
                key = in_query.get(name)
                if key is None or not _GOOGLE_ENTRY.match(key):
                    raise ConfigError(
                        f"Google Forms: {{{name}}} must be the value of an entry.NNN parameter "
                        f"of the pre-filled link, e.g. '&entry.123456={{{name}}}'"
                    )
        elif self.tool == "yandex_forms":
            if not host.startswith("forms.yandex.") and not host.endswith(".forms.yandex.ru"):
                raise ConfigError(f"a Yandex Forms link is on forms.yandex.ru (or .com), not '{host}'")
            for name in self.fields:
                if name not in in_query:
                    raise ConfigError(
                        f"Yandex Forms: {{{name}}} must be the value of a hidden-field parameter, "
                        f"e.g. '?{name}={{{name}}}' (add a hidden field '{name}' to the form)"
                    )

    def render(self, **values) -> str:
        """The link for one contact; every value is URL-encoded.

        Raises
        ------
        ConfigError
            When a placeholder's value is missing or ``token`` is empty.
        """
        missing = [f for f in self.fields if f not in values]
        if missing:
            raise ConfigError(f"no value for {', '.join('{' + m + '}' for m in missing)} in the link")
        if not values.get("token"):
            raise ConfigError("an empty token cannot make a personal link")
        encoded = {k: quote("" if v is None else str(v), safe="") for k, v in values.items()}
        return self.url.format_map(encoded)


def _names(value: str) -> list[str]:
    try:
        return [n for _, n, _, _ in Formatter().parse(value) if n]
    except ValueError:
        return []


def build_link(url: str, tool: str = "other", **values) -> str:
    """Validate ``url`` and fill it in for one contact.

    >>> build_link("https://docs.google.com/forms/d/e/1FA/viewform?usp=pp_url&entry.11={token}&entry.22={client_name}",
    ...            "google_forms", token="t0k", client_name="Beta & Co")
    'https://docs.google.com/forms/d/e/1FA/viewform?usp=pp_url&entry.11=t0k&entry.22=Beta%20%26%20Co'
    """
    return LinkTemplate(url, tool).render(**values)
