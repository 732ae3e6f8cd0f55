"""The accounting invariant, property-based: every entry written into a text dump comes
back as a kept entry or as exactly one lost-entry problem, whatever defects it carries,
and abstracts of any length are paired with their titles by the dump's structure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import ERROR, WARNING
from generator.readers import list_dumps, read_all, read_dump
from generator.readers.line_kind import abstract_probability
from generator.readers.text import DEFAULT_BOILERPLATE, READ_AGAINST_LOOKS

REPO = Path(__file__).parents[1]

PAIRS = sorted({(e.title, e.abstract)
                for r in read_all(list_dumps(REPO / "dumps")) for e in r.entries})
# titles that read like titles: short, and not like a sentence
SHORT_TITLED = [(t, a) for t, a in PAIRS if len(t.split()) < 20 and abstract_probability(t) < 0.5]
HEADER_A = ["Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!"]
HEADER_B = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
            "byAK and the research community", "Jul 29"]
CHROME = sorted(DEFAULT_BOILERPLATE)
BLANKS = ["", " ", "\t", "  \t  ", "\u00a0", "\u3000 "]
_SENTENCES = re.compile(r"(?<=[.!])\s+(?=[A-Z])")


@st.composite
def abstracts(draw, abstract: str, unmarked: bool) -> str:
    """The abstract as a page may show it: whole, its first sentence or two, or its first
    words with a cut marker ("...", "…"); or, on a page that cuts every abstract with no
    sign of it (`unmarked`), its first 5-19 words with no final period."""
    kind = "unmarked cut" if unmarked else draw(
        st.sampled_from(["whole", "first sentence", "two sentences", "marked cut"]))
    sentences = _SENTENCES.split(abstract)
    words = abstract.split()
    if kind == "first sentence":
        return sentences[0]
    if kind == "two sentences":
        return " ".join(sentences[:2])
    if kind == "marked cut":
        return " ".join(words[: draw(st.integers(4, 40))]) + draw(st.sampled_from(["...", "…"]))
    if kind == "unmarked cut":
        return " ".join(words[: draw(st.integers(5, 19))]).rstrip(".,;:!?")
    return abstract


@dataclass
class Written:
    data: bytes
    kept: list[tuple[int, str, str]]  # (title line, title, abstract) of complete entries
    lost_lines: list[int]  # lines of titles without abstracts and of orphan abstracts
    total: int  # entries written, complete or not


@st.composite
def text_dumps(draw, drops: bool = True, unmarked: bool = False, min_size: int = 1) -> Written:
    # a page that cuts every abstract lists each paper once (else it may repeat one), and
    # its titles are shorter than its cut abstracts can be
    pairs = draw(st.lists(st.sampled_from(SHORT_TITLED if unmarked else PAIRS),
                          min_size=min_size, max_size=10, unique=unmarked))
    pairs = [(title, draw(abstracts(abstract, unmarked))) for title, abstract in pairs]
    n = len(pairs)
    layout = draw(st.sampled_from("AB"))
    # defects at known places; at least one entry stays complete (else the file has none)
    dropped = draw(st.sets(st.integers(0, n - 1), max_size=n - 1)) if drops else set()
    # an orphan abstract goes after the header or after a complete entry (after a title
    # without its abstract it would simply be that title's abstract)
    orphan_slots = [-1, *(i for i in range(n) if i not in dropped)]
    orphans = draw(st.sets(st.sampled_from(orphan_slots), max_size=3)) if drops else set()

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


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text_dumps())
def test_every_written_entry_is_kept_or_lost(written):
    """Missing abstracts, orphan abstracts and short abstracts (cut with a mark or to their
    first sentences) together: the reader gives back exactly what was written. Where
    titles after missing abstracts read like short abstracts, the reader may pair them as
    such; then, and only then, it warns that it read lines against their looks, and every
    written line is still in an entry or in a message: nothing goes unseen."""
    result = read_dump("generated.txt", written.data)
    lost = [p for p in result.problems if p.lost_entry]
    kept = [(e.line, e.title, e.abstract) for e in result.entries]
    against_looks = [p for p in result.problems if p.severity == WARNING and not p.lost_entry]
    if not against_looks:
        # the invariant
        assert len(result.entries) + len(lost) == written.total
        assert result.dump.entry_count == written.total
        # kept entries are exactly the complete entries that were written, where they were
        assert kept == written.kept
        assert sorted(p.line for p in lost) == written.lost_lines
    else:
        assert all(p.message.startswith(READ_AGAINST_LOOKS) for p in against_looks)
        # every title or orphan written is a kept entry's title or abstract, or reported
        written_lines = {line for line, _, _ in written.kept} | set(written.lost_lines)
        in_entries = {e.line for e in result.entries} | {
            abstract_line(written.data, e.line, e.abstract) for e in result.entries}
        assert written_lines <= in_entries | {p.line for p in lost}
    # entry-level problems only: warnings; page chrome is never reported as lost
    assert not [p.format() for p in result.problems if p.severity == ERROR]


def abstract_line(data: bytes, after: int, abstract: str) -> int:
    """The line of `data` after line `after` that holds `abstract`."""
    lines = data.decode("utf-8").splitlines()
    return next(n for n in range(after + 1, len(lines) + 1)
                if " ".join(lines[n - 1].split()) == abstract)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text_dumps(drops=False))
def test_abstracts_of_any_length_pair_with_their_titles(written):
    """No abstract missing: however short an abstract is (a first sentence, a few words
    and a cut marker), the alternation of the whole dump pairs it with its title."""
    result = read_dump("generated.txt", written.data)
    assert [(e.line, e.title, e.abstract) for e in result.entries] == written.kept
    assert not [p.format() for p in result.problems if p.lost_entry]
    assert result.dump.entry_count == written.total


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text_dumps(drops=False, unmarked=True, min_size=4))
def test_a_page_that_cuts_every_abstract_without_a_mark_loses_nothing_unseen(written):
    """Abstracts of 5-19 words with no final period read like titles one by one, and where
    a title reads like a cut sentence only knowledge tells them apart: the reader pairs
    most by the dump's alternation (`benchmarks/bench_text_align.py` measures how many),
    and every line written is in an entry, or reported lost at its line."""
    result = read_dump("generated.txt", written.data)
    lost = {p.line for p in result.problems if p.lost_entry}
    lines = written.data.decode("utf-8").splitlines()
    titles = {line for line, _, _ in written.kept}
    abstracts = {abstract_line(written.data, line, a) for line, _, a in written.kept}
    in_entries = {e.line for e in result.entries} | {
        abstract_line(written.data, e.line, e.abstract) for e in result.entries}
    assert titles | abstracts <= in_entries | lost, [lines[n - 1] for n in sorted(
        (titles | abstracts) - in_entries - lost)]
    if [(e.line, e.title, e.abstract) for e in result.entries] != written.kept:
        assert lost or any(p.message.startswith(READ_AGAINST_LOOKS) for p in result.problems)
