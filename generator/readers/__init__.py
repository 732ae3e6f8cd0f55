"""Read every dump: detect its format from its content, parse it, date it.

This stage (with `writer`) is the only one that touches the disk.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from .. import background
from ..files import NotAFile, bad_name, read_regular
from ..memo import Table
from ..memo import digest as memo_digest
from ..model import ERROR, WARNING, Dump, Entry, Problem, ReadResult
from ..textnorm import printable
from .api_json import parse_json
from .dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    ContentDate,
    Period,
    parse_period,
    period_from_name,
)
from .decode import MAX_FILE_BYTES, decode
from .html_page import parse_html
from .text import DEFAULT_BOILERPLATE, header_lines, learn_boilerplate, parse_text, recognised

MAX_TEXT_LINES = 100_000
NOT_A_DUMP = ("no reader recognises this file: it is not a save of the Daily Papers page "
              "(no page chrome, Markdown structure, or lines that are not titles and "
              "abstracts); move it out of the dumps folder")
_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<article|<meta|<!--)", re.I)


def detect_format(text: str) -> str:
    """'json', 'html' or 'text', from the content (the extension is only a hint)."""
    head = text.lstrip()[:1]
    if head in "[{" and head:
        return "json"
    # only the start of the file decides: an abstract that mentions markup, or the
    # page's own marker, must not change how a text dump is read
    if _HTML_START.match(text[:4096]):
        return "html"
    return "text"


def order_key(name: str, period: Period | None) -> str:
    """Dumps without a date (the seeds) come first, by name; then dated dumps by the first
    day of their period, then by name."""
    return f"1 {period.first.isoformat()} {name}" if period else f"0 {name}"


LEDGER_FILE = "permalinks.tsv"  # the permalink ledger lives beside the dumps (see ledger.py)


def list_dumps(folder: Path) -> list[Path]:
    """Every non-hidden entry of the folder but the ledger, sorted by name. Folders,
    links and other things that are not dumps are listed too: reading them is an error."""
    return sorted((p for p in folder.iterdir()
                   if not p.name.startswith(".") and p.name != LEDGER_FILE),
                  key=lambda p: p.name)


def read_dump(name: str, data: bytes, boilerplate: frozenset[str] = DEFAULT_BOILERPLATE
              ) -> ReadResult:
    """Parse one dump's bytes. `name` is what messages and provenance call it."""
    decoded = decode(name, data)
    problems = list(decoded.problems)
    entries: list[Entry] = []
    layout = "unknown"
    found: ContentDate | None = None
    fmt = "unknown"
    text = decoded.text
    if text is not None and not text.strip():
        problems.append(Problem(name, 1, ERROR, "empty file"))
    elif text is not None:
        fmt = detect_format(text)
        if fmt == "json":
            layout, entries, more, found = parse_json(name, text)
        elif fmt == "html":
            layout, entries, more, found = parse_html(name, text)
        elif text.count("\n") >= MAX_TEXT_LINES:  # bounded work for the line pairing
            more = [Problem(name, MAX_TEXT_LINES, ERROR, f"more than {MAX_TEXT_LINES:,} "
                            "lines: not one save of the Daily Papers page (a month of them "
                            "is about 12,000 lines); split the file")]
        else:
            parsed = parse_text(name, text, boilerplate)
            layout, entries, more, found = (parsed.layout, list(parsed.entries),
                                            list(parsed.problems), parsed.date)
            if not recognised(parsed, text, boilerplate):  # never papers from a non-dump
                layout, entries, found = "unknown", [], None
                more = [Problem(name, 1, ERROR, NOT_A_DUMP)]
        problems.extend(more)
        if not entries and not any(p.severity == ERROR for p in problems):
            problems.append(Problem(name, 1, ERROR,
                                    f"no paper entries found in this {fmt} file (only page "
                                    "chrome, or a layout no reader recognises)"))
    named = period_from_name(name)
    if named is not None and not named.in_range:
        problems.append(Problem(name, 1, ERROR, f"the date in the file name is outside "
                                f"{EARLIEST_DATE}..{LATEST_DATE}; rename the file", named.label))
        named = None
    content = parse_period(found.period) if found and found.period else None
    if found and found.period and content is None:
        problems.append(Problem(name, 1, WARNING, "the dump's own date is no real day; the "
                                "dump is undated", found.label))
    if content is not None and not content.in_range:
        problems.append(Problem(name, 1, ERROR, "the dump's own date is not a date between "
                                f"{EARLIEST_DATE} and {LATEST_DATE}", content.label))
        content = None
    if named and content and content.label != named.label:
        problems.append(Problem(name, 1, WARNING,
                                f"file name says {named.label} but the content says "
                                f"{content.label}; using the file name", found.label))
    period = named or content
    dump = Dump(
        name=name, format=fmt, layout=layout,
        date=period.first.isoformat() if period else None,
        date_label=(found.label if found else None) or (period.label if period else None),
        date_source="file name" if named else ("content" if found else "none"),
        order_key=order_key(name, period),
        entry_count=len(entries) + sum(1 for p in problems if p.lost_entry),
        period=period.label if period else None,
    )
    return ReadResult(dump, tuple(entries), tuple(problems))


