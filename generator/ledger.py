"""The permalink ledger: every address the site has published, and what it names.

`dumps/permalinks.tsv` is committed with the dumps and only ever grows. One line per
address, sorted (so two pull requests that add papers rarely touch the same lines):

    <path> TAB <kind> TAB <key> TAB <title when first published>

* `papers/<id>/`, kind `paper` (the paper's page) or `alias` (a redirect to it); the key
  names the paper: `arxiv:<id>` when a dump gave its arXiv id, else `entry:<hash>` of the
  title and abstract of one of its entries (`ids.entry_key`);
* `digests/<slug>/`, kind `digest`; the key is `period:<day, week or month>` for a dated
  digest, `dump:<hash of the file name>` for an undated dump's digest.

`build` reads the ledger and never gives a recorded address to anything else
(`ids.assign_ids`, `digests.build_digests`), then adds the addresses it published for the
first time, as a lock file is updated. Lines starting with `#` are comments.
"""

from __future__ import annotations

import re

from .ids import RESERVED_IDS
from .model import ERROR, Ledger, Problem, Record

KINDS = ("paper", "alias", "digest")
_PATH = re.compile(r"(papers|digests)/([a-z0-9]+(?:[-.][a-z0-9]+)*)/")
_KEY = {
    "papers": re.compile(r"arxiv:\d{4}\.\d{4,5}|entry:[0-9a-f]{16}"),
    "digests": re.compile(r"period:\d{4}(?:-\d{2}(?:-\d{2})?|-W\d{2})|dump:[0-9a-f]{16}"),
}
HEADER = (
    "# Permalink ledger: every address this site has published and what it names.\n"
    "# Written by the build (`make site` or `make ledger`); commit it with the dumps.\n"
    "# Never edit or remove a line: a published link must keep its meaning.\n"
    "# path\tkind\tkey\ttitle when first published\n"
)


def _bad_line(address: str, kind: str, key: str) -> str | None:
    m = _PATH.fullmatch(address)
    if m is None or (m.group(1) == "papers" and m.group(2) in RESERVED_IDS):
        return "not the address of a paper or digest page (papers/<id>/, digests/<slug>/)"
    section = m.group(1)
    if kind not in (("digest",) if section == "digests" else ("paper", "alias")):
        return "the kind is 'paper' or 'alias' for papers/, 'digest' for digests/"
    if not _KEY[section].fullmatch(key):
        return ("the key is arxiv:<arXiv id> or entry:<16 hex digits>" if section == "papers"
                else "the key is period:<day, week or month> or dump:<16 hex digits>")
    return None


def parse(path: str, text: str) -> tuple[Ledger, list[Problem]]:
    """Every line checked; a bad line is an error with its line (the build would
    otherwise forget an id it published)."""
    records: list[Record] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            problems.append(Problem(path, number, ERROR, "a ledger line has four fields "
                                    "separated by tabs: path, kind, key, title", line))
            continue
        address, kind, key, title = fields
        why = _bad_line(address, kind, key)
        if why:
            problems.append(Problem(path, number, ERROR, why, line))
            continue
        if address in first:
            problems.append(Problem(path, number, ERROR, f"{address} is recorded twice "
                                    f"(first on line {first[address]}); keep the first line"))
            continue
        first[address] = number
        records.append(Record(address, kind, key, title))
    return Ledger(tuple(sorted(records, key=lambda r: r.path))), problems


def render(ledger: Ledger) -> str:
    return HEADER + "".join(f"{r.path}\t{r.kind}\t{r.key}\t{r.title}\n" for r in ledger.records)
