"""curation/topics.yml: the repository taxonomy, its schema errors, and how terms match.

The last tests read the real 2024 days (`../shared/real/api-2024/`) when they are beside
the repository, and skip otherwise: the share of unsorted papers, and the accuracy on the
labelled TEST2 sample of `benchmarks/data/topics_labelled.tsv` (labelled blind, never tuned
on) by the reader-oriented rule of `benchmarks/topics_labels.md`.
"""

from __future__ import annotations

import json
import shutil
import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from generator.catalog import build_catalog
from generator.model import Paper
from generator.readers import read_dump
from generator.textnorm import match_key, match_words
from generator.topics import Taxonomy, Topic, Umbrella, classify, load_taxonomy

REPO = Path(__file__).resolve().parents[1]
REPO_CURATION = REPO / "curation"
BAD = Path(__file__).parent / "fixtures" / "topics" / "bad"
CORPUS = REPO.parent / "shared" / "real" / "api-2024"
NO_CORPUS = f"the archive of real days is not beside the repository ({CORPUS.name} in " \
            "../shared/real/)"
# topic ids published before the 2024 revision: their pages and feeds have readers
PUBLISHED = ["efficient-attention", "efficient-inference", "architecture-and-training",
             "state-space-models", "vision", "visual-generation", "3d-and-motion", "multimodal",
             "language-models", "fine-tuning-and-adaptation", "agents",
             "evolutionary-and-automated-design", "reinforcement-learning",
             "theory-and-interpretability", "time-series", "graphs-and-molecules",
             "science-and-medicine", "speech-and-audio", "code", "surveys"]


def _paper(title: str, abstract: str = "", keywords: tuple[str, ...] = ()) -> Paper:
    return Paper(id="p", title=title, abstract=abstract, arxiv_id=None, authors=(),
                 title_variants=(title,), sources=(), first_seen="2024-01-01",
                 last_seen="2024-01-01", keywords=keywords)


def _topic(include: dict[str, float], exclude: dict[str, float] | None = None,
           min_score: float = 3.0, **weights: float) -> Taxonomy:
    topic = Topic("t", "T", "A test topic.", min_score, tuple(include.items()),
                  tuple((exclude or {}).items()))
    return Taxonomy((topic,), title_weight=2.0, **weights)


def _match(taxonomy: Taxonomy, title: str, abstract: str = "", keywords: tuple[str, ...] = ()):
    (paper,) = classify([_paper(title, abstract, keywords)], taxonomy)
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


def test_repository_taxonomy_has_at_most_30_described_topics(repo_taxonomy):
    assert 12 <= len(repo_taxonomy.topics) <= 30
    for topic in repo_taxonomy.topics:
        assert topic.title and len(topic.description) > 100 and topic.include


def test_every_published_topic_id_is_kept(repo_taxonomy):
    ids = [t.id for t in repo_taxonomy.topics]
    assert [t for t in PUBLISHED if t not in ids] == []


def test_seed_catalog_is_sorted_without_spamming_topics(classified):
    counts = [len(p.topics) for p in classified]
    unsorted = [p.title for p in classified if not p.topics]
    assert len(unsorted) < 0.03 * len(classified), unsorted
    assert statistics.median(counts) <= 2
    many = [p.title for p in classified if len(p.topics) > 4]
    assert len(many) < 0.05 * len(classified) and max(counts) <= 6, many


def test_every_published_topic_has_seed_papers(classified):
    used = {t for p in classified for t in p.topics}
    assert [t for t in PUBLISHED if t not in used] == []


