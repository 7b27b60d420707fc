"""Mask e-mail addresses and phone numbers inside free text before it is published.

Comments reach dashboards and reports without the respondent's name or
e-mail, but a respondent may write their own (or a colleague's) address or
number into the comment itself.

Examples
--------
>>> mask_contact_details("write to ivan.petrov@client.com, tel. 8 916 123 45 67", lang="en")
'write to [e-mail], tel. [phone]'
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["mask_contact_details", "mask_names", "mask_personal", "respondent_names", "EMAIL", "PHONE"]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits split by spaces, dots, dashes or brackets is a candidate;
# :func:`_is_phone` decides (dates, sums and contract numbers are candidates too).
PHONE = re.compile(r"(?<![\w+])(?:\+\s?)?\(?\d(?:[\s().-]{0,2}\d){6,16}(?![\w])")
_LABELS = {"ru": ("[e-mail]", "[телефон]"), "en": ("[e-mail]", "[phone]")}


def _is_phone(candidate: str) -> bool:
    """10-15 digits written as a phone: with +, as a Russian 8/7 number of 11 digits, or with brackets or dashes.

    Local 7-digit numbers are not masked: written without a code they look
    like sums ("3 500 000") and are rare in client comments.
    """
    digits = re.sub(r"\D", "", candidate)
    if not 10 <= len(digits) <= 15:
        return False
    if candidate.lstrip().startswith("+") or (len(digits) == 11 and digits[0] in "78"):
        return True
    return "(" in candidate or "-" in candidate


def mask_contact_details(text, lang: str = "ru"):
    """The text with e-mail addresses and phone numbers replaced by a marker.

    Parameters
    ----------
    text : str or None
        Missing values are returned unchanged.
    lang : {"ru", "en"}
        Language of the markers.
    """
    if not isinstance(text, str):
        return text
    email, phone = _LABELS["ru" if lang == "ru" else "en"]
    text = EMAIL.sub(email, text)
    return PHONE.sub(lambda m: phone if _is_phone(m.group(0)) else m.group(0), text)


@lru_cache(maxsize=64)
def _name_parts(names: tuple) -> frozenset:
    """Every part of three letters or more of the names, as written (lower case) and in dictionary form."""
    from cxlab.text.tokens import lemma

    parts = [p for name in names for p in re.findall(r"[^\W\d_]{3,}", name)]
    return frozenset({p.lower() for p in parts} | {lemma(p) for p in parts})


def mask_names(text, names, lang: str = "ru"):
    """The text with every part of the given personal names masked, in any inflected form.

    Parameters
    ----------
    text : str or None
    names : iterable of str
        Full names ("Иван Петров", "Anna Smith"); each part of three letters
        or more is masked wherever it stands, as written or inflected
        ("Петрову", "Петровой" for "Петров").  Privacy comes first: a name
        that is also a word ("Вера", "Роман") is masked as a word too.
    lang : {"ru", "en"}
        Language of the marker.

    Examples
    --------
    >>> mask_names("Спасибо Петровой за работу", ["Анна Петрова"])
    'Спасибо [имя] за работу'
    """
    from cxlab.text.tokens import lemmas, tokenize

    if not isinstance(text, str):
        return text
    parts = _name_parts(tuple(n for n in names if isinstance(n, str)))
    if not parts:
        return text
    marker = "[имя]" if lang == "ru" else "[name]"
    out, last = [], 0
    for tok in tokenize(text):
        if tok.text.lower() in parts or (tok.lang == "ru" and lemmas(tok.text) & parts) or tok.lemma in parts:
            out.append(text[last : tok.start] + marker)
            last = tok.end
    return "".join(out) + text[last:]


def mask_personal(text, names=(), lang: str = "ru"):
    """Text as it may be published: e-mails, phone numbers and the given names masked.

    The one function reports, quotes, discovered topics and the dashboard
    use.  Mask before shortening: a cut phone number no longer looks like one.

    >>> mask_personal("Анна Петрова, anna@x.ru, +7 916 123-45-67", ["Анна Петрова"], lang="en")
    '[name] [name], [e-mail], [phone]'
    """
    return mask_names(mask_contact_details(text, lang=lang), tuple(names or ()), lang=lang)


def respondent_names(contacts, responses) -> tuple[str, ...]:
    """Names of the contacts who answered (``contacts`` with PII, ``responses`` with ``contact_id``).

    These are the names :func:`mask_personal` hides: a respondent may sign a
    comment or name a colleague who also answered.  Staff (managers) are
    not respondents and are not masked.
    """
    if "name" not in contacts or "contact_id" not in responses:
        return ()
    answered = set(responses["contact_id"].dropna().astype(str))
    names = contacts.loc[contacts["contact_id"].astype(str).isin(answered), "name"].dropna()
    return tuple(sorted({n for n in names if isinstance(n, str) and n.strip()}))
