"""The HTML (saved Daily Papers page) and JSON (API answer) readers on realistic saves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.readers import read_dump
from generator.readers.text import DEFAULT_BOILERPLATE

REPO = Path(__file__).parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "readers"
PAGE = FIXTURES / "daily_papers.html"
CARDS = FIXTURES / "daily_papers_cards_only.html"
API = FIXTURES / "daily_papers_api.json"

PIXART = "PIXART-δ: Fast and Controllable Image Generation with Latent Consistency Models"
TNT = "Transformer in Transformer"
META = "MetaFormer Is Actually What You Need for Vision"
UT = "Universal Transformers"
NAMM = "An Evolved Universal Transformer Memory"

PIXART_ABSTRACT = (
    "This technical report introduces PIXART-{\\delta}, a text-to-image synthesis framework "
    "that integrates the Latent Consistency Model (LCM) and ControlNet into the advanced "
    "PIXART-{\\alpha} model. PIXART-{\\alpha} is recognized for its ability to generate "
    "high-quality images of 1024px resolution through a remarkably efficient training process.")
TNT_ABSTRACT = (
    "Transformer is a new kind of neural architecture which encodes the input data as powerful "
    "features via the attention mechanism. Basically, the visual transformers first divide the "
    "input images into several local patches and then calculate both representations and "
    "their relationship.")
META_ABSTRACT = (
    "Transformers have shown great potential in computer vision tasks. A common belief is their "
    "attention-based token mixer module contributes most to their competence. However, recent "
    "works show the attention-based module in Transformers can be replaced by spatial MLPs & "
    "the resulted models still perform quite well.")
UT_ABSTRACT = (
    "Recurrent neural networks (RNNs) sequentially process data by updating their state with "
    "each new data point, and have long been the de facto choice for sequence modeling tasks. "
    "However, their inherently sequential computation makes them slow to train.")
NAMM_ABSTRACT = (
    "Prior methods propose to offset the escalating costs of modern foundation models by "
    "dropping specific parts of their contexts with hand-designed rules, while attempting to "
    "preserve their original performance.")

PIXART_AUTHORS = ("Junsong Chen", "Yue Wu", "Simian Luo", "Enze Xie", "Sayak Paul", "Ping Luo",
                  "Hang Zhao", "Zhenguo Li")


def read(path: Path, name: str | None = None):
    return read_dump(name or path.name, path.read_bytes())


def file_line(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").split("\n")[number - 1]


# --- data-props -------------------------------------------------------------------------------


def test_page_with_data_props():
    result = read(PAGE)
    dump = result.dump
    assert (dump.format, dump.layout, dump.entry_count) == ("html", "data-props", 3)
    assert (dump.date, dump.date_label, dump.date_source) == ("2024-07-29", "2024-07-29",
                                                              "content")
    assert result.problems == ()
    assert [e.title for e in result.entries] == [PIXART, TNT, META]  # not doubled by the cards
    assert [e.abstract for e in result.entries] == [PIXART_ABSTRACT, TNT_ABSTRACT, META_ABSTRACT]
    assert [e.arxiv_id for e in result.entries] == ["2401.05252", "2103.00112", "2111.11418"]
    assert [e.upvotes for e in result.entries] == [21, 4, 3]
    assert [e.published for e in result.entries] == [
        "2024-01-10T18:58:06.000Z", "2021-02-27T03:12:16.000Z", "2021-11-22T18:59:58.000Z"]
    assert result.entries[0].authors == PIXART_AUTHORS
    assert result.entries[1].authors == ("Kai Han", "An Xiao", "Enhua Wu", "Jianyuan Guo",
                                         "Chunjing Xu", "Yunhe Wang")
    assert len(result.entries[2].authors) == 8
    assert all(e.dump == "daily_papers.html" for e in result.entries)


def test_page_abstracts_had_hard_line_breaks():
    raw = PAGE.read_text(encoding="utf-8")
    assert "synthesis\\nframework" in raw  # the summary as the page holds it
    for entry in read(PAGE).entries:
        assert "\n" not in entry.abstract and "  " not in entry.abstract


def test_page_record_lines():
    """The line of the data-props attribute plus the newlines before the record: here
    each record starts its own line of the attribute."""
    assert 'data-target="DailyPapers"' in file_line(PAGE, 18)
    assert file_line(PAGE, 19).lstrip().startswith('data-props="')
    entries = read(PAGE).entries
    assert [e.line for e in entries] == [20, 21, 22]
    for entry in entries:
        assert file_line(PAGE, entry.line).startswith(
            f"{{&quot;paper&quot;:{{&quot;id&quot;:&quot;{entry.arxiv_id}&quot;")


def test_page_reuses_a_seed_title():
    seed = read_dump("002_884800d94571ae27.txt",
                     (REPO / "dumps" / "002_884800d94571ae27.txt").read_bytes(),
                     DEFAULT_BOILERPLATE)
    assert seed.entries[0].title == PIXART == read(PAGE).entries[0].title


def test_data_props_line_with_another_hydrater_on_the_same_line():
    page = ('<!DOCTYPE html>\n<html><body><div class="SVELTE_HYDRATER contents" '
            'data-target="MainHeader" data-props="{}"></div><div class="SVELTE_HYDRATER '
            'contents" data-target="DailyPapers"\n\n  data-props="{&quot;dailyPapers&quot;:[\n'
            '{&quot;title&quot;:&quot;Universal Transformers&quot;}]}"></div></body></html>\n')
    result = read_dump("page.html", page.encode())
    assert [(e.line, e.title) for e in result.entries] == [(5, UT)]


# --- visible cards only -----------------------------------------------------------------------


def test_cards_only_page():
    result = read(CARDS)
    dump = result.dump
    assert (dump.format, dump.layout, dump.entry_count) == ("html", "cards", 3)
    assert (dump.date, dump.date_source) == ("2024-07-29", "content")  # from <time datetime>
    assert [p.format() for p in result.problems] == [
        "daily_papers_cards_only.html:24: warning: no data-props; read 3 visible paper cards, "
        "which have no abstracts"]
    assert not result.problems[0].lost_entry
    assert [e.title for e in result.entries] == [PIXART, TNT, META]
    assert [e.arxiv_id for e in result.entries] == ["2401.05252", "2103.00112", "2111.11418"]
    assert [e.abstract for e in result.entries] == ["", "", ""]
    assert [e.line for e in result.entries] == [24, 33, 42]
    for entry in result.entries:
        assert file_line(CARDS, entry.line).startswith("<article")


# --- the API's JSON ---------------------------------------------------------------------------


def test_api_json():
    result = read(API)
    dump = result.dump
    assert (dump.format, dump.layout, dump.entry_count) == ("json", "api", 3)
    # dated by the day its records were on Daily Papers (`submittedOnDailyAt`)
    assert (dump.date, dump.date_label, dump.date_source) == ("2024-10-18", "2024-10-18",
                                                              "content")
    assert result.problems == ()
    assert [e.title for e in result.entries] == [UT, NAMM, PIXART]
    assert [e.abstract for e in result.entries] == [UT_ABSTRACT, NAMM_ABSTRACT, PIXART_ABSTRACT]
    assert [e.arxiv_id for e in result.entries] == ["1807.03819", "2410.13166", "2401.05252"]
    assert [e.upvotes for e in result.entries] == [7, 5, 21]
    assert result.entries[0].authors == ("Mostafa Dehghani", "Stephan Gouws", "Oriol Vinyals",
                                         "Jakob Uszkoreit", "Łukasz Kaiser")
    assert result.entries[1].authors == ("Edoardo Cetin", "Qi Sun", "Tianyu Zhao", "Yujin Tang")
    assert result.entries[2].authors == PIXART_AUTHORS
    assert result.entries[2].published == "2024-01-10T18:58:06.000Z"


def test_api_json_record_lines():
    """The line of each record's opening brace."""
    entries = read(API).entries
    assert [e.line for e in entries] == [2, 53, 99]
    for entry in entries:
        assert file_line(API, entry.line) == "  {"
        assert f'"id": "{entry.arxiv_id}"' in file_line(API, entry.line + 2)


