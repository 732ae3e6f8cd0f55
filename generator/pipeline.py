"""The stages in order: read -> deduplicate -> render -> write.

`read_inputs` is the only function here that reads the disk and `generator.writer` the
only module that writes it; `make_catalog` and `render.build_site_model` are pure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import related, strict_yaml
from .catalog import build_catalog, ordered_entries
from .curation import Curation, constraints_for, load_curation
from .files import read_utf8
from .ledger import parse as parse_ledger
from .links import Links, linked
from .memo import Memo, digest
from .mentions import Seen
from .model import ERROR, WARNING, Catalog, Ledger, Problem, ReadResult
from .progress import Progress
from .readers import LEDGER_FILE, display_path, list_dumps, read_all
from .tags import ASSIGNMENTS_DIR, VOCABULARY_FILE, Curated, SourceFile, apply_curated, load_curated
from .textnorm import printable
from .topics import Taxonomy, classify, load_taxonomy
from .words import counted, plural


@dataclass(frozen=True)
class Inputs:
    results: tuple[ReadResult, ...]
    curation: Curation
    taxonomy: Taxonomy
    problems: tuple[Problem, ...]  # curation-file problems (dump problems live in results)
    curated: Curated = field(default_factory=Curated)  # curated tags and topic changes
    ledger: Ledger = field(default_factory=Ledger)  # every paper id published so far
    dumps_shown: str = "dumps"  # how messages name the dumps folder


class NoDumps(Exception):
    pass


MAX_LEDGER_BYTES = 256 * 2**20


def ledger_path(dumps_dir: Path, given: Path | None = None) -> Path:
    """The permalink ledger: `--ledger` when given, else beside the dumps it describes."""
    return given if given is not None else dumps_dir / LEDGER_FILE


def read_ledger(path: Path) -> tuple[Ledger, list[Problem]]:
    shown = display_path(path)
    if not os.path.lexists(path):
        return Ledger(), []
    text, why, line = read_utf8(path, MAX_LEDGER_BYTES)
    if text is None:
        return Ledger(), [Problem(shown, line, ERROR, why or "unreadable")]
    return parse_ledger(shown, text)


def read_inputs(dumps_dir: Path, curation_dir: Path, progress: Progress,
                ledger: Path | None = None, memo: Memo | None = None) -> Inputs:
    """Everything the build reads. `memo`: what earlier builds parsed (`generator.memo`);
    it changes how long reading takes, never what it gives."""
    if not dumps_dir.is_dir():
        raise NoDumps(f"{dumps_dir}: no such folder of dumps")
    paths = list_dumps(dumps_dir)
    if not paths:
        raise NoDumps(f"{dumps_dir}: the folder has no dumps")
    with progress.stage("read") as summary:
        bar = progress.bar(total=len(paths), desc="reading dumps")
        parsed = memo.table("read") if memo is not None else None
        results = read_all(paths, progress=(lambda _name: bar.update(1)) if bar is not None
                           else None, memo=parsed)
        if bar is not None:
            bar.close()
        summary.append(f"{counted(len(results), 'dump')}, "
                       f"{counted(sum(len(r.entries) for r in results), 'entry')}"
                       + (f"; parsed before: {parsed.hits}" if parsed is not None else ""))
    curation, problems = load_curation(curation_dir)
    taxonomy, more = load_taxonomy(curation_dir, memo=parsed)
    curated, tag_problems = load_curated(*read_tag_files(curation_dir))
    recorded, ledger_problems = read_ledger(ledger_path(dumps_dir, ledger))
    return Inputs(results, curation, taxonomy,
                  tuple(problems + more + tag_problems + ledger_problems), curated, recorded,
                  display_path(dumps_dir))


def _source(path: Path, display: str) -> SourceFile:
    text, why, line = read_utf8(path, strict_yaml.MAX_BYTES)
    return SourceFile(display, text) if text is not None else SourceFile(display, None, why,
                                                                         line)


def read_tag_files(curation_dir: Path, display: str = "curation"
                   ) -> tuple[SourceFile | None, list[SourceFile]]:
    """The tag vocabulary and every file in the per-paper tags folder."""
    vocabulary = curation_dir / VOCABULARY_FILE
    folder = curation_dir / ASSIGNMENTS_DIR
    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) \
        if folder.is_dir() and not folder.is_symlink() else []
    return ((_source(vocabulary, f"{display}/{VOCABULARY_FILE}")
             if os.path.lexists(vocabulary) else None),
            [_source(p, f"{display}/{ASSIGNMENTS_DIR}/{printable(p.name)}") for p in files])


def make_catalog(inputs: Inputs, progress: Progress, memo: Memo | None = None
                 ) -> tuple[Catalog, list[Problem]]:
    """Deduplicate; returns the catalog and every problem (dumps and curation). `memo`:
    the topics earlier builds found for each paper's text."""
    entries = ordered_entries(inputs.results)
    constraints, more = constraints_for(inputs.curation, entries)
    with progress.stage("deduplicate") as summary:
        catalog = build_catalog(inputs.results, constraints, entries, inputs.ledger)
        summary.append(counted(len(catalog.papers), "paper"))
    with progress.stage("classify") as summary:
        known = memo.table("classify") if memo is not None else None
        papers, curated = apply_curated(classify(catalog.papers, inputs.taxonomy, known),
                                        inputs.curated, inputs.taxonomy)
        catalog = replace(catalog, papers=papers)
        unsorted = sum(1 for p in catalog.papers if not p.topics)
        tagged = sum(1 for p in catalog.papers if p.tags)
        summary.append(f"{counted(len(inputs.taxonomy.topics), 'topic')}, "
                       f"{counted(unsorted, 'paper')} unsorted, {tagged} tagged"
                       + (f"; classified before: {known.hits}" if known is not None else ""))
    problems = sorted([*catalog.problems, *inputs.problems, *more, *curated,
                       *undated_warnings(catalog, inputs)],
                      key=lambda p: (p.path, p.line, p.message))
    return catalog, problems


