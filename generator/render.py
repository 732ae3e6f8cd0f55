"""The site model: every generated page and file, built in memory before any write.

Templates (`generator/templates/`) get untrusted values escaped by `safe.esc` on output
(a Jinja `finalize`), so a template cannot forget to escape; values that are already
safe markup are wrapped in `Markup` by this module. Dump text only ever lands inside
raw HTML blocks of the generated markdown, and in front matter values that the theme
prints as text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import background, charts, cite, mathtext
from .digests import Digest, month_label
from .export import catalog_json_parts, report_document, to_json
from .feeds import Feed, feed_items, json_feed, rss
from .links import Links
from .memo import Pickled, Table, Used
from .memo import digest as memo_key_of
from .model import Catalog, Dump, Paper, Record
from .packed import Texts, pack, pack_parts
from .safe import esc, front_matter, inert_json, teaser
from .search import build_index
from .tags import CURATED, CuratedFile, Tag, suggest_url
from .topics import UNSORTED, Taxonomy, Topic
from .words import counted, plural

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 80  # papers per topic or tag page: bounds every page's weight
LABELS_SHOWN = 5  # topic and tag chips of a paper in a list; its page has all
NEWEST_ON_HOME = 12
# from this many papers, some of their pages are made on another core (`paper_pages`),
# while this process renders the other pages and a third the topic and digest pages and
# the exports
SHARED_RENDER = 400
SITE_NAME = "Transformer Paper Index"


def _finalize(value: object) -> str:
    """What a template prints: escaped text (a plain string: the output is joined, never
    escaped again), or markup as it is."""
    if type(value) is str:
        return esc(value)
    if isinstance(value, Markup):  # template output (macros) or markup made here
        return value
    if value is None:
        return ""
    return esc(str(value))


# `_finalize` escapes every value (more strictly than autoescape would); templates mark
# the output of their own macros `| safe`, since the macros escaped their values already
ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, finalize=_finalize,
                  undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                  lstrip_blocks=True)


ENV.filters["plural"] = plural  # {{ "upvote" | plural(n) }}: "upvote" or "upvotes"
# {{ paper.title | math }}: escaped text with its LaTeX formulas drawn as MathML
ENV.filters["math"] = lambda value: Markup(mathtext.html(str(value)))
AUTHORS_SHOWN = 3  # a list names this many authors, then "et al."
RECENT_DIGESTS = 8  # the home page's column lists the latest digests


class DuplicateOutput(Exception):
    pass


@dataclass(frozen=True)
class SiteModel:
    """`docs`: markdown for mkdocs; `files`: written into the built site as they are. Both
    iterate as (path, text) in path order and are held packed (`generator.packed`)."""

    docs: Texts
    files: Texts
    search: tuple[tuple[str, bytes], ...] = ()  # the search index, under search.INDEX_DIR


@dataclass(frozen=True)
class SiteInput:
    catalog: Catalog
    taxonomy: Taxonomy
    links: Links
    site_url: str = ""  # absolute base URL ending in '/', or '' when unknown
    vocabulary: tuple[Tag, ...] = ()  # curated tags and their descriptions
    curated: Mapping[str, CuratedFile] = field(default_factory=dict)  # paper id -> its file
    repo_url: str = ""  # e.g. https://github.com/owner/repo ('' : no "Suggest tags" links)
    edit_branch: str = ""


class _Outputs:
    """The pages or files made so far, packed (`generator.packed`)."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def add(self, path: str, text: str) -> None:
        self.add_packed(path, pack(text))

    def add_packed(self, path: str, blob: bytes) -> None:
        if path in self.items:
            raise DuplicateOutput(f"two things would write {path}")
        self.items[path] = blob

    def frozen(self) -> Texts:
        return Texts.of(self.items)


@dataclass(frozen=True)
class TopicView:
    id: str
    title: str
    description: str
    count: int
    url: str  # site-relative


@dataclass(frozen=True)
class Chips:
    shown: tuple[tuple[str, str, str], ...]  # (topic or tag, its id, its text)
    more: int  # those not shown


@dataclass(frozen=True)
class Card:
    """A paper as a list shows it (`_macros.j2`): its item's text is a function of these
    values, the macro, its arguments and the page's root alone."""

    id: str
    title: str
    authors: str  # the first names, then "et al."
    has_authors: bool
    teaser: str
    has_abstract: bool
    chips: Chips
    iso: str | None  # the digest that first had it: its date for `<time>`...
    day: str | None  # ...and its label


ITEMS = ("paper_item", "digest_item")  # the macros of `_macros.j2` that list a paper


