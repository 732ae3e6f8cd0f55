"""The catalog as JSON: `api/papers.json` (and `catalog` command) and the parse report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .links import Links
from .model import Catalog, Paper

# 2: papers gained `related`, `mentions` and `mentioned_by` (every field of 1 kept)
SCHEMA_VERSION = 2


def paper_record(paper: Paper, links: Links) -> dict[str, Any]:
    return {
        "id": paper.id,
        "url": paper.url,
        "title": paper.title,
        "abstract": paper.abstract,
        "arxiv_id": paper.arxiv_id,
        "authors": list(paper.authors),
        "topics": list(paper.topics),
        "tags": list(paper.tags),
        "title_variants": list(paper.title_variants),
        "first_seen": paper.first_seen,
        "last_seen": paper.last_seen,
        "sources": [{"dump": s.dump, "line": s.line, "title": s.title, "match": s.match}
                    for s in paper.sources],
        "aliases": [f"papers/{a}/" for a in paper.aliases],
        "upvotes": paper.upvotes,
        "published": paper.published,
        "related": [{"id": pid, "score": score} for pid, score in links.related.get(paper.id, ())],
        "mentions": list(links.mentions.get(paper.id, ())),
        "mentioned_by": list(links.mentioned_by.get(paper.id, ())),
    }


def catalog_document(catalog: Catalog, links: Links) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "dumps": [{"name": d.name, "format": d.format, "layout": d.layout, "date": d.date,
                   "date_label": d.date_label, "date_source": d.date_source,
                   "entries": d.entry_count} for d in catalog.dumps],
        "papers": [paper_record(p, links) for p in catalog.papers],
    }


def report_document(catalog: Catalog) -> dict[str, Any]:
    kept: dict[str, int] = {}
    for paper in catalog.papers:
        for s in paper.sources:
            kept[s.dump] = kept.get(s.dump, 0) + 1
    lost: dict[str, int] = {}
    for p in catalog.problems:
        if p.lost_entry:
            name = p.path.rsplit("/", 1)[-1]
            lost[name] = lost.get(name, 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "dumps": [{"name": d.name, "entries": d.entry_count, "in_catalog": kept.get(d.name, 0),
                   "not_in_catalog": lost.get(d.name, 0)} for d in catalog.dumps],
        "problems": [{"path": p.path, "line": p.line, "severity": p.severity,
                      "message": p.message, "value": p.value, "lost_entry": p.lost_entry}
                     for p in catalog.problems],
    }


def to_json(document: dict[str, Any], indent: int | None = None) -> str:
    """Stable JSON (compact unless `indent`) that is also safe to inline in HTML (no raw
    <, >, &)."""
    text = json.dumps(document, ensure_ascii=False, indent=indent,
                      separators=(",", ":") if indent is None else None)
    # each escaped character is one character: a text escaped piece by piece
    # (`catalog_json_parts`) is the whole text escaped
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")) + "\n"


def catalog_json_parts(catalog: Catalog, links: Links) -> Iterator[str]:
    """`to_json(catalog_document(catalog, links))`, a paper at a time: at 50k papers the
    whole document and its text would be hundreds of megabytes at once."""
    head = catalog_document(replace(catalog, papers=()), links)
    text = to_json(head)
    cut = text.rindex("[]}")
    yield text[:cut + 1]
    for k, paper in enumerate(catalog.papers):
        record = to_json(paper_record(paper, links)).removesuffix("\n")
        yield f",{record}" if k else record
    yield text[cut + 1:]
