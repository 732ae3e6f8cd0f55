"""Counts in words: "1 upvote", "2 upvotes", "1 entry", "3 entries"."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "was": "were", "is": "are"}


def plural(word: str, n: int, many: str | None = None) -> str:
    """`word` for one, its plural for any other count."""
    if n == 1:
        return word
    return many or _IRREGULAR.get(word) or word + "s"


def counted(n: int, word: str, many: str | None = None) -> str:
    """'1 upvote', '0 upvotes', '2 entries'."""
    return f"{n} {plural(word, n, many)}"
