"""Text normalisation shared by readers, the deduplicator and the id assigner."""

from __future__ import annotations

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


def clean_text(text: str) -> str:
    """NFC, no control characters, whitespace (of any kind) collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        text = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    return " ".join(text.split())


def match_key(text: str) -> str:
    """A comparison key: case, accents, punctuation, dashes, Greek spelling and
    invisible characters do not matter."""
    text = _LATEX_GREEK.sub(lambda m: " " + m.group(1).lower() + " ", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for ch in text:
        if ch in GREEK:
            out.append(" " + GREEK[ch] + " ")
        elif unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
            continue
        else:
            out.append(ch)
    return _NON_WORD.sub(" ", "".join(out)).strip()


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