def test_no_term_of_the_repository_taxonomy_is_hidden_by_another(repo_taxonomy):
    # Each term must count for its topic in its own words, even next to overlapping terms
    # ("agent*" and "agentic", "language model*" and "large language model*", "vlm" and
    # its plural): a term that a longer or weightier one always hides does nothing.
    reporting = replace(repo_taxonomy, side_share=0.0, max_topics=0, topics=tuple(
        replace(t, min_score=float("-inf"), umbrella=None, yields_to=(),
                  side_share=None) for t in repo_taxonomy.topics))
    hidden = []
    for topic in repo_taxonomy.topics:
        for term, weight in (*topic.include, *topic.exclude):
            if weight == 0:  # says "these words mean nothing here": never shown
                continue
            text = match_key(term.removeprefix("*").removesuffix("*"))
            (paper,) = classify([_paper(text)], reporting)
            (match,) = [m for m in paper.topic_matches if m.topic == topic.id]
            if f"{'-' if (term, weight) in topic.exclude else ''}{term} (title)" \
                    not in match.terms:
                hidden.append(f"{topic.id}: {term}")
    assert hidden == []


KNOWN = [
    ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
     "state-space-models", "*mamba (title, abstract ×4)"),
    ("iTransformer: Inverted Transformers Are Effective for Time Series Forecasting",
     "time-series", "time series (title, abstract ×2)"),
    ("PixelDiT: Pixel Diffusion Transformers for Image Generation",
     "visual-generation", "diffusion transformer* (title, abstract)"),
    ("Neural Speech Synthesis with Transformer Network", "speech-and-audio",
     "speech synthesis (title)"),
    ("Point-BERT: Pre-training 3D Point Cloud Transformers with Masked Point Modeling",
     "3d-and-motion", "point cloud* (title, abstract ×8)"),
    ("TransUNet: Transformers Make Strong Encoders for Medical Image Segmentation",
     "science-and-medicine", "medical (title, abstract ×5)"),
    ("Agentless: Demystifying LLM-based Software Engineering Agents",
     "code", "software engineering (title)"),
    ("Agentless: Demystifying LLM-based Software Engineering Agents",
     "language-models", "llm* (title, abstract ×3)"),
    ("Fast Inference from Transformers via Speculative Decoding",
     "efficient-inference", "speculative decoding (title, abstract)"),
]


@pytest.mark.parametrize(("title", "topic", "term"), KNOWN,
                         ids=[f"{t}-{n}" for n, (_, t, _) in enumerate(KNOWN)])
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
    assert "robotics" in paper.topics
    assert "visual-generation" not in paper.topics


@pytest.mark.parametrize(("title", "abstract", "topics"), [
    # 'diffusion' of diffusion language models is not image generation
    ("Simple and Effective Masked Diffusion Language Models",
     "We train masked diffusion language models that match autoregressive ones on "
     "language modeling benchmarks.", ("language-models",)),
    # 'language model' inside 'vision-language models' is not a text language model
    ("Visual prompts for vision-language models",
     "We study how vision-language models (VLMs) read visual prompts, and how VLMs fail.",
     ("multimodal",)),
    # an RL-trained LLM stays a language-model paper, and RL
    ("Training Language Models to Self-Correct via Reinforcement Learning",
     "We train large language models (LLMs) with multi-turn online reinforcement learning "
     "(RL) to correct their own mistakes on math; LLMs improve on MATH.",
     ("language-models", "reasoning", "reinforcement-learning")),
    # editing and talking faces are visual generation
    ("Audio-driven talking head video with identity-preserving editing",
     "We animate a portrait into a talking head video from speech audio.",
     ("visual-generation",)),
])
def test_repository_rules_on_the_misfires_of_the_old_taxonomy(repo_taxonomy, title,
                                                               abstract, topics):
    (paper,) = classify([_paper(title, abstract)], repo_taxonomy)
    assert paper.topics == topics, paper.topic_matches


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
    ("suffix_term_with_words.yml",
     [f"{F}:7: error: topics.0.include.*test suite: term '*test suite': a leading '*' needs "
      "one word and no trailing '*'"]),
    ("fractional_max_repeats.yml",
     [f"{F}:1: error: max_repeats: must be a whole number (got '1.5')"]),
    ("side_share_above_one.yml",
     [f"{F}:1: error: side_share: must be a number below 1 (got '1.5')",
      f"{F}:2: error: max_topics: must be a whole number (got 'three')",
      f"{F}:7: error: topics.0.side_share: must be a number below 1 (got '2')"]),
    ("umbrella_unknown_topic.yml",
     [f"{F}:12: error: topics.1.umbrella.over.0: unknown topic 'speach'; did you mean "
      "'speech'?",
      f"{F}:14: error: topics.1.umbrella.unless.0: 'text' cannot be an umbrella over itself"]),
    ("yields_to_unknown_topic.yml",
     [f"{F}:11: error: topics.1.yields_to.0: unknown topic 'speach'; did you mean 'speech'?",
      f"{F}:12: error: topics.1.yields_to.1: 'text' cannot yield to itself"]),
    ("umbrella_without_over.yml",
     [f"{F}:5: error: topics.0.umbrella: missing key 'over'",
      f"{F}:6: error: topics.0.umbrella: unknown key 'under'"]),
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
        "keyword_weight: 1.5\n"
        "repeat_weight: 0.25\n"
        "max_repeats: 4\n"
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
    assert (taxonomy.title_weight, taxonomy.keyword_weight, taxonomy.repeat_weight,
            taxonomy.max_repeats) == (3.0, 1.5, 0.25, 4)
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
    assert (in_title.score, in_title.terms) == (4.0, ("speech (title, abstract ×3)",))
    in_abstract = _match(taxonomy, "Synthesis", "Speech, speech and more speech.")
    assert (in_abstract.score, in_abstract.terms) == (2.0, ("speech (abstract ×3)",))


def test_further_mentions_in_the_abstract_add_repeat_weight_up_to_max_repeats():
    taxonomy = _topic({"speech": 2}, min_score=1, repeat_weight=0.5, max_repeats=2)
    scores = [_match(taxonomy, "x", " ".join(["speech."] * n)).score for n in (1, 2, 3, 5)]
    assert scores == [2.0, 3.0, 4.0, 4.0]
    # on top of a title match: the abstract mentions are all further mentions
    assert _match(taxonomy, "Speech", "speech. speech.").score == 6.0
    assert _match(taxonomy, "Speech", "speech. speech.").terms == ("speech (title, abstract ×2)",)


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


def test_the_words_of_a_term_stay_within_one_phrase():
    taxonomy = _topic({"text image": 3}, min_score=3)
    assert _match(taxonomy, "Text, Image, and 3D Conditions") is None
    assert _match(taxonomy, "x", "pairs of text. Image features") is None
    assert _match(taxonomy, "x", "text (image) pairs") is None
    assert _match(taxonomy, "x", "text-image pairs").terms == ("text image (abstract)",)
    assert _match(_topic({"gpt 3 5": 3}), "x", "GPT-3.5 answers") is not None  # not a full stop


def test_a_term_does_not_start_inside_a_hyphenated_compound():
    taxonomy = _topic({"language model*": 3, "agent*": 3}, min_score=3)
    assert _match(taxonomy, "Vision-Language Models are blind") is None
    assert _match(taxonomy, "x", "speech-language models and audio–language models") is None
    assert _match(taxonomy, "x", "a multi-agent system") is None
    assert _match(taxonomy, "x", "language-model agents").terms == (
        "agent* (abstract)", "language model* (abstract)")
    assert _match(taxonomy, "x", "GPT-4-based language models").terms == (
        "language model* (abstract)",)
    # words joined by a dash with spaces are not a compound
    assert _match(taxonomy, "x", "speech - language models") is not None
    # a compound that keeps the meaning is listed as its own term
    assert _match(_topic({"multi agent": 3}), "x", "a multi-agent system") is not None


def test_words_match_a_hyphenated_compound_as_separate_words():
    words, links = match_words("Vision–Language‑Models, GPT-4o (LLMs) and 3.5 - more")
    assert words == ["vision", "language", "models", "gpt", "4o", "llms", "and", "3", "5",
                     "more"]
    assert links == [",", "-", "-", ",", "-", "(", ")", " ", " ", ","]
    for text in ("PIXART-{\\delta} model", "α-helix ﬁne-tuning Ünïcode—dash", "a_b-c"):
        assert match_words(text)[0] == match_key(text).split()


