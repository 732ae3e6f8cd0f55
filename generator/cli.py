"""Command line: `python -m generator build|catalog|check|fetch` (see --help)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .background import Lost
from .export import catalog_document, to_json
from .fetch import API_URL
from .memo import Memo, default_folder
from .memory import release
from .model import ERROR, WARNING, Ledger, Problem
from .pipeline import (
    NoDumps,
    has_errors,
    ledger_path,
    make_catalog,
    make_links,
    read_inputs,
)
from .progress import Progress
from .readers import display_path
from .words import counted

if TYPE_CHECKING:
    from .cache import PageCache

EXIT_OK, EXIT_INPUT, EXIT_BUILD = 0, 1, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build the paper index from Daily Papers dumps.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dumps", type=Path, default=Path("dumps"),
                       help="folder of dumps (default: dumps)")
        p.add_argument("--curation", type=Path, default=Path("curation"),
                       help="folder of curated files (default: curation)")
        p.add_argument("--ledger", type=Path, default=None,
                       help="the permalink ledger (default: DUMPS/permalinks.tsv)")
        p.add_argument("--quiet", action="store_true", help="print problems only")

    build = sub.add_parser("build", help="read, deduplicate, render and build the site",
                           description="Run the whole pipeline including the mkdocs build. "
                                       "Nothing is written when an input has an error.")
    common(build)
    build.add_argument("--site", type=Path, default=Path("site"),
                       help="output folder (default: site)")
    build.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                       help="mkdocs configuration (default: mkdocs.yml)")

    catalog = sub.add_parser("catalog", help="write only the catalog JSON",
                             description="Write the deduplicated catalog as JSON (the schema "
                                         "of site/api/papers.json).")
    common(catalog)
    catalog.add_argument("--out", default="catalog.json",
                         help="output file, or - for standard output (default: catalog.json)")

    fetch = sub.add_parser("fetch", help="save one day of the Daily Papers API as a dump",
                           description="Download the Daily Papers API answer for a date into "
                                       "DUMPS/YYYY-MM-DD_api.json (the naming convention). The "
                                       "same answer twice writes nothing new; a day without "
                                       "papers writes nothing.")
    fetch.add_argument("--date", required=True, help="the digest's date, YYYY-MM-DD")
    fetch.add_argument("--dumps", type=Path, default=Path("dumps"),
                       help="folder of dumps (default: dumps)")
    fetch.add_argument("--api-url", default=os.environ.get("DAILY_PAPERS_API", API_URL),
                       help=f"the API endpoint (default: $DAILY_PAPERS_API or {API_URL})")

    ledger = sub.add_parser("ledger", help="record new permalinks in the ledger, build nothing",
                            description="Add the ids the build would publish for the first "
                                        "time to the permalink ledger (what build does too), "
                                        "without rendering the site.")
    common(ledger)

    check = sub.add_parser("check", help="validate dumps and curation; write nothing",
                           description="Report every problem in the dumps and curation files "
                                       "as path:line: messages; exit 1 on any error.")
    common(check)
    return parser


def report(problems: list[Problem], progress: Progress) -> None:
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    shown = [p for p in problems if p.severity in (ERROR, WARNING)]
    for p in shown:
        print(p.format(), file=sys.stderr)
        if annotate:
            print(p.annotation(), file=sys.stdout)
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = sum(1 for p in problems if p.severity == WARNING)
    lost = sum(1 for p in problems if p.lost_entry)
    progress.say(f"{counted(errors, 'error')}, {counted(warnings, 'warning')}; "
                 f"{counted(lost, 'entry')} not in the catalog (see the report)")


def _source_date_epoch(catalog) -> None:
    """Pin the only date mkdocs writes (the sitemap) when the caller did not."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    import datetime as dt

    dates = [d.date for d in catalog.dumps if d.date]
    stamp = 0
    if dates:
        day = dt.date.fromisoformat(max(dates))
        stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(stamp)


