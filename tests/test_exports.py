"""Citations, spreadsheets and formulas: `api/papers.bib`, the per-paper BibTeX, `api/papers.csv`
and the LaTeX formulas of titles and abstracts (`generator/cite.py`, `generator/mathtext.py`).

BibTeX is read back with pybtex, a BibTeX-compatible parser: every paper is one entry
with its fields, the text comes back as written, and no hostile title, abstract or name
can add an entry, end a field or run a LaTeX command. CSV is read back with the csv
module.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest
from pybtex.database import parse_string

from generator import cite, mathtext
from generator.links import link
from generator.model import Paper, Source
from generator.render import SiteInput, build_site_model
from generator.topics import classify, load_taxonomy

from conftest import REPO

# every command cite.tex writes, and those mathtext rebuilds a formula with
TEXT_COMMANDS = {"textbackslash", "textbraceleft", "textbraceright", "textasciicircum",
                 "textasciitilde", "textless", "textgreater", "textbar", "url"}
MATH_COMMANDS = (set(mathtext.GREEK) | {k for k in mathtext.SYMBOLS if k.isalpha()}
                 | set(mathtext.FUNCTIONS) | set(mathtext.ALPHABETS) | set(mathtext.TEXTS)
                 | set(mathtext.ACCENTS) | set(mathtext.FRACTIONS) | {"sqrt"}
                 | {k for k in mathtext.SPACES if k.isalpha()})
_DECODE = {r"\textbackslash{}": "\\", r"\textbraceleft{}": "{", r"\textbraceright{}": "}",
           r"\textasciicircum{}": "^", r"\textasciitilde{}": "~", r"\textless{}": "<",
           r"\textgreater{}": ">", r"\textbar{}": "|", r"\&": "&", r"\%": "%", r"\$": "$",
           r"\#": "#", r"\_": "_"}


def _decoded(value: str) -> str:
    """A BibTeX value of cite.tex back to text: escapes undone, case-keeping braces gone."""
    pieces = re.split("(" + "|".join(re.escape(k) for k in _DECODE) + ")", value)
    return "".join(_DECODE.get(p, p.replace("{", "").replace("}", "")) for p in pieces)


def _paper(pid: str, title: str, authors=(), abstract="An abstract.", arxiv=None,
           published=None) -> Paper:
    return Paper(pid, title, abstract, arxiv, tuple(authors), (), (Source("d", 1, title, "first"),),
                 "d", "d", published=published)


@pytest.fixture(scope="module")
def seed_model(seed_catalog):
    taxonomy, problems = load_taxonomy(REPO / "curation")
    assert problems == []
    catalog = replace(seed_catalog, papers=classify(seed_catalog.papers, taxonomy))
    model = build_site_model(SiteInput(catalog, taxonomy, link(catalog.papers),
                                       "https://example.org/index/"))
    return catalog, dict(model.files)


def test_the_whole_index_as_bibtex(seed_model):
    catalog, files = seed_model
    text = files["api/papers.bib"]
    data = parse_string(text, "bibtex")
    assert len(data.entries) == len(catalog.papers) == 349
    by_url = {e.fields["url"]: e for e in data.entries.values()}
    assert len(by_url) == len(catalog.papers)
    for paper in catalog.papers:
        entry = by_url[f"https://example.org/index/papers/{paper.id}/"]
        assert entry.type == "misc"
        assert re.fullmatch(r"[a-z0-9]+", entry.key)
        title = " ".join(paper.title.split())
        if not mathtext.has_math(title):
            assert _decoded(entry.fields["title"]) == title, paper.id
        # the page offers the same entry for download
        assert files[f"papers/{paper.id}/{paper.id}.bib"] in text
    # a seed title with a formula keeps it as LaTeX, rebuilt from known commands
    fairy = next(e for e in data.entries.values() if e.fields["title"].startswith("Fairy2i"))
    assert fairy.fields["title"].endswith(r"${\{\pm 1,\pm i\}}$")
    # names in case-keeping braces where a style would lower-case them
    assert any(e.fields["title"].startswith("{PIXART-δ}:") for e in data.entries.values())


def test_an_arxiv_paper_cites_as_arxiv_does():
    paper = _paper("pixart", "PIXART-δ: Fast and Controllable Image Generation",
                   authors=["Junsong Chen", "Yue Wu"], arxiv="2401.05252",
                   published="2024-01-10T18:59:59.000Z")
    keys = cite.keys([paper], {"pixart": cite.year_of(paper)})
    entry = parse_string(cite.bibtex(paper, keys["pixart"], "2024", ""), "bibtex").entries[
        "chen2024pixart"]
    assert [str(p) for p in entry.persons["author"]] == ["Chen, Junsong", "Wu, Yue"]
    assert (entry.fields["eprint"], entry.fields["archivePrefix"], entry.fields["year"],
            entry.fields["url"]) == ("2401.05252", "arXiv", "2024",
                                     "https://arxiv.org/abs/2401.05252")


HOSTILE_TITLES = [
    r"\input{/etc/passwd} and \write18{rm -rf ~}",
    "}, author = {Mallory}, title = {Owned",
    "@misc{evil, title={injected}}",
    "{Unbalanced braces} } { and % a comment # hash & amp _ under ^ caret ~ tilde",
    r"Formula with a command it does not know $\immediate\write18{id}$",
    r"Formula it knows $\alpha_{1}^{2} \leq \mathbb{R}$ and \\ a backslash",
    "<script>alert(1)</script> | pipes",
]


def test_hostile_text_stays_text_in_bibtex():
    papers = [_paper(f"p{k}", title, authors=["Doe, John", "Smith and Jones", r"E\vil {Name}"],
                     arxiv=None) for k, title in enumerate(HOSTILE_TITLES)]
    keys = cite.keys(papers, {p.id: "2024" for p in papers})
    text = "\n".join(cite.bibtex(p, keys[p.id], "2024", f"https://example.org/papers/{p.id}/")
                     for p in papers)
    data = parse_string(text, "bibtex")
    assert sorted(data.entries) == sorted(keys.values())  # one entry each, none added
    commands = set(re.findall(r"\\([A-Za-z]+)", text))
    assert commands <= TEXT_COMMANDS | MATH_COMMANDS, commands - TEXT_COMMANDS - MATH_COMMANDS
    assert not {"input", "write", "immediate"} & commands
    for paper in papers:
        entry = data.entries[keys[paper.id]]
        assert set(entry.fields) == {"title", "year", "url", "note"}
        if not mathtext.has_math(paper.title):
            assert _decoded(entry.fields["title"]) == paper.title
        # three names, each kept whole: the comma and the "and" are not name syntax here
        assert len(entry.persons["author"]) == 3
    assert r"\$\textbackslash{}immediate\textbackslash{}write18\textbraceleft{}id" in text
    assert r"${\alpha _{1}^{2}\leq \mathbb{R}}$" in text


def test_keys_are_unique_and_readable():
    papers = [_paper(f"p{k}", "Attention Is All You Need", authors=["Ashish Vaswani"],
                     published="2017-06-12T00:00:00.000Z") for k in range(3)]
    papers.append(_paper("q", "The Élan of Ünicode", authors=["Zoë Ångström"]))
    years = {p.id: cite.year_of(p) for p in papers}
    keys = cite.keys(papers, years)
    assert [keys[f"p{k}"] for k in range(3)] == [
        "vaswani2017attention", "vaswani2017attentionb", "vaswani2017attentionc"]
    assert keys["q"] == "angstromelan"
    # a key, once given, stays: a namesake seen later (even with a smaller id) takes the
    # next suffix, and the first-seen paper keeps the plain key
    seen = {"p0": 3, "p1": 5, "p2": 7, "q": 1}
    before = cite.keys(papers[1:], years, seen)
    newcomer = _paper("a-later-namesake", "Attention Is All You Need",
                      authors=["Ashish Vaswani"], published="2017-06-12T00:00:00.000Z")
    after = cite.keys([*papers[1:], newcomer], {**years, newcomer.id: "2017"},
                      {**seen, newcomer.id: 9})
    assert before == {k: after[k] for k in before}
    assert before["p1"] == "vaswani2017attention"
    assert after[newcomer.id] == "vaswani2017attentionc"


def test_the_whole_index_as_csv(seed_model):
    catalog, files = seed_model
    rows = list(csv.DictReader(io.StringIO(files["api/papers.csv"], newline="")))
    assert list(rows[0]) == list(cite.CSV_COLUMNS)
    assert [r["id"] for r in rows] == sorted(p.id for p in catalog.papers)
    by_id = {p.id: p for p in catalog.papers}
    for row in rows:
        paper = by_id[row["id"]]
        assert row["title"] == paper.title and row["abstract"] == paper.abstract
        assert row["authors"] == "; ".join(paper.authors)
        assert row["url"] == f"https://example.org/index/papers/{paper.id}/"
        assert row["first_seen"]  # every seed digest has a label, dated or not
    labels = {r["first_seen"] for r in rows}
    assert {"saved digest 1, undated", "Mar 17"} <= labels


def test_csv_cells_never_start_a_formula():
    rows = [{"id": "x", "title": "=HYPERLINK(\"http://evil\")", "authors": "+cmd|' /C calc'!A0",
             "abstract": "-2+3", "tags": "@SUM(1)", "topics": "\tTAB", "url": "ok"}]
    parsed = next(iter(csv.DictReader(io.StringIO(cite.papers_csv(rows), newline=""))))
    for name in ("title", "authors", "abstract", "tags", "topics"):
        assert parsed[name].startswith("'"), name
        assert parsed[name][1:] == rows[0][name]
    assert parsed["url"] == "ok"


# --- formulas -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "shown", "mathml"), [
    (r"in $\{\pm 1, \pm i\}$", "in {±1,±i}",
     "<mrow><mo>&#123;</mo><mo>±</mo><mn>1</mn><mo>,</mo><mo>±</mo><mi>i</mi><mo>&#125;</mo>"
     "</mrow>"),
    ("Just Add $π$!", "Just Add π!", "<mi>π</mi>"),
    ("Cloning $k$ modes", "Cloning k modes", "<mi>k</mi>"),
    (r"cost $\mathcal{O}(n^2)$", "cost 𝒪(n²)", "<msup><mi>n</mi><mn>2</mn></msup>"),
    (r"\(L_{1,2}\)-norm", "L_(1,2)-norm", "<msub><mi>L</mi>"),
    (r"$\frac{1}{\sqrt{d_k}}$", "1/√(d_k)", "<mfrac><mn>1</mn><msqrt>"),
])
def test_formulas_are_drawn(text, shown, mathml):
    assert mathtext.plain(text) == shown
    html = mathtext.html(text)
    assert mathml in html
    assert html.count("<math ") == 1


@pytest.mark.parametrize("text", [
    "costs $5 and $10 each",  # money, not math
    r"$\input{/etc/passwd}$",  # a command it does not know
    "$<script>alert(1)</script>$",  # prose between dollars
    r"$textbf{specialist} and textbf{generalist}$",  # a source that lost its backslashes
    "${unbalanced$", "$a}$", "$" + "x^" * 200 + "$",  # broken or too long
])
def test_what_is_not_a_simple_formula_stays_text(text):
    assert mathtext.plain(text) == text
    assert "<math" not in mathtext.html(text)
    assert "<" not in mathtext.html(text).replace("&lt;", "")
