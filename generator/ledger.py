"""The permalink ledger: every paper URL the site has published, and the paper it names.

`dumps/permalinks.tsv` is committed with the dumps and only ever grows. One line per id,
sorted by id (so two pull requests that add papers rarely touch the same lines):

    <id> TAB <kind> TAB <key> TAB <title when first published>

`kind` is `id` (the paper's page) or `alias` (a redirect to it); `key` names the paper:
`arxiv:<id>` when a dump gave its arXiv id, else `entry:<hash>` of the title and abstract
of one of its entries (`ids.entry_key`). `build` reads the ledger and never gives a
recorded id to another paper (`ids.assign_ids`), then adds the ids it published for the
first time, as a lock file is updated. Lines starting with `#` are comments.
"""

from __future__ import annotations

import re

from .ids import RESERVED_IDS
from .model import ERROR, Ledger, Problem, Record

KINDS = ("id", "alias")
_ID = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_KEY = re.compile(r"arxiv:\d{4}\.\d{4,5}|entry:[0-9a-f]{16}")
HEADER = (
    "# Permalink ledger: every paper URL this site has published and the paper it names.\n"
    "# Written by the build (`make site` or `make ledger`); commit it with the dumps.\n"
    "# Never edit or remove a line: a published link must keep its meaning.\n"
    "# id\tkind\tkey\ttitle when first published\n"
)


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
                                    "separated by tabs: id, kind, key, title", line))
            continue
        pid, kind, key, title = fields
        why = (None if _ID.fullmatch(pid) and pid not in RESERVED_IDS else "not a paper id") or \
              (None if kind in KINDS else "the kind is 'id' or 'alias'") or \
              (None if _KEY.fullmatch(key) else "the key is arxiv:<arXiv id> or "
               "entry:<16 hex digits>")
        if why:
            problems.append(Problem(path, number, ERROR, why, line))
            continue
        if pid in first:
            problems.append(Problem(path, number, ERROR, f"id '{pid}' is recorded twice "
                                    f"(first on line {first[pid]}); keep the first line"))
            continue
        first[pid] = number
        records.append(Record(pid, kind, key, title))
    return Ledger(tuple(sorted(records, key=lambda r: r.id))), problems


def render(ledger: Ledger) -> str:
    return HEADER + "".join(f"{r.id}\t{r.kind}\t{r.key}\t{r.title}\n" for r in ledger.records)
