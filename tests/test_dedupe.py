"""Deduplication: exact and fuzzy merges, look-alike traps, constraints, blocking."""

from __future__ import annotations

import pytest

from generator import dedupe
from generator.dedupe import Constraints, deduplicate
from generator.model import Entry

ABSTRACT = (
    "We propose a parameter-free token sampler that scores and adaptively samples the "
    "significant tokens of a vision transformer. As a result the number of tokens varies for "
    "each input image, which reduces the GFLOPs of off-the-shelf pre-trained models without "
    "any additional training. We evaluate the module on image and video classification and "
    "improve the state of the art in its accuracy and efficiency trade-off."
)
OTHER = (
    "Reinforcement learning agents built on transformers face unique design choices brought "
    "by the nature of sequential decision making. In this survey we review the motivations "
    "and progress of using transformers for offline and online reinforcement learning, give "
    "a taxonomy of existing work and summarise open problems for future research."
)


def e(title: str, abstract: str = ABSTRACT, dump: str = "d1", line: int = 1, **kw) -> Entry:
    return Entry(dump, line, title, abstract, **kw)


def groups(entries: list[Entry], constraints: Constraints = Constraints()) -> list[list[int]]:
    return [list(c.members) for c in deduplicate(entries, constraints)]


def test_seeds_hold_349_papers_from_425_entries(seed_results, seed_catalog):
    assert sum(len(r.entries) for r in seed_results) == 425
    assert len(seed_catalog.papers) == 349
    assert seed_catalog.entry_count == 425


def test_seed_survey_look_alikes_stay_apart(seed_catalog):
    titles = {p.title for p in seed_catalog.papers}
    assert "A Survey on Transformers in Reinforcement Learning" in titles
    assert "Transformers in Reinforcement Learning: A Survey" in titles


@pytest.mark.parametrize("variant", [
    "adaptive token sampling for efficient vision transformers",  # case
    "Adaptive Token Sampling for Efficient Vision-Transformers",  # punctuation
    "Adaptive Token Sampling — For Efficient Vision Transformers",  # unicode dash
    "Adaptive Token Sampling For Efficient Vision Transfomers",  # typo
    "Adaptive  Token Sampling For Efficient Vision Transformers.",  # spacing, full stop
    "Adaptive Token-Sampling: For Efficient Vision Transformers",
])
def test_title_variants_merge(variant):
    entries = [e("Adaptive Token Sampling For Efficient Vision Transformers"),
               e(variant, dump="d2")]
    assert groups(entries) == [[0, 1]]


def test_truncated_and_reflowed_abstracts_merge():
    truncated = ABSTRACT[:180] + "..."
    reflowed = ABSTRACT.replace(". ", ".  ").replace("tokens", "tokens ")
    entries = [e("Adaptive Token Sampling For Efficient Vision Transformers"),
               e("Adaptive Token Sampling for Efficient Vision Transformers", truncated, "d2"),
               e("Adaptive Token Sampling For Efficient Vision Transformer", reflowed, "d3"),
               e("Adaptive token sampling for efficient vision transformers…",
                 ABSTRACT[:250] + "…", "d4")]
    assert groups(entries) == [[0, 1, 2, 3]]


def test_same_title_with_different_abstracts_stays_apart():
    entries = [e("Transformers in Reinforcement Learning: A Survey", OTHER),
               e("A Survey on Transformers in Reinforcement Learning", ABSTRACT, "d2"),
               e("Transformers in Reinforcement Learning: A Survey", ABSTRACT, "d3")]
    # equal titles do not merge when their abstracts disagree; the look-alike title with the
    # same abstract as entry 2 is a different title but related: it merges with entry 2.
    assert groups(entries) == [[0], [1, 2]]


def test_near_identical_titles_with_different_abstracts_stay_apart():
    entries = [e("Efficient Transformers for Vision", ABSTRACT),
               e("Efficient Transformers for Vision", OTHER, "d2"),
               e("Efficient Transformer for Vision", OTHER, "d3")]
    assert groups(entries) == [[0], [1, 2]]


def test_arxiv_ids_merge_and_separate():
    entries = [e("Completely different title", ABSTRACT, arxiv_id="2401.00001"),
               e("Adaptive Token Sampling", OTHER, "d2", arxiv_id="2401.00001"),
               e("Adaptive Token Sampling", OTHER, "d3", arxiv_id="2401.00002"),
               e("Adaptive Token Sampling", OTHER, "d4")]
    # same id merges whatever the text; different ids never merge; the entry without id
    # joins the first group it matches
    result = groups(entries)
    assert [0, 1, 3] in result and [2] in result


def test_curated_constraints():
    entries = [e("Adaptive Token Sampling For Efficient Vision Transformers"),
               e("Adaptive Token Sampling For Efficient Vision Transformers", dump="d2"),
               e("Something Else Entirely", OTHER, "d3")]
    kept_apart = Constraints(apart=(((0,), (1,)),))
    assert groups(entries, kept_apart) == [[0], [1], [2]]
    forced = Constraints(same=((0, 2),))
    assert groups(entries, forced) == [[0, 1, 2]]


def test_links_record_how_entries_joined():
    entries = [e("Adaptive Token Sampling For Efficient Vision Transformers"),
               e("Adaptive Token Sampling for Efficient Vision Transformers", dump="d2"),
               e("Adaptive Token Sampling For Efficient Vision Transfomers", dump="d3")]
    (cluster,) = deduplicate(entries)
    reasons = sorted(link.reason for link in cluster.links)
    assert reasons == ["same-title", "similar-title"]


def test_candidate_pairs_grow_linearly():
    """Blocking keeps the number of scored pairs far below n²/2."""
    import random

    rng = random.Random(1)
    words = [f"w{i}" for i in range(3000)]
    n = 3000
    tkeys = [" ".join(rng.sample(words, 8)) for _ in range(n)]
    akeys = [" ".join(rng.sample(words, 40)) for _ in range(n)]
    pairs = dedupe._candidates(list(range(n)), tkeys, akeys)
    assert len(pairs) < 20 * n
