"""The site model: every generated page and file, built in memory before any write.

Templates (`generator/templates/`) get untrusted values escaped by `safe.esc` on output
(a Jinja `finalize`), so a template cannot forget to escape; values that are already
safe markup are wrapped in `Markup` by this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .export import catalog_document, report_document, to_json
from .model import Catalog, Paper
from .safe import esc, front_matter, teaser

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return esc(str(value))


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, finalize=_finalize,
                  undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                  lstrip_blocks=True)


class DuplicateOutput(Exception):
    pass


@dataclass(frozen=True)
class SiteModel:
    """`docs`: markdown for mkdocs; `files`: written into the built site as they are."""

    docs: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, str], ...]


class _Outputs:
    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, path: str, text: str) -> None:
        if path in self.items:
            raise DuplicateOutput(f"two things would write {path}")
        self.items[path] = text

    def frozen(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.items.items()))


def paper_page(paper: Paper, dumps: dict[str, object]) -> str:
    meta = {"title": esc(paper.title), "description": esc(teaser(paper.abstract)),
            "paper_id": paper.id}
    body = ENV.get_template("paper.md.j2").render(paper=paper, dumps=dumps, home="../../")
    return front_matter(meta) + body


def home_page(catalog: Catalog) -> str:
    newest = sorted(catalog.papers, key=lambda p: (
        -[d.name for d in catalog.dumps].index(p.first_seen), p.id))
    body = ENV.get_template("home.md.j2").render(catalog=catalog, papers=newest)
    return front_matter({"title": "Transformer Paper Index"}) + body


def redirect_page(target: str) -> str:
    return ENV.get_template("redirect.html.j2").render(target=Markup(target))


def build_site_model(catalog: Catalog) -> SiteModel:
    docs = _Outputs()
    files = _Outputs()
    dumps = {d.name: d for d in catalog.dumps}
    docs.add("index.md", home_page(catalog))
    for paper in catalog.papers:
        docs.add(f"papers/{paper.id}.md", paper_page(paper, dumps))
    for paper in catalog.papers:
        for alias in paper.aliases:
            files.add(f"papers/{alias}/index.html", redirect_page(f"../{paper.id}/"))
    files.add("api/papers.json", to_json(catalog_document(catalog)))
    files.add("api/report.json", to_json(report_document(catalog)))
    return SiteModel(docs.frozen(), files.frozen())
