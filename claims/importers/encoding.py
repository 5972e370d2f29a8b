"""The text of a library file whatever encoding the reference manager saved it in.

Most exports are UTF-8, but real libraries also arrive as UTF-16 (JabRef and Windows tools, with
or without a byte-order mark), and as Windows-1252 from older JabRef, EndNote and Citavi, often
with JabRef's ``% Encoding: windows-1252`` header (sometimes a header that is wrong). Reading
them beats refusing the whole file: the fallback is reported as a warning naming the encoding.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # fmt: skip
# JabRef's header; EndNote/Emacs-style declarations say the same thing in other words.
_DECLARED = re.compile(rb"^[%@\s]*(?:Encoding|coding|charset)\s*[:=]\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE | re.MULTILINE)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with no BOM shows as a NUL in every other byte of ASCII text."""
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return "utf-16-be" if even > odd else "utf-16-le"


def decode_library(data: bytes) -> tuple[str, str | None]:
    """(text, a note saying which non-UTF-8 encoding was used, or None).

    Never fails: Windows-1252, with Latin-1 for its five unassigned bytes, reads any bytes.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(name, errors="strict")
            return text, None if name == "utf-8" else f"read as {name.upper()} (byte-order mark)"
    guess = _utf16_without_bom(data)
    if guess:
        try:
            return data.decode(guess), f"read as {guess.upper()} (no byte-order mark)"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        first_bad = e.start
    declared = _DECLARED.search(data[:2000])
    if declared:
        name = declared.group(1).decode("ascii", errors="replace")
        try:
            if codecs.lookup(name).name not in ("utf-8", "utf-16", "utf-32"):
                return data.decode(name), f"not UTF-8: read as {name}, as its header declares"
        except (LookupError, UnicodeDecodeError):
            pass
    return _cp1252(data), f"not UTF-8 (first bad byte at offset {first_bad}): read as Windows-1252"


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # its five unassigned bytes: as Latin-1 (the same code points)
        return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)
