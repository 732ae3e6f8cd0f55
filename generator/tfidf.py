"""TF-IDF vectors of texts, as scikit-learn's `TfidfVectorizer` makes them with
`stop_words="english", sublinear_tf=True, max_df=..., dtype=numpy.float32` (the same
tokens, vocabulary order, weights and L2 norms; `tests/test_related.py` compares the two),
in numpy and scipy alone: importing scikit-learn took two seconds of every build, more
than scoring the related papers of 7k papers.

A token is a run of two or more word characters, lower-cased; English stop words (the
list scikit-learn ships, below) are dropped; terms in more than `max_df` of the texts are
dropped; a weight is (1 + ln tf) * (1 + ln((1 + n) / (1 + df))), and each row has unit
length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# scikit-learn's ENGLISH_STOP_WORDS (BSD licence), from the Glasgow Information Retrieval
# Group's list
_STOP_WORD_LIST = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst amoungst amount an and another any anyhow anyone anything
anyway anywhere are around as at back be became because become becomes becoming been before
beforehand behind being below beside besides between beyond bill both bottom but by call can
cannot cant co con could couldnt cry de describe detail do done down due during each eg
eight either eleven else elsewhere empty enough etc even ever every everyone everything
everywhere except few fifteen fifty fill find fire first five for former formerly forty
found four from front full further get give go had has hasnt have he hence her here
hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in
inc indeed interest into is it its itself keep last latter latterly least less ltd made many
may me meanwhile might mill mine more moreover most mostly move much must my myself name
namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
of off often on once one only onto or other others otherwise our ours ourselves out over own
part per perhaps please put rather re same see seem seemed seeming seems serious several she
should show side since sincere six sixty so some somehow someone something sometime
sometimes somewhere still such system take ten than that the their them themselves then
thence there thereafter thereby therefore therein thereupon these they thick thin third this
those though three through throughout thru thus to together too top toward towards twelve
twenty two un under until up upon us very via was we well were what whatever when whence
whenever where whereafter whereas whereby wherein whereupon wherever whether which while
whither who whoever whole whom whose why will with within without would yet you your yours
yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())


def tfidf(texts: Sequence[str], max_df: float, basis: int | None = None):
    """The CSR matrix (float32, indices sorted) of the texts' vectors, one row a text, the
    columns the kept terms in sorted order; None when no term is left.

    `basis`: the document frequencies, and so the terms kept and their weights, come from
    the first `basis` texts alone (all of them when None, as scikit-learn does); a term
    no basis text has is in no row. A text's row then depends only on it and the basis."""
    found = counted(texts)
    columns, idf, _ = frozen_terms(found, max_df, len(texts) if basis is None else basis)
    return vectors(found, columns, idf)


@dataclass(frozen=True)
class Counted:
    """The terms of some texts: `terms[i]` is the term numbered i (in order of first
    use), `indices[indptr[r]:indptr[r + 1]]` the term numbers of text r, `counts` how
    often each is in it."""
    terms: tuple[str, ...]
    indices: list[int]
    counts: list[int]
    indptr: list[int]


def counted(texts: Sequence[str]) -> Counted:
    """Tokens of two or more word characters, lower-cased, English stop words dropped."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        found: dict[int, int] = {}
        for word in _TOKEN.findall(text.lower()):
            if word not in STOP_WORDS:
                j = vocabulary.setdefault(word, len(vocabulary))
                found[j] = found.get(j, 0) + 1
        indices.extend(found)
        counts.extend(found.values())
        indptr.append(len(indices))
    return Counted(tuple(vocabulary), indices, counts, indptr)


def frozen_terms(found: Counted, max_df: float, basis: int):
    """(term -> column, idf, document frequency) of the terms the first `basis` texts
    keep (in at most `max_df` of them), columns in the terms' sorted order; idf float32
    as scikit-learn's; (None, None, None) when no term is left."""
    import numpy as np

    end = found.indptr[basis]
    used = np.zeros(len(found.terms), dtype=bool)
    used[np.asarray(found.indices[:end], dtype=np.int64)] = True
    terms = sorted(t for t, u in zip(found.terms, used.tolist(), strict=True) if u)
    if not terms:
        return None, None, None
    number = {t: j for j, t in enumerate(found.terms)}
    column = np.full(len(found.terms), -1, dtype=np.int64)  # term number -> its position
    column[[number[t] for t in terms]] = np.arange(len(terms))
    df = np.bincount(column[np.asarray(found.indices[:end], dtype=np.int64)],
                     minlength=len(terms))
    keep = df <= max_df * basis
    if not keep.any():
        return None, None, None
    idf = np.full(int(keep.sum()), basis + 1, dtype=np.float32)
    idf /= df[keep].astype(np.float32) + np.float32(1.0)
    np.log(idf, out=idf)
    idf += np.float32(1.0)
    kept = [t for t, k in zip(terms, keep.tolist(), strict=True) if k]
    return {t: c for c, t in enumerate(kept)}, idf, df[keep]


def vectors(found: Counted, columns: dict[str, int] | None, idf):
    """The texts' rows over the kept terms (`frozen_terms`), unit length; None when
    there are no terms."""
    import numpy as np
    import scipy.sparse as sp

    if columns is None:
        return None
    column = np.asarray([columns.get(t, -1) for t in found.terms], dtype=np.int64)
    n = len(found.indptr) - 1
    cols = column[np.asarray(found.indices, dtype=np.int64)]
    rows = np.repeat(np.arange(n), np.diff(np.asarray(found.indptr, dtype=np.int64)))
    kept = cols >= 0
    matrix = sp.csr_matrix((np.asarray(found.counts, dtype=np.float32)[kept],
                            (rows[kept], cols[kept])),
                           shape=(n, len(columns)), dtype=np.float32)
    matrix.sort_indices()
    data = matrix.data
    np.log(data, out=data)
    data += np.float32(1.0)
    data *= idf[matrix.indices]
    # each row to unit length: the squares (float32) summed in float64, one after another
    squares = (data * data).astype(np.float64)
    sums = np.zeros(n, dtype=np.float64)
    lengths = np.diff(matrix.indptr)
    for k in range(int(lengths.max(initial=0))):
        at = matrix.indptr[:-1] + k
        live = lengths > k
        sums[live] += squares[at[live]]
    norms = np.sqrt(sums)
    norms[norms == 0.0] = 1.0
    matrix.data = (data / np.repeat(norms, lengths)).astype(np.float32)
    return matrix
