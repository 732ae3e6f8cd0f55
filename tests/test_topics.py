"""curation/topics.yml: the repository taxonomy, its schema errors, and how terms match."""

from __future__ import annotations

import shutil
import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from generator.model import Paper
from generator.textnorm import match_key
from generator.topics import Taxonomy, Topic, classify, load_taxonomy

REPO_CURATION = Path(__file__).resolve().parents[1] / "curation"
BAD = Path(__file__).parent / "fixtures" / "topics" / "bad"


def _paper(title: str, abstract: str = "") -> Paper:
    return Paper(id="p", title=title, abstract=abstract, arxiv_id=None, authors=(),
                 title_variants=(title,), sources=(), first_seen="2024-01-01",
                 last_seen="2024-01-01")


def _topic(include: dict[str, float], exclude: dict[str, float] | None = None,
           min_score: float = 3.0) -> Taxonomy:
    topic = Topic("t", "T", "A test topic.", min_score, tuple(include.items()),
                  tuple((exclude or {}).items()))
    return Taxonomy((topic,), title_weight=2.0)


def _match(taxonomy: Taxonomy, title: str, abstract: str = ""):
    (paper,) = classify([_paper(title, abstract)], taxonomy)
    return paper.topic_matches[0] if paper.topic_matches else None


# --- the repository taxonomy on the seed catalog ---------------------------------------------


@pytest.fixture(scope="module")
def repo_taxonomy() -> Taxonomy:
    taxonomy, problems = load_taxonomy(REPO_CURATION)
    assert [p.format() for p in problems] == []
    return taxonomy


@pytest.fixture(scope="module")
def classified(seed_catalog, repo_taxonomy):
    return classify(seed_catalog.papers, repo_taxonomy)


def test_repository_taxonomy_loads_with_12_to_20_topics(repo_taxonomy):
    assert 12 <= len(repo_taxonomy.topics) <= 20
    for topic in repo_taxonomy.topics:
        assert topic.title and topic.description and topic.include


def test_seed_catalog_is_sorted_without_spamming_topics(classified):
    counts = [len(p.topics) for p in classified]
    unsorted = [p.title for p in classified if not p.topics]
    assert len(unsorted) < 0.03 * len(classified), unsorted
    assert statistics.median(counts) <= 2
    assert max(counts) <= 4, [p.title for p in classified if len(p.topics) > 4]


def test_every_topic_has_papers(classified, repo_taxonomy):
    used = {t for p in classified for t in p.topics}
    assert [t.id for t in repo_taxonomy.topics if t.id not in used] == []


def test_no_term_of_the_repository_taxonomy_is_hidden_by_another(repo_taxonomy):
    # Each term must match its own words, even next to overlapping terms ("agent*" and
    # "agentic", "language model*" and "large language model*").
    reporting = replace(repo_taxonomy, topics=tuple(
        replace(t, min_score=float("-inf")) for t in repo_taxonomy.topics))
    terms = {term for t in repo_taxonomy.topics for term, _ in (*t.include, *t.exclude)}
    hidden = []
    for term in sorted(terms):
        text = match_key(term.removesuffix("*"))
        (paper,) = classify([_paper(text)], reporting)
        fired = {f.lstrip("-").removesuffix(" (title)") for m in paper.topic_matches
                 for f in m.terms}
        if term not in fired:
            hidden.append(term)
    assert hidden == []


KNOWN = [
    ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
     "state-space-models", "mamba (title)"),
    ("iTransformer: Inverted Transformers Are Effective for Time Series Forecasting",
     "time-series", "time series (title)"),
    ("PixelDiT: Pixel Diffusion Transformers for Image Generation",
     "visual-generation", "diffusion transformers (title)"),
    ("Neural Speech Synthesis with Transformer Network", "speech-and-audio", "speech (title)"),
    ("Point-BERT: Pre-training 3D Point Cloud Transformers with Masked Point Modeling",
     "3d-and-motion", "point cloud (title)"),
    ("TransUNet: Transformers Make Strong Encoders for Medical Image Segmentation",
     "science-and-medicine", "medical (title)"),
    ("Agentless: Demystifying LLM-based Software Engineering Agents",
     "code", "software engineering (title)"),
    ("Fast Inference from Transformers via Speculative Decoding",
     "efficient-inference", "speculative decoding (title)"),
]


