"""Related papers: each paper's nearest neighbours by TF-IDF cosine of its title and
abstract, plus a small bonus for shared topics; computed in full, or from the last build's
`State` when the papers only grew by papers newer than all it had.

Order. Papers are taken in their *canonical order*, by the dump that first listed them and
then by id. A daily dump sorts after every dump before it, so a day's new papers come
after all the others.

Weights. The document frequencies (so the terms kept and their idf) come from the first
`basis_size(n)` papers in that order: all of them below `BASIS_START` papers, then the
largest step of a ladder (`BASIS_START` times 2^(j / `BASIS_STEPS`), about 19% apart) that
is at most n. Between two steps, a new day moves no paper's vector: the basis is the same
papers. A term no basis paper has counts in no vector, so at most a sixth of the papers
(those after the basis) are weighed by the vocabulary of the others. At each step the
basis grows and every vector is weighed again, once.

Candidates and scores as before (`related_papers`): the best CANDIDATES per paper by the
dot product of pruned vectors, then the exact score. Both depend only on the two papers'
vectors and topics, so a new paper can only *enter* an older paper's candidates; the
older paper's related list is scored again only then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .memo import digest
from .model import Paper
from .tfidf import counted, frozen_terms, vectors

RELATED = 5
MIN_SIMILARITY = 0.05  # a link needs at least this TF-IDF cosine, topics or not
TOPIC_WEIGHT = 0.1  # bonus for the Jaccard overlap of the two papers' topics (tuned on dev)
BLOCK = 512  # rows of the candidate product at a time
TOP_TERMS = 24  # a paper is indexed under its heaviest terms...
MAX_TERM_PAPERS = 1000  # ...that are in at most this many basis papers
CANDIDATES = 120  # best candidates by the pruned index, re-scored exactly
BASIS_START = 2048  # below this many papers the basis is every paper
BASIS_STEPS = 4  # steps of the basis per doubling of the papers

Related = dict[str, tuple[tuple[str, float], ...]]


def basis_size(n: int) -> int:
    """How many papers (the first, in canonical order) the weights come from."""
    if n < BASIS_START:
        return n
    size, step = BASIS_START, 0
    while (following := int(BASIS_START * 2 ** ((step + 1) / BASIS_STEPS))) <= n:
        size, step = following, step + 1
    return size


def canonical(papers: Sequence[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: (p.first_seen, p.id))


def _text(p: Paper) -> str:
    return f"{p.title} {p.title} {p.abstract}"


def fingerprint(p: Paper) -> str:
    """What a paper's vector and score depend on."""
    return digest(p.id, p.first_seen, p.title, p.abstract, *p.topics)


@dataclass(frozen=True)
class State:
    """What a build keeps to add newer papers in the next one: the papers (fingerprints
    and ids, canonical order), the frozen terms, each paper's vector and pruned vector,
    its candidates (columns and pruned dot products, by row) and its related list."""
    prints: tuple[str, ...]
    ids: tuple[str, ...]
    topics: tuple[tuple[str, ...], ...]
    basis: int
    max_df: float
    k: int
    columns: dict[str, int]
    idf: object  # float32 array
    df: object  # int array: document frequency of each column in the basis
    matrix: object  # CSR rows
    pruned: object  # CSR rows
    cand_ptr: object  # int64, rows' starts into cand_cols / cand_dots
    cand_cols: object  # int32 (the papers a row's candidates are)
    cand_dots: object  # float32
    top: tuple[tuple[tuple[int, float], ...], ...]  # (column, score before the cap) by row
    kept: int = 0  # papers taken as they were from the state this one was made from
    changed: int = 0  # of those, the ones a new paper entered the candidates of
    whole: int = 0  # of those, the ones scored again in full (a listed paper left them)


def related_papers(papers: Sequence[Paper], k: int = RELATED) -> Related:
    """Each paper's k most related papers, best first: `(id, score)`, score in [0, 1].

    score = cosine + TOPIC_WEIGHT * topic Jaccard (shown capped at 1), where cosine is
    that of the TF-IDF vectors of "title title abstract" (English stop words dropped,
    sublinear tf, terms in more than half the basis papers dropped; the basis: see the
    module) and the topic Jaccard is |shared topics| / |topics of either|: a pair
    without shared topics scores its cosine. A pair whose cosine is under MIN_SIMILARITY
    is never linked. Ties go to the smaller id.

    Candidates: every paper is indexed under its TOP_TERMS heaviest terms found in at
    most MAX_TERM_PAPERS basis papers; the index gives each paper its CANDIDATES best
    neighbours by the pruned dot product (ties to the earlier paper in canonical order;
    work bounded by n * TOP_TERMS * MAX_TERM_PAPERS, not n^2), and those are scored
    exactly as above. Corpora of one block or less use every term (all pairs are cheap
    there).
    """
    return update(papers, None, k)[0]