def test_api_json_dated_by_its_file_name():
    result = read(API, "2024-10-18_api.json")
    assert (result.dump.date, result.dump.date_source) == ("2024-10-18", "file name")


def test_json_object_with_daily_papers():
    """What the page embeds, saved as JSON: the date comes from dateString."""
    records = json.loads(API.read_text(encoding="utf-8"))
    text = json.dumps({"dateString": "2024-07-29", "dailyPapers": records}, indent=2,
                      ensure_ascii=False)
    result = read_dump("props.json", text.encode())
    assert (result.dump.format, result.dump.date, result.dump.date_source) == (
        "json", "2024-07-29", "content")
    assert [e.title for e in result.entries] == [UT, NAMM, PIXART]
    lines = text.split("\n")
    assert [lines[e.line - 1] for e in result.entries] == ["    {"] * 3
    assert result.problems == ()


# --- format from content, not from the extension ---------------------------------------------


@pytest.mark.parametrize(("path", "name", "fmt", "layout"), [
    (PAGE, "saved_page.txt", "html", "data-props"),
    (CARDS, "cards.txt", "html", "cards"),
    (API, "api_answer.html", "json", "api"),
    (API, "api_answer.txt", "json", "api"),
])
def test_format_is_detected_from_content(path, name, fmt, layout):
    original, renamed = read(path), read(path, name)
    assert (renamed.dump.format, renamed.dump.layout) == (fmt, layout)
    assert [(e.line, e.title, e.abstract, e.arxiv_id) for e in renamed.entries] == [
        (e.line, e.title, e.abstract, e.arxiv_id) for e in original.entries]
    assert [p.format().replace(name, path.name) for p in renamed.problems] == [
        p.format() for p in original.problems]


def test_html_with_bom_and_crlf():
    data = b"\xef\xbb\xbf" + PAGE.read_bytes().replace(b"\n", b"\r\n")
    result = read_dump("page.txt", data)
    assert result.dump.format == "html"
    assert [(e.line, e.title, e.abstract) for e in result.entries] == [
        (e.line, e.title, e.abstract) for e in read(PAGE).entries]
