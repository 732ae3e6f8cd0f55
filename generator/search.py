"""The client-side search index: small static files, built in memory from the catalog.

The browser (`docs/assets/javascripts/search.js`) fetches only what a query needs:

- `meta.json.gz`: paper count, stop words, topics and tags, and which term shards exist.
- `facets.json.gz`: the papers of each topic and tag (delta-encoded), for filters and
  their counts.
- `terms/<key>.json.gz`: every indexed term beginning with the same two characters (key:
  their UTF-8 in hex), with its document frequency and the postings file that holds it.
  One shard answers both the exact word and, while typing, the words it begins.
- `postings/<n>.json.gz`: for a run of neighbouring terms, the papers that contain each
  term (delta-encoded numbers) and a score per paper: BM25 over fields weighted title >
  topics and tags > authors > abstract, times two, plus one when the term is in the title.
  Neighbouring terms share a file, so the words a prefix expands to arrive together.
- `papers/<n>.json.gz`: title, id, topics, tags and abstract of `PAPERS_PER_CHUNK`
  papers, for the results shown. Papers are numbered by first topic, so the results of a
  query tend to share chunks.

Every file is gzip (fixed mtime, so builds are byte-identical) of JSON; the client
decompresses it itself, so the transfer is small on any static host. Words are split
and normalised the same way on both sides (`words`, `stem`), which a browser test
checks on tricky text.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from .mathtext import plain
from .memo import Table, digest
from .model import Paper

INDEX_DIR = "search-index"
FORMAT = 1
PAPERS_PER_CHUNK = 8
LEAD_CHARS = 320  # characters of the abstract a result shows
POSTINGS_PER_FILE = 6_000  # numbers per postings file before a new file starts
WEIGHTS = {"title": 10.0, "labels": 4.0, "authors": 3.0, "abstract": 1.0}
K1, B = 1.2, 0.75
SCORE_LEVELS = 127  # scores are stored as integers 1..SCORE_LEVELS

_STOP_WORD_LIST = """
a about above after again against all also am an and any are as at be been before being
below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is
it its itself just me more most my myself no nor not of off on once only or other our
ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours yourself
yourselves via using use used based new show shows propose proposed paper
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())

_NOT_WORD = re.compile(r"[\W_]+")


class _Marks(dict):
    """A str.translate table deleting every combining mark (Unicode category M) and
    keeping every other character; filled as characters are met (building it for all of
    Unicode took a second or two of every build)."""

    def __missing__(self, cp: int) -> int | None:
        kept = None if unicodedata.category(chr(cp)).startswith("M") else cp
        self[cp] = kept
        return kept


@functools.cache
def _without_marks() -> _Marks:
    return _Marks()


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits, accents removed (as `words` in search.js:
    NFKD, drop combining marks, lower-case, split at anything not a letter or digit)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_without_marks())
    return [w for w in _NOT_WORD.split(text.lower()) if w]


def stem(word: str) -> str:
    """A light plural stemmer (Harman's S-stemmer), the same in search.js."""
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith(("us", "ss")):
        return word
    return word[:-1]


_TERM_OF: dict[str, str] = {}  # word -> its term ("" when not indexed)


def _term_of(word: str) -> str:
    term = _TERM_OF.get(word)
    if term is None:
        term = _TERM_OF[word] = (stem(word) if len(word) > 1 and word not in STOP_WORDS
                                 else "")
    return term


def terms(text: str) -> list[str]:
    """The indexed terms of a text: stems of its words, without stop words and words of
    one character."""
    return [t for t in map(_term_of, words(text)) if t]


