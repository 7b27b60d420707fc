"""Deciding a text file's encoding by evidence, and refusing when it is not clear.

cxlab reads what Russian survey tools and spreadsheets write: UTF-8 (with or
without a byte-order mark), UTF-16 (with a byte-order mark, or without one
when the NUL bytes of its ASCII characters show the byte order) and Windows
Cyrillic (cp1251).  Any other code page can be read when the user names it
(``cxlab import --encoding koi8_r``): a wrong guess would store every comment
garbled with nothing to say so, while a refusal costs one option.

The decision, in order:

1. A byte-order mark says UTF-8, UTF-16 or UTF-32; the bytes must then decode
   strictly.
2. NUL bytes at every other position with the other positions free of them
   are UTF-16 without a byte-order mark (LE or BE from which side the NULs
   are on).
3. Bytes that are valid UTF-8 are UTF-8.
4. Bytes that are nearly UTF-8 (many valid multi-byte characters, a few
   invalid bytes) are a damaged UTF-8 file: refused, naming the first bad
   byte's row and column.
5. Bytes full of control codes are not a text table.
6. cp1251 is accepted when its text is coherent Russian (letters of the
   alphabet, words in one script and a sensible case, the common letters
   common; charset-normalizer's chaos measure low).
7. Anything else is refused with the candidates found (the Cyrillic code
   pages whose text is coherent Russian, then charset-normalizer's matches)
   and how to choose one.

Text holding U+FFFD (a character already lost before cxlab read the file) is
refused too, unless the encoding was given explicitly: then undecodable
bytes become U+FFFD and a note says how many and where.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from cxlab.errors import InputError, ParameterError, Problem

__all__ = ["Decoded", "decode_text", "check_encoding", "looks_russian"]

#: Encodings read without being named; anything else needs ``--encoding``.
AUTOMATIC = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Cyrillic code pages a Russian file may come in; each is tried for coherent Russian text.
_CYRILLIC = ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5", "koi8_u")
_HINT = "cxlab import --encoding {} ..."
_MULTIBYTE = ("cp932", "shift_jis", "euc", "gb", "big5", "cp949", "cp950", "iso2022", "hz", "johab")
_SAMPLE = 100_000  # characters (bytes) scored for coherence: enough evidence, bounded time


@dataclass(frozen=True)
class Decoded:
    """A file's text and how it was decoded.

    Attributes
    ----------
    text : str
        The decoded text (byte-order mark removed).
    encoding : str
        Python codec name used (``utf-8``, ``utf-8-sig``, ``utf-16-le``,
        ``cp1251``, or the one given).
    notes : list of str
        What the user should know (bytes replaced under an explicit encoding).
    """

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def check_encoding(name: str) -> str:
    """The Python codec name for ``name``, or a :class:`ParameterError` for a name that is not a text codec.

    Examples
    --------
    >>> check_encoding("KOI8-R"), check_encoding("windows-1251")
    ('koi8-r', 'cp1251')
    """
    try:
        info = codecs.lookup(str(name))
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ParameterError(
            f"unknown encoding {name!r}: give a text codec such as utf-8, utf-16, cp1251, koi8_r, latin_1, shift_jis",
            parameter="encoding",
            value=name,
        )
    return info.name


def decode_text(data: bytes, source: str, encoding: str | None = None) -> Decoded:
    """Decode a text table's bytes, deciding the encoding by evidence unless one is given.

    Parameters
    ----------
    data : bytes
        The file's content.
    source : str
        File name for messages.
    encoding : str, optional
        A codec name the user chose; bytes it cannot decode become U+FFFD and
        the notes say so.

    Returns
    -------
    Decoded

    Raises
    ------
    InputError
        The encoding is not clear (the message names the candidates and
        ``--encoding``), the file is damaged UTF-8 (row and column of the
        first bad byte), it is not text, or its text holds U+FFFD.
    ParameterError
        ``encoding`` is not a text codec.

    Examples
    --------
    >>> decode_text("Не хватает цифр".encode("cp1251"), "x.csv").encoding
    'cp1251'
    >>> decode_text("ab;cd".encode("utf-16-le"), "x.csv").text
    'ab;cd'
    """
    if encoding is not None:
        return _decode_given(data, source, check_encoding(encoding))
    decoded = _decide(data, source)
    if "\ufffd" in decoded.text:
        at = decoded.text.index("\ufffd")
        row, column = locate(decoded.text, at)
        raise InputError(
            Problem(
                source,
                row,
                column,
                f"the text holds U+FFFD ('\ufffd', {decoded.text.count(chr(0xFFFD))} in the file): a character "
                "was lost before this file was written; re-export it from the source, or accept the loss with "
                + _HINT.format(decoded.encoding),
            ),
            headline="the file holds characters already lost; nothing was loaded",
        )
    return decoded


def _decode_given(data: bytes, source: str, name: str) -> Decoded:
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"
    try:
        return Decoded(data.decode(name), name)
    except UnicodeDecodeError:
        pass
    text = data.decode(name, errors="replace")
    lost = text.count("\ufffd")
    row, column = locate(text, text.index("\ufffd"))
    where = f"row {row}" + (f", column '{column}'" if column else "")
    return Decoded(
        text,
        name,
        [f"{lost} byte sequence(s) are not {name} and were replaced by U+FFFD (the first at {where})"],
    )


def _decide(data: bytes, source: str) -> Decoded:
    if not data:
        return Decoded("", "utf-8")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data, source, name, f"it starts with a {name.replace('-sig', '').upper()} byte-order mark")
    order = _utf16_order(data)
    if order:
        return _strict(
            data, source, order, f"its NUL bytes are those of {order.upper()} text without a byte-order mark"
        )
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    valid_multibyte = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
    if valid_multibyte >= 4 * bad:
        # Mostly UTF-8: a damaged file, not another encoding (cp1251 or KOI8-R letters are
        # almost never valid UTF-8 sequences, so they give many bad bytes and few good ones).
        row, column = locate(replaced, replaced.index("\ufffd"))
        byte = data[first_bad.start]
        raise InputError(
            Problem(
                source,
                row,
                column,
                f"byte 0x{byte:02X} is not valid UTF-8 ({bad} bad byte sequence(s) in a UTF-8 file); fix or "
                "re-export the file, or if it is in another encoding name it: " + _HINT.format("NAME"),
            ),
            headline="the file is damaged UTF-8; nothing was loaded",
        )
    if _is_binary(data):
        raise _not_text(source)
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_russian(text) and _chaos(text) <= 0.2:
        return Decoded(text, "cp1251")
    candidates = _candidates(data)
    if not candidates:
        raise _not_text(source)
    names = [c for c, _ in candidates]
    described = [f"{c} ({lang})" if lang else c for c, lang in candidates]
    listed = ", ".join(described[:-1]) + " or " + described[-1] if len(described) > 1 else described[0]
    raise InputError(
        Problem(
            source,
            None,
            None,
            f"not UTF-8, UTF-16 or Russian cp1251 text; it could be {listed}; choose with: " + _HINT.format(names[0]),
        ),
        headline="the file's encoding is not clear; nothing was loaded",
    )


def _strict(data: bytes, source: str, name: str, why: str) -> Decoded:
    label = name.replace("-sig", "").upper()
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        replaced = data.decode(name, errors="replace")
        row, column = locate(replaced, replaced.index("\ufffd")) if "\ufffd" in replaced else (None, None)
        raise InputError(
            Problem(
                source,
                row,
                column,
                f"{why}, but byte 0x{exc.object[exc.start]:02X} is not valid {label}; fix or re-export "
                "the file, or name its encoding: " + _HINT.format("NAME"),
            ),
            headline=f"the file is damaged {label}; nothing was loaded",
        ) from None
    if name.startswith("utf-32") or name == "utf-16":
        text = text.lstrip("\ufeff")
    return Decoded(text, name)


def _utf16_order(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the NUL bytes say so (ASCII characters of UTF-16), else None."""
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def _is_binary(data: bytes) -> bool:
    """More than 1 % control bytes (tab, newline and carriage return aside): not a text table."""
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.01 * len(sample)