class _Context:
    """Lookups the templates need, computed once. `memo`: the list items earlier builds
    rendered, under the hash of what they show (`item`)."""

    def __init__(self, data: SiteInput, memo: Table | None = None,
                 cites: Table | None = None, pages: Table | None = None):
        catalog = data.catalog
        self.data = data
        self.memo = memo
        self.cites = cites
        self.pages = pages  # pages earlier builds rendered, packed, under their values' hash
        self._items: dict[tuple, Markup] = {}
        self._cards: dict[str, str] = {}  # paper id -> the hash of its card
        self.papers = {p.id: p for p in catalog.papers}
        self.dumps: dict[str, Dump] = {d.name: d for d in catalog.dumps}
        self.dump_rank = {d.name: i for i, d in enumerate(catalog.dumps)}
        self.topics: dict[str, Topic] = {t.id: t for t in data.taxonomy.topics}
        counts = {t.id: 0 for t in data.taxonomy.topics}
        for p in catalog.papers:
            for t in p.topics:
                counts[t] += 1
        self.unsorted = [p for p in catalog.papers if not p.topics]
        self.topic_views = [TopicView(t.id, t.title, t.description, counts[t.id],
                                      f"topics/{t.id}/") for t in data.taxonomy.topics]
        tag_counts = {t.name: 0 for t in data.vocabulary}
        for p in catalog.papers:
            for t in p.tags:
                tag_counts[t] = tag_counts.get(t, 0) + 1
        self.tag_views = [TopicView(t.name, f"#{t.name}", t.description, tag_counts[t.name],
                                    f"tags/{t.name}/") for t in data.vocabulary]
        self.tag_by_name = {v.id: v for v in self.tag_views}
        self._teasers: dict[str, str] = {}
        self._refs: dict[str, Ref] = {}
        self._bibtex: dict[str, str] = {}
        self.digests: tuple[Digest, ...] = catalog.digests
        self.digest_of = {d.name: g for g in self.digests for d in g.dumps}
        refs = {g.key: _digest_ref(g) for g in self.digests}
        self.digest_refs = {name: refs[g.key] for name, g in self.digest_of.items()}
        years = {p.id: cite.year_of(p, self.digest_of[p.first_seen].date
                                    if self.digest_of[p.first_seen].dated else None)
                 for p in catalog.papers}
        self._years = years
        self._bib_keys = cite.keys(catalog.papers, years,
                                   {p.id: self.digest_of[p.first_seen].number
                                    for p in catalog.papers})
        self.unsorted_view = TopicView(UNSORTED, "Unsorted",
                                       "Papers that no topic rule matched yet. Curators use "
                                       "this page to find rules worth adding.",
                                       len(self.unsorted), f"topics/{UNSORTED}/")

    def newest_first(self, papers: Sequence[Paper]) -> list[Paper]:
        """By the dump they were first seen in (newest first), then their line in it."""
        return sorted(papers, key=lambda p: (-self.dump_rank[p.first_seen],
                                             p.sources[0].line, p.id))

    def ref(self, pid: str) -> Ref:
        """Another paper, as a paper's page links to it (made once per build)."""
        found = self._refs.get(pid)
        if found is None:
            found = self._refs[pid] = Ref(pid, self.papers[pid].title)
        return found

    def teaser(self, paper: Paper) -> str:
        found = self._teasers.get(paper.id)
        if found is None:
            found = self._teasers[paper.id] = _teaser(paper)
        return found

    def absolute(self, path: str) -> str:
        return self.data.site_url + path if self.data.site_url else ""

    def bibtex(self, paper: Paper) -> str:
        """The paper's entry (its page, its `.bib` file and `api/papers.bib` share it)."""
        found = self._bibtex.get(paper.id)
        if found is None:
            key, year, url = self._bib_keys[paper.id], self._years[paper.id], \
                self.absolute(paper.url)

            def make() -> str:
                return cite.bibtex(paper, key, year, url)

            # what the entry shows, as plain values (a function of these alone)
            found = self._bibtex[paper.id] = make() if self.cites is None else self.cites.get(
                memo_key_of(repr(("bibtex", paper.title, paper.authors, paper.arxiv_id,
                                  key, year, url))), make)
        return found

    def first_digest(self, paper: Paper) -> Digest:
        return self.digest_of[paper.first_seen]

    def when(self, paper: Paper) -> tuple[str | None, str | None]:
        """(ISO date for `<time>`, label) of the digest that first had the paper, when it
        shows a date: 'May 27, 2024', or 'Mar 17' for a save without its year."""
        digest = self.first_digest(paper)
        if digest.dated:
            return digest.iso, digest.label
        return None, digest.dump.date_label

    def chips(self, paper: Paper) -> Chips:
        """A paper's topics and tags as chips, at most LABELS_SHOWN of them."""
        every = [("topic", t, self.topics[t].title) for t in paper.topics]
        every += [("tag", t, f"#{t}") for t in paper.tags]
        return Chips(tuple(every[:LABELS_SHOWN]), max(0, len(every) - LABELS_SHOWN))

    def item(self, macro: str, paper: Paper, root: str, *args: object) -> Markup:
        """A paper's item in a list: `_macros.j2`'s `macro` of its `Card`, rendered once
        per build for each root and arguments, and taken from the memo when an earlier
        build rendered the same values."""
        assert macro in ITEMS
        place = (macro, paper.id, root, args)
        found = self._items.get(place)
        if found is None:
            card = self.card(paper)

            def render() -> str:
                return str(getattr(ENV.get_template("_macros.j2").module, macro)(
                    card, root, *args))

            text = render() if self.memo is None else \
                self.memo.get(self.item_key(macro, paper, root, *args), render)
            found = self._items[place] = Markup(text)
        return found

    def item_key(self, macro: str, paper: Paper, root: str, *args: object) -> str:
        """The hash of everything `item` shows."""
        found = self._cards.get(paper.id)
        if found is None:  # the card's hash, made once (not the card: memory at 50k)
            found = self._cards[paper.id] = memo_key_of(repr(self.card(paper)))
        return memo_key_of(repr((macro, root, args)), found)

    def card(self, paper: Paper) -> Card:
        """The paper as its list items show it."""
        iso, day = self.when(paper)
        return Card(paper.id, paper.title, self.authors_short(paper), bool(paper.authors),
                    self.teaser(paper), bool(paper.abstract), self.chips(paper), iso, day)

    @staticmethod
    def authors_short(paper: Paper) -> str:
        """'A, B, C' or 'A, B, C et al.'"""
        names = paper.authors
        shown = ", ".join(names[:AUTHORS_SHOWN])
        return shown + (" et al." if len(names) > AUTHORS_SHOWN else "")

    def listing_sidebar(self, folder: str, current: str, root: str) -> dict[str, object]:
        """Every topic (or tag) with its count, this one marked."""
        if folder == "tags":
            return sidebar("Tags", [(v.title, root + v.url, v.id == current, v.count)
                                    for v in self.tag_views])
        views = [*self.topic_views, *([self.unsorted_view] if self.unsorted else [])]
        return sidebar("Topics", [(v.title, root + v.url, v.id == current, v.count)
                                  for v in views])


