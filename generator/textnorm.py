"""Text normalisation shared by readers, the deduplicator and the id assigner."""

from __future__ import annotations

import functools
import re
import unicodedata

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
_LATEX_GREEK = re.compile(r"\{?\\(" + "|".join(sorted(set(GREEK.values()), key=len, reverse=True))
                          + r")\}?", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
_NON_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")
TRUNCATION_MARKERS = ("...", "…")


# combining marks (after NFKD) and invisible format characters: dropped from match keys
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                    "\u2066-\u206f\ufeff]")
_ASCII_NON_WORD = bytes(b if chr(b).isalnum() and b < 128 else 32 for b in range(256))
_GREEK_TABLE = str.maketrans({k: f" {v} " for k, v in GREEK.items()})


# what no text we publish may hold: C0 controls but tab and line breaks, DEL, C1 controls,
# lone surrogates and the non-characters (U+FDD0-U+FDEF, U+xFFFE and U+xFFFF of every plane)
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"\\U{p:04x}fffe\\U{p:04x}ffff" for p in range(17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# what `clean_text` turns into spaces: those, and tabs and line breaks (JSON allows lone
# surrogates; YAML refuses the C1 controls and U+FFFE/U+FFFF)
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def forbidden_character(text: str) -> str | None:
    """The first character `text` must not hold (see `_FORBIDDEN`), or None."""
    m = _FORBIDDEN.search(text)
    return m.group() if m else None


def describe_character(char: str) -> str:
    """'control character U+0085', 'lone surrogate U+D800', 'non-character U+FFFE'."""
    code = ord(char)
    kind = ("lone surrogate" if 0xD800 <= code <= 0xDFFF else
            "control character" if code < 0x20 or 0x7F <= code <= 0x9F else
            "line separator" if code in (0x2028, 0x2029) else "non-character")
    return f"{kind} U+{code:04X}"


def printable(text: str) -> str:
    """Text safe to print on one line of a terminal or CI log: line breaks, controls,
    surrogates (undecodable bytes of a file name) and non-characters as escapes."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte the file system name could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def clean_text(text: str) -> str:
    """NFC, no control characters, whitespace (of any kind) collapsed to single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(_CONTROLS.sub(" ", text).split())


def match_key(text: str) -> str:
    """A comparison key: case, accents, punctuation, dashes, Greek spelling and
    invisible characters do not matter."""
    if "\\" in text:
        text = _LATEX_GREEK.sub(lambda m: " " + m.group(1).lower() + " ", text)
    if text.isascii():
        return " ".join(text.lower().encode().translate(_ASCII_NON_WORD).decode().split())
    return _NON_WORD.sub(" ", _fold(text)).strip()


def _fold(text: str) -> str:
    """Non-ASCII text with case, accents, Greek spelling and invisible characters folded;
    punctuation still in place."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_GREEK_TABLE)
    return _MARKS.sub("", text)


# a hyphen or dash between two word characters joins them into one compound ("vision-language");
# these characters between two words end a phrase ("Text, Image" is not "text image")
_HYPHENS = "-\u2010\u2011\u2013"
_BREAKS = frozenset(",.;:!?()[]{}<>/|\"\u201c\u201d\u2014\u2026")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[^\W_]+")
JOINED, SPACED, BROKEN, OPENED, CLOSED = "-", " ", ",", "(", ")"


def match_words(text: str) -> tuple[list[str], list[str]]:
    """The words of `match_key(text)`, and for each how it follows the word before it:
    `JOINED` in a hyphenated compound ("language" in "vision-language", "4o" in "GPT-4o"),
    `OPENED` right after an opening bracket ("LLMs" in "models (LLMs)"), `CLOSED` right
    after a closing one, `BROKEN` after other punctuation that ends a phrase (a comma, a
    full stop...; the first word too; a dash with spaces), else `SPACED`. `OPENED` and
    `CLOSED` end phrases too. A full stop between digits ("3.5") ends nothing."""
    if "\\" in text:
        text = _LATEX_GREEK.sub(lambda m: " " + m.group(1).lower() + " ", text)
    parts = _ASCII_SPLIT.split(text.lower()) if text.isascii() else _SPLIT.split(_fold(text))
    words = parts[1::2]
    links = [_link(gap) for gap in parts[0:-1:2]]
    if links:
        links[0] = BROKEN
    for k in range(1, len(words)):  # "3.5": a full stop between digits
        if parts[2 * k] == "." and words[k - 1][-1].isdigit() and words[k][0].isdigit():
            links[k] = SPACED
    return words, links


_ASCII_SPLIT = re.compile(r"([a-z0-9]+)")
_SPLIT = re.compile(r"([^\W_]+)")


@functools.lru_cache(maxsize=4096)
def _link(gap: str) -> str:
    """How a word follows the text `gap` between it and the word before."""
    if gap == " ":
        return SPACED
    if len(gap) == 1 and gap in _HYPHENS:
        return JOINED
    stripped = gap.strip()
    if stripped in ("(", "["):
        return OPENED
    if stripped[:1] in (")", "]"):
        return CLOSED
    if any(c in _BREAKS or c in _HYPHENS for c in gap):  # " - " parts clauses
        return BROKEN
    return SPACED


def is_truncated(text: str) -> bool:
    return text.rstrip().endswith(TRUNCATION_MARKERS)


def abstract_key(text: str) -> str:
    """The match key of an abstract, without a trailing truncation marker and the
    partial word before it."""
    stripped = text.rstrip()
    for marker in TRUNCATION_MARKERS:
        if stripped.endswith(marker):
            stripped = stripped[: -len(marker)]
            key = match_key(stripped)
            return key.rsplit(" ", 1)[0] if " " in key else key
    return match_key(stripped)


def slugify(text: str, max_length: int = 80) -> str:
    """A readable ASCII slug: lower case, words joined by '-', cut at a word boundary."""
    words = _NON_ASCII_ALNUM.sub(" ", match_key(text)).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug
