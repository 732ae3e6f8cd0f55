"""The plain-text reader on the five real dumps, on byte-level variants of them, and
on what it learns from several dumps at once (page chrome) or from file names (dates)."""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from generator.model import ERROR, INFO, WARNING, ReadResult
from generator.readers import list_dumps, read_all, read_dump
from generator.readers.text import DEFAULT_BOILERPLATE, parse_date_line

REPO = Path(__file__).parents[1]
DUMPS = REPO / "dumps"

A0, B1, B2, B3, A4 = (
    "000_a6daf8e0419ec6f3.txt", "001_610fac291a8fe53f.txt", "002_884800d94571ae27.txt",
    "003_efd9a09d0d54f16e.txt", "004_ffdd1db657f08ffa.txt",
)
PIXART = "PIXART-δ: Fast and Controllable Image Generation with Latent Consistency Models"
NEW_CHROME = "Sort by: Trending"  # page chrome no dump and no default knows


@pytest.fixture(scope="module")
def seeds() -> dict[str, ReadResult]:
    return {r.dump.name: r for r in read_all(list_dumps(DUMPS))}


def fingerprint(result: ReadResult) -> list[tuple[int, str, str]]:
    return [(e.line, e.title, e.abstract) for e in result.entries]


def formatted(result: ReadResult, *severities: str) -> list[str]:
    """Messages with the file named by its bare name (read_all names it by its path)."""
    return [replace(p, path=Path(p.path).name).format()
            for p in result.problems if p.severity in severities]


# --- the real dumps -------------------------------------------------------------------


def test_seed_entry_counts(seeds):
    assert list(seeds) == [A0, B1, B2, B3, A4]
    assert [len(r.entries) for r in seeds.values()] == [119, 73, 57, 57, 119]
    assert sum(len(r.entries) for r in seeds.values()) == 425
    assert all(r.dump.entry_count == len(r.entries) for r in seeds.values())


def test_seed_layouts_and_formats(seeds):
    assert {n: (r.dump.format, r.dump.layout) for n, r in seeds.items()} == {
        A0: ("text", "A"), B1: ("text", "B"), B2: ("text", "B"), B3: ("text", "B"),
        A4: ("text", "A"),
    }


def test_seeds_have_no_problems(seeds):
    for result in seeds.values():
        assert formatted(result, ERROR, WARNING) == []
        assert not any(p.lost_entry for p in result.problems)


@pytest.mark.parametrize(("dump", "title"), [
    (A0, "An Evolved Universal Transformer Memory"),
    (A4, "Universal Transformers"),
])
def test_glued_subscribe_is_stripped_from_the_first_title(seeds, dump, title):
    first = seeds[dump].entries[0]
    assert (first.line, first.title) == (3, title)
    assert not any(e.title.startswith("Subscribe") for e in seeds[dump].entries)


@pytest.mark.parametrize(("dump", "line", "title", "abstract_start"), [
    (A0, 3, "An Evolved Universal Transformer Memory", "Prior methods propose to offset"),
    (A0, 5, "Kraken: Inherently Parallel Transformers For Efficient Multi-Device Inference",
     "Large Transformer networks are increasingly used"),
    (A0, 89, "MetaFormer Is Actually What You Need for Vision",
     "Transformers have shown great potential in computer vision tasks."),
    (A0, 139, "Transformer in Transformer", "Transformer is a new kind of neural architecture"),
    (A0, 239, "EcoFormer: Energy-Saving Attention with Linear Complexity", None),
    (B1, 11, "Adaptive Token Sampling For Efficient Vision Transformers",
     "While state-of-the-art vision transformer models"),
    (B1, 31, "Transformer in Transformer", "Transformer is a new kind of neural architecture"),
    (B1, 99, PIXART, None),
    (B1, 299, "Disentangling Shape and Pose for Object-Centric Deep Active Inference Models",
     None),
    (B2, 13, PIXART, "This technical report introduces PIXART-{\\delta}"),
    (B2, 41, "Wide Attention Is The Way Forward For Transformers?",
     "The Transformer is an extremely powerful"),
    (B3, 13, "Clinically-Inspired Multi-Agent Transformers for Disease Trajectory Forecasting "
     "from Multimodal Data", "Deep neural networks are often applied to medical images"),
    (B3, 105, "Transformer in Transformer", None),
    (A4, 3, "Universal Transformers", "Recurrent neural networks (RNNs) sequentially"),
    (A4, 239, "PlanT: Explainable Planning Transformers via Object-Level Representations",
     None),
])
def test_title_line_numbers(seeds, dump, line, title, abstract_start):
    by_line = {e.line: e for e in seeds[dump].entries}
    assert by_line[line].title == title
    if abstract_start is not None:
        assert by_line[line].abstract.startswith(abstract_start)
    # the line really is in the file, and the abstract is the next non-blank line
    raw = (DUMPS / dump).read_text(encoding="utf-8").split("\n")
    assert raw[line - 1].removeprefix("Subscribe") == title
    assert next(r for r in raw[line:] if r.strip()) == by_line[line].abstract


