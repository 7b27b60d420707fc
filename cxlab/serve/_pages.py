"""The server's own pages (no access, too many visitors, not found) in the page's language.

These replace Jupyter's error template, which Voila does not ship (hence
``TemplateNotFound: 403.html`` in the log) and which speaks English only.
The language is the request's ``lang=`` when it is one of
:data:`~cxlab.serve.LANGUAGES`, else the server's.  A page is self-contained:
no script, no stylesheet or font from anywhere.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl

from ._common import LANGUAGES

__all__ = ["page_lang", "error_page", "PAGES"]

#: Title and text of each page, by status code and language.
PAGES: dict[int, dict[str, tuple[str, str]]] = {
    403: {
        "ru": (
            "Нет доступа",
            "Эта ссылка не открывает панель: в ней нет действующего ключа доступа. "
            "Попросите актуальную ссылку у того, кто её прислал.",
        ),
        "en": (
            "No access",
            "This link does not open the dashboard: it carries no valid access key. "
            "Ask whoever sent it for a current link.",
        ),
    },
    404: {
        "ru": ("Страница не найдена", "Здесь ничего нет. Откройте ссылку на панель так, как её прислали."),
        "en": ("Page not found", "There is nothing here. Open the dashboard link as you received it."),
    },
    503: {
        "ru": (
            "Панель сейчас занята",
            "Открыто наибольшее число панелей, которое допускает сервер ({limit}). "
            "Закройте вкладки с панелью, которыми не пользуетесь, или попробуйте снова через несколько минут.",
        ),
        "en": (
            "The dashboard is at capacity",
            "The server is already running the most dashboard pages it allows ({limit}). "
            "Close dashboard tabs you are not using, or try again in a few minutes.",
        ),
    },
    0: {  # any other status
        "ru": ("Ошибка {status}", "Сервер не смог ответить на этот запрос. Попробуйте снова через минуту."),
        "en": ("Error {status}", "The server could not answer this request. Try again in a minute."),
    },
}

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;background:#f6f7f9;"
    "color:#1f2933;margin:0}main{max-width:36rem;margin:18vh auto;padding:2rem 2.5rem;background:#fff;"
    "border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.5rem;margin:0 0 1rem}"
    "p{font-size:1.05rem;line-height:1.5;margin:0}.code{color:#6b7280;font-size:.85rem;margin-top:1.5rem}"
)


def page_lang(query: str, default: str) -> str:
    """The page's language: ``lang=`` of the query if it is one cxlab speaks, else ``default``.

    Examples
    --------
    >>> page_lang("token=x&lang=en", "ru"), page_lang("lang=de", "ru"), page_lang("", "en")
    ('en', 'ru', 'en')
    """
    for key, value in parse_qsl(query or "", keep_blank_values=True):
        if key == "lang" and value in LANGUAGES:
            return value
    return default if default in LANGUAGES else LANGUAGES[0]


def error_page(status: int, lang: str, **values) -> str:
    """A complete HTML page for ``status`` in ``lang`` (``values`` fill the text: ``limit``).

    Examples
    --------
    >>> "Нет доступа" in error_page(403, "ru"), "<html lang=\\"en\\">" in error_page(404, "en")
    (True, True)
    """
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    title, text = PAGES.get(status, PAGES[0])[lang]
    values = {"status": status, **values}
    title, text = html.escape(title.format(**values)), html.escape(text.format(**values))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<main class="cx-server-page cx-status-{status}">\n<h1>{title}</h1>\n<p>{text}</p>\n'
        f'<p class="code">HTTP {status}</p>\n</main>\n</body>\n</html>\n'
    )