def test_a_leading_star_matches_any_word_beginning_even_inside_a_compound():
    taxonomy = _topic({"*bench": 3}, min_score=3)
    for title in ("MMBench: all-round", "LAB-Bench: biology", "The bench", "SWE-bench Lite"):
        assert _match(taxonomy, title) is not None, title
    assert _match(taxonomy, "Benchmarks and benches") is None


def test_the_last_word_of_a_term_matches_its_plural():
    taxonomy = _topic({"vision language model": 3, "vlm": 3, "mesh": 3}, min_score=3)
    assert _match(taxonomy, "Vision-language models are blind").terms == (
        "vision language model (title)",)
    assert _match(taxonomy, "x", "VLMs and meshes").terms == ("mesh (abstract)",
                                                              "vlm (abstract)")
    # unless another term is that very word
    plural = _topic({"benchmark": 2, "benchmarks": 0.5}, min_score=0)
    assert _match(plural, "x", "on several benchmarks").terms == ("benchmarks (abstract)",)


def test_overlapping_terms_at_the_same_place_count_once_and_the_longest_wins():
    taxonomy = _topic({"agent*": 1, "agentic": 1, "agentic rag": 1, "rag": 1}, min_score=1)
    match = _match(taxonomy, "x", "An agentic RAG system")
    assert (match.score, match.terms) == (1.0, ("agentic rag (abstract)",))
    # the old double count: 'theoretical' inside 'theoretical analysis'
    theory = _topic({"theoretical": 1, "theoretical analysis": 1}, min_score=1)
    assert _match(theory, "x", "A theoretical analysis.").terms == (
        "theoretical analysis (abstract)",)
    # the same words elsewhere still count
    assert _match(theory, "x", "A theoretical analysis, theoretical bounds.").score == 2.0


def test_the_longest_term_of_any_topic_hides_the_shorter_ones():
    images = Topic("images", "Images", "d", 3.0, (("diffusion", 3.0),), ())
    text = Topic("text", "Text", "d", 3.0, (("language model*", 3.0),
                                             ("diffusion language model*", 3.0)), ())
    (paper,) = classify([_paper("Masked diffusion language models")], Taxonomy((images, text)))
    assert paper.topics == ("text",)
    assert paper.topic_matches[0].terms == ("diffusion language model* (title)",)


def test_a_word_in_brackets_after_a_term_is_the_same_mention():
    taxonomy = _topic({"large language model*": 1.5, "llm*": 1.5}, min_score=0)
    assert _match(taxonomy, "x", "Large language models (LLMs) are everywhere.").terms == (
        "large language model* (abstract)",)
    assert _match(taxonomy, "x", "Large language models (LLMs) are everywhere; LLMs "
                  "reason.").score == 3.0
    assert _match(taxonomy, "x", "we use (LLMs) here").terms == ("llm* (abstract)",)


def test_zero_weight_terms_hide_words_and_are_never_shown():
    taxonomy = _topic({"code": 3, "code is available": 0}, min_score=0)
    assert _match(taxonomy, "x", "Our code is available online.") is None
    assert _match(taxonomy, "Code generation", "Our code is available online.").terms == (
        "code (title)",)


def test_keywords_count_keyword_weight_times_in_their_best_field():
    taxonomy = _topic({"retrieval augmented generation": 2, "rag": 2}, min_score=3,
                      keyword_weight=1.5)
    match = _match(taxonomy, "A title", "An abstract about search.",
                   keywords=("retrieval-augmented generation", "long context"))
    assert (match.score, match.terms) == (3.0, ("retrieval augmented generation (keywords)",))
    # a term found in the title counts there; each keyword phrase is read on its own
    match = _match(taxonomy, "RAG for all", keywords=("rag",))
    assert match.terms == ("rag (title, keywords)",)
    assert _match(taxonomy, "x", keywords=("retrieval augmented", "generation")) is None


