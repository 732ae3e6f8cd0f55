"""Golden test: a small mixed corpus renders to exactly the committed files.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended change, then
review the diff.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import replace
from pathlib import Path

from generator.catalog import build_catalog
from generator.links import link
from generator.readers import list_dumps, read_all
from generator.render import SiteInput, build_site_model
from generator.topics import classify, load_taxonomy

HERE = Path(__file__).parent / "fixtures" / "golden"
EXPECTED = HERE / "expected"


def _model():
    catalog = build_catalog(read_all(list_dumps(HERE / "dumps")))
    taxonomy, problems = load_taxonomy(HERE)
    assert problems == []
    catalog = replace(catalog, papers=classify(catalog.papers, taxonomy))
    return build_site_model(SiteInput(catalog, taxonomy, link(catalog.papers),
                                      "https://example.org/index/"))


def test_golden_site_model():
    model = _model()
    produced = {f"docs/{path}": text for path, text in model.docs}
    produced |= {f"files/{path}": text for path, text in model.files}
    # the search index's gzip JSON, unpacked and indented so that a change reads well
    produced |= {f"search-index/{path.removesuffix('.gz')}":
                 json.dumps(json.loads(gzip.decompress(data)), ensure_ascii=False, indent=1,
                            sort_keys=True) + "\n"
                 for path, data in model.search}
    if os.environ.get("UPDATE_GOLDEN"):
        for path, text in produced.items():
            target = EXPECTED / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    expected = {p.relative_to(EXPECTED).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(EXPECTED.rglob("*")) if p.is_file()}
    assert sorted(produced) == sorted(expected)
    for path, text in produced.items():
        assert text == expected[path], path


def test_golden_corpus_merges():
    catalog = build_catalog(read_all(list_dumps(HERE / "dumps")))
    by_id = {p.id: p for p in catalog.papers}
    assert sorted(by_id) == [
        "a-survey-on-transformers-in-reinforcement-learning",
        "adaptive-token-sampling-for-efficient-vision-transformers",
        "pixart-delta-fast-and-controllable-image-generation-with-latent-consistency",
        "transformers-in-reinforcement-learning-a-survey",
        "vision-transformers-need-registers",
    ]
    pixart = by_id["pixart-delta-fast-and-controllable-image-generation-with-latent-consistency"]
    assert pixart.arxiv_id == "2401.05252"
    assert pixart.authors == ("Junsong Chen", "Yue Wu")
    assert "2401.05252" in pixart.aliases
    registers = by_id["vision-transformers-need-registers"]
    assert [(s.dump, s.line, s.match) for s in registers.sources] == [
        ("2024-03-17_daily.txt", 7, "first"), ("2024-03-19_api.json", 21, "same-title")]
    assert registers.title == "Vision Transformers need registers"  # from the API record
    assert registers.title_variants == ("Vision Transformers Need Registers",)
