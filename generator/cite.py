"""Citations and spreadsheets: BibTeX for every paper and the whole index, and CSV.

BibTeX values are written for LaTeX, and the text in them is untrusted, so nothing in it
may act as a command: every character TeX or BibTeX reads specially is escaped
(`\\&`, `\\%`, `\\textbackslash{}`, braces as `\\textbraceleft{}` and
`\\textbraceright{}`, which keep the braces of the entry balanced whatever the title
holds), and formulas are rebuilt by `mathtext.latex` from the commands it knows, never
copied. Words with capitals inside (`ConvLLaVA`, `LLMs`) are braced so that styles
keep their case. Keys are `<first author's surname><year><first title word>`, ASCII,
unique in the index: the first paper seen keeps the plain key, later namesakes get `b`,
`c`, ... (`keys`).

CSV as Python's `csv` module writes it (RFC 4180 quoting, LF line ends), one row per
paper; a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading `'`, so that a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence

from . import mathtext
from .model import Paper

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
_TEX_RE = re.compile("[" + re.escape("".join(_TEX_SPECIAL)) + "]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_INNER_CAPITAL = re.compile(r"(?<![\w{\\])([^\W_]*[a-z0-9][^\W_]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*)")
_STOP = frozenset({
    "a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "from", "towards",
    "toward", "via", "is", "are", "do", "does", "can", "what", "how", "why", "when"})


def tex(text: str) -> str:
    """Text for a BibTeX value: every special character escaped, line breaks as spaces."""
    return _TEX_RE.sub(lambda m: _TEX_SPECIAL[m.group()], _CONTROL.sub(" ", text))


def _protect_case(text: str) -> str:
    """Brace the words whose capitals a style must keep (only in escaped text, so the
    braces added are balanced)."""
    return _INNER_CAPITAL.sub(lambda m: "{" + m.group() + "}", text)


def title_tex(title: str) -> str:
    flat = " ".join(title.split())
    return mathtext.latex(flat, lambda part: _protect_case(tex(part)))


def _name_tex(name: str) -> str:
    flat = " ".join(name.split())
    escaped = tex(flat)
    # a comma or the word "and" would split the name: keep it one name
    if "," in flat or re.search(r"(?i)(^|\s)and(\s|$)", flat):
        return "{" + escaped + "}"
    return escaped


def _ascii(text: str) -> str:
    folded = text if text.isascii() else \
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", folded.lower())


_NOT_KEY = re.compile(r"[^a-z0-9]")


def _surname(name: str) -> str:
    """'Junsong Chen' -> 'Chen'; 'Chen, Junsong' -> 'Chen'."""
    family = name.split(",", 1)[0].split() if "," in name else name.split()[-1:]
    return family[-1] if family else ""


def year_of(paper: Paper, digest_date: str | None = None) -> str | None:
    """From the publication date, else the arXiv id (YYMM.), else the digest's date."""
    if paper.published and re.match(r"\d{4}-", paper.published):
        return paper.published[:4]
    if paper.arxiv_id:
        return f"20{paper.arxiv_id[:2]}"
    return digest_date[:4] if digest_date else None


def base_key(paper: Paper, year: str | None) -> str:
    author = _ascii(_surname(paper.authors[0])) if paper.authors else ""
    words = [_ascii(w) for w in mathtext.plain(paper.title).split()]
    word = next((w for w in words if w and w not in _STOP), "") or next(
        (w for w in words if w), "")
    return (author + (year or "") + word[:20]) or "paper"


def keys(papers: Sequence[Paper], years: Mapping[str, str | None],
         seen: Mapping[str, int] | None = None) -> dict[str, str]:
    """A unique key per paper id. Papers that would share a key take it in the order they
    were first seen (`seen`: id -> place of its first digest; then id): the first keeps
    the plain key, the next get `b`, `c`, ... So a paper's key does not change when a later
    paper arrives with the same author, year and first word."""
    wanted: dict[str, list[str]] = {}
    for paper in sorted(papers, key=lambda p: ((seen or {}).get(p.id, 0), p.id)):
        wanted.setdefault(base_key(paper, years.get(paper.id)), []).append(paper.id)
    out: dict[str, str] = {}
    taken = set(wanted)
    for key, ids in wanted.items():
        out[ids[0]] = key
        n = 1
        for pid in ids[1:]:
            while True:
                suffix = _suffix(n)
                n += 1
                if key + suffix not in taken:
                    break
            taken.add(key + suffix)
            out[pid] = key + suffix
    return out


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters


def bibtex(paper: Paper, key: str, year: str | None, url: str) -> str:
    """One `@misc` entry (arXiv's own form for a preprint when the id is known)."""
    fields = [("title", title_tex(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_name_tex(a) for a in paper.authors)))
    if year:
        fields.append(("year", year))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv"),
                   ("url", f"https://arxiv.org/abs/{paper.arxiv_id}")]
    elif url:
        fields.append(("url", _verbatim(url)))
    if url:
        fields.append(("note", "Transformer Paper Index, \\url{" + _verbatim(url) + "}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _verbatim(url: str) -> str:
    """A URL as biblatex reads it (verbatim): the site's own addresses, never with a
    brace, backslash, percent sign or space, which are dropped to be sure."""
    return re.sub(r"[{}\\%\s]", "", url)


CSV_COLUMNS = ("id", "url", "title", "authors", "arxiv_id", "published", "first_seen",
               "first_seen_date", "topics", "tags", "upvotes", "abstract")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def papers_csv(rows: Iterable[Mapping[str, object]]) -> str:
    return "".join(papers_csv_parts(rows))


def papers_csv_parts(rows: Iterable[Mapping[str, object]]) -> Iterator[str]:
    """The CSV export a line (a record) at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = itertools.chain([CSV_COLUMNS],
                            ([csv_cell(row.get(c)) for c in CSV_COLUMNS] for row in rows))
    for line in lines:
        writer.writerow(line)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