def test_api_ai_keywords_reach_the_paper_and_its_topics():
    record = {"paper": {"id": "2501.00001", "title": "A paper", "summary": "About search.",
                        "authors": [{"name": "A"}],
                        "ai_keywords": ["Retrieval-Augmented Generation", "RAG", "rag", 7,
                                        "x" * 300]},
              "publishedAt": "2025-01-02T00:00:00.000Z"}
    result = read_dump("2025-01-02_api.json", json.dumps([record]).encode())
    (entry,) = result.entries
    assert entry.keywords == ("Retrieval-Augmented Generation", "RAG", "rag")
    (paper,) = build_catalog([result]).papers
    assert paper.keywords == entry.keywords
    taxonomy = _topic({"retrieval augmented generation": 3})
    (classified,) = classify([paper], taxonomy)
    assert classified.topic_matches[0].terms == ("retrieval augmented generation (keywords)",)


def test_the_matcher_walks_a_long_text_in_linear_time():
    import time

    taxonomy, _ = load_taxonomy(REPO_CURATION)
    words = "large language models for vision-language retrieval augmented speech. "
    timings = []
    for repeat in (2000, 8000):
        start = time.perf_counter()
        classify([_paper("x", words * repeat)], taxonomy)
        timings.append(time.perf_counter() - start)
    assert timings[1] < 8 * timings[0] + 0.05


def test_topics_keep_taxonomy_order_and_a_paper_can_have_several():
    first = Topic("first", "First", "d", 3.0, (("mamba", 3.0),), ())
    second = Topic("second", "Second", "d", 3.0, (("speech", 3.0),), ())
    (paper,) = classify([_paper("Speech with Mamba")], Taxonomy((second, first)))
    assert paper.topics == ("second", "first")
    (paper,) = classify([_paper("Nothing here")], Taxonomy((second, first)))
    assert (paper.topics, paper.topic_matches) == ((), ())


# --- the decision layer ----------------------------------------------------------------------


def _three(**settings) -> Taxonomy:
    """Speech (strong), vision (weak) and text, for the decision layer."""
    speech = Topic("speech", "Speech", "d", 3.0, (("speech", 3.0), ("voice", 3.0)), ())
    vision = Topic("vision", "Vision", "d", 3.0, (("segmentation", 3.0),), ())
    text = Topic("text", "Text", "d", 3.0, (("llm", 1.5), ("language model", 3.0)), ())
    return Taxonomy((speech, vision, text), title_weight=2.0, repeat_weight=0.5, **settings)


LOUD = "Speech and voice. Speech, speech, voice, voice."  # speech: 3+3+2*1.5+2*1.5 = 12


def test_a_weak_topic_without_title_evidence_is_a_passing_mention():
    abstract = LOUD + " We also do segmentation."  # vision 3 < 0.3 * 12
    (kept,) = classify([_paper("A model", abstract)], _three())
    assert kept.topics == ("speech", "vision")
    (paper,) = classify([_paper("A model", abstract)], _three(side_share=0.3))
    assert paper.topics == ("speech",)
    # in the title, it is a subject of the paper, however weak
    (paper,) = classify([_paper("Segmentation", LOUD)], _three(side_share=0.3))
    assert paper.topics == ("speech", "vision")
    # strong enough relative to the best topic: kept
    (paper,) = classify([_paper("A model", "Speech. We do segmentation.")],
                        _three(side_share=0.3))
    assert paper.topics == ("speech", "vision")


def test_a_topic_may_set_its_own_passing_mention_share():
    abstract = "Speech and voice. We also do segmentation."  # speech 6, vision 3
    assert classify([_paper("A model", abstract)], _three(side_share=0.3))[0].topics == (
        "speech", "vision")
    base = _three(side_share=0.3)
    strict = replace(base, topics=(base.topics[0], replace(base.topics[1], side_share=0.7),
                                   base.topics[2]))
    assert classify([_paper("A model", abstract)], strict)[0].topics == ("speech",)
    # a title term still keeps it
    assert classify([_paper("Segmentation", abstract)], strict)[0].topics == (
        "speech", "vision")