def test_entry_lines_increase_and_abstracts_are_not_empty(seeds):
    for result in seeds.values():
        lines = [e.line for e in result.entries]
        assert lines == sorted(set(lines))
        assert all(e.abstract and e.title for e in result.entries)


def test_seed_date_labels(seeds):
    assert {n: r.dump.date_label for n, r in seeds.items()} == {
        A0: None, B1: "Mar 17", B2: "Jul 29", B3: "Jul 31", A4: None}
    # no year in the content and none in the file names: no ISO date
    assert all(r.dump.date is None for r in seeds.values())
    assert {n: r.dump.date_source for n, r in seeds.items()} == {
        A0: "none", B1: "content", B2: "content", B3: "content", A4: "none"}


# --- byte-level variants of a seed give the same entries --------------------------------


def accented(text: str) -> str:
    """The seed with composed accented letters in titles and abstracts (the real dumps
    have none NFD would decompose)."""
    return text.replace("Transformer", "Trånsfórmer").replace("naive", "naïve")


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def nfd(data: bytes) -> bytes:
    return unicodedata.normalize("NFD", data.decode("utf-8")).encode("utf-8")


def spaced(data: bytes) -> bytes:
    lines = data.decode("utf-8").split("\n")
    out = []
    for i, line in enumerate(lines):
        words = line.split(" ")
        gaps = ("  ", "\t", " \t ", "   ")
        joined = "".join(w + gaps[(i + j) % len(gaps)] for j, w in enumerate(words[:-1]))
        out.append(joined + words[-1] + ("\t " if line and i % 3 == 0 else ""))
    return "\n".join(out).encode("utf-8")


def everything(data: bytes) -> bytes:
    return bom(crlf(spaced(nfd(data))))


@pytest.mark.parametrize("dump", [A0, B2])
@pytest.mark.parametrize("variant", [crlf, bom, nfd, spaced, everything])
def test_variants_give_the_same_entries(tmp_path, dump, variant):
    original = accented((DUMPS / dump).read_text(encoding="utf-8")).encode("utf-8")
    changed = variant(original)
    assert changed != original
    (tmp_path / "original").mkdir()
    (tmp_path / "variant").mkdir()
    (tmp_path / "original" / dump).write_bytes(original)
    (tmp_path / "variant" / dump).write_bytes(changed)
    [expected] = read_all(list_dumps(tmp_path / "original"))
    [got] = read_all(list_dumps(tmp_path / "variant"))
    assert fingerprint(got) == fingerprint(expected)
    assert len(got.entries) == {A0: 119, B2: 57}[dump]
    assert got.dump.layout == expected.dump.layout
    assert got.dump.date_label == expected.dump.date_label
    assert formatted(got, ERROR, WARNING) == []
    # the text is NFC again, with single spaces
    titles = [e.title for e in got.entries]
    assert any("Trånsfórmer" in t for t in titles)
    assert all(unicodedata.is_normalized("NFC", e.title + e.abstract) for e in got.entries)
    assert not any("  " in e.title + e.abstract or "\t" in e.title + e.abstract
                   for e in got.entries)


# --- page chrome learned from several dumps ---------------------------------------------


def copy_seeds(folder: Path) -> Path:
    folder.mkdir()
    for path in list_dumps(DUMPS):
        shutil.copyfile(path, folder / path.name)
    return folder