def sidebar(label: str, items: Sequence[tuple[str, str, bool, int | None]]
            ) -> dict[str, object]:
    """The page's list in the left column (`overrides/main.html`): a label and
    (title, href, is this page, count or None) items; text escaped for the theme."""
    out = []
    for title, href, current, count in items:
        item: dict[str, object] = {"title": esc(title), "href": esc(href), "current": current}
        if count is not None:
            item["count"] = count
        out.append(item)
    return {"label": esc(label), "items": out}


def _teaser(paper: Paper) -> str:
    return teaser(paper.abstract) if paper.abstract else ""


def _external_links(paper: Paper) -> list[tuple[str, str]]:
    if paper.arxiv_id:
        a = paper.arxiv_id
        return [("arXiv", f"https://arxiv.org/abs/{a}"), ("PDF", f"https://arxiv.org/pdf/{a}"),
                ("Hugging Face", f"https://huggingface.co/papers/{a}")]
    q = quote(paper.title, safe="")
    return [("Search arXiv", f"https://arxiv.org/search/?searchtype=title&query={q}"),
            ("Search Hugging Face", f"https://huggingface.co/papers?q={q}")]


def _markdown_link(paper: Paper, url: str) -> str:
    text = paper.title
    for ch in "\\[]":
        text = text.replace(ch, "\\" + ch)
    return f"[{text}]({url})"


def _json_ld(paper: Paper, topic_titles: Sequence[str], url: str) -> str:
    doc: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title[:110],
        "name": paper.title,
        "description": _teaser(paper),
        "about": list(topic_titles),
        "isPartOf": {"@type": "WebSite", "name": SITE_NAME},
    }
    if url:
        doc["url"] = url
        doc["mainEntityOfPage"] = url
    if paper.authors:
        doc["author"] = [{"@type": "Person", "name": a} for a in paper.authors]
    if paper.arxiv_id:
        doc["identifier"] = f"arXiv:{paper.arxiv_id}"
        doc["sameAs"] = [f"https://arxiv.org/abs/{paper.arxiv_id}"]
    if paper.published:
        doc["datePublished"] = paper.published
    return inert_json(to_json(doc).strip())


def _page(meta: dict[str, object], template: str, **values: object) -> str:
    return front_matter(meta) + ENV.get_template(template).render(**values)


@dataclass(frozen=True)
class Ref:
    """Another paper or a topic, as a paper's page links to it."""

    id: str
    title: str


@dataclass(frozen=True)
class DigestRef:
    """A digest, as a paper's page links to it."""

    url: str
    label: str
    iso: str | None


def _digest_ref(digest: Digest) -> DigestRef:
    return DigestRef(digest.url, digest.label, digest.iso)


