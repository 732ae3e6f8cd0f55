"""The accounting invariant, property-based: every entry written into a text dump comes
back as a kept entry or as exactly one lost-entry problem, whatever defects it carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import ERROR, WARNING
from generator.readers import list_dumps, read_all, read_dump
from generator.readers.text import DEFAULT_BOILERPLATE

REPO = Path(__file__).parents[1]

PAIRS = sorted({(e.title, e.abstract)
                for r in read_all(list_dumps(REPO / "dumps")) for e in r.entries})
HEADER_A = ["Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!"]
HEADER_B = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
            "byAK and the research community", "Jul 29"]
CHROME = sorted(DEFAULT_BOILERPLATE)
BLANKS = ["", " ", "\t", "  \t  ", "\u00a0", "\u3000 "]


@dataclass
class Written:
    data: bytes
    kept: list[tuple[int, str, str]]  # (title line, title, abstract) of complete entries
    lost_lines: list[int]  # lines of titles without abstracts and of orphan abstracts
    total: int  # entries written, complete or not


@st.composite
def text_dumps(draw) -> Written:
    pairs = draw(st.lists(st.sampled_from(PAIRS), min_size=1, max_size=10))
    n = len(pairs)
    layout = draw(st.sampled_from("AB"))
    # defects at known places; at least one entry stays complete (else the file has none)
    dropped = draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    # an orphan abstract goes after the header or after a complete entry (after a title
    # without its abstract it would simply be that title's abstract)
    orphan_slots = [-1, *(i for i in range(n) if i not in dropped)]
    orphans = draw(st.sets(st.sampled_from(orphan_slots), max_size=3))

    # (text, kind, index): kind is "title", "abstract", "orphan" or "noise"
    items: list[tuple[str, str, int]] = [
        (line, "noise", -1) for line in (HEADER_A if layout == "A" else HEADER_B)]
    if -1 in orphans:
        items.append((draw(st.sampled_from(PAIRS))[1], "orphan", -1))
    for i, (title, abstract) in enumerate(pairs):
        glued = "Subscribe" + title if layout == "A" and i == 0 else title
        items.append((glued, "title", i))
        if i not in dropped:
            items.append((abstract, "abstract", i))
        if i in orphans:
            items.append((draw(st.sampled_from(PAIRS))[1], "orphan", i))
    if layout == "B":  # blank-line separated
        items = [x for item in items for x in (item, ("", "noise", -1))]

    # blank or whitespace-only lines and page chrome anywhere, even inside an entry
    noise = draw(st.lists(st.tuples(st.integers(0, len(items)),
                                    st.one_of(st.sampled_from(BLANKS), st.sampled_from(CHROME))),
                          max_size=6))
    for position, line in sorted(noise, reverse=True):
        items.insert(position, (line, "noise", -1))

    endings = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    if endings == "mixed":
        ends = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(items),
                             max_size=len(items)))
    else:
        ends = [endings] * len(items)
    if not draw(st.booleans()):
        ends[-1] = ""  # no newline at the end of the file
    data = "".join(text + end for (text, _, _), end in zip(items, ends, strict=True)).encode()

    title_line = {i: n + 1 for n, (_, kind, i) in enumerate(items) if kind == "title"}
    kept = [(title_line[i], title, abstract) for i, (title, abstract) in enumerate(pairs)
            if i not in dropped]
    lost_lines = sorted([title_line[i] for i in dropped]
                        + [n + 1 for n, (_, kind, _) in enumerate(items) if kind == "orphan"])
    return Written(data, kept, lost_lines, n + len(orphans))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_dumps())
def test_every_written_entry_is_kept_or_lost(written):
    result = read_dump("generated.txt", written.data)
    lost = [p for p in result.problems if p.lost_entry]
    # the invariant
    assert len(result.entries) + len(lost) == written.total
    assert result.dump.entry_count == written.total
    # kept entries are exactly the complete entries that were written, where they were
    assert [(e.line, e.title, e.abstract) for e in result.entries] == written.kept
    assert sorted(p.line for p in lost) == written.lost_lines
    # entry-level problems only: warnings; page chrome is never reported as lost
    assert not [p.format() for p in result.problems if p.severity == ERROR]
    assert all(p.lost_entry for p in result.problems if p.severity == WARNING)
