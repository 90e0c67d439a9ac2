"""Decoding and normalising text extracted from strategy-map slides and spreadsheets."""

from __future__ import annotations

import codecs
import re

from bscalign.loaders.problems import InputError

# Full-width ASCII (Ａ..Ｚ, ０..９, ．, （, ）, ：) and the ideographic space are how codes
# come out of Chinese word processors; map them to ASCII so `ＡＣ１．１` reads as `AC1.1`.
# CJK punctuation such as ，、。 is left alone: it belongs to names.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # digits
_FULL_WIDTH |= {code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)}  # A-Z
_FULL_WIDTH |= {code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)}  # a-z
_FULL_WIDTH |= {ord("．"): ".", ord("（"): "(", ord("）"): ")", ord("："): ":"}
_FULL_WIDTH |= {ord("\u3000"): " ", ord("\u00a0"): " ", ord("\ufeff"): None}

_TO_NORMALIZE = re.compile("[" + "".join(re.escape(chr(code)) for code in _FULL_WIDTH) + "]")

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


def decode(data: bytes, file: str) -> str:
    """Decode a text input: UTF-8 (with or without BOM), UTF-16 with BOM, or Big5/CP950.

    The encoding is detected from the bytes, never from the file name. Undecodable input
    raises :class:`InputError` naming the file and the line of the first bad byte.

    Examples
    --------
    >>> decode("臺北".encode("cp950"), "x.csv")
    '臺北'
    >>> decode(codecs.BOM_UTF8 + "臺北".encode(), "x.txt")
    '臺北'
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(file, f"broken UTF-16 text ({err.reason})") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(file, "binary data (a NUL byte), expected text", line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp950")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise InputError(
                file, "text is neither UTF-8 nor Big5/CP950 (undecodable bytes)", line
            ) from None


def normalize_line(line: str) -> str:
    """Map full-width letters, digits and code punctuation to ASCII (names keep ，、)."""
    # Most lines hold none of them: searching is far cheaper than translating.
    return line.translate(_FULL_WIDTH) if _TO_NORMALIZE.search(line) else line


def clean_name(text: str) -> str:
    """Tidy a name as extraction leaves it: no spaces between CJK characters, one space
    elsewhere, no leading or trailing separators.

    >>> clean_name(" 優化緊急救護及防災應變 機制、")
    '優化緊急救護及防災應變機制'
    """
    text = text.replace("\t", " ")
    if " " in text:
        text = _SPACE_BETWEEN_CJK.sub("", text)
    # the words joined by one space, as re.sub(r"\s+", " ") but for the ends, which strip
    # takes off in either case
    return " ".join(text.split()).strip(" 、,，;；:：-")