def undated_warnings(catalog: Catalog, inputs: Inputs) -> list[Problem]:
    """A dump read for the first time (its digest not in the ledger yet) that has no date:
    it sorts before every dated dump. A dump with an error has that said already."""
    known = {r.path for r in inputs.ledger.records}
    failed = {p.path for p in catalog.problems if p.severity == ERROR}
    return [Problem(f"{inputs.dumps_shown}/{d.dump.name}", 1, WARNING,
                    "no date in the file name or the content: the dump sorts before every "
                    "dated dump, by name; name it YYYY-MM-DD_<source>.<ext>")
            for d in catalog.digests
            if not d.dump.date and d.url not in known
            and f"{inputs.dumps_shown}/{d.dump.name}" not in failed]


def make_links(catalog: Catalog, progress: Progress, memo: Memo | None = None) -> Links:
    """`memo`: the related papers' state of the last build (`related.update`) and what it
    read in the abstracts (`mentions.mentions_kept`), each under the hash of what it
    holds, and this build's kept in their place."""
    with progress.stage("link") as summary:
        kept = memo.table("related") if memo is not None else None
        read = memo.table("mentions") if memo is not None else None
        previous = next(iter(kept.stored.values()), None) if kept is not None else None
        seen = next(iter(read.stored.values()), None) if read is not None else None
        links, state, abstracts = linked(
            catalog.papers, previous if isinstance(previous, related.State) else None,
            seen if isinstance(seen, Seen) else None)
        if kept is not None and state is not None:
            kept.put(digest(*state.prints), state)
        if read is not None:
            read.put(digest(*abstracts.rows, repr(sorted(abstracts.names.items()))),
                     abstracts)
        mentioning = sum(1 for v in links.mentions.values() if v)
        verb = plural("mentions", mentioning, "mention")
        summary.append(f"{counted(mentioning, 'paper')} {verb} others"
                       + (f"; related papers kept from the last build: {state.kept} "
                          f"({state.changed} with new candidates, {state.whole} of them "
                          "scored again in full)" if state is not None and state.kept
                          else ""))
    return links


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