def insert_line(path: Path, before_line: int, text: str, blank_after: bool = False) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[before_line - 1:before_line - 1] = [text, ""] if blank_after else [text]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_chrome_in_two_headers_is_learned_and_skipped(tmp_path, seeds):
    assert NEW_CHROME not in DEFAULT_BOILERPLATE
    folder = copy_seeds(tmp_path / "dumps")
    insert_line(folder / A0, 1, NEW_CHROME)  # layout A: before the first chrome line
    insert_line(folder / B1, 1, NEW_CHROME, blank_after=True)  # layout B
    # the same line between two entries of a third dump (after the entry at line 13)
    insert_line(folder / B2, 16, NEW_CHROME, blank_after=True)
    results = {r.dump.name: r for r in read_all(list_dumps(folder))}
    for name, result in results.items():
        assert formatted(result, ERROR, WARNING) == [], name
        assert len(result.entries) == len(seeds[name].entries), name
        assert result.dump.entry_count == len(result.entries)
    assert [e.line for e in results[A0].entries] == [e.line + 1 for e in seeds[A0].entries]
    assert [e.line for e in results[B1].entries] == [e.line + 2 for e in seeds[B1].entries]
    assert results[A0].entries[0].title == "An Evolved Universal Transformer Memory"
    assert [p.format() for p in results[B2].problems] == [
        f"{(folder / B2).as_posix()}:16: info: page chrome skipped (got {NEW_CHROME!r})"]
    assert results[B2].problems[0].severity == INFO


def test_chrome_in_one_header_only_is_a_warning(tmp_path, seeds):
    folder = copy_seeds(tmp_path / "dumps")
    insert_line(folder / A0, 1, NEW_CHROME)
    results = {r.dump.name: r for r in read_all(list_dumps(folder))}
    assert formatted(results[A0], ERROR, WARNING) == [
        f"{A0}:1: warning: line before the first entry treated as page chrome "
        f"(got {NEW_CHROME!r})"]
    assert not results[A0].problems[0].lost_entry
    assert len(results[A0].entries) == 119
    assert results[A0].entries[0].title == "An Evolved Universal Transformer Memory"
    for name in (B1, B2, B3, A4):
        assert formatted(results[name], ERROR, WARNING) == []


def test_chrome_twice_in_one_header_is_not_learned(tmp_path):
    folder = copy_seeds(tmp_path / "dumps")
    insert_line(folder / B1, 1, NEW_CHROME, blank_after=True)
    insert_line(folder / B1, 1, NEW_CHROME, blank_after=True)
    results = {r.dump.name: r for r in read_all(list_dumps(folder))}
    assert formatted(results[B1], WARNING) == [
        f"{B1}:{n}: warning: line before the first entry treated as page chrome "
        f"(got {NEW_CHROME!r})" for n in (1, 3)]


# --- dates ---------------------------------------------------------------------------------


def test_date_from_file_name(tmp_path):
    (tmp_path / "2024-03-17_daily.txt").write_bytes((DUMPS / B1).read_bytes())
    [result] = read_all(list_dumps(tmp_path))
    assert (result.dump.date, result.dump.date_label, result.dump.date_source,
            result.dump.order_key) == ("2024-03-17", "Mar 17", "file name",
                                       "1 2024-03-17 2024-03-17_daily.txt")
    assert result.problems == ()
    assert len(result.entries) == 73


def test_file_name_date_wins_over_content(tmp_path):
    text = (DUMPS / B1).read_text(encoding="utf-8")
    assert text.split("\n")[8] == "Mar 17"
    text = text.replace("\nMar 17\n", "\nMar 17, 2023\n", 1)
    (tmp_path / "2024-03-17_daily.txt").write_text(text, encoding="utf-8")
    # one more trailing newline: identical bytes would be skipped as a duplicate dump
    (tmp_path / "undated.txt").write_text(text + "\n", encoding="utf-8")
    by_name = {r.dump.name: r for r in read_all(list_dumps(tmp_path))}
    named, undated = by_name["2024-03-17_daily.txt"], by_name["undated.txt"]
    assert (named.dump.date, named.dump.date_source) == ("2024-03-17", "file name")
    assert named.dump.date_label == "Mar 17, 2023"
    assert formatted(named, WARNING) == [
        "2024-03-17_daily.txt:1: warning: file name says 2024-03-17 but the content says "
        "2023-03-17; using the file name (got 'Mar 17, 2023')"]
    assert not named.problems[0].lost_entry
    assert (undated.dump.date, undated.dump.date_source) == ("2023-03-17", "content")
    assert undated.problems == ()
    assert fingerprint(named) == fingerprint(undated)


@pytest.mark.parametrize(("line", "iso"), [
    ("Mar 17", None), ("Jul 29", None), ("July 29", None), ("Sept 3", None),
    ("Mar 17, 2023", "2023-03-17"), ("March 17 2023", "2023-03-17"), ("2024-07-29", "2024-07-29"),
])
def test_date_lines(line, iso):
    found = parse_date_line(line)
    assert found is not None and (found.label, found.period) == (line, iso)


