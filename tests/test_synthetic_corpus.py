"""The synthetic corpus of `benchmarks.synth`: deterministic, readable by the real
readers, labelled for every entry, and the deduplicator's quality on it (no timings)."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.bench_dedupe import merge_errors, score
from benchmarks.synth import make_corpus
from generator.model import ERROR, Entry
from generator.readers import list_dumps, read_all


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    dumps = make_corpus(out, 1000, seed=0)
    assert dumps == out / "dumps"
    results = read_all(list_dumps(dumps))
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    return results, truth, meta


def test_same_seed_gives_the_same_bytes(tmp_path):
    make_corpus(tmp_path / "a", 400, seed=7)
    make_corpus(tmp_path / "b", 400, seed=7)
    make_corpus(tmp_path / "c", 400, seed=8)
    first = _files(tmp_path / "a")
    assert {"truth.json", "corpus.json"} <= first.keys()
    assert first == _files(tmp_path / "b")
    assert first != _files(tmp_path / "c")
    make_corpus(tmp_path / "a", 400, seed=7)  # again, over the old output
    assert first == _files(tmp_path / "a")


def test_both_layouts_and_a_truth_for_every_entry(corpus):
    results, truth, meta = corpus
    assert not [p.format() for r in results for p in r.problems if p.severity == ERROR]
    assert not [p.format() for r in results for p in r.problems if p.lost_entry]
    assert {r.dump.layout for r in results} == {"A", "B"}
    assert {r.dump.name: r.dump.layout for r in results} == meta["layouts"]
    read = [(e.dump, e.line) for r in results for e in r.entries]
    assert len(read) == len(set(read)) == 1000
    assert {f"{dump}:{line}" for dump, line in read} == truth.keys()


def test_corpus_shape(corpus):
    results, truth, meta = corpus
    names = [r.dump.name for r in results]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}_synthetic\.txt", n) for n in names)
    assert names == sorted(names) and len({r.dump.date for r in results}) == len(results)
    assert all(100 <= len(r.entries) <= 250 for r in results)
    for r in results:  # a paper never appears twice in one dump
        papers = [truth[f"{e.dump}:{e.line}"] for e in r.entries]
        assert len(papers) == len(set(papers))
    repeats = 1 - len(set(truth.values())) / len(truth)
    assert 0.30 <= repeats <= 0.40
    first: dict[str, Entry] = {}
    for e in (e for r in results for e in r.entries):
        first.setdefault(truth[f"{e.dump}:{e.line}"], e)
    assert all(600 <= len(e.abstract) <= 1900 for e in first.values())
    assert all(4 <= len(e.title.split()) <= 20 for e in first.values())
    kinds = Counter(meta["noise"].values())
    assert {"title_case", "title_typo", "abstract_truncated", "abstract_typo"} <= kinds.keys()
    assert len({t["kind"] for t in meta["traps"].values()}) >= 2
    assert 0.005 <= len(meta["traps"]) / len(first) <= 0.05


@dataclass(frozen=True)
class _Cluster:
    members: tuple[int, ...]


def test_pair_counting_matches_listing_the_pairs():
    entries = [Entry("d.txt", i, "t", "a") for i in range(9)]
    truth = {f"d.txt:{i}": p for i, p in enumerate("aaabbbccd")}
    clusters = [_Cluster((0, 1, 3)), _Cluster((2,)), _Cluster((4, 5, 6, 7)), _Cluster((8,))]
    label = {i: k for k, c in enumerate(clusters) for i in c.members}
    pairs = list(itertools.combinations(range(9), 2))
    predicted = {p for p in pairs if label[p[0]] == label[p[1]]}
    true = {p for p in pairs if truth[f"d.txt:{p[0]}"] == truth[f"d.txt:{p[1]}"]}
    s = score(entries, clusters, truth)
    assert (s.true_positive_pairs, s.predicted_pairs, s.true_pairs) == (
        len(predicted & true), len(predicted), len(true))
    assert s.precision == len(predicted & true) / len(predicted)
    assert s.recall == len(predicted & true) / len(true)


def test_deduplicate_quality_on_1000_entries(corpus):
    from generator.dedupe import deduplicate

    results, truth, meta = corpus
    entries = [e for r in results for e in r.entries]
    clusters = deduplicate(entries)
    s = score(entries, clusters, truth)
    false, missed = merge_errors(entries, clusters, truth, meta)
    shown = [f"{x['kind']}: {x['a']['title']!r} / {x['b']['title']!r}"
             for x in (false[:5] + missed[:5])]
    assert s.precision >= 0.995, shown
    assert s.recall >= 0.99, shown


def test_pairs_scored_on_two_cores_give_the_same_clusters(corpus, monkeypatch):
    """From SHARED_PAIRS candidate pairs, half are scored in a forked process: the
    clusters and the links that made them are the same as one process gives."""
    from generator import background, dedupe
    from generator.catalog import ordered_entries

    results, _, _ = corpus
    entries = ordered_entries(results)
    alone = dedupe.deduplicate(entries)
    forked: list[int] = []
    start = background.start

    def spy(function, *args):
        forked.append(len(args[0]))
        return start(function, *args)

    monkeypatch.setattr(background, "start", spy)
    monkeypatch.setattr(background, "cores", lambda: 2)
    monkeypatch.setattr(dedupe, "SHARED_PAIRS", 0)
    assert dedupe.deduplicate(entries) == alone
    assert len(forked) == 1 and forked[0] > 100  # half the pairs went to the other core
    scored = [link for c in alone for link in c.links
              if link.reason in ("similar-title", "same-abstract")]
    assert len(scored) > 20  # merges the scored pairs made