def test_a_topic_yields_to_another_that_scores_at_least_as_much():
    base = _three()
    taxonomy = replace(base, topics=(base.topics[0], base.topics[1],
                                     replace(base.topics[2], yields_to=("speech",))))
    # text 3 <= speech 6: the paper is a speech paper that names a language model
    (paper,) = classify([_paper("x", "Speech and voice with a language model.")], taxonomy)
    assert paper.topics == ("speech",)
    # text outweighs speech: kept; and without speech, text stays
    (paper,) = classify([_paper("A language model", "An llm, then speech.")], taxonomy)
    assert paper.topics == ("speech", "text")
    (paper,) = classify([_paper("x", "A language model of segmentation.")], taxonomy)
    assert paper.topics == ("vision", "text")


def test_an_umbrella_topic_joins_the_topics_it_is_over_with_evidence_of_its_own():
    umbrella = Umbrella(over=("speech",), unless=("vision",), min_score=1.5)
    base = _three()
    taxonomy = replace(base, topics=(base.topics[0], base.topics[1],
                                     replace(base.topics[2], umbrella=umbrella)))
    (paper,) = classify([_paper("Speech", "An llm listens.")], taxonomy)
    assert paper.topics == ("speech", "text")
    (match,) = [m for m in paper.topic_matches if m.topic == "text"]
    assert (match.score, match.terms) == (1.5, ("llm (abstract)", "via Speech"))
    # not without evidence of its own, not outside the topics it is over, not when an
    # `unless` topic is there
    assert classify([_paper("Speech", "It listens.")], taxonomy)[0].topics == ("speech",)
    assert classify([_paper("Segmentation", "An llm looks.")], taxonomy)[0].topics == (
        "vision",)
    assert classify([_paper("Speech segmentation", "An llm.")], taxonomy)[0].topics == (
        "speech", "vision")
    # a topic reached on its own terms is no umbrella match
    (paper,) = classify([_paper("Speech", "A language model listens.")], taxonomy)
    assert paper.topic_matches[-1].terms == ("language model (abstract)",)


def test_a_paper_keeps_at_most_max_topics_title_evidence_first():
    title, abstract = "Segmentation", "Speech, speech, voice. An llm, a language model."
    (paper,) = classify([_paper(title, abstract)], _three())
    assert paper.topics == ("speech", "vision", "text")
    (paper,) = classify([_paper(title, abstract)], _three(max_topics=2))
    # vision has the title; of the others, speech scores highest
    assert paper.topics == ("speech", "vision")


def test_a_paper_in_no_topic_goes_to_its_best_topic_above_the_fallback_score():
    abstract = "An llm, an llm. We also mention segmentation, briefly."  # text 2.25, vision 3
    weak = "An llm and another llm."  # text 2.25
    assert classify([_paper("x", weak)], _three())[0].topics == ()
    (paper,) = classify([_paper("x", weak)], _three(fallback_score=2.0))
    assert paper.topics == ("text",)
    assert paper.topic_matches[0].terms == ("llm (abstract \u00d72)",)
    assert classify([_paper("x", weak)], _three(fallback_score=2.5))[0].topics == ()
    # only for papers in no topic at all
    assert classify([_paper("x", abstract)], _three(fallback_score=2.0))[0].topics == (
        "vision",)


def test_the_decision_settings_and_umbrellas_are_read_from_the_file(tmp_path):
    (tmp_path / "topics.yml").write_text(
        "side_share: 0.25\n"
        "max_topics: 3\n"
        "fallback_score: 2.5\n"
        "topics:\n"
        "  - id: speech\n"
        "    title: Speech\n"
        "    description: Speech.\n"
        "    include:\n"
        "      speech: 3\n"
        "  - id: text\n"
        "    title: Text\n"
        "    description: Text.\n"
        "    umbrella:\n"
        "      over:\n"
        "        - speech\n"
        "      min_score: 1.5\n"
        "    yields_to:\n"
        "      - speech\n"
        "    side_share: 0.5\n"
        "    include:\n"
        "      llm: 3\n")
    taxonomy, problems = load_taxonomy(tmp_path)
    assert problems == []
    assert (taxonomy.side_share, taxonomy.max_topics, taxonomy.fallback_score) == (0.25, 3, 2.5)
    assert taxonomy.topics[0].umbrella is None
    assert taxonomy.topics[1].umbrella == Umbrella(("speech",), (), 1.5)
    assert (taxonomy.topics[0].yields_to, taxonomy.topics[0].side_share) == ((), None)
    assert (taxonomy.topics[1].yields_to, taxonomy.topics[1].side_share) == (("speech",), 0.5)