def lead(abstract: str, limit: int = LEAD_CHARS) -> str:
    """The start of an abstract, cut at a word boundary: the text a result shows."""
    if len(abstract) <= limit:
        return abstract
    return abstract[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def shard_key(term: str) -> str:
    return term[:2].encode("utf-8").hex()


def _gz(value: object) -> bytes:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return gzip.compress(data.encode("utf-8"), compresslevel=6, mtime=0)


def _deltas(numbers: Iterable[int]) -> list[int]:
    out, last = [], 0
    for n in numbers:
        out.append(n - last)
        last = n
    return out


def _fields(paper: Paper, topic_titles: dict[str, str]) -> dict[str, str]:
    return {"title": paper.title,
            "labels": " ".join([*(topic_titles.get(t, t) for t in paper.topics), *paper.tags]),
            "authors": " ".join(paper.authors),
            "abstract": paper.abstract}


def paper_order(papers: Sequence[Paper]) -> list[Paper]:
    """Papers numbered by first topic, then id: the results of a query are often in one
    topic, so they land in few chunks."""
    return sorted(papers, key=lambda p: (p.topics[0] if p.topics else "~", p.id))


Analysis = tuple[str, bytes, bytes, float]


def analysis(fields: Mapping[str, str]) -> Analysis:
    """A paper's terms in order of first use (one string, a space between two), each
    one's field-weighted frequency (float64 bytes), whether each is in the title (a byte
    0 or 1), and the paper's weighted length: compact, so that a build's worth pickles
    in a moment."""
    weighted: Counter = Counter()
    title_terms: set[str] = set()
    length = 0.0
    for name, text in fields.items():
        found = terms(text)
        if name == "title":
            title_terms = set(found)
        length += WEIGHTS[name] * len(found)
        for term, count in Counter(found).items():
            weighted[term] += WEIGHTS[name] * count
    return (" ".join(weighted), np.asarray(list(weighted.values()), dtype=np.float64).tobytes(),
            bytes(term in title_terms for term in weighted), length)


def _postings(ordered: Sequence[Paper], topic_titles: dict[str, str],
              kept: Table | None = None
              ) -> Iterator[tuple[str, dict[str, list[list[int]]]]]:
    """(postings file path, {term: [paper number deltas, scores]}), terms in order.

    Scores: BM25 of the field-weighted term frequency, scaled to 1..SCORE_LEVELS over
    the whole index, times two, plus one when the term is in the paper's title. `kept`:
    each paper's `analysis` under the hash of its fields, from earlier builds."""
    vocabulary: dict[str, int] = {}
    term_ids: list[int] = []
    numbers: list[int] = []
    frequencies = bytearray()
    titled = bytearray()
    lengths = np.zeros(len(ordered))
    for number, paper in enumerate(ordered):
        fields = _fields(paper, topic_titles)
        words, tfs, in_title, lengths[number] = analysis(fields) if kept is None else \
            kept.get(digest(*fields.values()), lambda fields=fields: analysis(fields))
        found = words.split()
        term_ids.extend([vocabulary.setdefault(term, len(vocabulary)) for term in found])
        numbers.extend([number] * len(found))
        frequencies += tfs
        titled += in_title
    if not vocabulary:
        return
    ids = np.asarray(term_ids)
    paper_of = np.asarray(numbers)
    tf = np.frombuffer(bytes(frequencies), dtype=np.float64)
    n = len(ordered)
    average = lengths.mean() or 1.0
    norm = K1 * (1 - B + B * lengths / average)
    df = np.bincount(ids, minlength=len(vocabulary))
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    score = idf[ids] * tf * (K1 + 1) / (tf + norm[paper_of])
    level = np.maximum(1, np.rint(SCORE_LEVELS * score / (score.max() or 1.0)))
    stored = (level.astype(np.int64) * 2 + np.frombuffer(bytes(titled), dtype=np.uint8))
    order = np.argsort(ids, kind="stable")  # by term, papers ascending within each
    starts = np.concatenate(([0], np.cumsum(df))).tolist()
    # each term's papers as deltas (its first paper as it is), all terms at once
    found = paper_of[order]
    deltas = np.diff(found, prepend=0)
    deltas[starts[:-1]] = found[starts[:-1]]
    deltas, levels = deltas.tolist(), stored[order].tolist()
    chunk: dict[str, list[list[int]]] = {}
    size = 0
    file_number = 0
    for term in sorted(vocabulary):
        t = vocabulary[term]
        first, end = starts[t], starts[t + 1]
        if size and size + end - first > POSTINGS_PER_FILE:
            yield f"postings/{file_number}.json.gz", chunk
            file_number += 1
            chunk, size = {}, 0
        chunk[term] = [deltas[first:end], levels[first:end]]
        size += end - first
    yield f"postings/{file_number}.json.gz", chunk


def build_index(papers: Sequence[Paper], topic_titles: dict[str, str],
                kept: Table | None = None) -> tuple[tuple[str, bytes], ...]:
    """(path under `INDEX_DIR`, gzip bytes) for every file of the index. `kept`: each
    paper's terms from earlier builds (`_postings`); the same bytes either way."""
    ordered = paper_order(papers)
    files: list[tuple[str, bytes]] = []
    shards: dict[str, list[list]] = {}
    for path, term_postings in _postings(ordered, topic_titles, kept):
        files.append((path, _gz(term_postings)))
        for term, (_, scores) in term_postings.items():
            shards.setdefault(shard_key(term), []).append(
                [term, len(scores), int(path.split("/")[1].split(".")[0])])
    for key, entries in sorted(shards.items()):
        files.append((f"terms/{key}.json.gz", _gz(entries)))

    taxonomy_order = {t: k for k, t in enumerate(topic_titles)}
    topics = sorted({t for p in ordered for t in p.topics},
                    key=lambda t: (taxonomy_order.get(t, len(taxonomy_order)), t))
    tags = sorted({t for p in ordered for t in p.tags})
    topic_number = {t: k for k, t in enumerate(topics)}
    tag_number = {t: k for k, t in enumerate(tags)}
    for start in range(0, len(ordered), PAPERS_PER_CHUNK):
        rows = [[p.id, plain(p.title), [topic_number[t] for t in p.topics],
                 [tag_number[t] for t in p.tags], lead(plain(p.abstract))]
                for p in ordered[start:start + PAPERS_PER_CHUNK]]
        files.append((f"papers/{start // PAPERS_PER_CHUNK}.json.gz", _gz(rows)))
    in_topic: list[list[int]] = [[] for _ in topics]
    in_tag: list[list[int]] = [[] for _ in tags]
    for k, p in enumerate(ordered):
        for t in p.topics:
            in_topic[topic_number[t]].append(k)
        for t in p.tags:
            in_tag[tag_number[t]].append(k)
    facets = {"topic": [_deltas(ks) for ks in in_topic], "tag": [_deltas(ks) for ks in in_tag]}
    files.append(("facets.json.gz", _gz(facets)))
    meta = {
        "format": FORMAT,
        "papers": len(ordered),
        "papers_per_chunk": PAPERS_PER_CHUNK,
        "stop_words": sorted(STOP_WORDS),
        "topics": [topic_titles.get(t, t) for t in topics],
        "tags": tags,
        "shards": sorted(shards),
    }
    files.append(("meta.json.gz", _gz(meta)))
    return tuple(sorted(files))
