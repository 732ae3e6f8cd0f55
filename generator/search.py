"""Client-side search: what Pagefind indexes, and how the site's search page uses it.

Pagefind (a static, chunked full-text index; the `pagefind` binary from PyPI) indexes a
small HTML document per paper that this module writes: the title (weighted most, so
title matches rank first), authors, topics and tags (weighted), the abstract, and the
topic and tag filters. Indexing these documents instead of the themed pages keeps the
index build short. The browser then loads only the index chunks and result fragments a
query needs (`docs/assets/javascripts/search.js`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Paper
from .safe import esc, teaser

TITLE_WEIGHT = 10
LABEL_WEIGHT = 4
AUTHOR_WEIGHT = 3


def search_document(paper: Paper, topic_titles: dict[str, str]) -> str:
    """The document Pagefind indexes for one paper (all text escaped)."""
    topics = [topic_titles[t] for t in paper.topics]
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(paper.title)}</title></head><body><main data-pagefind-body>",
        f'<h1 data-pagefind-weight="{TITLE_WEIGHT}" data-pagefind-meta="title">'
        f"{esc(paper.title)}</h1>",
    ]
    if paper.authors:
        parts.append(f'<p data-pagefind-weight="{AUTHOR_WEIGHT}">'
                     f"{esc(', '.join(paper.authors))}</p>")
    labels = [*topics, *paper.tags]
    if labels:
        parts.append(f'<p data-pagefind-weight="{LABEL_WEIGHT}">{esc(" · ".join(labels))}</p>')
    parts.append(f"<p>{esc(paper.abstract)}</p>")
    parts.append(f'<p data-pagefind-ignore data-pagefind-meta="teaser">'
                 f"{esc(teaser(paper.abstract) or paper.title)}</p>")
    if topics:
        parts.append(f'<p data-pagefind-ignore data-pagefind-meta="topics">'
                     f"{esc(' · '.join(topics))}</p>")
    for t in topics:
        parts.append(f'<span data-pagefind-ignore data-pagefind-filter="topic">{esc(t)}</span>')
    for t in paper.tags:
        parts.append(f'<span data-pagefind-ignore data-pagefind-filter="tag">{esc(t)}</span>')
    parts.append("</main></body></html>\n")
    return "".join(parts)


def search_documents(papers: Sequence[Paper], topic_titles: dict[str, str]
                     ) -> list[tuple[str, str]]:
    """(path, html) pairs: `papers/<id>/index.html`, so results link to the permalinks."""
    return [(f"papers/{p.id}/index.html", search_document(p, topic_titles)) for p in papers]