def paper_values(paper: Paper, ctx: _Context) -> dict[str, object]:
    """Everything a paper's page shows, as plain values: its text is a function of these
    alone (`paper_text`), so their `repr` keys the page in the render memo."""
    links = ctx.data.links
    topic = ctx.topics[paper.topics[0]] if paper.topics else None
    curated = ctx.data.curated.get(paper.id)
    url = ctx.absolute(paper.url)
    return {
        "paper": paper,
        "url": url,
        "topic_titles": tuple(ctx.topics[t].title for t in paper.topics),
        "crumbs": (("Topics", "topics/"),
                   (topic.title, f"topics/{topic.id}/") if topic
                   else ("Unsorted", f"topics/{UNSORTED}/"), ("Paper", None)),
        "matches": tuple((Ref(m.topic, ctx.topics[m.topic].title), m)
                         for m in paper.topic_matches),
        # the similarity as the page shows it: the day's new papers move every score a
        # little, and most pages stay the same
        "related": tuple((ctx.ref(i), f"{score:.2f}")
                         for i, score in links.related.get(paper.id, ())),
        "mentions": tuple(ctx.ref(i) for i in links.mentions.get(paper.id, ())),
        "mentioned_by": tuple(ctx.ref(i) for i in links.mentioned_by.get(paper.id, ())),
        "sources": tuple((s, ctx.digest_refs[s.dump]) for s in paper.sources),
        "digest_count": len({ctx.digest_refs[s.dump] for s in paper.sources}),
        "first": ctx.digest_refs[paper.first_seen],
        "curated": curated,
        "tag_meanings": {t: ctx.tag_by_name[t].description for t in paper.tags},
        "repository": (ctx.data.repo_url, ctx.data.edit_branch),
        "bib": ctx.bibtex(paper),
    }


def paper_text(values: Mapping[str, object]) -> str:
    """A paper's page from `paper_values`."""
    paper = values["paper"]
    assert isinstance(paper, Paper)
    url = str(values["url"])
    description = mathtext.plain(_teaser(paper)) or mathtext.plain(paper.title)
    title = mathtext.plain(paper.title)
    sections = [("Abstract", "abstract"), ("Cite", "cite"), ("Topics and tags", "topics"),
                ("Related papers", "related")]
    sections += [("Mentions", "mentions")] if values["mentions"] else []
    sections += [("Mentioned by", "mentioned-by")] if values["mentioned_by"] else []
    sections += [("Where it was seen", "seen-in")]
    meta = {
        "title": esc(title),
        "description": esc(description),
        "social": {"title": esc(title), "description": esc(description),
                   "url": esc(url), "type": "article"},
        "jsonld": _json_ld(paper, values["topic_titles"], url),
        "sidebar": sidebar("On this page", [(label, f"#{anchor}", False, None)
                                            for label, anchor in sections]),
    }
    repo_url, branch = values["repository"]
    return _page(meta, "paper.md.j2", **values, root="../../",
                 suggest=suggest_url(repo_url, branch, paper, values["curated"]),
                 external=_external_links(paper), permalink=paper.url,
                 markdown_link=_markdown_link(paper, url or paper.url), curated_term=CURATED)


def _paper_texts(papers: Sequence[Paper], ctx: _Context, memo: Table | None
                 ) -> list[tuple[str, bytes | None]]:
    """Each paper's (memo key, page packed), the page None where `memo` holds it."""
    made = []
    for paper in papers:
        values = paper_values(paper, ctx)
        key = memo_key_of(repr(values)) if memo is not None else ""
        held = memo is not None and memo.known(key) is not None
        made.append((key, None if held else pack(paper_text(values))))
    return made


def paper_pages(papers: Sequence[Paper], ctx: _Context, memo: Table | None = None
                ) -> list[bytes]:
    """Every paper's page, in order, packed. `memo`: the pages earlier builds rendered,
    packed, under the hash of their values; only the others are rendered. From
    SHARED_RENDER papers, some are looked up and rendered on another core."""
    # a page the memo holds costs its key alone: when the memo holds pages (a daily
    # update), the other core has the topic and digest pages to render, and this process
    # takes every paper
    held = memo is not None and bool(memo.stored)
    at = len(papers) * 2 // 5 if len(papers) >= SHARED_RENDER and not held else len(papers)
    blobs = []
    for key, blob in background.in_two(_paper_texts, papers, at, ctx, memo):
        if memo is not None:
            if blob is None:
                blob = memo.known(key)
            else:
                memo.put(key, blob)
        blobs.append(blob)
    return blobs


def topic_pages(view: TopicView, papers: Sequence[Paper], ctx: _Context) -> list[tuple[str, str]]:
    """The topic's pages: `topics/<id>/index.md`, then `topics/<id>/<n>.md` from page 2."""
    feeds = [SITE_FEED] + ([_topic_feed(view)] if view.id != UNSORTED else [])
    return listing_pages(view, papers, ctx, "topics", "topic.md.j2", feeds)


