"""E-mail addresses and phone numbers inside comments are masked; ordinary numbers are not."""

import pytest

from cxlab.text import mask_contact_details


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("пишите на anna.petrova@client.ru", "пишите на [e-mail]"),
        ("mail ivan+cx@mail.example.co.uk please", "mail [e-mail] please"),
        ("звоните +7 (495) 123-45-67", "звоните [телефон]"),
        ("тел. 8 916 123 45 67, спасибо", "тел. [телефон], спасибо"),
        ("call +44 20 7946 0958", "call [телефон]"),
        ("89161234567", "[телефон]"),
    ],
)
def test_contacts_masked(text, expected):
    assert mask_contact_details(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "В 2026 году оценка 9/10",
        "договор №12345 от 01.02.2026",
        "рост на 15%, бюджет 3 500 000 ₽",
        "NPS +36",
        "бюджет 1 500 000 000 ₽",
        "с 01.02.2026-15.03.2026",
        "",
    ],
)
def test_ordinary_numbers_kept(text):
    assert mask_contact_details(text) == text


def test_language_of_marker_and_missing_values():
    assert mask_contact_details("+7 916 123-45-67", lang="en") == "[phone]"
    assert mask_contact_details(None) is None
