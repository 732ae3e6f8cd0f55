"""Cross-links between papers, precomputed at build time.

* related papers: the nearest neighbours by TF-IDF cosine similarity of title and
  abstract (`tfidf.py`, scikit-learn's weights) plus a small bonus for shared topics
  (see `related_papers`);
  candidates come from an inverted index of each paper's most specific terms, so the
  cost stays far below all pairs at 50k papers;
* mentions: another indexed paper whose *name* an abstract uses (`mentions.py`).

Measured against labelled related papers of the 2024 stream: `benchmarks/bench_related.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import background
from .mentions import mentions
from .model import Paper
from .tfidf import tfidf

RELATED = 5
MIN_SIMILARITY = 0.05  # a link needs at least this TF-IDF cosine, topics or not
TOPIC_WEIGHT = 0.1  # bonus for the Jaccard overlap of the two papers' topics (tuned on dev)
BLOCK = 512  # rows of the candidate product at a time
TOP_TERMS = 24  # a paper is indexed under its heaviest terms...
MAX_TERM_PAPERS = 1000  # ...that are in at most this many papers
CANDIDATES = 120  # best candidates by the pruned index, re-scored exactly


@dataclass(frozen=True)
class Links:
    related: dict[str, tuple[tuple[str, float], ...]]  # id -> ((id, similarity), ...)
    mentions: dict[str, tuple[str, ...]]  # id -> ids its abstract names
    mentioned_by: dict[str, tuple[str, ...]]


def related_papers(papers: Sequence[Paper], k: int = RELATED
                   ) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each paper's k most related papers, best first: `(id, score)`, score in [0, 1].

    score = cosine + TOPIC_WEIGHT * topic Jaccard (shown capped at 1), where cosine is
    that of the TF-IDF vectors of "title title abstract" (English stop words dropped,
    sublinear tf, terms in more than half the papers dropped) and the topic Jaccard is
    |shared topics| / |topics of either|: a pair without shared topics scores its cosine,
    as before topics counted. A pair whose cosine is under MIN_SIMILARITY is never
    linked. Ties go to the smaller id, so the output depends only on the papers (but for
    an exact tie at the index's cut-off below, which goes by position).

    Candidates: every paper is indexed under its TOP_TERMS heaviest terms found in at
    most MAX_TERM_PAPERS papers; the index gives each paper its CANDIDATES best
    neighbours by the pruned dot product (work bounded by n * TOP_TERMS *
    MAX_TERM_PAPERS, not n^2), and those are scored exactly as above. Corpora of one
    block or less use every term (all pairs are cheap there).
    """
    if len(papers) < 2:
        return {p.id: () for p in papers}
    import numpy as np

    matrix = tfidf([f"{p.title} {p.title} {p.abstract}" for p in papers],
                   max_df=0.5 if len(papers) > 20 else 1.0)
    if matrix is None:  # no paper has a word that is not a stop word
        return {p.id: () for p in papers}
    n = len(papers)
    rows, cols = _candidates(matrix, min(CANDIDATES, n - 1))
    cosine = _pair_dots(matrix, rows, cols)
    shared = _topic_overlap(papers, rows, cols)
    score = np.round(cosine.astype(np.float64) + TOPIC_WEIGHT * shared, 4)
    ok = cosine >= MIN_SIMILARITY
    rows, cols, score = rows[ok], cols[ok], score[ok]
    ids = [p.id for p in papers]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(np.array(ids), kind="stable")] = np.arange(n)
    order = np.lexsort((rank[cols], -score, rows))  # by paper, best first, ties by id
    rows, cols, score = rows[order], cols[order], score[order]
    first = np.searchsorted(rows, np.arange(n + 1))
    result: dict[str, tuple[tuple[str, float], ...]] = {}
    for i in range(n):
        lo, hi = first[i], min(first[i + 1], first[i] + k)
        result[ids[i]] = tuple((ids[j], float(s)) for j, s in
                               zip(cols[lo:hi].tolist(),
                                   np.minimum(score[lo:hi], 1.0).tolist(), strict=True))
    return result