def listing_pages(view: TopicView, papers: Sequence[Paper], ctx: _Context, folder: str,
                  template: str, feeds: Sequence[Feed]) -> list[tuple[str, str]]:
    """A topic's or tag's pages, PAGE_SIZE papers each: `<folder>/<id>/index.md`, then
    `<folder>/<id>/<n>.md`."""
    pages = max(1, math.ceil(len(papers) / PAGE_SIZE))
    out = []
    for n in range(1, pages + 1):
        chunk = papers[(n - 1) * PAGE_SIZE : n * PAGE_SIZE]
        root = "../../" if n == 1 else "../../../"
        here = "" if n == 1 else "../"  # from this page to the first page

        def page_url(k: int, here: str = here) -> str:
            return here if k == 1 else f"{here}{k}/"

        title = view.title if n == 1 else f"{view.title} (page {n} of {pages})"
        section = "Topics" if folder == "topics" else "Tags"
        crumbs = [(section, f"{folder}/")] + (
            [(view.title, None)] if n == 1 else
            [(view.title, f"{folder}/{view.id}/"), (f"Page {n}", None)])
        meta = {"title": esc(title),
                "description": esc(f"{counted(view.count, 'paper')}. "
                                   f"{view.description}"),
                "feeds": [link for feed in feeds for link in _feed_links(feed)],
                "sidebar": ctx.listing_sidebar(folder, view.id, root)}
        body = _page(meta, template, view=view, papers=chunk, ctx=ctx, root=root,
                     page=n, pages=pages, page_url=page_url, start=(n - 1) * PAGE_SIZE + 1,
                     crumbs=crumbs)
        out.append((f"{folder}/{view.id}/index.md" if n == 1 else f"{folder}/{view.id}/{n}.md",
                    body))
    return out


WIDE = ["navigation", "toc"]  # pages whose content takes both side columns


def tags_index(ctx: _Context) -> str:
    meta = {"title": "Tags", "description": esc("Curated tags: what no rule can know about a "
                                                "paper, added by contributors."),
            "hide": WIDE}
    return _page(meta, "tags.md.j2", ctx=ctx, root="../")


def home_page(ctx: _Context) -> str:
    catalog = ctx.data.catalog
    meta = {"title": esc(SITE_NAME),
            "description": esc(f"{counted(len(catalog.papers), 'transformer paper')} from "
                               "the Hugging Face Daily Papers digests, deduplicated, sorted "
                               "into topics and cross-linked.")}
    latest = ctx.digests[-1] if ctx.digests else None
    latest_new = [ctx.papers[i] for i in latest.new[:NEWEST_ON_HOME]] if latest else []
    meta["feeds"] = _feed_links(SITE_FEED)
    recent = list(reversed(ctx.digests[-RECENT_DIGESTS:]))
    meta["sidebar"] = sidebar("Latest digests", [(d.label, d.url, False, d.size)
                                                 for d in recent]
                              + [("All digests", "digests/", False, None)])
    return _page(meta, "home.md.j2", catalog=catalog, ctx=ctx, root="",
                 latest=latest, latest_new=latest_new)


def topics_index(ctx: _Context) -> str:
    meta = {"title": "Topics", "description": esc("Every topic of the index with its paper "
                                                  "count."), "hide": WIDE}
    return _page(meta, "topics.md.j2", ctx=ctx, root="../")


SITE_FEED = Feed("all", f"{SITE_NAME}: new papers",
                 "Papers new to the index, from the newest digest.", "")


def _tag_feed(view: TopicView) -> Feed:
    return Feed(f"tags/{view.id}", f"{SITE_NAME}: {view.title}",
                f"New papers tagged {view.title}.", view.url)


def _topic_feed(view: TopicView) -> Feed:
    return Feed(f"topics/{view.id}", f"{SITE_NAME}: {view.title}",
                f"New papers in the topic {view.title}.", view.url)


def _feed_links(feed: Feed) -> list[dict[str, str]]:
    """For `<link rel="alternate">` in the page head (overrides/main.html)."""
    return [{"type": "application/rss+xml", "href": feed.rss_path, "title": esc(feed.title)},
            {"type": "application/feed+json", "href": feed.json_path,
             "title": esc(feed.title)}]


def _primary_topic(paper: Paper, order: Mapping[str, int]) -> str:
    """The topic a paper scores highest in (the taxonomy's order breaks ties)."""
    if not paper.topics:
        return UNSORTED
    scores = {m.topic: m.score for m in paper.topic_matches}
    return min(paper.topics, key=lambda t: (-scores.get(t, 0.0), order.get(t, 0)))


UNDATED = "undated"  # the month key of the digests without a year


def _month_key(digest: Digest) -> str:
    return digest.month or UNDATED


def _month_title(key: str) -> str:
    return "Saves without a year" if key == UNDATED else month_label(key)