def update(papers: Sequence[Paper], previous: State | None, k: int = RELATED
           ) -> tuple[Related, State | None]:
    """`related_papers` and the state for the next build; from `previous` when the
    papers are its papers followed by newer ones with the same basis (else in full).
    The result is the same either way."""
    ordered = canonical(papers)
    n = len(ordered)
    if n < 2:
        return {p.id: () for p in ordered}, None
    prints = tuple(fingerprint(p) for p in ordered)
    if _from(previous, prints, k):
        if len(previous.prints) == n:
            return _shown(previous.ids, previous.top), replace(previous, kept=n, changed=0, whole=0)
        return _grown(ordered, prints, previous)
    return _full(ordered, prints, basis_size(n), _max_df(n), k)


def _max_df(n: int) -> float:
    """Terms in more than this share of the basis are dropped (none in tiny corpora)."""
    return 0.5 if n > 20 else 1.0


def _from(previous: State | None, prints: tuple[str, ...], k: int) -> bool:
    """Whether `previous` holds the first of these papers, with the same basis."""
    n = len(prints)
    return (previous is not None and previous.k == k and n > BLOCK
            and previous.basis == basis_size(n) and previous.max_df == _max_df(n)
            and previous.basis <= len(previous.prints) <= n
            and prints[:len(previous.prints)] == previous.prints)


def grows(papers: Sequence[Paper], previous: State | None, k: int = RELATED) -> bool:
    """Whether `update` starts from `previous` (and so takes little time)."""
    return previous is not None and _from(
        previous, tuple(fingerprint(p) for p in canonical(papers)), k)


def _full(ordered: list[Paper], prints, basis: int, max_df: float, k: int):
    import numpy as np

    n = len(ordered)
    found = counted([_text(p) for p in ordered])
    columns, idf, df = frozen_terms(found, max_df, basis)
    if columns is None:  # no paper has a word that is not a stop word
        return {p.id: () for p in ordered}, None
    matrix = vectors(found, columns, idf)
    pruned = _pruned(matrix, df) if n > BLOCK else matrix
    rows, cols, dots = _candidates(pruned, pruned, 0, min(CANDIDATES, n - 1))
    ptr = np.searchsorted(rows, np.arange(n + 1))
    ids = tuple(p.id for p in ordered)
    topics = tuple(p.topics for p in ordered)
    rows = np.repeat(np.arange(n), np.diff(ptr))
    top = _best(ids, n, *_scored(matrix, topics, rows, cols), k)
    state = State(prints, ids, topics, basis, max_df, k, columns, idf, df, matrix, pruned,
                  ptr, cols.astype(np.int32), dots, tuple(top))
    return _shown(ids, top), state


