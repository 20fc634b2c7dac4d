"""Keys that look like a spec key but are not: `client_id` with a Cyrillic es (U+0441) for the
`c`, or a fullwidth `c` (U+FF43), or a right-to-left mark in front. `did you mean 'client_id'?`
alone would show two identical words; the message says which character is not what it looks
like, and the suggestion is found on the key as it reads: NFKC-normalised (fullwidth and
compatibility forms), invisible format characters dropped, and the common Cyrillic and Greek
look-alikes of Latin letters mapped to them.

Imported only on the error path (an unknown key).
"""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters drawn like a Latin one in common fonts (after Unicode's
# confusables.txt, the single-letter cases that matter for ASCII keys).
# By code point: written as letters, the table would look like a list of identical pairs.
_LATIN_LOOKALIKES: dict[int, str] = {
    # Cyrillic
    0x0430: "a",
    0x0441: "c",
    0x0501: "d",
    0x0435: "e",
    0x04BB: "h",
    0x0456: "i",
    0x0458: "j",
    0x04CF: "l",
    0x043E: "o",
    0x0440: "p",
    0x051B: "q",
    0x0455: "s",
    0x051D: "w",
    0x0445: "x",
    0x0443: "y",
    # Cyrillic capitals
    0x0410: "A",
    0x0412: "B",
    0x0421: "C",
    0x0415: "E",
    0x041D: "H",
    0x0406: "I",
    0x0408: "J",
    0x041A: "K",
    0x041C: "M",
    0x041E: "O",
    0x0420: "P",
    0x0405: "S",
    0x0422: "T",
    0x0425: "X",
    0x04AE: "Y",
    # Greek
    0x03B1: "a",
    0x03B9: "i",
    0x03BA: "k",
    0x03BD: "v",
    0x03BF: "o",
    0x03C1: "p",
    0x03C5: "u",
    0x03C7: "x",
    # Greek capitals
    0x0391: "A",
    0x0392: "B",
    0x0395: "E",
    0x0396: "Z",
    0x0397: "H",
    0x0399: "I",
    0x039A: "K",
    0x039C: "M",
    0x039D: "N",
    0x039F: "O",
    0x03A1: "P",
    0x03A4: "T",
    0x03A5: "Y",
    0x03A7: "X",
}


def as_read(key: str) -> str:
    """`key` as a reader sees it: compatibility forms folded, invisibles dropped, look-alikes
    mapped to the Latin letter they look like."""
    folded = unicodedata.normalize("NFKC", key)
    visible_only = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return visible_only.translate(_LATIN_LOOKALIKES)


def non_ascii_note(key: str) -> str:
    """`contains non-ASCII character U+0441 (CYRILLIC SMALL LETTER ES)` for a key that is not
    all ASCII (and how many more there are); empty for an ASCII key."""
    others = [char for char in key if not char.isascii()]
    if not others:
        return ""
    first = others[0]
    kind = "invisible" if unicodedata.category(first) in ("Cf", "Cc", "Zs") else "non-ASCII"
    name = unicodedata.name(first, "unnamed")
    more = f" and {len(others) - 1} more" if len(others) > 1 else ""
    return f"contains {kind} character U+{ord(first):04X} ({name}){more}"


def suggestion(key: str, allowed: list[str]) -> str | None:
    """The allowed key `key` most likely means, if any."""
    read = as_read(key)
    by_case = {name.lower(): name for name in allowed}
    if read.lower() in by_case:
        return by_case[read.lower()]
    import difflib  # only for a key that is wrong: ~1 ms `ibrun validate` of a good spec skips

    close = difflib.get_close_matches(read, allowed, n=1, cutoff=0.6)
    return close[0] if close else None