def digest_page(digest: Digest, k: int, ctx: _Context) -> bytes:
    """Each paper once, under the topic it scores highest in, with all its topics as
    chips; papers seen in an earlier digest say where. Packed; taken from the memo
    (`_Context.pages`) when an earlier build rendered the same values."""
    papers = [ctx.papers[i] for i in (*digest.new, *(i for i, _ in digest.seen_before))]
    first = {i: ctx.digest_refs[name] for i, name in digest.seen_before}
    order = {v.id: n for n, v in enumerate(ctx.topic_views)}
    primary = {p.id: _primary_topic(p, order) for p in papers}
    groups = []
    for view in [*ctx.topic_views, ctx.unsorted_view]:
        items = [(p, first.get(p.id)) for p in papers if primary[p.id] == view.id]
        if items:
            groups.append((view.id, view.title, items))
    month = _month_key(digest)
    meta = {"title": esc(mathtext.plain(digest.heading)),
            "description": esc(f"{counted(digest.size, 'paper')}, {len(digest.new)} new."),
            "feeds": _feed_links(SITE_FEED),
            "sidebar": sidebar("In this digest", [(title, f"#{gid}", False, len(items))
                                                  for gid, title, items in groups])}
    root = "../../"
    previous = ctx.digests[k - 1] if k > 0 else None
    following = ctx.digests[k + 1] if k + 1 < len(ctx.digests) else None

    def render() -> bytes:
        return pack(_page(meta, "digest.md.j2", digest=digest, ctx=ctx, root=root,
                          groups=groups, month=month, month_title=_month_title(month),
                          previous=previous, following=following))

    if ctx.pages is None:
        return render()
    # what the template shows: its values, each item by the hash of what it shows
    key = memo_key_of("digest page", repr((
        meta, digest, root, month, _month_title(month),
        *((d.url, d.label) if d else None for d in (previous, following)),
        [(gid, title, [ctx.item_key("digest_item", p, root, first) for p, first in items])
         for gid, title, items in groups])))
    return ctx.pages.get(key, render)


def _by_month(digests: Sequence[Digest]) -> dict[str, list[Digest]]:
    """Month key -> its digests (oldest first); undated first, then months in order."""
    groups: dict[str, list[Digest]] = {}
    for d in digests:
        groups.setdefault(_month_key(d), []).append(d)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] != UNDATED, kv[0])))


def _month_nav(groups: Mapping[str, Sequence[Digest]]) -> list[tuple[str, list]]:
    """(year, [(key, short label, count)]) newest year first; the undated group last."""
    years: dict[str, list[tuple[str, str, int]]] = {}
    for key, members in groups.items():
        if key == UNDATED:
            continue
        years.setdefault(key[:4], []).append((key, month_label(key)[:3], len(members)))
    out = [(year, months) for year, months in sorted(years.items(), reverse=True)]
    if UNDATED in groups:
        out.append(("Without a year", [(UNDATED, "Saved digests", len(groups[UNDATED]))]))
    return out


def digests_index(ctx: _Context) -> str:
    groups = _by_month(ctx.digests)
    latest = next(reversed(groups)) if groups else None
    meta = {"title": "Digests",
            "description": esc("Every saved digest by month, newest first."),
            "feeds": _feed_links(SITE_FEED), "hide": WIDE}
    keys = list(groups)
    return _page(meta, "digests.md.j2", ctx=ctx, root="../", nav=_month_nav(groups),
                 current=None, key=latest, title=_month_title(latest) if latest else "",
                 digests=list(reversed(groups[latest])) if latest else [],
                 older=keys[-2] if len(keys) > 1 else None, newer=None,
                 older_title=_month_title(keys[-2]) if len(keys) > 1 else "",
                 newer_title="", index=True, count=len(ctx.digests))


def digest_month_pages(ctx: _Context) -> list[tuple[str, str]]:
    groups = _by_month(ctx.digests)
    keys = list(groups)
    nav = _month_nav(groups)
    out = []
    for n, key in enumerate(keys):
        title = _month_title(key)
        heading = f"Digests of {title}" if key != UNDATED else title
        meta = {"title": esc(heading),
                "description": esc(f"{counted(len(groups[key]), 'digest')}, newest first."),
                "feeds": _feed_links(SITE_FEED), "hide": WIDE}
        older = keys[n - 1] if n > 0 else None
        newer = keys[n + 1] if n + 1 < len(keys) else None
        out.append((f"digests/months/{key}.md", _page(
            meta, "digests.md.j2", ctx=ctx, root="../../../", nav=nav, current=key, key=key,
            title=heading, digests=list(reversed(groups[key])), older=older, newer=newer,
            older_title=_month_title(older) if older else "",
            newer_title=_month_title(newer) if newer else "", index=False,
            count=len(ctx.digests))))
    return out