def _not_text(source: str) -> InputError:
    return InputError(
        Problem(source, None, None, "not a text table (no encoding fits): is it a CSV or XLSX file?"),
        headline="the file cannot be read; nothing was loaded",
    )


# Letters that make up two thirds of Russian text; text decoded with the wrong code page
# has its letters permuted, and these become rare.
_COMMON = set("оеаинтсрвл")
_CYRILLIC_LETTER = re.compile(r"[а-яё]", re.IGNORECASE)
_ASCII = re.compile(r"[\x00-\x7f]+")
_LATIN_LETTER = re.compile(r"[a-z]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_PUNCTUATION = set("«»—–…№„“”‘’‚•·°\u00a0±§©®™€‰")


def looks_russian(text: str) -> bool:
    """Is ``text`` coherent Russian: Cyrillic letters, words in one script and case, common letters common?

    Decoding Russian bytes with the wrong Cyrillic code page permutes the
    letters and inverts their case (KOI8-R read as cp1251 gives ``нЕ
    ИБЮРЮЕР``); a Western code page read as cp1251 mixes Cyrillic letters
    into Latin words (``Trиs``).  Either fails this test.

    Examples
    --------
    >>> looks_russian("R1;C1;Не хватает цифр"), looks_russian("нЕ ИБЮРЮЕР ЖХТП"), looks_russian("Trиs bien")
    (True, False, False)
    """
    text = text[:_SAMPLE]
    foreign = _ASCII.sub("", text).lower()
    letters = len(_CYRILLIC_LETTER.findall(foreign))
    if letters < 3:
        return False
    other = len(foreign) - letters - sum(foreign.count(c) for c in _PUNCTUATION)
    if other > 0.05 * len(foreign):
        return False
    words = [w for w in _WORD.findall(text) if _CYRILLIC_LETTER.search(w)]
    bad = sum(1 for w in words if _LATIN_LETTER.search(w) or (w[0].islower() and not w.islower()))
    if bad > 0.1 * len(words):
        return False
    return sum(foreign.count(c) for c in _COMMON) >= 0.45 * letters


def _chaos(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    return float(mess_ratio(text[:_SAMPLE], maximum_threshold=1.0))


def _candidates(data: bytes) -> list[tuple[str, str]]:
    """Encodings the bytes could be in, best first: (codec, language or '')."""
    from charset_normalizer import from_bytes

    found: list[tuple[str, str]] = []
    texts: set[str] = set()  # a code page that reads the file as one already found adds nothing (koi8_u, koi8_r)
    sample = _head(data, _SAMPLE)

    def add(name: str, language: str) -> None:
        try:
            text = sample.decode(name, errors="replace")  # the end may cut a multi-byte character
        except LookupError:
            return
        if text not in texts and name not in (c for c, _ in found):
            texts.add(text)
            found.append((name, language))

    for name in _CYRILLIC:
        if looks_russian(sample.decode(name, errors="replace")):
            try:
                data.decode(name)  # listed only if it reads the whole file
            except UnicodeDecodeError:
                continue
            add(name, "Russian")
    coherent = bool(found)
    matches = []
    for match in from_bytes(_head(data, 10 * _SAMPLE)):
        language = match.language if match.coherence >= 0.3 and match.language != "Unknown" else ""
        # Beside a code page that reads coherent Russian, a match in no language is noise.
        if match.chaos <= 0.2 and not match.encoding.startswith("utf") and (language or not coherent):
            matches.append((match.encoding, language))
    # A match in a language first; then a multi-byte encoding, whose strict decoding is itself evidence
    # (stray high bytes rarely form its sequences), before a single-byte page that decodes anything.
    matches.sort(key=lambda m: (not m[1], not m[0].startswith(_MULTIBYTE)))
    for name, language in matches:
        add(name, language)
    return found[:3]


def _head(data: bytes, size: int) -> bytes:
    """The first ``size`` bytes or so, cut after a newline: never inside a multi-byte character (Shift-JIS)."""
    if len(data) <= size:
        return data
    cut = data.rfind(b"\n", 0, size)
    return data[: cut + 1] if cut > 0 else data[:size]


def _separator(text: str) -> str:
    from cxlab.ingest.files import _sniff_separator  # one rule for the separator, the reader's

    return _sniff_separator(text)


def locate(text: str, index: int, separator: str | None = None) -> tuple[int | None, str | None]:
    """Spreadsheet row (header = 1) and column name of the character at ``index`` of a delimited text.

    Examples
    --------
    >>> locate('a;b\\n1;"x\\ny"\\n2;z?', 15)
    (3, 'b')
    """
    sep = separator or _separator(text)

    def reader(part: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(part, newline=""), delimiter=sep))

    try:
        records = reader(text[: index + 1])
        header = reader(text[: text.find("\n") if "\n" in text else len(text)])
    except csv.Error:
        return text.count("\n", 0, index) + 1, None
    if not records:
        return 1, None
    position = len(records[-1]) - 1
    names = header[0] if header else []
    column = names[position].strip() if position < len(names) and names[position].strip() else f"column_{position + 1}"
    return len(records), column
