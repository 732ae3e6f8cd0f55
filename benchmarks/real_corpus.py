"""The real 2024 days of the Daily Papers API beside the checkout (`../shared/real/api-2024`,
1,984 papers), read and merged as the pipeline does: the corpus of the labelled benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real" / "api-2024"


def load_papers(folder: Path = REAL) -> tuple:
    """The deduplicated papers of the real corpus, as the pipeline builds them."""
    sys.path.insert(0, str(REPO))
    from generator.catalog import build_catalog
    from generator.readers import list_dumps, read_all

    if not folder.is_dir():
        raise SystemExit(f"{folder}: the real corpus is missing (expected beside the repository "
                         "as ../shared/real/api-2024)")
    return build_catalog(read_all(list_dumps(folder))).papers
