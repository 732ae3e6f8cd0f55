"""The site model's texts, held compressed (`generator/packed.py`), and the exports made a
paper at a time: what comes out is exactly the text that went in, or that the whole
document would have given."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import cite
from generator.export import catalog_document, catalog_json_parts, to_json
from generator.links import link
from generator.model import Paper, Source
from generator.packed import CHUNK, Texts, pack, pack_parts, unpack, unpacked_bytes

HOSTILE = ("</script><!-- & \u2028\u2029 \"quoted\" \\ \x00 \U0001f600 é "
           "[]} \n, \t")


@given(st.text())
def test_a_text_comes_back_as_it_went_in(text):
    assert unpack(pack(text)) == text
    assert unpack(pack_parts([text[:3], text[3:], ""])) == text
    assert b"".join(unpacked_bytes(pack(text))) == text.encode()


def test_a_lone_surrogate_is_refused_not_packed():
    for text in ("\ud800", "ok \udfff ok"):
        with pytest.raises(UnicodeEncodeError):
            pack(text)
        with pytest.raises(UnicodeEncodeError):
            pack_parts(["ok", text])


def test_a_large_text_comes_back_in_chunks():
    text = "".join(f"{k} é \U0001f600 " for k in range(400_000))  # about 5 MB
    chunks = list(unpacked_bytes(pack(text)))
    assert len(chunks) > 3 and max(map(len, chunks)) <= CHUNK
    assert b"".join(chunks) == text.encode()


def test_texts_iterate_in_path_order_and_compare_by_content():
    texts = Texts.from_texts([("b.md", "two " + HOSTILE), ("a.md", "one")])
    assert list(texts) == [("a.md", "one"), ("b.md", "two " + HOSTILE)]
    assert len(texts) == 2
    assert [p for p, _ in texts.packed()] == ["a.md", "b.md"]
    assert texts == Texts.from_texts([("a.md", "one"), ("b.md", "two " + HOSTILE)])
    assert texts != Texts.from_texts([("a.md", "one"), ("b.md", "two")])
    with pytest.raises(ValueError):
        Texts(("a.md",), ())


def _paper(pid: str, title: str, abstract: str) -> Paper:
    return Paper(pid, title, abstract, None, ("A. Author", HOSTILE), (),
                 (Source(f"{pid}[]}}.json", 1, title, "first"),), "d", "d")


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_catalog_a_paper_at_a_time_is_the_whole_document(seed_catalog, count):
    papers = tuple(_paper(f"p{k}", f"Title {k} {HOSTILE}", f"Abstract {k} {HOSTILE}")
                   for k in range(count))
    for catalog in (replace(seed_catalog, papers=papers), seed_catalog):
        links = link(catalog.papers)
        whole = to_json(catalog_document(catalog, links))
        parts = list(catalog_json_parts(catalog, links))
        assert len(parts) == len(catalog.papers) + 2
        assert "".join(parts) == whole


def test_the_csv_a_line_at_a_time_is_the_whole_file():
    rows = [{"id": f"p{k}", "title": f"{HOSTILE} {k}", "abstract": "a,b\n\"c\""}
            for k in range(3)]
    parts = list(cite.papers_csv_parts(iter(rows)))
    assert len(parts) == 4  # the header, then a part a row
    assert "".join(parts) == cite.papers_csv(rows)
    assert parts[0].startswith(",".join(cite.CSV_COLUMNS[:2]))