def _topic_overlap(papers: Sequence[Paper], rows, cols):
    """Jaccard of the topic sets of papers rows[t] and cols[t], on bit masks."""
    import numpy as np

    names = sorted({t for p in papers for t in p.topics})
    if not names:
        return np.zeros(len(rows), dtype=np.float32)
    bit = {name: b for b, name in enumerate(names)}
    words = (len(names) + 63) // 64
    masks = np.zeros((len(papers), words), dtype=np.uint64)
    for i, p in enumerate(papers):
        for t in p.topics:
            masks[i, bit[t] // 64] |= np.uint64(1) << np.uint64(bit[t] % 64)
    a, b = masks[rows], masks[cols]
    both = np.bitwise_count(a & b).sum(axis=1)
    either = np.bitwise_count(a | b).sum(axis=1)
    return (both / np.maximum(either, 1)).astype(np.float32)


def _candidates(matrix, wide: int):
    """(rows, cols): for every paper, its `wide` best other papers by the dot product of
    the pruned vectors (ties by column), as two arrays sorted by row."""
    import numpy as np
    import scipy.sparse as sp

    n = matrix.shape[0]
    pruned = matrix
    if n > BLOCK:
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        r = np.repeat(np.arange(n), np.diff(matrix.indptr))
        ok = df[matrix.indices] <= MAX_TERM_PAPERS
        r, c, w = r[ok], matrix.indices[ok], matrix.data[ok]
        order = np.lexsort((c, -w, r))
        r, c, w = r[order], c[order], w[order]
        keep = np.arange(len(r)) - np.searchsorted(r, r) < TOP_TERMS
        pruned = sp.csr_matrix((w[keep], (r[keep], c[keep])), shape=matrix.shape,
                               dtype=np.float32)
    transposed = pruned.T.tocsr()
    out_rows, out_cols = [], []
    for start in range(0, n, BLOCK):
        block = (pruned[start : start + BLOCK] @ transposed).tocsr()
        block.sort_indices()
        r, c = _best_per_row(block, wide, start)
        out_rows.append(r + start)
        out_cols.append(c)
    return np.concatenate(out_rows), np.concatenate(out_cols)


def _best_per_row(block, k: int, start: int):
    """(rows, cols) of the k largest entries of each row of a CSR matrix with sorted
    indices (ties by column), sorted by row, leaving out column `start + row` (the paper
    itself): a threshold per row from a partition of the row's values, then a sort of the
    few entries at or above it."""
    import numpy as np

    counts = np.diff(block.indptr)
    rows = np.repeat(np.arange(block.shape[0]), counts)
    values = block.data.copy()
    values[block.indices == rows + start] = -np.inf
    if counts.max(initial=0) > k:
        padded = np.full((block.shape[0], counts.max()), -np.inf, dtype=values.dtype)
        padded[rows, np.arange(len(rows)) - block.indptr[rows]] = values
        threshold = np.partition(padded, -k, axis=1)[:, -k]
        keep = values >= threshold[rows]
    else:
        keep = np.ones(len(rows), dtype=bool)
    keep &= values > -np.inf
    rows, cols, values = rows[keep], block.indices[keep], values[keep]
    order = np.lexsort((cols, -values, rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows)
    keep = np.arange(len(rows)) - first < k
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def _pair_dots(matrix, rows, cols, chunk: int = 65_536):
    """Dot products of the sparse rows matrix[rows[t]] and matrix[cols[t]]: each
    unordered pair computed once, by chunks."""
    import numpy as np

    n = matrix.shape[0]
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs, back = np.unique(low * n + high, return_inverse=True)
    a_all, b_all = pairs // n, pairs % n
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), chunk):
        a, b = a_all[start : start + chunk], b_all[start : start + chunk]
        out[start : start + len(a)] = np.asarray(
            matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return out[back.ravel()]


def link(papers: Sequence[Paper]) -> Links:
    # mentions (plain Python) on another core while related papers are computed here
    mentioned = background.start(mentions, papers)
    related = related_papers(papers)
    return Links(related, *mentioned())