def read_all(paths: Iterable[Path], progress: Callable[[str], None] | None = None,
             memo: Table | None = None) -> tuple[ReadResult, ...]:
    """Read every dump; text dumps learn page chrome from each other's headers.

    Files are read one at a time (a first pass reads only their first 16 KiB), then those
    not in `memo` are parsed (`_parse`: half of them on another core when there is much
    to parse). A name the site cannot use, a symbolic link or anything but a regular file
    is an error. `memo`: what earlier builds parsed, by name, bytes and learned chrome
    (`generator.memo`); it changes how long reading takes, never what it gives."""
    paths = list(paths)
    refused = {path: why for path in paths if (why := bad_name(path.name))}
    headers = []
    for path in paths:
        head = b"" if path in refused else _head(path)
        if head[:1] not in (b"[", b"{", b"<"):
            headers.append(header_lines(head.decode("utf-8", "replace").splitlines()))
    boilerplate = learn_boilerplate(headers)
    results: list[ReadResult | None] = []
    todo: list[tuple[int, Path, bytes, str | None]] = []  # (at, path, bytes, memo key)
    seen: dict[str, str] = {}  # content hash -> first file name
    for path in paths:
        if path in refused:
            results.append(_refused(path, refused[path]))
            continue
        try:
            data = read_regular(path, MAX_FILE_BYTES)
        except NotAFile as exc:
            results.append(_refused(path, str(exc)))
        except OSError as exc:
            results.append(_displayed(_unreadable(path.name, exc), path))
        else:
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:  # the same dump saved twice: adding it changes nothing
                results.append(_displayed(_duplicate(path.name, seen[digest]), path))
            else:
                seen[digest] = path.name
                key = None if memo is None else _memo_key(path.name, digest, boilerplate)
                known = None if key is None else memo.known(key)
                if known is None:  # parsed below
                    todo.append((len(results), path, data, key))
                    results.append(None)
                    continue
                results.append(_displayed(known, path))
        if progress:
            progress(path.name)
    for (at, path, _data, key), result in zip(todo, _parse(todo, boilerplate, progress),
                                              strict=True):
        if memo is not None:
            memo.put(key, result)
        results[at] = _displayed(result, path)
    return tuple(sorted((r for r in results if r is not None),
                        key=lambda r: (r.dump.order_key, r.dump.name)))


SHARED_READ_BYTES = 2**20  # from this many bytes to parse, half is parsed on another core


def _parse(todo: Sequence[tuple[int, Path, bytes, str | None]], boilerplate: frozenset[str],
           progress: Callable[[str], None] | None) -> list[ReadResult]:
    """`read_dump` of each file, in order; from SHARED_READ_BYTES, the files after the
    first half of the bytes are parsed on another core (`background`)."""
    half = len(todo)
    total = sum(len(data) for _, _, data, _ in todo)
    if total >= SHARED_READ_BYTES and len(todo) > 1:
        sizes = itertools.accumulate(len(data) for _, _, data, _ in todo)
        half = next(k for k, size in enumerate(sizes, start=1) if 2 * size >= total)
    theirs = background.start(_parse_here, todo[half:], boilerplate, None) \
        if half < len(todo) else list
    mine = _parse_here(todo[:half], boilerplate, progress)
    rest = theirs()
    if progress:
        for _, path, _, _ in todo[half:]:
            progress(path.name)
    return mine + rest


def _parse_here(todo: Sequence[tuple[int, Path, bytes, str | None]],
                boilerplate: frozenset[str], progress: Callable[[str], None] | None
                ) -> list[ReadResult]:
    out = []
    for _, path, data, _ in todo:
        out.append(read_dump(path.name, data, boilerplate))
        if progress:
            progress(path.name)
    return out


def _memo_key(name: str, digest: str, boilerplate: frozenset[str]) -> str:
    return memo_digest("read", name, digest, *sorted(boilerplate))


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working folder when inside it."""
    try:
        # the folder resolved, not the file: a link must not be named by its target
        return (path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _displayed(result: ReadResult, path: Path) -> ReadResult:
    """Problems name the file as the user can find it (`dumps/x.txt`); entries keep the
    bare file name, which is what provenance and permalinks use."""
    shown = display_path(path)
    if shown == result.dump.name:
        return result
    return replace(result, problems=tuple(replace(p, path=shown) for p in result.problems))


def _head(path: Path) -> bytes:
    try:
        return read_regular(path, 16383).lstrip(b"\xef\xbb\xbf \t\r\n")
    except (OSError, NotAFile):  # reported when the file itself is read
        return b""


DUPLICATE = "duplicate"


def _duplicate(name: str, original: str) -> ReadResult:
    dump = Dump(name, DUPLICATE, DUPLICATE, None, None, "none", name, 0)
    return ReadResult(dump, (), (Problem(name, 1, WARNING, f"same bytes as {original}; "
                                         "skipped (its entries are that dump's)"),))


def _refused(path: Path, why: str) -> ReadResult:
    """An entry of the dumps folder that is not read at all (its name or its kind)."""
    name = printable(path.name)
    dump = Dump(name, "unknown", "unknown", None, None, "none", name, 0)
    return ReadResult(dump, (), (Problem(printable(display_path(path)), 1, ERROR, why),))


def _unreadable(name: str, exc: OSError) -> ReadResult:
    dump = Dump(name, "unknown", "unknown", None, None, "none", name, 0)
    return ReadResult(dump, (), (Problem(name, 1, ERROR, f"cannot read file: {exc.strerror}"),))
