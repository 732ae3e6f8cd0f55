"""The stages in order: read -> deduplicate -> render -> write.

`read_inputs` is the only function here that reads the disk and `generator.writer` the
only module that writes it; `make_catalog` and `render.build_site_model` are pure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .catalog import build_catalog, ordered_entries
from .curation import Curation, constraints_for, load_curation
from .links import Links, link
from .model import ERROR, Catalog, Problem, ReadResult
from .progress import Progress
from .readers import list_dumps, read_all
from .topics import Taxonomy, classify, load_taxonomy


@dataclass(frozen=True)
class Inputs:
    results: tuple[ReadResult, ...]
    curation: Curation
    taxonomy: Taxonomy
    problems: tuple[Problem, ...]  # curation-file problems (dump problems live in results)


class NoDumps(Exception):
    pass


def read_inputs(dumps_dir: Path, curation_dir: Path, progress: Progress) -> Inputs:
    if not dumps_dir.is_dir():
        raise NoDumps(f"{dumps_dir}: no such folder of dumps")
    paths = list_dumps(dumps_dir)
    if not paths:
        raise NoDumps(f"{dumps_dir}: the folder has no dumps")
    with progress.stage("read") as summary:
        bar = progress.bar(total=len(paths), desc="reading dumps")
        results = read_all(paths, progress=(lambda _name: bar.update(1)) if bar is not None
                           else None)
        if bar is not None:
            bar.close()
        summary.append(f"{len(results)} dumps, "
                       f"{sum(len(r.entries) for r in results)} entries")
    curation, problems = load_curation(curation_dir)
    taxonomy, more = load_taxonomy(curation_dir)
    return Inputs(results, curation, taxonomy, tuple(problems + more))


def make_catalog(inputs: Inputs, progress: Progress) -> tuple[Catalog, list[Problem]]:
    """Deduplicate; returns the catalog and every problem (dumps and curation)."""
    entries = ordered_entries(inputs.results)
    constraints, more = constraints_for(inputs.curation, entries)
    with progress.stage("deduplicate") as summary:
        catalog = build_catalog(inputs.results, constraints, entries)
        summary.append(f"{len(catalog.papers)} papers")
    with progress.stage("classify") as summary:
        catalog = replace(catalog, papers=classify(catalog.papers, inputs.taxonomy))
        unsorted = sum(1 for p in catalog.papers if not p.topics)
        summary.append(f"{len(inputs.taxonomy.topics)} topics, {unsorted} papers unsorted")
    problems = sorted([*catalog.problems, *inputs.problems, *more],
                      key=lambda p: (p.path, p.line, p.message))
    return catalog, problems


def make_links(catalog: Catalog, progress: Progress) -> Links:
    with progress.stage("link") as summary:
        links = link(catalog.papers)
        summary.append(f"{sum(1 for v in links.mentions.values() if v)} papers mention others")
    return links


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