@pytest.mark.parametrize("line", ["Janus 2", "Decoupled 3", "Octopus 1", "Mamba 2", "Jul 32"])
def test_short_titles_are_not_date_lines(line):
    assert parse_date_line(line) is None


# --- small hand-made dumps ------------------------------------------------------------------

ABSTRACT_1 = ("Prior methods propose to offset the escalating costs of modern foundation models "
              "by dropping specific parts of their contexts with hand-designed rules.")
ABSTRACT_2 = ("Large Transformer networks are increasingly used in settings where low inference "
              "latency can improve the end-user experience and enable new applications.")
HEADER_B = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nJul 29\n\n"


def test_title_that_looks_like_a_month_is_a_title():
    text = HEADER_B + f"Janus 2\n\n{ABSTRACT_1}\n\nDecoupled 3\n\n{ABSTRACT_2}\n"
    result = read_dump("x.txt", text.encode())
    assert [(e.line, e.title) for e in result.entries] == [(9, "Janus 2"), (13, "Decoupled 3")]
    assert result.problems == ()


def test_date_line_between_entries_is_page_chrome():
    text = HEADER_B + f"Janus 2\n\n{ABSTRACT_1}\n\nJul 30\n\nDecoupled 3\n\n{ABSTRACT_2}\n"
    result = read_dump("x.txt", text.encode())
    assert [(e.line, e.title) for e in result.entries] == [(9, "Janus 2"), (15, "Decoupled 3")]
    assert [p.format() for p in result.problems] == [
        "x.txt:13: info: page chrome skipped (got 'Jul 30')"]
    assert result.dump.date_label == "Jul 29"


@pytest.mark.parametrize(("text", "lost", "kept"), [
    # layout A: the glued first title has lost its abstract
    ("Get trending papers in your email inbox!\nSubscribeAn Evolved Universal Transformer "
     f"Memory\nKraken: Inherently Parallel Transformers\n{ABSTRACT_2}\n",
     "x.txt:2: warning: title without an abstract; entry skipped "
     "(got 'An Evolved Universal Transformer Memory')", (3, "Kraken: Inherently Parallel "
                                                           "Transformers")),
    # layout B: the first title after the date line has lost its abstract
    (HEADER_B + "An Evolved Universal Transformer Memory\n\nKraken: Inherently Parallel "
     f"Transformers\n\n{ABSTRACT_2}\n",
     "x.txt:9: warning: title without an abstract; entry skipped "
     "(got 'An Evolved Universal Transformer Memory')",
     (11, "Kraken: Inherently Parallel Transformers")),
])
def test_first_title_without_abstract_is_a_lost_entry(text, lost, kept):
    result = read_dump("x.txt", text.encode())
    assert [(e.line, e.title) for e in result.entries] == [kept]
    assert [p.format() for p in result.problems] == [lost]
    assert result.problems[0].lost_entry
    assert result.dump.entry_count == 2


def test_chrome_between_the_first_title_and_its_abstract():
    text = HEADER_B + f"Janus 2\n\nDaily Papers\n\n{ABSTRACT_1}\n\nDecoupled 3\n\n{ABSTRACT_2}\n"
    result = read_dump("x.txt", text.encode())
    assert [(e.line, e.title, e.abstract) for e in result.entries] == [
        (9, "Janus 2", ABSTRACT_1), (15, "Decoupled 3", ABSTRACT_2)]
    assert result.problems == ()


@pytest.mark.parametrize(("line", "title"), [
    ("SubscribeiTransformer: Inverted Transformers Are Effective for Time Series Forecasting",
     "iTransformer: Inverted Transformers Are Effective for Time Series Forecasting"),
    ("SubscribekMaX-DeepLab: k-means Mask Transformer", "kMaX-DeepLab: k-means Mask Transformer"),
    ("Subscribe3D Gaussian Splatting for Real-Time Radiance Field Rendering",
     "3D Gaussian Splatting for Real-Time Radiance Field Rendering"),
    ("Subscribers Are All You Need", "Subscribers Are All You Need"),  # not glued chrome
])
def test_glued_first_title(line, title):
    text = ("Get trending papers in your email inbox!\n" + line + f"\n{ABSTRACT_1}\n"
            f"Kraken: Inherently Parallel Transformers\n{ABSTRACT_2}\n")
    result = read_dump("x.txt", text.encode())
    assert [(e.line, e.title) for e in result.entries] == [
        (2, title), (4, "Kraken: Inherently Parallel Transformers")]
    assert result.problems == ()
