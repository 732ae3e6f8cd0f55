"""The search index files: what the browser reads must agree with the catalog."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from itertools import accumulate

import pytest

from generator.search import (
    PAPERS_PER_CHUNK,
    build_index,
    paper_order,
    shard_key,
    stem,
    terms,
    words,
)
from generator.topics import classify, load_taxonomy

from conftest import REPO


def _unpack(files: tuple[tuple[str, bytes], ...]) -> dict[str, object]:
    out = {}
    for path, data in files:
        assert data[:2] == b"\x1f\x8b", path  # gzip
        assert data[4:8] == b"\0\0\0\0", path  # no timestamp in it
        out[path] = json.loads(gzip.decompress(data))
    return out


@pytest.fixture(scope="module")
def seed_taxonomy():
    taxonomy, problems = load_taxonomy(REPO / "curation")
    assert problems == []
    return taxonomy


@pytest.fixture(scope="module")
def classified(seed_catalog, seed_taxonomy):
    return replace(seed_catalog, papers=classify(seed_catalog.papers, seed_taxonomy))


@pytest.fixture(scope="module")
def index(classified, seed_taxonomy):
    titles = {t.id: t.title for t in seed_taxonomy.topics}
    return _unpack(build_index(classified.papers, titles)), classified, titles


@pytest.mark.parametrize(("text", "expected"), [
    ("Vision Transformers", ["vision", "transformers"]),
    ("Mamba-360: a SURVEY", ["mamba", "360", "a", "survey"]),
    ("Schrödinger's cat, naïve café", ["schrodinger", "s", "cat", "naive", "cafe"]),
    ("GPT-4o (ﬁne-tuning)", ["gpt", "4o", "fine", "tuning"]),
    ("snake_case and x²", ["snake", "case", "and", "x2"]),
    ("<img src=x onerror=alert(1)>", ["img", "src", "x", "onerror", "alert", "1"]),
])
def test_words(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize(("word", "expected"), [
    ("transformers", "transformer"), ("studies", "study"), ("series", "sery"),
    ("bias", "bia"), ("focus", "focus"), ("class", "class"), ("images", "image"),
    ("gas", "gas"), ("models", "model"), ("does", "doe"), ("queries", "query"),
])
def test_stem(word, expected):
    assert stem(word) == expected


def test_terms_drop_stop_words_and_single_letters():
    assert terms("A Survey of the Mamba models, with x and y") == ["survey", "mamba", "model"]


def test_every_paper_is_in_the_index_once(index):
    files, catalog, _ = index
    rows = [row for k in range(len(catalog.papers) // PAPERS_PER_CHUNK + 1)
            for row in files[f"papers/{k}.json.gz"]]
    assert [r[0] for r in rows] == [p.id for p in paper_order(catalog.papers)]
    assert files["meta.json.gz"]["papers"] == len(catalog.papers) == 349


def test_postings_are_exactly_the_papers_with_each_term(index):
    """Rebuild each term's paper set from the catalog and compare with the files, the
    way search.js finds them: the shard of the term, then its postings file."""
    files, catalog, titles = index
    ordered = paper_order(catalog.papers)
    expected: dict[str, set[int]] = {}
    in_title: dict[str, set[int]] = {}
    for k, p in enumerate(ordered):
        text = " ".join([p.title, *(titles[t] for t in p.topics), *p.tags, *p.authors,
                         p.abstract])
        for term in terms(text):
            expected.setdefault(term, set()).add(k)
        for term in terms(p.title):
            in_title.setdefault(term, set()).add(k)
    meta = files["meta.json.gz"]
    assert sorted({shard_key(t) for t in expected}) == meta["shards"]
    checked = 0
    for term, papers in expected.items():
        shard = files[f"terms/{shard_key(term)}.json.gz"]
        [(_, df, chunk)] = [e for e in shard if e[0] == term]
        docs, scores = files[f"postings/{chunk}.json.gz"][term]
        numbers = list(accumulate(docs))
        assert set(numbers) == papers and df == len(papers), term
        assert numbers == sorted(numbers)
        assert {n for n, s in zip(numbers, scores, strict=True) if s & 1} == \
            in_title.get(term, set()), term
        assert all(2 <= s <= 255 for s in scores)
        checked += 1
    assert checked > 3000


def test_title_matches_score_higher(index):
    files, catalog, _ = index
    ordered = paper_order(catalog.papers)
    shard = files[f"terms/{shard_key('mamba')}.json.gz"]
    [(_, _, chunk)] = [e for e in shard if e[0] == "mamba"]
    docs, scores = files[f"postings/{chunk}.json.gz"]["mamba"]
    by_paper = dict(zip((ordered[n].title for n in accumulate(docs)), scores, strict=True))
    best = max(by_paper, key=by_paper.get)
    assert "mamba" in words(best)
    titled = [s for t, s in by_paper.items() if "mamba" in words(t)]
    untitled = [s for t, s in by_paper.items() if "mamba" not in words(t)]
    assert titled and untitled and min(titled) > max(untitled)


def test_facets_list_each_topic_s_papers(index):
    files, catalog, titles = index
    ordered = paper_order(catalog.papers)
    meta, facets = files["meta.json.gz"], files["facets.json.gz"]
    for name, deltas in zip(meta["topics"], facets["topic"], strict=True):
        topic = next(t for t, title in titles.items() if title == name)
        assert list(accumulate(deltas)) == [k for k, p in enumerate(ordered)
                                            if topic in p.topics]


def test_the_index_is_the_same_bytes_every_time(classified, seed_taxonomy):
    titles = {t.id: t.title for t in seed_taxonomy.topics}
    first = build_index(classified.papers, titles)
    again = build_index(tuple(reversed(classified.papers)), titles)
    assert first == again


def test_terms_kept_from_an_earlier_build_give_the_same_index(classified, seed_taxonomy):
    """Each paper's terms come from the memo when its fields are unchanged, are computed
    when they changed, and the index is the same bytes as one made from nothing; what the
    memo keeps is exactly the papers of this build."""
    from generator.memo import Pickled, Table

    titles = {t.id: t.title for t in seed_taxonomy.topics}
    papers = list(classified.papers)
    first = Table()
    assert build_index(papers[:-10], titles, first) == build_index(papers[:-10], titles)
    assert first.hits == 0 and len(first.used) == len(papers) - 10
    kept = Pickled(Pickled.give(first))
    papers[0] = replace(papers[0], abstract=papers[0].abstract + " Quantum gravity.")
    fresh = build_index(papers, titles)
    second = kept.table()
    assert build_index(papers, titles, second) == fresh
    assert second.hits == len(papers) - 11  # all but the new ten and the edited one
    assert len(second.used) == len(papers)
    assert Pickled(Pickled.give(second)).table().stored == second.used
    nothing_new = Pickled(Pickled.give(second)).table()
    build_index(papers, titles, nothing_new)
    assert Pickled.give(nothing_new) is None  # nothing to write again
    # a stored analysis is what the paper's fields give
    from generator.memo import digest
    from generator.search import _fields, analysis

    fields = _fields(papers[1], titles)
    assert second.used[digest(*fields.values())] == analysis(fields)
