"""RSS 2.0 and JSON Feed 1.1 of new papers: the whole site and each topic.

An item is a paper the first time a dump brings it. Its date is that dump's date (items
of a dump whose date is unknown carry none), never the build's; its id is the paper's
permanent URL, so a rebuild never announces an old paper again.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from .digests import Digest
from .export import to_json
from .mathtext import plain
from .model import Paper
from .safe import teaser

FEED_ITEMS = 50
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Feed:
    slug: str  # "all" or "topics/<id>"
    title: str
    description: str
    page: str  # site-relative URL of the page the feed follows

    @property
    def rss_path(self) -> str:
        return f"feeds/{self.slug}.xml"

    @property
    def json_path(self) -> str:
        return f"feeds/{self.slug}.json"


@dataclass(frozen=True)
class Item:
    paper: Paper
    date: dt.datetime | None


def feed_items(digests: Sequence[Digest], papers: dict[str, Paper], topic: str | None = None,
               limit: int = FEED_ITEMS, tag: str | None = None) -> list[Item]:
    """The newest papers first seen in a digest (newest digest first), of one topic or
    tag when given."""
    items: list[Item] = []
    for digest in reversed(digests):
        date = (dt.datetime.fromisoformat(digest.dump.date).replace(tzinfo=dt.UTC)
                if digest.dump.date else None)
        for pid in digest.new:
            paper = papers[pid]
            if (topic is None or topic in paper.topics) and (tag is None or tag in paper.tags):
                items.append(Item(paper, date))
                if len(items) == limit:
                    return items
    return items


def _absolute(site_url: str, path: str) -> str:
    return (site_url or "/") + path


# characters XML 1.0 does not allow at all (ElementTree writes them as they are, and the
# feed would not parse); the inputs are cleaned already, so this is the last line of defence
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _element(parent: ET.Element, tag: str, text: str | None = None,
             attrs: dict[str, str] | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in (attrs or {}).items()})
    if text is not None:
        node.text = _NOT_XML.sub("", text)
    return node


def rss(feed: Feed, items: Sequence[Item], site_url: str, topics: dict[str, str]) -> str:
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = _element(root, "channel")
    _element(channel, "title", feed.title)
    _element(channel, "link", _absolute(site_url, feed.page))
    _element(channel, "description", feed.description)
    _element(channel, "language", "en")
    _element(channel, f"{{{ATOM_NS}}}link", None, {
        "href": _absolute(site_url, feed.rss_path), "rel": "self",
        "type": "application/rss+xml"})
    dates = [i.date for i in items if i.date]
    if dates:
        _element(channel, "lastBuildDate", format_datetime(max(dates)))
    for item in items:
        paper = item.paper
        url = _absolute(site_url, paper.url)
        node = _element(channel, "item")
        _element(node, "title", plain(paper.title))
        _element(node, "link", url)
        _element(node, "guid", url, {"isPermaLink": "true"})
        if item.date:
            _element(node, "pubDate", format_datetime(item.date))
        _element(node, "description", teaser(paper.abstract) or paper.title)
        for t in paper.topics:
            _element(node, "category", topics[t])
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def json_feed(feed: Feed, items: Sequence[Item], site_url: str, topics: dict[str, str]) -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": _absolute(site_url, feed.page),
        "feed_url": _absolute(site_url, feed.json_path),
        "description": feed.description,
        "language": "en",
        "items": [],
    }
    for item in items:
        paper = item.paper
        url = _absolute(site_url, paper.url)
        entry = {"id": url, "url": url, "title": plain(paper.title),
                 "content_text": paper.abstract or paper.title,
                 "summary": teaser(paper.abstract) or paper.title,
                 "tags": [topics[t] for t in paper.topics]}
        if item.date:
            entry["date_published"] = item.date.isoformat().replace("+00:00", "Z")
        if paper.authors:
            entry["authors"] = [{"name": a} for a in paper.authors]
        doc["items"].append(entry)
    return to_json(doc, indent=1)