def _grown(ordered: list[Paper], prints, previous: State):
    """The previous papers and newer ones: the new papers' vectors over the frozen terms,
    their candidates among all papers, and the older papers' candidates merged with the
    new papers; related lists scored again where candidates changed."""
    import numpy as np
    import scipy.sparse as sp

    old = len(previous.prints)
    n = len(ordered)
    new = ordered[old:]
    matrix_new = vectors(counted([_text(p) for p in new]), previous.columns, previous.idf)
    pruned_new = _pruned(matrix_new, previous.df)
    matrix = sp.vstack([previous.matrix, matrix_new], format="csr")
    pruned = sp.vstack([previous.pruned, pruned_new], format="csr")
    wide = min(CANDIDATES, n - 1)
    # the new papers' candidates among every paper
    new_rows, new_cols, new_dots = _candidates(pruned_new, pruned, old, wide)
    # the older papers': what they had, and the new papers where one beats the last
    block = (previous.pruned @ pruned_new.T.tocsr()).tocoo()
    ptr = previous.cand_ptr
    counts = np.diff(ptr)
    last = np.where(counts >= wide, previous.cand_dots[np.maximum(ptr[1:] - 1, 0)], -np.inf)
    # a new paper comes after every older one in canonical order, so it loses ties
    beats = block.data > last[block.row]
    changed = np.unique(block.row[beats])
    keep_old = np.ones(old, dtype=bool)
    keep_old[changed] = False
    # merged lists of the changed rows: their old entries and their new ones
    take = _spans(ptr, changed)
    entry_rows = np.concatenate([np.repeat(changed, counts[changed]), block.row[beats]])
    entry_cols = np.concatenate([previous.cand_cols[take], block.col[beats] + old])
    entry_dots = np.concatenate([previous.cand_dots[take],
                                 block.data[beats].astype(previous.cand_dots.dtype)])
    order = np.lexsort((entry_cols, -entry_dots, entry_rows))
    entry_rows, entry_cols, entry_dots = entry_rows[order], entry_cols[order], \
        entry_dots[order]
    rank = np.arange(len(entry_rows)) - np.searchsorted(entry_rows, entry_rows)
    within = rank < wide
    entry_rows, entry_cols, entry_dots = (entry_rows[within], entry_cols[within],
                                          entry_dots[within])
    # every row's list: unchanged rows as they were, changed and new rows as computed
    unchanged = np.repeat(keep_old, counts)
    all_rows = np.concatenate([np.repeat(np.arange(old), counts)[unchanged], entry_rows,
                               new_rows])
    all_cols = np.concatenate([previous.cand_cols[unchanged], entry_cols, new_cols])
    all_dots = np.concatenate([previous.cand_dots[unchanged], entry_dots, new_dots])
    order = np.argsort(all_rows, kind="stable")
    cols, dots = all_cols[order], all_dots[order]
    cand_ptr = np.searchsorted(all_rows[order], np.arange(n + 1))
    ids = previous.ids + tuple(p.id for p in new)
    topics = previous.topics + tuple(p.topics for p in new)
    # a changed row's top list: its old one merged with its new candidates, unless a
    # paper of the old list left its candidates (then the whole row is scored again)
    top = list(previous.top) + [()] * (n - old)
    start = np.searchsorted(entry_rows, changed)
    end = np.searchsorted(entry_rows, changed, side="right")
    whole, merged = [], []
    for row, lo, hi in zip(changed.tolist(), start.tolist(), end.tolist(), strict=True):
        still = set(entry_cols[lo:hi].tolist())
        (merged if all(c in still for c, _ in top[row]) else whole).append(row)
    # rows scored in full: the new papers and the changed rows that lost a listed paper
    full_rows = np.asarray(whole + list(range(old, n)), dtype=np.int64)
    take = _spans(cand_ptr, full_rows)
    rows = np.repeat(full_rows, cand_ptr[full_rows + 1] - cand_ptr[full_rows])
    for row, value in zip(full_rows.tolist(), _best(ids, n, *_scored(
            matrix, topics, rows, cols[take]), previous.k, full_rows), strict=True):
        top[row] = value
    # merged rows: their new candidates scored, with their old top list
    merged_rows = np.asarray(merged, dtype=np.int64)
    fresh = np.isin(entry_rows, merged_rows) & (entry_cols >= old)
    r, c, score = _scored(matrix, topics, entry_rows[fresh], entry_cols[fresh])
    kept_r = [row for row in merged for _ in top[row]]
    kept_c = [col for row in merged for col, _ in top[row]]
    kept_s = [raw for row in merged for _, raw in top[row]]
    for row, value in zip(merged, _best(
            ids, n, np.concatenate([np.asarray(kept_r, dtype=np.int64), r]),
            np.concatenate([np.asarray(kept_c, dtype=np.int64), c]),
            np.concatenate([np.asarray(kept_s, dtype=np.float64), score]), previous.k,
            merged_rows), strict=True):
        top[row] = value
    state = State(prints, ids, topics, previous.basis, previous.max_df, previous.k,
                  previous.columns, previous.idf, previous.df, matrix, pruned, cand_ptr,
                  cols.astype(np.int32), dots, tuple(top), old, len(changed), len(whole))
    return _shown(ids, top), state


def _spans(ptr, rows):
    """The positions ptr[r]..ptr[r + 1] of each row in `rows`, one after another."""
    import numpy as np

    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(ptr[r], ptr[r + 1]) for r in rows.tolist()])


def _shown(ids: Sequence[str], top) -> Related:
    """Each paper's list as the site shows it: ids, scores capped at 1."""
    return {pid: tuple((ids[c], min(raw, 1.0)) for c, raw in lst)
            for pid, lst in zip(ids, top, strict=True)}


def _pruned(matrix, df):
    """Each row's TOP_TERMS heaviest terms among those in at most MAX_TERM_PAPERS basis
    papers (ties to the smaller column)."""
    import numpy as np
    import scipy.sparse as sp

    n = matrix.shape[0]
    r = np.repeat(np.arange(n), np.diff(matrix.indptr))
    ok = df[matrix.indices] <= MAX_TERM_PAPERS
    r, c, w = r[ok], matrix.indices[ok], matrix.data[ok]
    order = np.lexsort((c, -w, r))
    r, c, w = r[order], c[order], w[order]
    keep = np.arange(len(r)) - np.searchsorted(r, r) < TOP_TERMS
    return sp.csr_matrix((w[keep], (r[keep], c[keep])), shape=matrix.shape,
                         dtype=np.float32)


