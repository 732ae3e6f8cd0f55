"""curation/duplicates.yml: strict YAML, schema, meaning, and its effect on the catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import strict_yaml
from generator.catalog import build_catalog, ordered_entries
from generator.curation import constraints_for, load_curation

BAD = Path(__file__).parent / "fixtures" / "curation" / "bad"

EXPECTED = [
    ("anchor.yml", ["curation/duplicates.yml:2: error: anchors are not allowed (&t)"]),
    ("bad_arxiv.yml",
     ["curation/duplicates.yml:2: error: not an arXiv id (got 'arxiv:2401.1')"]),
    ("complex_key.yml", ["curation/duplicates.yml:2: error: keys must be plain strings"]),
    ("contradiction.yml", ["curation/duplicates.yml:2: error: this 'same' rule joins papers "
                           "that a 'different' rule keeps apart"]),
    ("duplicate_key.yml",
     ["curation/duplicates.yml:4: error: duplicate key 'same' (first on line 1)"]),
    ("duplicate_key_nested.yml",
     ["curation/duplicates.yml:4: error: duplicate key 'note' (first on line 3)"]),
    ("invalid_yaml.yml", ["curation/duplicates.yml:2: error: invalid YAML: expected the node "
                          "content, but found '<stream end>'"]),
    ("python_tag.yml", ["curation/duplicates.yml:2: error: explicit tags are not allowed "
                        "(!!python/object:os.system)"]),
    ("too_few_and_missing_note.yml",
     ["curation/duplicates.yml:2: error: same.0.titles: needs at least 2 items",
      "curation/duplicates.yml:2: error: same.0: missing key 'note'"]),
    ("unknown_key.yml", ["curation/duplicates.yml:4: error: same.0: unknown key 'reason'"]),
    ("unknown_section.yml", ["curation/duplicates.yml:1: error: unknown key 'merge'"]),
    ("unknown_title.yml", [
        "curation/duplicates.yml:2: error: no dump has a paper with this title; did you mean "
        "'Universal Transformers' or 'An Evolved Universal Transformer Memory' or "
        "'MoEUT: Mixture-of-Experts Universal Transformers' (got 'Universal Transformer')"]),
]


def _problems(folder: Path, entries) -> list[str]:
    curation, problems = load_curation(folder)
    _, more = constraints_for(curation, entries)
    return [p.format() for p in [*problems, *more]]


def test_every_bad_fixture_has_an_expected_message():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(name for name, _ in EXPECTED)


@pytest.mark.parametrize(("name", "messages"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_bad_curation_file(name, messages, seed_results, tmp_path):
    shutil.copy(BAD / name, tmp_path / "duplicates.yml")
    assert _problems(tmp_path, ordered_entries(seed_results)) == messages


def test_scalars_stay_strings():
    node = strict_yaml.load("a: 2401.10000\nb: no\nc: 0123\nd: ~\ne: 1e3\n")
    assert node.plain() == {"a": "2401.10000", "b": "no", "c": "0123", "d": "~", "e": "1e3"}


def test_oversized_file_is_refused():
    with pytest.raises(strict_yaml.YamlError, match="larger than 256 KiB"):
        strict_yaml.load("a: " + "x" * (300 * 1024))


def test_repository_curation_is_valid_and_keeps_the_surveys_apart(seed_results):
    repo_curation = Path(__file__).resolve().parents[1] / "curation"
    entries = ordered_entries(seed_results)
    curation, problems = load_curation(repo_curation)
    constraints, more = constraints_for(curation, entries)
    assert problems == [] and more == []
    assert len(constraints.apart) == 1


def test_curated_merge_changes_the_catalog(seed_results, tmp_path):
    (tmp_path / "duplicates.yml").write_text(
        "same:\n"
        "  - titles:\n"
        "      - Universal Transformers\n"
        "      - 'MoEUT: Mixture-of-Experts Universal Transformers'\n"
        "    note: pretend they are one paper\n", encoding="utf-8")
    entries = ordered_entries(seed_results)
    curation, problems = load_curation(tmp_path)
    constraints, more = constraints_for(curation, entries)
    assert problems == [] and more == []
    catalog = build_catalog(seed_results, constraints, entries)
    assert len(catalog.papers) == 348
    merged = next(p for p in catalog.papers if p.id == "universal-transformers")
    assert "curation" in {s.match for s in merged.sources}
    assert "moeut-mixture-of-experts-universal-transformers" in merged.aliases
