"""Cross-links between papers, precomputed at build time.

* related papers: the nearest neighbours by TF-IDF cosine similarity of title and
  abstract plus a small bonus for shared topics (`related.py`); candidates come from an
  inverted index of each paper's most specific terms, so the cost stays far below all
  pairs at 50k papers, and a build adds a day's papers to what the last build scored;
* mentions: another indexed paper whose *name* an abstract uses (`mentions.py`).

Measured against labelled related papers of the 2024 stream: `benchmarks/bench_related.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import background
from .mentions import Seen, mentions_kept
from .model import Paper
from .related import RELATED, State, grows, related_papers, update

__all__ = ["RELATED", "Links", "link", "linked", "related_papers"]


@dataclass(frozen=True)
class Links:
    related: dict[str, tuple[tuple[str, float], ...]]  # id -> ((id, similarity), ...)
    mentions: dict[str, tuple[str, ...]]  # id -> ids its abstract names
    mentioned_by: dict[str, tuple[str, ...]]


def link(papers: Sequence[Paper]) -> Links:
    return linked(papers, None)[0]


def linked(papers: Sequence[Paper], previous: State | None, seen: Seen | None = None
           ) -> tuple[Links, State | None, Seen]:
    """The links, computed from what the last build kept (`previous`: `related.update`;
    `seen`: `mentions.mentions_kept`) where they can be, and what the next build can
    start from; the links are the same either way."""
    if grows(papers, previous):  # related papers take little: mentions on both cores
        related, state = update(papers, previous)
        *mentioned, kept = mentions_kept(papers, True, seen)
        return Links(related, *mentioned), state, kept
    # mentions (plain Python) on another core while related papers are computed here
    wait = background.start(mentions_kept, papers, False, seen)
    related, state = update(papers, previous)
    *mentioned, kept = wait()
    return Links(related, *mentioned), state, kept
