"""Mentions: which indexed paper an abstract names, rule by rule, and measured against
the labelled links of the real 2024 stream."""

from __future__ import annotations

import pytest

from generator.mentions import mentions, paper_name
from generator.model import Paper

from conftest import REPO

FILLER = ("We study a problem that matters and report results on several benchmarks, "
          "with ablations of each component and an analysis of the failure cases. ")


def paper(pid: str, title: str, abstract: str = FILLER, arxiv: str = "2406.00001") -> Paper:
    return Paper(id=pid, title=title, abstract=abstract, arxiv_id=arxiv, authors=(),
                 title_variants=(), sources=(), first_seen="d", last_seen="d")


def links(target_title: str, source_abstract: str, *, target_arxiv: str = "2406.00002",
          source_title: str = "A Source Paper About Something Else", others: int = 40,
          ordinary: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What the source links to, in a corpus of filler papers (some writing `ordinary`
    words in lower case, as real abstracts do)."""
    corpus = [paper("target", target_title, arxiv=target_arxiv),
              paper("source", source_title, source_abstract, arxiv="2406.00003")]
    corpus += [paper(f"filler-{k}", f"Filler Paper Number {k}",
                     FILLER + " ".join(ordinary), arxiv="2406.00004") for k in range(others)]
    return mentions(corpus)[0]["source"]


@pytest.mark.parametrize("title, name", [
    ("PIXART-δ: Fast and Controllable Image Generation", "PIXART-δ"),
    ("Gemma 2: Improving Open Language Models at a Practical Size", "Gemma 2"),
    ("Video-MME: The First-Ever Comprehensive Evaluation Benchmark", "Video-MME"),
    ("VBench++: Comprehensive and Versatile Benchmark Suite", "VBench++"),
    ("Transfusion: Predict the Next Token and Diffuse Images", None),  # a plain word
    ("CAT: Content-Adaptive Tokenizer", None),  # a short acronym
    ("V^3: Viewing Volumetric Videos", None),  # too short even with a digit
    ("A Survey on Transformers: Past and Future", None),  # a phrase
    ("Scaling Laws for Neural Language Models", None),  # no colon
])
def test_paper_name(title, name):
    assert paper_name(title) == name


def test_a_name_that_is_an_ordinary_word_is_matched_in_its_own_case_only():
    target = "LiFT: Leveraging Human Feedback for Text-to-Video Model Alignment"
    assert links(target, "We lift the video to 4D with Gaussian splats.",
                 ordinary=("lift",)) == ()
    assert links(target, "We align with LiFT, the human-feedback method.",
                 ordinary=("lift",)) == ("target",)


def test_a_phrase_of_ordinary_words_is_not_a_name():
    assert links("Agent AI: Surveying the Horizons of Multimodal Interaction",
                 "We build an Agent AI with LangGraph for translation.",
                 ordinary=("agent",)) == ()


def test_acronyms_are_matched_in_their_own_case():
    target = "BRIGHT: A Realistic and Challenging Benchmark for Reasoning-Intensive Retrieval"
    assert links(target, "Bright reflections on glass confuse the depth model.") == ()
    assert links(target, "We evaluate on BRIGHT and beat dense retrievers.") == ("target",)


@pytest.mark.parametrize("text", [
    "We build on Gemma 2 and fine-tune it.",
    "We build on Gemma-2 and fine-tune it.",
    "We build on Gemma2 and fine-tune it.",
    "We fine-tune Gemma-2-9b-it on our data.",  # a size and a variant of the release
])
def test_spellings_and_sizes_of_the_same_release_name_it(text):
    assert links("Gemma 2: Improving Open Language Models at a Practical Size",
                 text) == ("target",)


@pytest.mark.parametrize("target, text", [
    ("VBench++: Comprehensive and Versatile Benchmark Suite", "We report the VBench score."),
    ("VBench: Comprehensive Benchmark Suite for Video Models", "We report VBench++ scores."),
    ("MeshAnything: Artist-Created Mesh Generation", "We compare with MeshAnything V2."),
    ("T2V-Turbo: Breaking the Quality Bottleneck", "We distil T2V-Turbo-v2 further."),
    ("Qwen2: A Family of Open Models", "We fine-tune Qwen2.5 on math."),
])
def test_another_version_is_not_the_paper(target, text):
    assert links(target, text) == ()


@pytest.mark.parametrize("target, text", [
    ("TARS: Planning Agents for User Interfaces", "We compare against UI-TARS-7B."),
    ("SIGMA: Sinkhorn-Guided Masked Autoencoders", "We fine-tune PixArt-Sigma on it."),
    ("OPUS: Occupancy Prediction Using a Sparse Set", "We query claude-opus for labels."),
])
def test_part_of_a_longer_name_is_not_the_paper(target, text):
    assert links(target, text) == ()


@pytest.mark.parametrize("text", [
    "To this end, we introduce GFlow, a framework that lifts videos to 4D.",
    "We propose a new benchmark, GFlow, for 4D reconstruction.",
    "We design a method dubbed GFlow that lifts videos to 4D.",
    "We build an agent called Gaussian Flow Model (GFlow). GFlow keeps memories.",
])
def test_an_abstract_naming_its_own_new_artifact_is_not_a_mention(text):
    assert links("GFlow: Recovering 4D World from Monocular Video", text) == ()


def test_a_baseline_after_a_verb_of_its_own_is_still_a_mention():
    assert links("GFlow: Recovering 4D World from Monocular Video",
                 "We propose a simpler method and compare with GFlow on DAVIS.") == ("target",)


def test_a_paper_two_months_newer_is_a_namesake():
    text = "It runs 20 times faster than TokenFlow on one GPU."
    title = "TokenFlow: Unified Image Tokenizer for Understanding and Generation"
    assert links(title, text, target_arxiv="2408.00001") == ()  # two months after 2406
    assert links(title, text, target_arxiv="2407.00001") == ("target",)  # one: released first
    assert links(title, text, target_arxiv="2312.00001") == ("target",)


def test_two_papers_of_one_name_are_named_by_neither():
    corpus = [paper("a", "Ferret: Refer and Ground Anything"),
              paper("b", "Ferret: Faster Effective Reinforcement Learning"),
              paper("s", "Source", "We compare with Ferret on grounding.")]
    assert mentions(corpus)[0]["s"] == ()


def test_a_name_in_too_many_abstracts_is_generic():
    target = paper("t", "MoE-X: Mixtures of Experts at Scale")
    corpus = [target] + [paper(f"s{k}", f"Source {k}", "We use MoE-X layers.")
                         for k in range(5)]
    out, back = mentions(corpus)
    assert back["t"] == ()  # five of six abstracts: more than the limit (3)
    corpus = [target] + [paper(f"s{k}", f"Source {k}", "We use MoE-X layers." if k < 2
                               else FILLER) for k in range(5)]
    out, back = mentions(corpus)
    assert back["t"] == ("s0", "s1")
    assert out["s0"] == ("t",) and out["t"] == ()


# --- measured on the real stream ---------------------------------------------------------


def test_precision_and_recall_on_the_labelled_real_links():
    """The goal of the issue that built the measure: precision >= 0.95 with recall >= 0.70
    on the held-out half (`benchmarks/bench_mentions.py`; tuned on the other half)."""
    from benchmarks.bench_mentions import load_labels, predicted_links, table
    from benchmarks.real_corpus import REAL, load_papers

    if not REAL.is_dir():
        pytest.skip("the real 2024 corpus (../shared/real/api-2024) is not beside the checkout")
    labels = load_labels()
    assert len(labels) >= 150
    rows = {row.name: row for row in table(labels, predicted_links(load_papers(), mentions))}
    test = rows["test"]
    assert test.predicted >= 20  # precondition: the matcher links something
    assert test.precision >= 0.95 and test.recall >= 0.70, test


def test_mentions_read_on_two_cores_are_the_ones_one_core_finds():
    """A build whose related papers take little reads half the abstracts on another core
    (`links.linked`): the same links, on the real papers when they are beside the
    repository, else on the seed corpus."""
    from generator.pipeline import make_catalog, read_inputs
    from generator.progress import Progress

    real = REPO.parent / "shared" / "real" / "api-2024"
    quiet = Progress(quiet=True)
    catalog, _ = make_catalog(read_inputs(real if real.is_dir() else REPO / "dumps",
                                          REPO / "curation", quiet), quiet)
    one = mentions(catalog.papers)
    assert sum(1 for v in one[0].values() if v) > 20
    assert mentions(catalog.papers, halves=True) == one


def _real_papers() -> list[Paper]:
    from generator.pipeline import make_catalog, read_inputs
    from generator.progress import Progress

    real = REPO.parent / "shared" / "real" / "api-2024"
    quiet = Progress(quiet=True)
    catalog, _ = make_catalog(read_inputs(real if real.is_dir() else REPO / "dumps",
                                          REPO / "curation", quiet), quiet)
    return sorted(catalog.papers, key=lambda p: (p.first_seen, p.id))


def test_mentions_from_the_last_build_are_the_ones_read_afresh(monkeypatch):
    """A build starts from what the last one read (`mentions_kept`): new days, papers gone,
    an abstract and a title changed, two papers with one abstract, another order. Each
    time the links and what is kept for the next build are those of reading everything,
    and an update reads only the new abstracts in full."""
    from dataclasses import replace

    import generator.mentions as m

    papers = _real_papers()
    assert len(papers) > 300  # precondition: a corpus with names and mentions
    days = sorted({p.first_seen for p in papers})
    older = [p for p in papers if p.first_seen < days[-3]]
    assert 0 < len(papers) - len(older) < len(papers) // 5

    def same_as_afresh(corpus, seen):
        out, back, kept = m.mentions_kept(corpus, False, seen)
        assert (out, back, kept) == m.mentions_kept(corpus, False), "differs from afresh"
        return out, kept

    read: list[str] = []
    real_read = m._read

    def counting(abstract, *args):
        read.append(abstract)
        return real_read(abstract, *args)

    # an older abstract that starts with a name only a new paper has
    first = older[7]
    older[7] = replace(first, abstract="Qwertyuiop-7 is what we compare with. " + first.abstract)
    papers[papers.index(first)] = older[7]
    papers.append(replace(papers[-1], id="qwertyuiop", title="Qwertyuiop-7: A New Thing",
                          arxiv_id=first.arxiv_id))
    *_, seen = m.mentions_kept(older)
    monkeypatch.setattr(m, "_read", counting)
    m.mentions_kept(papers, False, seen)
    monkeypatch.setattr(m, "_read", real_read)
    # the new abstracts, and the older ones that hold a new name's key
    assert 0 < len(read) < 2 * (len(papers) - len(older))
    out, seen = same_as_afresh(papers, seen)
    assert sum(1 for v in out.values() if v) > 20  # precondition: links to keep
    assert out[first.id] == ("qwertyuiop",)  # an older abstract names a new paper

    # a named paper renamed, one that is mentioned gone, an abstract that now names it
    named = [p for p in papers if m.paper_name(p.title) and any(p.id in v for v in out.values())]
    assert len(named) >= 3  # precondition
    renamed, gone, kept_name = named[0], named[1], named[2]
    source = next(p for p in papers if not out[p.id] and p.id not in {
        renamed.id, gone.id, kept_name.id} and (p.arxiv_id or "") >= (kept_name.arxiv_id or ""))
    name = m.paper_name(kept_name.title)
    edited = {renamed.id: replace(renamed, title="Zyxwvut-9: " + renamed.title.split(":", 1)[1]),
              source.id: replace(source, abstract=source.abstract + f" We compare with {name}.")}
    changed = [edited.get(p.id, p) for p in papers if p.id != gone.id]
    twin = changed[5]
    changed[6] = replace(changed[6], abstract=twin.abstract)  # two papers, one abstract
    changed.reverse()
    out2, seen2 = same_as_afresh(changed, seen)
    assert kept_name.id in out2[source.id]  # precondition: the edit made a mention
    assert all(gone.id not in v for v in out2.values())
    assert all(renamed.id not in v for v in out2.values())
    same_as_afresh(papers, seen2)  # and back