def test_the_judging_rules_of_the_labelled_samples():
    from benchmarks.bench_topics import Label, judge

    label = Label("x", "dev", gold=frozenset({"a", "b"}), main=frozenset({"a"}),
                  either=frozenset({"e"}), reason="")
    cases = [({"a"}, "fully", "partly"), ({"a", "b"}, "fully", "fully"),
             ({"a", "b", "e"}, "fully", "fully"), ({"a", "x"}, "partly", "partly"),
             ({"b"}, "partly", "partly"), ({"e"}, "wrong", "wrong"), (set(), "wrong", "wrong")]
    for assigned, reader, strict in cases:
        assert judge(frozenset(assigned), label, "reader") == reader, assigned
        assert judge(frozenset(assigned), label, "strict") == strict, assigned


# --- the real 2024 corpus --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_papers():
    if not CORPUS.is_dir():
        pytest.skip(NO_CORPUS)
    from benchmarks.bench_topics import load_papers

    return load_papers(CORPUS)


def test_at_most_3_percent_of_the_real_2024_papers_are_unsorted(real_papers, repo_taxonomy):
    classified = classify(real_papers, repo_taxonomy)
    unsorted = [p.title for p in classified if not p.topics]
    assert len(unsorted) <= 0.03 * len(classified), unsorted


def _reported_verdicts(real_papers, repo_taxonomy) -> dict[str, str]:
    """Reader-oriented verdicts on the TEST2 sample (labelled blind, never tuned on)."""
    from benchmarks.bench_topics import REPORTED, check_labels, judge, load_labels

    labels = load_labels()
    check_labels(labels, real_papers, {t.id for t in repo_taxonomy.topics})
    assigned = {p.arxiv_id: frozenset(p.topics) for p in classify(real_papers, repo_taxonomy)}
    verdicts = {x.arxiv_id: judge(assigned[x.arxiv_id], x, "reader") for x in labels.values()
                if x.split == REPORTED}
    assert len(verdicts) == 60
    return verdicts


def test_the_labelled_test_sample_is_no_worse_than_measured(real_papers, repo_taxonomy):
    """A floor, not the goal: the TEST2 scores after the second revision of the rules
    (2026-12-02; benchmarks/README.md)."""
    verdicts = list(_reported_verdicts(real_papers, repo_taxonomy).values())
    assert verdicts.count("fully") >= 38 and verdicts.count("wrong") <= 4, verdicts


@pytest.mark.xfail(strict=True, reason="the goal is not met yet: TEST2 is 38/60 fully right "
                   "and 4 wrong by the reader-oriented rule, while the samples tuned on "
                   "(DEV, TEST, TRAIN, TRAIN2, TRAIN3) are at 263/300 (benchmarks/README.md, "
                   "Topics); remove this mark when the rules reach it")
def test_the_labelled_test_sample_is_sorted_right(real_papers, repo_taxonomy):
    """The goal of the topics issue on TEST2 (labelled blind, never tuned on): >= 90% fully
    right and none wrong, by the reader-oriented rule of `benchmarks/topics_labels.md` (the
    paper is under its main topics, and every topic shown fits it)."""
    verdicts = _reported_verdicts(real_papers, repo_taxonomy)
    wrong = [i for i, v in verdicts.items() if v == "wrong"]
    fully = sum(v == "fully" for v in verdicts.values())
    assert wrong == [] and fully >= 0.9 * len(verdicts), (fully, len(verdicts), wrong)
