"""The text reader pairs titles and abstracts from the structure of the whole dump, not
line by line; a file that is not a save of the Daily Papers page never becomes papers;
a new dump without a date is said to sort before every dated one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.model import ERROR, WARNING
from generator.readers import NOT_A_DUMP, list_dumps, read_all, read_dump

from conftest import run_cli

REPO = Path(__file__).parents[1]
FIXTURES = REPO / "tests" / "fixtures"
NOT_DUMPS = FIXTURES / "readers" / "not_dumps"
REAL_DAY = FIXTURES / "real" / "2024-12-09_api.json"


def real_papers() -> list[tuple[str, str]]:
    """(title, abstract) of one real day, whitespace folded as a page shows it."""
    records = json.loads(REAL_DAY.read_text(encoding="utf-8"))
    papers = [(" ".join(r["paper"]["title"].split()), " ".join(r["paper"]["summary"].split()))
              for r in records]
    assert len(papers) >= 6
    return papers


def read(lines: list[str], name: str = "2024-12-09_saved.txt"):
    result = read_dump(name, "\n".join(lines).encode())
    return result, [(e.line, e.title, e.abstract) for e in result.entries]


def lost(result) -> list[int]:
    return sorted(p.line for p in result.problems if p.lost_entry)


HEADER = ["Daily Papers", "byAK and the research community", "Dec 9"]


# --- short abstracts: the old line-by-line reader lost both entries -------------------


@pytest.mark.parametrize("short", [
    "We release a benchmark for it.",  # 6 words: "shorter than about 12 words"
    "Code and data: https://github.com/example/project",  # no final period: a link
    # 26 words without a final period
    "We study how language models trade accuracy for speed when they decode many tokens "
    "at once and find that the answer depends on the data",
    "Large language models can write code but…",  # cut, with a marker
])
def test_a_short_abstract_between_two_entries_is_paired(short):
    (t1, _), (t2, a2), (t3, a3) = real_papers()[:3]
    result, entries = read([*HEADER, t1, short, t2, a2, t3, a3])
    assert entries == [(4, t1, short), (6, t2, a2), (8, t3, a3)]
    assert lost(result) == []


def test_title_after_a_missing_abstract_stays_a_title():
    """A title reads like a title; its predecessor, whose abstract is missing, is lost."""
    (t1, _), (t2, a2), (t3, a3) = real_papers()[:3]
    result, entries = read([*HEADER, t1, t2, a2, t3, a3])
    assert entries == [(5, t2, a2), (7, t3, a3)]
    assert lost(result) == [4]
    assert "title without an abstract" in next(p.message for p in result.problems
                                               if p.lost_entry)


def test_a_run_of_missing_abstracts_stays_titles():
    papers = real_papers()
    titles = [t for t, _ in papers[:4]]
    t5, a5 = papers[4]
    result, entries = read(HEADER + titles + [t5, a5])
    assert entries == [(8, t5, a5)]
    assert lost(result) == [4, 5, 6, 7]


def test_a_title_read_as_an_abstract_is_said_at_its_line():
    """A sentence-like title after a title whose abstract is missing cannot be told from a
    short abstract by structure alone: the reader pairs it, and warns at that line."""
    (t1, _), (t3, a3) = real_papers()[:2]
    t2 = ("Can \"consciousness\" be observed from large language model (LLM) internal "
          "states? Dissecting LLM representations obtained from Theory of Mind test with "
          "Integrated Information Theory and Span Representation analysis")  # a seed's title
    result, entries = read([*HEADER, t1, t2, t3, a3])
    warned = [p for p in result.problems if p.severity == WARNING and not p.lost_entry]
    assert [(p.line, p.message.split(",")[0]) for p in warned] == [
        (5, "this line looks like a title")]
    assert "abstract of line 4" in warned[0].message
    # and nothing is lost silently: the two other lines are an entry
    assert entries == [(4, t1, t2), (6, t3, a3)]


def test_blank_line_groups_part_the_entries():
    """A layout that groups each entry's lines and parts entries with blank lines: the
    blank lines say which title lost its abstract, even when the next title reads like a
    sentence."""
    papers = real_papers()
    lines = [*HEADER, ""]
    for k, (title, abstract) in enumerate(papers[:6]):
        if k == 2:
            lines += [title, ""]
            continue
        if k == 3:
            title = "Vision language models are blind"
        lines += [title, abstract, ""]
    result, entries = read(lines)
    assert [line for line, _, _ in entries] == [5, 8, 13, 16, 19]
    assert entries[2][1] == "Vision language models are blind"
    assert lost(result) == [11]


def test_a_page_saved_with_every_abstract_cut_is_read_by_alternation():
    papers = real_papers()
    lines = list(HEADER)
    for title, abstract in papers[:6]:
        lines += [title, " ".join(abstract.split()[:9]).rstrip(".,;:")]
    result, entries = read(lines)
    assert [(t, a) for _, t, a in entries] == [
        (t, " ".join(a.split()[:9]).rstrip(".,;:")) for t, a in papers[:6]]
    assert lost(result) == []
    # said once for the dump, not once per line
    notes = [p.format() for p in result.problems if p.severity == WARNING]
    assert notes == ["2024-12-09_saved.txt:5: warning: this dump's abstracts look cut: 6 "
                     "abstracts from this line on have no final period or cut marker and "
                     "fewer words than any real abstract; read as abstracts because they "
                     "alternate with titles (was the page saved with its abstracts cut?)"]


def test_a_line_repeated_is_one_line_for_the_pairing():
    """A title saved twice in a row: the copy next to the abstract is its title, the other
    a title without an abstract (a title is never its own abstract)."""
    (t1, a1), (t2, a2) = real_papers()[:2]
    result, entries = read([*HEADER, t1, t1, a1, t2, a2, a2])
    assert entries == [(5, t1, a1), (7, t2, a2)]
    assert lost(result) == [4, 9]
    assert [p.message.split(";")[0] for p in result.problems if p.lost_entry] == [
        "title without an abstract", "abstract without a title"]


# --- not a dump -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["newsletter_zh.md", "llm_summary.txt", "README.md"])
def test_a_file_that_is_not_a_save_never_becomes_papers(name):
    data = (NOT_DUMPS / name).read_bytes()
    result = read_dump(name, data)
    assert result.entries == ()
    assert [p.format() for p in result.problems] == [f"{name}:1: error: {NOT_A_DUMP}"]
    assert result.dump.entry_count == 0


def test_the_newsletter_has_what_the_old_reader_took_for_papers():
    """Precondition of the test above: the newsletter holds lines a line-by-line reader
    pairs (a `**摘要：**` line, then a long line)."""
    lines = (NOT_DUMPS / "newsletter_zh.md").read_text(encoding="utf-8").splitlines()
    pairs = [k for k, line in enumerate(lines[:-1])
             if line == "**摘要：**" and len(lines[k + 1]) >= 300]
    assert len(pairs) == 4


@pytest.mark.slow
def test_check_and_build_refuse_a_newsletter_in_the_dumps(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(REAL_DAY, dumps)
    shutil.copy(NOT_DUMPS / "newsletter_zh.md", dumps / "2024-12-09_newsletter.md")
    empty = tmp_path / "curation"
    empty.mkdir()
    for command in ("check", "build"):
        args = [command, "--dumps", str(dumps), "--curation", str(empty)]
        if command == "build":
            args += ["--site", str(tmp_path / "site")]
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert f"dumps/2024-12-09_newsletter.md:1: error: {NOT_A_DUMP}" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_plain_list_of_titles_and_abstracts_is_still_a_dump():
    """Positive evidence without page chrome: every line a title or an abstract."""
    papers = real_papers()[:4]
    result, entries = read([line for pair in papers for line in pair], name="plain.txt")
    assert [(t, a) for _, t, a in entries] == papers
    assert not [p for p in result.problems if p.severity == ERROR]


# --- dumps without a date ---------------------------------------------------------------


def test_undated_dumps_sort_by_name_before_every_dated_one(tmp_path):
    seeds = sorted((REPO / "dumps").glob("00*.txt"))
    assert len(seeds) == 5
    for seed in seeds[:2]:
        shutil.copy(seed, tmp_path / seed.name)
    # three answers of one day under three names (different bytes, none is skipped)
    (tmp_path / "1999-01-01_api.json").write_bytes(REAL_DAY.read_bytes() + b" ")
    shutil.copy(REAL_DAY, tmp_path / "2024-12-09_api.json")
    (tmp_path / "zz_copy.json").write_bytes(REAL_DAY.read_bytes() + b"\n")  # by content
    results = read_all(list_dumps(tmp_path))
    assert [(r.dump.name, r.dump.date) for r in results] == [
        (seeds[0].name, None), (seeds[1].name, None), ("1999-01-01_api.json", "1999-01-01"),
        ("2024-12-09_api.json", "2024-12-09"), ("zz_copy.json", "2024-12-09")]


@pytest.mark.slow
def test_check_warns_about_a_new_dump_without_a_date(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(REAL_DAY, dumps)
    papers = real_papers()[:2]
    (dumps / "saved.txt").write_text(
        "\n".join(["Daily Papers", "Dec 9", *[line for pair in papers for line in pair]]),
        encoding="utf-8")  # "Dec 9": a month and a day, no year
    empty = tmp_path / "curation"
    empty.mkdir()
    result = run_cli("check", "--dumps", str(dumps), "--curation", str(empty), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("dumps/saved.txt:1: warning: no date in the file name or the content: the dump "
            "sorts before every dated dump, by name; name it YYYY-MM-DD_<source>.<ext>"
            ) in result.stderr.splitlines()
    assert "2024-12-09_api.json" not in result.stderr


def test_the_seeds_are_recorded_so_check_does_not_warn_about_them():
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert "no date in the file name" not in result.stderr
    assert "0 errors, 0 warnings" in result.stderr


def test_a_date_line_that_is_no_real_day_is_said_and_leaves_the_dump_undated():
    papers = real_papers()[:2]
    result, entries = read(["Daily Papers", "Feb 30, 2024", *[x for p in papers for x in p]],
                           name="saved.txt")
    assert len(entries) == 2
    assert result.dump.date is None
    assert [p.format() for p in result.problems] == [
        "saved.txt:1: warning: the dump's own date is no real day; the dump is undated "
        "(got 'Feb 30, 2024')"]