@pytest.mark.parametrize(("title", "topic", "term"), KNOWN, ids=[t for _, t, _ in KNOWN])
def test_known_paper_gets_its_topic_for_a_visible_reason(classified, repo_taxonomy,
                                                         title, topic, term):
    (paper,) = [p for p in classified if p.title == title]
    assert topic in paper.topics
    (match,) = [m for m in paper.topic_matches if m.topic == topic]
    assert term in match.terms
    (rule,) = [t for t in repo_taxonomy.topics if t.id == topic]
    assert match.score >= rule.min_score


def test_robot_policies_are_not_image_generation(classified):
    (paper,) = [p for p in classified if p.title == "The Ingredients for Robotic Diffusion "
                                                      "Transformers"]
    assert "reinforcement-learning" in paper.topics
    assert "visual-generation" not in paper.topics


# --- bad taxonomy files ----------------------------------------------------------------------

F = "curation/topics.yml"
EXPECTED = [
    ("bad_id.yml",
     [f"{F}:2: error: topics.0.id: must be lower-case words and digits joined by '-' "
      "(got 'Speech Audio')"]),
    ("duplicate_id.yml",
     [f"{F}:7: error: topics.1.id: topic id 'speech' is used twice (first on line 2)"]),
    ("duplicate_term.yml", [f"{F}:8: error: duplicate key 'speech' (first on line 6)"]),
    ("empty_include.yml", [f"{F}:5: error: topics.0.include: needs at least 1 item"]),
    ("missing_description.yml", [f"{F}:2: error: topics.0: missing key 'description'"]),
    ("non_numeric_weight.yml",
     [f"{F}:7: error: topics.0.include.audio: weight must be a number (got 'high')"]),
    ("term_without_letters.yml",
     [f"{F}:7: error: topics.0.include.---: term '---' has no letters or digits"]),
    ("unknown_key.yml", [f"{F}:7: error: topics.0: unknown key 'keywords'"]),
    ("unsorted_id.yml",
     [f"{F}:2: error: topics.0.id: 'unsorted' is reserved for the papers in no topic"]),
]


def test_every_bad_fixture_has_an_expected_message():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(name for name, _ in EXPECTED)