def _candidates(rows_matrix, pruned, first: int, wide: int):
    """(rows, cols, dots): for each row of `rows_matrix` (papers first, first + 1, ...),
    its `wide` best other papers by the pruned dot product (ties by column), sorted by
    row; rows numbered from `first`."""
    import numpy as np

    transposed = pruned.T.tocsr()
    out_rows, out_cols, out_dots = [], [], []
    for start in range(0, rows_matrix.shape[0], BLOCK):
        block = (rows_matrix[start : start + BLOCK] @ transposed).tocsr()
        block.sort_indices()
        r, c, d = _best_per_row(block, wide, first + start)
        out_rows.append(r + first + start)
        out_cols.append(c)
        out_dots.append(d)
    if not out_rows:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.float32))
    return np.concatenate(out_rows), np.concatenate(out_cols), np.concatenate(out_dots)


def _best_per_row(block, k: int, start: int):
    """(rows, cols, values) of the k largest entries of each row of a CSR matrix with
    sorted indices (ties by column), sorted by row, leaving out column `start + row` (the
    paper itself): a threshold per row from a partition of the row's values, then a sort
    of the few entries at or above it."""
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
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.searchsorted(rows, rows)
    keep = np.arange(len(rows)) - first < k
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64), values[keep]


def _scored(matrix, topics: Sequence[tuple[str, ...]], rows, cols):
    """(rows, cols, score) of the pairs whose cosine is at least MIN_SIMILARITY: score =
    cosine + TOPIC_WEIGHT * topic Jaccard, rounded to 4 places."""
    import numpy as np

    cosine = _pair_dots(matrix, rows, cols)
    shared = _topic_overlap(topics, rows, cols)
    score = np.round(cosine.astype(np.float64) + TOPIC_WEIGHT * shared, 4)
    ok = cosine >= MIN_SIMILARITY
    return rows[ok], cols[ok], score[ok]


def _best(ids: Sequence[str], n: int, rows, cols, score, k: int, which=None
          ) -> list[tuple[tuple[int, float], ...]]:
    """For each row of `which` (all n rows when None), its k best (column, score) of the
    given pairs, best first, ties to the smaller id."""
    import numpy as np

    which = np.arange(n) if which is None else np.asarray(which, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(np.array(ids), kind="stable")] = np.arange(n)
    position = np.empty(n, dtype=np.int64)
    position[which] = np.arange(len(which))
    order = np.lexsort((rank[cols], -score, position[rows]))  # by row, best first
    rows, cols, score = position[rows[order]], cols[order], score[order]
    first = np.searchsorted(rows, np.arange(len(which) + 1))
    out = []
    for i in range(len(which)):
        lo, hi = first[i], min(first[i + 1], first[i] + k)
        out.append(tuple(zip(cols[lo:hi].tolist(), score[lo:hi].tolist(), strict=True)))
    return out


def _topic_overlap(topics: Sequence[tuple[str, ...]], rows, cols):
    """Jaccard of the topic sets of papers rows[t] and cols[t]."""
    import numpy as np

    names = sorted({t for ts in topics for t in ts})
    if not names or not len(rows):
        return np.zeros(len(rows), dtype=np.float32)
    bit = {name: b for b, name in enumerate(names)}
    words = (len(names) + 63) // 64
    masks = np.zeros((len(topics), words), dtype=np.uint64)
    for i, ts in enumerate(topics):
        for t in ts:
            masks[i, bit[t] // 64] |= np.uint64(1) << np.uint64(bit[t] % 64)
    a, b = masks[rows], masks[cols]
    both = np.bitwise_count(a & b).sum(axis=1)
    either = np.bitwise_count(a | b).sum(axis=1)
    return (both / np.maximum(either, 1)).astype(np.float32)


def _pair_dots(matrix, rows, cols, chunk: int = 65_536):
    """Dot products of the sparse rows matrix[rows[t]] and matrix[cols[t]]: each
    unordered pair computed once, by chunks (a pair's value is the same whichever rows
    are asked for with it)."""
    import numpy as np

    n = matrix.shape[0]
    if not len(rows):
        return np.zeros(0, dtype=np.float32)
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs, back = np.unique(low * n + high, return_inverse=True)
    a_all, b_all = pairs // n, pairs % n
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), chunk):
        a, b = a_all[start : start + chunk], b_all[start : start + chunk]
        out[start : start + len(a)] = np.asarray(
            matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return out[back.ravel()]
