"""Personal links: Google Forms pre-fill and Yandex Forms hidden fields, URL-encoded; bad templates refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from cxlab.fieldwork.common import ConfigError
from cxlab.fieldwork.links import LinkTemplate, build_link

GOOGLE = (
    "https://docs.google.com/forms/d/e/1FAIpQLSd_x9/viewform?usp=pp_url"
    "&entry.123456={token}&entry.654321={client_name}&entry.777={wave}"
)
YANDEX = "https://forms.yandex.ru/u/64f0c0ffee/?token={token}&client={client_id}&lang={language}&k={contact_id}"


def test_google_forms_prefill_link_is_encoded():
    link = build_link(GOOGLE, "google_forms", token="aB-_9z", client_name="ООО «Альфа» & Co", wave="2026-Q4")
    parts = urlsplit(link)
    assert parts.netloc == "docs.google.com" and parts.path == "/forms/d/e/1FAIpQLSd_x9/viewform"
    assert link.startswith("https://docs.google.com/forms/d/e/1FAIpQLSd_x9/viewform?usp=pp_url&entry.123456=aB-_9z&")
    # Cyrillic, spaces, quotes and '&' are percent-encoded, so the query splits into the right fields.
    assert "%D0%9E%D0%9E%D0%9E%20%C2%AB" in link and " " not in link and "«" not in link
    assert parse_qs(parts.query) == {
        "usp": ["pp_url"],
        "entry.123456": ["aB-_9z"],
        "entry.654321": ["ООО «Альфа» & Co"],
        "entry.777": ["2026-Q4"],
    }


def test_yandex_forms_hidden_fields():
    t = LinkTemplate(YANDEX, "yandex_forms")
    assert t.fields == ("token", "client_id", "language", "contact_id")
    link = t.render(token="T/1+2=", client_id="C 1", language="ru", contact_id="K1")
    assert link == "https://forms.yandex.ru/u/64f0c0ffee/?token=T%2F1%2B2%3D&client=C%201&lang=ru&k=K1"
    assert parse_qs(urlsplit(link).query)["token"] == ["T/1+2="]


def test_other_tools_take_placeholders_anywhere_but_the_host():
    link = build_link("https://survey.agency.ru/s/{wave}/{token}", token="abc", wave="2026 Q4")
    assert link == "https://survey.agency.ru/s/2026%20Q4/abc"
    with pytest.raises(ConfigError, match="host name"):
        LinkTemplate("https://{client_id}.agency.ru/?t={token}")


def test_a_template_without_token_is_refused():
    with pytest.raises(ConfigError, match=r"no \{token\} placeholder: without the personal token"):
        LinkTemplate("https://forms.yandex.ru/u/abc/?client={client_id}", "yandex_forms")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://forms.yandex.ru/u/abc/?token={token}&mail={email}", r"unknown placeholder \{email\}"),
        ("https://forms.yandex.ru/u/abc/?token={token}&x={}", r"empty placeholder \{\}"),
        ("https://forms.yandex.ru/u/abc/?token={token!r}", "takes no format or conversion"),
        ("https://forms.yandex.ru/u/abc/?token={token", "malformed"),
        ("forms.yandex.ru/u/abc/?token={token}", "must be an http"),
    ],
)
def test_bad_templates_are_refused(url, message):
    with pytest.raises(ConfigError, match=message):
        LinkTemplate(url)


def test_tool_shapes_are_checked():
    with pytest.raises(ConfigError, match=r"Google Forms pre-filled link starts with https://docs\.google\.com/forms/"):
        LinkTemplate("https://forms.gle/abc?entry.1={token}", "google_forms")
    with pytest.raises(ConfigError, match=r"\{token\} must be the value of an entry\.NNN parameter"):
        LinkTemplate("https://docs.google.com/forms/d/e/x/viewform?usp=pp_url&token={token}", "google_forms")
    with pytest.raises(ConfigError, match=r"Yandex Forms link is on forms\.yandex\.ru"):
        LinkTemplate("https://forms.example.com/u/abc/?token={token}", "yandex_forms")
    with pytest.raises(ConfigError, match="hidden-field parameter"):
        LinkTemplate("https://forms.yandex.ru/u/abc/{token}/", "yandex_forms")
    with pytest.raises(ConfigError, match="unknown form tool"):
        LinkTemplate(YANDEX, "typeform")


def test_render_needs_every_value_and_a_token():
    t = LinkTemplate(YANDEX, "yandex_forms")
    with pytest.raises(ConfigError, match=r"no value for \{language\}, \{contact_id\}"):
        t.render(token="x", client_id="C1")
    with pytest.raises(ConfigError, match="empty token"):
        t.render(token="", client_id="C1", language="ru", contact_id="K1")