@pytest.mark.parametrize(("name", "messages"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_bad_taxonomy_file(name, messages, tmp_path):
    shutil.copy(BAD / name, tmp_path / "topics.yml")
    taxonomy, problems = load_taxonomy(tmp_path)
    assert [p.format() for p in problems] == messages
    assert taxonomy.topics == ()


def test_missing_file_is_an_empty_taxonomy(tmp_path):
    assert load_taxonomy(tmp_path) == (Taxonomy(()), [])


def test_weights_and_title_weight_are_read_as_numbers(tmp_path):
    (tmp_path / "topics.yml").write_text(
        "title_weight: 3\n"
        "topics:\n"
        "  - id: speech-and-audio\n"
        "    title: Speech\n"
        "    description: Speech.\n"
        "    min_score: 2.5\n"
        "    include:\n"
        "      speech: 1.5\n"
        "    exclude:\n"
        "      music: '2'\n")
    taxonomy, problems = load_taxonomy(tmp_path)
    assert problems == []
    assert taxonomy.title_weight == 3.0
    (topic,) = taxonomy.topics
    assert (topic.min_score, topic.include, topic.exclude) == (2.5, (("speech", 1.5),),
                                                                (("music", 2.0),))


# --- matching semantics ----------------------------------------------------------------------


def test_terms_match_whole_words_only():
    taxonomy = _topic({"vit": 3})
    assert _match(taxonomy, "Daily activity recognition", "Vitamins and inactivity.") is None
    assert _match(taxonomy, "A plain title", "We fine-tune ViT-B/16 on ImageNet.").terms == (
        "vit (abstract)",)
    assert _match(taxonomy, "What a ViT's attention sees") is not None


def test_star_matches_any_word_ending_but_not_a_word_beginning():
    taxonomy = _topic({"quantiz*": 3})
    assert _match(taxonomy, "Post-Training Quantization of LLMs").terms == ("quantiz* (title)",)
    assert _match(taxonomy, "x", "weights are quantized to 4 bits") is not None
    assert _match(taxonomy, "x", "we quantiz every layer") is not None  # the bare stem too
    assert _match(taxonomy, "Requantization schemes", "dequantized outputs") is None


def test_title_matches_count_title_weight_times_and_each_term_once():
    taxonomy = _topic({"speech": 2}, min_score=1)
    in_title = _match(taxonomy, "Speech synthesis", "Speech, speech and more speech.")
    assert (in_title.score, in_title.terms) == (4.0, ("speech (title)",))
    in_abstract = _match(taxonomy, "Synthesis", "Speech, speech and more speech.")
    assert (in_abstract.score, in_abstract.terms) == (2.0, ("speech (abstract)",))


def test_a_paper_needs_min_score_and_exactly_min_score_is_enough():
    taxonomy = _topic({"speech": 1, "audio": 2})
    assert _match(taxonomy, "x", "speech") is None
    assert _match(taxonomy, "x", "audio") is None
    assert _match(taxonomy, "x", "speech and audio").score == 3.0


def test_exclude_terms_subtract():
    taxonomy = _topic({"time series": 3}, {"survey": 2}, min_score=1)
    match = _match(taxonomy, "Transformers in Time Series: A Survey")
    assert (match.score, match.terms) == (2.0, ("time series (title)", "-survey (title)"))
    match = _match(taxonomy, "Time series forecasting", "A survey of methods.")
    assert (match.score, match.terms) == (4.0, ("time series (title)", "-survey (abstract)"))
    assert _match(_topic({"time series": 3}, {"survey": 2}), "x",
                  "A survey of time series models.") is None


def test_case_punctuation_and_dashes_do_not_matter():
    taxonomy = _topic({"long context": 3, "text to image": 3}, min_score=3)
    assert _match(taxonomy, "LightTransfer: Your Long-Context LLM").terms == (
        "long context (title)",)
    assert _match(taxonomy, "x", "LONG   CONTEXT windows").terms == ("long context (abstract)",)
    assert _match(taxonomy, "x", "Text-to-Image (T2I) models").terms == (
        "text to image (abstract)",)
    assert _match(taxonomy, "x", "longer contexts") is None


def test_overlapping_terms_each_count():
    taxonomy = _topic({"agent*": 1, "agentic": 1, "agentic rag": 1, "rag": 1}, min_score=1)
    match = _match(taxonomy, "x", "An agentic RAG system")
    assert (match.score, sorted(match.terms)) == (4.0, ["agent* (abstract)", "agentic (abstract)",
                                                        "agentic rag (abstract)",
                                                        "rag (abstract)"])


def test_topics_keep_taxonomy_order_and_a_paper_can_have_several():
    first = Topic("first", "First", "d", 3.0, (("mamba", 3.0),), ())
    second = Topic("second", "Second", "d", 3.0, (("speech", 3.0),), ())
    (paper,) = classify([_paper("Speech with Mamba")], Taxonomy((second, first)))
    assert paper.topics == ("second", "first")
    (paper,) = classify([_paper("Nothing here")], Taxonomy((second, first)))
    assert (paper.topics, paper.topic_matches) == ((), ())
