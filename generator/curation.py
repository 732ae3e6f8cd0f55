"""Curated decisions contributors make by pull request, loaded and checked strictly.

`curation/duplicates.yml` forces entries to be one paper (`same`) or keeps them apart
(`different`). A paper is named by any of its titles (compared like the
deduplicator compares them: case and punctuation do not matter) or as `arxiv:ID`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import process

from . import strict_yaml
from .dedupe import Constraints
from .files import read_utf8
from .model import ERROR, Entry, Problem
from .readers.records import normalize_arxiv_id
from .textnorm import match_key

DUPLICATES_FILE = "duplicates.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DuplicateRule(_Strict):
    titles: list[str] = Field(min_length=2, description="Two or more titles (or arxiv:ID).")
    note: str = Field(min_length=1, description="Why: what a reviewer should know.")


class DuplicatesFile(_Strict):
    same: list[DuplicateRule] = Field(default_factory=list)
    different: list[DuplicateRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Curation:
    duplicates: DuplicatesFile
    duplicate_lines: dict[tuple[str, int, int], int]  # (section, rule, title) -> line


def line_for(node: strict_yaml.Node, loc: Sequence[Any]) -> int:
    """The line of the value at `loc`, or of its key; as deep as the document goes."""
    line = node.line
    for part in loc:
        value = node.value
        if isinstance(value, dict) and isinstance(part, str):
            if part not in value:
                break
            line = dict(node.key_lines).get(part, line)
            node = value[part]
            if isinstance(node.value, str):
                line = node.line
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            node = value[part]
            line = node.line
        else:
            break
    return line


def _describe(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if p != "[key]"]
    kind = error["type"]
    if kind in ("extra_forbidden", "missing"):
        where = ".".join(loc[:-1])
        what = "unknown key" if kind == "extra_forbidden" else "missing key"
        return f"{where + ': ' if where else ''}{what} '{loc[-1]}'"
    where = ".".join(loc)
    if kind == "string_type":
        return f"{where}: expected a string"
    if kind == "list_type":
        return f"{where}: expected a list"
    if kind in ("model_type", "dict_type"):
        return f"{where}: expected a mapping"
    if kind == "too_short":
        least = error["ctx"]["min_length"]
        return f"{where}: needs at least {least} item{'' if least == 1 else 's'}"
    if kind == "value_error":
        return f"{where}: {error['ctx']['error']}"
    if kind == "string_too_short":
        return f"{where}: must not be empty"
    return f"{where}: {error['msg']}"


def validate(path: str, text: str, model: type[BaseModel]
             ) -> tuple[BaseModel | None, strict_yaml.Node | None, list[Problem]]:
    """Strict-load `text` and validate it against `model`; every problem at once."""
    try:
        node = strict_yaml.load(text)
    except strict_yaml.YamlError as exc:
        return None, None, [Problem(path, exc.line, ERROR, exc.message)]
    if node is None:
        return model(), None, []
    try:
        return model.model_validate(node.plain()), node, []
    except ValidationError as exc:
        problems = [Problem(path, line_for(node, err["loc"]), ERROR, _describe(err))
                    for err in exc.errors()]
        return None, node, sorted(problems, key=lambda p: (p.line, p.message))


def load_curation(folder: Path, display: str = "curation") -> tuple[Curation, list[Problem]]:
    path = folder / DUPLICATES_FILE
    name = f"{display}/{DUPLICATES_FILE}"
    if not os.path.lexists(path):
        return Curation(DuplicatesFile(), {}), []
    text, why, line = read_utf8(path, strict_yaml.MAX_BYTES)
    if text is None:
        return Curation(DuplicatesFile(), {}), [Problem(name, line, ERROR, why or "unreadable")]
    parsed, node, problems = validate(name, text, DuplicatesFile)
    if parsed is None:
        return Curation(DuplicatesFile(), {}), problems
    lines: dict[tuple[str, int, int], int] = {}
    for section in ("same", "different"):
        for r, rule in enumerate(getattr(parsed, section)):
            for t in range(len(rule.titles)):
                lines[(section, r, t)] = line_for(node, (section, r, "titles", t)) if node else 1
    return Curation(parsed, lines), problems


def constraints_for(curation: Curation, entries: Sequence[Entry],
                    display: str = "curation") -> tuple[Constraints, list[Problem]]:
    """Resolve the titles named in curated rules to entries; unknown names are errors
    with the closest known titles."""
    name = f"{display}/{DUPLICATES_FILE}"
    by_key: dict[str, list[int]] = {}
    by_arxiv: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        by_key.setdefault(match_key(e.title), []).append(i)
        if e.arxiv_id:
            by_arxiv.setdefault(e.arxiv_id, []).append(i)
    problems: list[Problem] = []
    titles_by_key: dict[str, str] = {}
    for e in entries:
        titles_by_key.setdefault(match_key(e.title), e.title)

    def resolve(section: str, r: int, t: int, ref: str) -> tuple[int, ...]:
        line = curation.duplicate_lines.get((section, r, t), 1)
        if ref.startswith("arxiv:"):
            arxiv = normalize_arxiv_id(ref[6:])
            if arxiv is None:
                problems.append(Problem(name, line, ERROR, "not an arXiv id", ref))
                return ()
            found = by_arxiv.get(arxiv)
            if not found:
                problems.append(Problem(name, line, ERROR, "no dump has a paper with this arXiv "
                                                           "id", ref))
            return tuple(found or ())
        found = by_key.get(match_key(ref))
        if found:
            return tuple(found)
        close = process.extract(match_key(ref), list(titles_by_key), limit=3, score_cutoff=60)
        hint = "; did you mean " + " or ".join(repr(titles_by_key[c[0]]) for c in close) \
            if close else ""
        problems.append(Problem(name, line, ERROR, f"no dump has a paper with this title{hint}",
                                ref))
        return ()

    same: list[tuple[int, ...]] = []
    same_lines: list[int] = []
    apart: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for r, rule in enumerate(curation.duplicates.same):
        group = [i for t, ref in enumerate(rule.titles) for i in resolve("same", r, t, ref)]
        if len(group) > 1:
            same.append(tuple(sorted(set(group))))
            same_lines.append(curation.duplicate_lines.get(("same", r, 0), 1))
    for r, rule in enumerate(curation.duplicates.different):
        sides = [resolve("different", r, t, ref) for t, ref in enumerate(rule.titles)]
        for a in range(len(sides)):
            for b in range(a + 1, len(sides)):
                if sides[a] and sides[b]:
                    apart.append((sides[a], sides[b]))
    for group, line in zip(same, same_lines, strict=True):
        members = set(group)
        if any(members & set(left) and members & set(right) for left, right in apart):
            problems.append(Problem(name, line, ERROR, "this 'same' rule joins papers that a "
                                                       "'different' rule keeps apart"))
    return Constraints(tuple(same), tuple(apart)), problems