def _fetch(args: argparse.Namespace) -> int:
    from .fetch import FetchFailed, fetch, parse_date

    try:
        done = fetch(parse_date(args.date), args.dumps, args.api_url)
    except FetchFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    where = f"{done.path.as_posix()} " if done.path else ""
    detail = f"; {done.detail}" if done.detail else ""
    print(f"{done.status}: {where}({counted(done.papers, 'paper')}){detail}", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except Lost as exc:
        print(f"error: {exc}; the previous site is unchanged", file=sys.stderr)
        return EXIT_BUILD


def _main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "fetch":
        return _fetch(args)
    progress = Progress(quiet=args.quiet)
    if args.command != "build":
        return _stages(args, progress, None, None)
    from .writer import check_page_cache

    # the page cache's entries checked on another core while the site is made
    checked = check_page_cache(args.config, args.config.parent / "docs")
    try:
        # a build keeps what reading and classifying gave, beside its page cache
        return _stages(args, progress, Memo(default_folder(args.config)), checked)
    finally:
        with contextlib.suppress(Exception):
            checked()  # its process collected, whatever the build's end


def _stages(args: argparse.Namespace, progress: Progress, memo: Memo | None,
            checked: Callable[[], PageCache | None] | None) -> int:
    try:
        inputs = read_inputs(args.dumps, args.curation, progress, args.ledger, memo)
    except NoDumps as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    catalog, problems = make_catalog(inputs, progress, memo)
    report(problems, progress)
    if has_errors(problems):
        progress.say("errors found: nothing was written")
        return EXIT_INPUT
    if args.command == "check":
        return EXIT_OK
    if args.command == "ledger":
        _record(catalog.ledger, ledger_path(args.dumps, args.ledger), inputs.ledger, progress)
        return EXIT_OK
    if args.command == "catalog":
        text = to_json(catalog_document(catalog, make_links(catalog, progress)))
        if args.out == "-":
            sys.stdout.write(text)
        else:
            from .writer import write_text

            write_text(Path(args.out), text)
            progress.say(f"wrote {args.out} ({counted(len(catalog.papers), 'paper')})")
        return EXIT_OK
    from .render import DuplicateOutput, SiteInput, build_site_model, start_search_index
    from .tags import curated_files
    from .writer import BuildFailed, build_site, settings

    _source_date_epoch(catalog)
    # the dumps' entries are in the catalog now: what was read goes, and its memo tables
    inputs = replace(inputs, results=())
    if memo is not None:
        memo.set_aside_all()  # read and classify
    release()
    docs = args.config.parent / "docs"
    # the search index made on another core while links and pages are made
    terms = memo.pickled("search") if memo is not None else None
    index = start_search_index(catalog.papers, inputs.taxonomy, terms)
    try:
        links = make_links(catalog, progress, memo)
        if memo is not None:
            memo.set_aside_all()  # the next build's start (related, mentions), out of memory
        release()  # what scoring related papers freed
        with progress.stage("render") as summary:
            config = settings(args.config)
            data = SiteInput(catalog, inputs.taxonomy, links, config.site_url,
                             inputs.curated.vocabulary,
                             curated_files(catalog.papers, inputs.curated), config.repo_url,
                             config.edit_branch)
            rendered, items = (memo.table("render"), memo.table("items")) \
                if memo is not None else (None, None)
            others = memo.table("pages") if memo is not None else None
            model = build_site_model(data, rendered, items, terms,
                                     memo.table("cite") if memo is not None else None, others,
                                     index)
            summary.append(f"{counted(len(model.docs), 'page')}, "
                           f"{counted(len(model.files), 'file')}"
                           + (f"; paper pages rendered before: {rendered.hits}, digest pages: "
                              f"{others.hits}, list items: {items.hits} of {len(items.used)}"
                              if rendered is not None and items is not None
                              and others is not None else ""))
        # the model holds all mkdocs needs: the rest goes before mkdocs (and the processes
        # it forks) runs, the memo's tables written already
        ledger, before = catalog.ledger, inputs.ledger
        del data, links, catalog, inputs, problems
        if memo is not None:
            memo.set_aside_all()
            rendered = items = others = None
        release()
        with progress.stage("mkdocs build") as summary:
            built = build_site(model, args.config, docs, args.site, checked=checked)
            summary.append(f"-> {args.site}, {built.reused} of "
                           f"{counted(built.pages, 'page')} from the page cache")
            if built.cache_reset:
                summary.append(f"(cache cleared: {built.cache_reset})")
    except (BuildFailed, DuplicateOutput) as exc:
        with contextlib.suppress(Exception):
            index()  # its process collected
        if memo is not None:
            memo.discard()
        print(f"error: {exc}; the previous site is unchanged", file=sys.stderr)
        return EXIT_BUILD
    if memo is not None:  # a failed build writes nothing
        memo.save()
    _record(ledger, ledger_path(args.dumps, args.ledger), before, progress)
    return EXIT_OK


def _record(ledger: Ledger, path: Path, before: Ledger, progress: Progress) -> None:
    """Write the ledger when this build published ids it did not hold yet."""
    added = len(ledger.records) - len(before.records)
    if not added:
        return
    from .ledger import render
    from .writer import write_text

    write_text(path, render(ledger))
    progress.say(f"recorded {counted(added, 'new permalink')} in "
                 f"{display_path(path)} (commit it with the dumps)")