def trends_pages(ctx: _Context) -> list[tuple[str, str]]:
    digests = ctx.digests
    new = [len(d.new) for d in digests]
    seen = [len(d.seen_before) for d in digests]
    spans = charts.periods(digests, charts.BAR_PERIODS)
    period_new, period_seen = charts.sums(new, spans), charts.sums(seen, spans)
    unit = spans.unit
    busiest = max(range(len(period_new)), key=lambda k: period_new[k]) if period_new else None
    views = sorted(ctx.topic_views, key=lambda v: (-v.count, v.title))
    per_unit = {"digest": "digest", "week": "week", "month": "month", "quarter": "quarter",
                "year": "year"}[unit]
    summary = (f"{counted(len(digests), 'digest')} brought {counted(sum(new), 'paper')} new to "
               "the index" + (f"; the most in one {per_unit}, {period_new[busiest]}, came with "
                              f"{spans.items[busiest].label}." if busiest is not None else "."))
    meta = {"title": "Trends",
            "description": esc("New papers over time, and topic sizes."), "hide": ["toc"]}
    trends = _page(
        meta, "trends.md.j2", root="../", unit=per_unit,
        rows=[(p.label, a, b) for p, a, b in zip(spans.items, period_new, period_seen,
                                                 strict=True)],
        bars=charts.bars([p.short for p in spans.items], period_new, period_seen),
        summary=summary,
        sizes=charts.sizes([(v.title, v.url, v.count) for v in views]),
        sizes_desc="Papers per topic, largest first: " + ", ".join(
            f"{v.title} {v.count}" for v in views[:5]) + (", …" if len(views) > 5 else "."),
    )
    rows = ctx.topic_views
    limit = min(charts.HEAT_PERIODS, max(1, charts.HEAT_CELLS // max(1, len(rows))))
    heat_spans = charts.periods(digests, limit)
    per_topic: dict[str, list[int]] = {v.id: [0] * len(digests) for v in rows}
    for k, digest in enumerate(digests):
        for pid in digest.new:
            for t in ctx.papers[pid].topics:
                if t in per_topic:
                    per_topic[t][k] += 1
    heat = charts.heatmap([(v.title, v.url, charts.sums(per_topic[v.id], heat_spans))
                           for v in rows])
    heat_unit = {"digest": "digest"}.get(heat_spans.unit, heat_spans.unit)
    meta = {"title": "Topics over time",
            "description": esc("New papers per topic and period."), "hide": ["toc"]}
    topics = _page(meta, "trends_topics.md.j2", root="../../", heat=heat,
                   periods=heat_spans.items, unit=heat_unit)
    return [("trends.md", trends), ("trends/topics.md", topics)]


def gone_page(record: Record) -> str:
    """A published id whose paper no dump has any more: the address stays taken."""
    meta = {"title": esc(record.title or record.paper_id),
            "description": esc("No longer in the index."), "hide": WIDE}
    return _page(meta, "gone.md.j2", record=record, root="../../",
                 query=quote(record.title, safe=""))


def redirect_page(target: str) -> str:
    return ENV.get_template("redirect.html.j2").render(target=Markup(target))


def _csv_row(paper: Paper, ctx: _Context) -> dict[str, object]:
    digest = ctx.first_digest(paper)
    return {"id": paper.id, "url": ctx.absolute(paper.url) or paper.url,
            "title": paper.title, "authors": "; ".join(paper.authors),
            "arxiv_id": paper.arxiv_id, "published": paper.published,
            "first_seen": digest.label, "first_seen_date": digest.date if digest.dated else "",
            "topics": "; ".join(paper.topics), "tags": "; ".join(paper.tags),
            "upvotes": paper.upvotes, "abstract": paper.abstract}


SearchIndex = tuple[tuple[tuple[str, bytes], ...], bytes | None]


def start_search_index(papers: Sequence[Paper], taxonomy: Taxonomy,
                       terms: Pickled | None = None) -> Callable[[], SearchIndex]:
    """Start making the search index on another core (it needs the classified papers
    alone): the function returned gives the index's files and the pickle of the search
    terms it used (`Pickled`). `terms`: each paper's search terms (`search.analysis`)
    from earlier builds."""
    made = background.start(_search_index, papers, {t.id: t.title for t in taxonomy.topics},
                            terms)
    if terms is not None:
        terms.payload = None  # the other process holds it
    return made


def _search_index(papers: Sequence[Paper], topic_titles: dict[str, str],
                  terms: Pickled | None) -> SearchIndex:
    kept = terms.table() if terms is not None else None
    return build_index(papers, topic_titles, kept), \
        Pickled.give(kept) if kept is not None else None


def build_site_model(data: SiteInput, memo: Table | None = None,
                     items: Table | None = None, terms: Pickled | None = None,
                     cites: Table | None = None, pages: Table | None = None,
                     index: Callable[[], SearchIndex] | None = None) -> SiteModel:
    """`memo`: the paper pages earlier builds rendered (`paper_pages`); `items`: the list
    items (`_Context.item`); `terms`: each paper's search terms (`search.analysis`, read
    and filled where the search index is made); `cites`: each paper's BibTeX entry
    (`_Context.bibtex`); `pages`: the digest pages (`digest_page`). They change how long
    rendering takes, never what it gives. `index`: the search index, started already
    (`start_search_index`, with `terms`) for the same papers."""
    if index is None:
        index = start_search_index(data.catalog.papers, data.taxonomy, terms)
    topic_titles = {t.id: t.title for t in data.taxonomy.topics}
    docs = _Outputs()
    files = _Outputs()
    ctx = _Context(data, items, cites, pages)
    # the topic, tag and digest pages, and the exports, each by another process while the
    # other pages are rendered here
    elsewhere = background.start(_listings, data, ctx)
    exported = background.start(_exports, data, ctx)
    docs.add("index.md", home_page(ctx))
    docs.add("topics/index.md", topics_index(ctx))
    docs.add("tags/index.md", tags_index(ctx))
    papers = data.catalog.papers
    for paper, page in zip(papers, paper_pages(papers, ctx, memo), strict=True):
        docs.add_packed(f"papers/{paper.id}.md", page)
        files.add(f"papers/{paper.id}/{paper.id}.bib", ctx.bibtex(paper))
    published = {i for p in data.catalog.papers for i in (p.id, *p.aliases)}
    for record in data.catalog.ledger.records:
        if record.paper_id is not None and record.paper_id not in published:
            docs.add(f"papers/{record.paper_id}.md", gone_page(record))
    docs.add("digests/index.md", digests_index(ctx))
    for path, text in digest_month_pages(ctx):
        docs.add(path, text)
    for path, text in trends_pages(ctx):
        docs.add(path, text)
    feeds = [(SITE_FEED, None, None)] + [(_topic_feed(v), v.id, None) for v in ctx.topic_views]
    feeds += [(_tag_feed(v), None, v.id) for v in ctx.tag_views]
    for feed, topic, tag in feeds:
        newest = feed_items(ctx.digests, ctx.papers, topic, tag=tag)
        files.add(feed.rss_path, rss(feed, newest, data.site_url, topic_titles))
        files.add(feed.json_path, json_feed(feed, newest, data.site_url, topic_titles))
    for paper in data.catalog.papers:
        for alias in paper.aliases:
            files.add(f"papers/{alias}/index.html", redirect_page(f"../{paper.id}/"))
    for digest in ctx.digests:
        for alias in digest.aliases:
            files.add(f"digests/{alias}/index.html", redirect_page(f"../{digest.slug}/"))
    live = {slug for d in ctx.digests for slug in (d.slug, *d.aliases)}
    for record in data.catalog.ledger.records:  # a digest no dump holds any more
        slug = record.path.removeprefix("digests/").removesuffix("/")
        if record.kind == "digest" and slug not in live:
            files.add(f"digests/{slug}/index.html", redirect_page("../"))
    files.add("api/report.json", to_json(report_document(data.catalog)))
    # every paper's entry is made above already: the whole file here, not in the other
    # process, which would make each again
    files.add_packed("api/papers.bib", pack_parts(ctx.bibtex(p) + "\n" for p in papers))
    listed, used_items, used_pages = elsewhere()
    for path, blob in listed:
        docs.add_packed(path, blob)
    for path, blob in exported():
        files.add_packed(path, blob)
    if items is not None:
        items.take(used_items)
    if pages is not None:
        pages.take(used_pages)
    search, kept = index()
    if terms is not None:
        terms.used = kept
    return SiteModel(docs.frozen(), files.frozen(), search)


def _exports(data: SiteInput, ctx: _Context) -> list[tuple[str, bytes]]:
    """The exports but `api/papers.bib` (path, packed text), each made a paper at a time,
    never whole in memory (the catalog's papers are in id order, as the exports
    promise)."""
    papers = data.catalog.papers
    return [
        ("api/papers.json", pack_parts(catalog_json_parts(data.catalog, data.links))),
        ("api/papers.csv", pack_parts(cite.papers_csv_parts(_csv_row(p, ctx) for p in papers))),
    ]


def _listings(data: SiteInput, ctx: _Context) -> tuple[list[tuple[str, bytes]], Used, Used]:
    """Every topic's and tag's pages and every digest's page (path, packed text), and
    what they used of the list items' and the digest pages' memo (`Table.used_since`:
    the memo of the process that forked this one keeps them, `Table.take`). The digest
    pages' keys and the topic pages share each list item's hash, made once."""
    papers = data.catalog.papers
    tables = (ctx.memo, ctx.pages)
    before = [set(t.used) if t is not None else set() for t in tables]
    listed = []
    by_topic = _members(papers, [v.id for v in ctx.topic_views], lambda p: p.topics)
    for view in [*ctx.topic_views, ctx.unsorted_view]:
        members = ctx.unsorted if view.id == UNSORTED else by_topic[view.id]
        listed += topic_pages(view, ctx.newest_first(members), ctx)
    by_tag = _members(papers, [v.id for v in ctx.tag_views], lambda p: p.tags)
    for view in ctx.tag_views:
        listed += listing_pages(view, ctx.newest_first(by_tag[view.id]), ctx, "tags",
                                "tag.md.j2", [SITE_FEED, _tag_feed(view)])
    made = [(path, pack(text)) for path, text in listed]
    made += [(f"digests/{digest.slug}.md", digest_page(digest, k, ctx))
             for k, digest in enumerate(ctx.digests)]
    used_items, used_pages = (t.used_since(b) if t is not None else {}
                              for t, b in zip(tables, before, strict=True))
    return made, used_items, used_pages


def _members(papers: Sequence[Paper], ids: Sequence[str],
             labels: Callable[[Paper], Sequence[str]]) -> dict[str, list[Paper]]:
    """Each topic's (or tag's) papers, in the catalog's order."""
    found: dict[str, list[Paper]] = {i: [] for i in ids}
    for paper in papers:
        for label in labels(paper):
            found[label].append(paper)
    return found
