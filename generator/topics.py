"""Topics: a curated taxonomy (`curation/topics.yml`) and transparent keyword rules.

Each topic lists `include` and `exclude` terms with weights. A term matches whole words
of a paper's title, abstract or keywords (the `ai_keywords` of API records) after
normalisation (case, punctuation and dashes do not matter), within one phrase (not across
a comma, a full stop or a bracket); a trailing `*` matches any word ending
("transformer*"), a leading `*` any word beginning ("*bench" matches "MMBench" and the
"Bench" of "LAB-Bench"), and the last word of other terms also matches its plural in -s or
-es (unless another term is that very word). A term starts at a word or at the start of a
hyphenated compound, never inside one: "language model" does not match "vision-language
models". The text is read once, left to right, as a sequence of terms: at each place the
longest term of the whole taxonomy that matches there counts, and the shorter ones it
covers do not ("diffusion language model" hides "diffusion" and "language model"); a
word in brackets right after a term ("(LLMs)") is part of the same mention.

A term counts once per paper, in its best field: `title_weight` times its weight in the
title, `keyword_weight` times in the keywords, its weight in the abstract; each further
mention in the abstract adds `repeat_weight` of its weight, at most `max_repeats` times.
A topic whose score reaches its `min_score` is a candidate; each match records the terms
that fired, so a curator (and a reader) can see why. A decision layer then settles the
paper's topics, each step optional and set in the taxonomy file:

1. A candidate with no term in the title or keywords whose score is below `side_share`
   of the paper's best candidate is a passing mention, and is dropped. A topic may set
   its own share: a field of application (medicine, biology) is often named only as
   where a method was tried.
2. A topic that `yields_to` other topics (language models to multimodal, vision...) is
   dropped when the paper is in one of those and it scores no more than that one: a
   multimodal paper's text-model terms describe its language side, not its subject.
3. A topic with an `umbrella` (language models over reasoning, code, agents...) is added
   when the paper is in one of the topics it is `over`, in none of those it is `unless`,
   and has at least the umbrella's `min_score` of evidence of its own; its match says
   through which topic ("via ...").
4. A paper keeps at most `max_topics` topics: those with title or keyword evidence first,
   then the highest scores.
5. A paper with no topic goes to its best-scoring topic when that scores at least
   `fallback_score` (a weak but single hint beats the unsorted page).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from rapidfuzz import fuzz, process

from . import background, strict_yaml
from .curation import line_for, validate
from .files import read_utf8
from .memo import Table, digest
from .model import ERROR, Paper, Problem
from .textnorm import BROKEN, CLOSED, JOINED, OPENED, match_key, match_words

TOPICS_FILE = "topics.yml"
UNSORTED = "unsorted"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # always fullmatch: `$` matches before "\n"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _term(value: str) -> str:
    words = match_key(value.removeprefix("*").removesuffix("*")).split()
    if not words:
        raise ValueError(f"term '{value}' has no letters or digits")
    if value.startswith("*") and (value.endswith("*") or len(words) > 1):
        raise ValueError(f"term '{value}': a leading '*' needs one word and no trailing '*'")
    return value


def _weight(value: str) -> str:
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"weight must be a number (got '{value}')")
    return value


def _count(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"must be a whole number (got '{value}')")
    return value


Term = Annotated[str, AfterValidator(_term)]
Count = Annotated[str, AfterValidator(_count)]
Weight = Annotated[str, AfterValidator(_weight)]


def _share(value: str) -> str:
    if not _NUMBER.fullmatch(value) or float(value) >= 1:
        raise ValueError(f"must be a number below 1 (got '{value}')")
    return value


Share = Annotated[str, AfterValidator(_share)]


class UmbrellaRule(_Strict):
    over: list[str] = Field(min_length=1, description="Topics whose papers also get this one.")
    unless: list[str] = Field(default_factory=list, description="...unless they are in one "
                              "of these.")
    min_score: Weight = Field(default="1", description="Evidence of its own a paper needs.")


class TopicRule(_Strict):
    id: str = Field(description="Lower-case words joined by '-', used in URLs.")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    min_score: Weight = Field(default="3", description="Score a paper needs to be in the topic.")
    include: dict[Term, Weight] = Field(min_length=1)
    exclude: dict[Term, Weight] = Field(default_factory=dict)
    umbrella: UmbrellaRule | None = None
    yields_to: list[str] = Field(default_factory=list, description="Topics that take the "
                                 "paper from this one when they score at least as much.")
    side_share: Share | None = Field(default=None, description="This topic's own share for "
                                     "passing mentions (the file's `side_share` otherwise).")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value == UNSORTED:
            raise ValueError(f"'{UNSORTED}' is reserved for the papers in no topic")
        if not _ID.fullmatch(value):
            raise ValueError(f"must be lower-case words and digits joined by '-' (got '{value}')")
        return value


class TopicsFile(_Strict):
    title_weight: Weight = Field(default="2", description="How much more a title match counts.")
    keyword_weight: Weight = Field(default="1", description="How much a keyword match counts.")
    repeat_weight: Weight = Field(default="0", description="What each further mention of a term "
                                  "in the abstract adds, as a share of its weight.")
    max_repeats: Count = Field(default="2", description="How many further mentions count.")
    side_share: Share = Field(default="0", description="A topic without title or keyword "
                              "evidence scoring below this share of the paper's best topic is "
                              "a passing mention.")
    max_topics: Count = Field(default="0", description="Most topics a paper gets (0: no limit).")
    fallback_score: Weight | None = Field(default=None, description="A paper in no topic goes "
                                          "to its best topic when it scores at least this.")
    topics: list[TopicRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    min_score: float
    include: tuple[tuple[str, float], ...]
    exclude: tuple[tuple[str, float], ...]
    umbrella: Umbrella | None = None
    yields_to: tuple[str, ...] = ()
    side_share: float | None = None  # None: the taxonomy's


@dataclass(frozen=True)
class Umbrella:
    over: tuple[str, ...]
    unless: tuple[str, ...] = ()
    min_score: float = 1.0


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    score: float
    terms: tuple[str, ...]  # "linear attention (title)", "-survey (abstract)", "rag (keywords)"


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    title_weight: float = 2.0
    keyword_weight: float = 1.0
    repeat_weight: float = 0.0
    max_repeats: int = 2
    side_share: float = 0.0
    max_topics: int = 0  # no limit
    fallback_score: float | None = None


def _closest(word: str, known: Sequence[str]) -> str:
    found = process.extractOne(word, list(known), scorer=fuzz.ratio, score_cutoff=60)
    return f"; did you mean '{found[0]}'?" if found else ""


def load_taxonomy(folder: Path, display: str = "curation", memo: Table | None = None
                  ) -> tuple[Taxonomy, list[Problem]]:
    """`memo`: what earlier builds made of the same text (`generator.memo`); it changes
    how long reading takes, never what it gives."""
    path = folder / TOPICS_FILE
    name = f"{display}/{TOPICS_FILE}"
    if not os.path.lexists(path):
        return Taxonomy(()), []
    text, why, line = read_utf8(path, strict_yaml.MAX_BYTES)
    if text is None:
        return Taxonomy(()), [Problem(name, line, ERROR, why or "unreadable")]
    if memo is None:
        return _taxonomy_of(name, text)
    taxonomy, problems = memo.get(digest("taxonomy", name, text),
                                  lambda: _taxonomy_of(name, text))
    return taxonomy, list(problems)


def _taxonomy_of(name: str, text: str) -> tuple[Taxonomy, list[Problem]]:
    parsed, node, problems = validate(name, text, TopicsFile)
    if parsed is None:
        return Taxonomy(()), problems
    first: dict[str, int] = {}
    for k, t in enumerate(parsed.topics):
        line = line_for(node, ("topics", k, "id")) if node else 1
        if t.id in first:
            problems.append(Problem(name, line, ERROR, f"topics.{k}.id: topic id '{t.id}' is "
                                                       f"used twice (first on line {first[t.id]})"))
        first.setdefault(t.id, line)
    for k, t in enumerate(parsed.topics):
        for key in ("over", "unless", "yields_to"):
            listed = (t.yields_to if key == "yields_to" else
                      getattr(t.umbrella, key) if t.umbrella else ())
            for j, other in enumerate(listed):
                path = ("topics", k, key, j) if key == "yields_to" else \
                    ("topics", k, "umbrella", key, j)
                line = line_for(node, path) if node else 1
                where = ".".join(map(str, path))
                if other == t.id:
                    what = "yield to" if key == "yields_to" else "be an umbrella over"
                    problems.append(Problem(name, line, ERROR, f"{where}: '{t.id}' cannot "
                                                               f"{what} itself"))
                elif other not in first:
                    problems.append(Problem(name, line, ERROR,
                                            f"{where}: unknown topic '{other}'"
                                            f"{_closest(other, list(first))}"))
    if problems:
        return Taxonomy(()), sorted(problems, key=lambda p: (p.line, p.message))
    topics = tuple(
        Topic(t.id, t.title, t.description, float(t.min_score),
              tuple((term, float(w)) for term, w in t.include.items()),
              tuple((term, float(w)) for term, w in t.exclude.items()),
              Umbrella(tuple(t.umbrella.over), tuple(t.umbrella.unless),
                       float(t.umbrella.min_score)) if t.umbrella else None,
              tuple(t.yields_to), None if t.side_share is None else float(t.side_share))
        for t in parsed.topics)
    return Taxonomy(topics, float(parsed.title_weight), float(parsed.keyword_weight),
                    float(parsed.repeat_weight), int(parsed.max_repeats),
                    float(parsed.side_share), int(parsed.max_topics),
                    None if parsed.fallback_score is None else float(parsed.fallback_score)
                    ), problems


_ENDS_PHRASE = frozenset((BROKEN, OPENED, CLOSED))
_NOTHING: tuple[list[str], list[str], list] = ([], [], [])  # a word that starts no term


class _Matcher:
    """Reads a text as a sequence of terms, by walking its words once.

    Terms are indexed by their first word (a one-word `stem*` by its stem, a `*suffix` by
    its suffix), so the cost per word is a few dictionary look-ups whatever the number of
    terms. At each word that may start a term (not the inside of a hyphenated compound,
    where only `*suffix` terms match) the longest matching terms win and the walk goes on
    after them; terms of equal length at the same place (the same words written as `word`
    and `word*`) are found together.
    """

    def __init__(self, taxonomy: Taxonomy):
        terms = sorted({term for t in taxonomy.topics for term, _ in (*t.include, *t.exclude)})
        self.by_first: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {}
        self.by_stem: dict[str, list[str]] = {}
        self.by_suffix: dict[str, list[str]] = {}
        for term in terms:
            wildcard = term.endswith("*")
            words = tuple(match_key(term.removeprefix("*").removesuffix("*")).split())
            if term.startswith("*"):
                self.by_suffix.setdefault(words[0], []).append(term)
            elif wildcard and len(words) == 1:
                self.by_stem.setdefault(words[0], []).append(term)
            else:
                self.by_first.setdefault(words[0], []).append((term, words, wildcard))
        self.stem_lengths = sorted({len(stem) for stem in self.by_stem})
        self.suffix_lengths = sorted({len(suffix) for suffix in self.by_suffix})
        self._cache: dict[str, tuple[list[str], list[str], list]] = {}

    def find(self, text: str) -> list[tuple[str, ...]]:
        """The terms read in `text`, one tuple per place (usually of one term). A word in
        brackets right after a term ("large language models (LLMs)") is its abbreviation:
        part of the same mention, not another one."""
        tokens, links = match_words(text)
        phrase = list(accumulate(map(_ENDS_PHRASE.__contains__, links)))  # word -> phrase
        found: list[tuple[str, ...]] = []
        cache, nothing = self._cache, _NOTHING
        i, count = 0, len(tokens)
        while i < count:
            entry = cache.get(tokens[i])
            if entry is nothing or (entry is None and self._entry(tokens[i]) is nothing):
                i += 1  # most words start no term
                continue
            best, longest = self._longest(tokens, links, phrase, i)
            if not best:
                i += 1
                continue
            i += longest
            if i < count and links[i] == OPENED and (i + 1 == count or links[i + 1] == CLOSED):
                i += 1  # "(LLMs)" after "large language models" names the same thing
            found.append(tuple(best))
        return found

    def _entry(self, token: str) -> tuple[list[str], list[str], list]:
        """What may match at a word: its `*suffix` terms, its `stem*` terms, and the terms
        that start with it (with whether the word is their exact first word). Cached:
        words repeat."""
        entry = self._cache.get(token)
        if entry is not None:
            return entry
        suffixes = [term for n in self.suffix_lengths if n <= len(token)
                    for term in self.by_suffix.get(token[-n:], ())]
        stems = [term for n in self.stem_lengths if n <= len(token)
                 for term in self.by_stem.get(token[:n], ())]
        # a term's last word also matches its plural (-s, -es)
        candidates = [(c, True) for c in self.by_first.get(token, ())]
        for plural in ("s", "es"):
            if token.endswith(plural):
                candidates += [(c, False) for c in self.by_first.get(token[:-len(plural)], ())
                               if len(c[1]) == 1 and not c[2]]
        if len(self._cache) >= 200_000:  # a text of endless distinct words
            self._cache.clear()
        entry = (suffixes, stems, candidates) if suffixes or stems or candidates else _NOTHING
        self._cache[token] = entry
        return entry

    def _longest(self, tokens: list[str], links: list[str], phrase: list[int],
                 i: int) -> tuple[list[str], int]:
        """The longest terms that match at word `i`, and their length in words. Of terms
        of the same length, those that match the words exactly beat a plural ("benchmarks"
        is not "benchmark" when "benchmarks" is a term too)."""
        suffixes, stems, candidates = self._entry(tokens[i])
        best = list(suffixes)
        if links[i] == JOINED:  # inside a compound: only `*suffix` terms
            return best, 1 if best else 0
        best += stems
        rank = (1 if best else 0, True)
        count = len(tokens)
        for (term, words, wildcard), exact in candidates:
            n = len(words)
            if n < rank[0] or i + n > count:
                continue
            if n > 1:
                # the words of a term stay within one phrase
                if phrase[i + n - 1] != phrase[i] or (
                        n > 2 and tokens[i + 1:i + n - 1] != list(words[1:-1])):
                    continue
                last, word = tokens[i + n - 1], words[-1]
                if wildcard:
                    if not last.startswith(word):
                        continue
                else:
                    exact = last == word
                    if not exact and last != word + "s" and last != word + "es":
                        continue
            if (n, exact) > rank:
                best, rank = [term], (n, exact)
            elif (n, exact) == rank:
                best.append(term)
        return best, rank[0]


SHARED_CLASSIFY = 2000  # from this many papers, the second half is classified on another core


def classify(papers: Sequence[Paper], taxonomy: Taxonomy, memo: Table | None = None
             ) -> tuple[Paper, ...]:
    """Papers with `topics` and `topic_matches` set (topic order of the taxonomy). Each
    paper is classified on its own, from its title, keywords and abstract: `memo` holds
    what earlier builds found for the same text and taxonomy (`generator.memo`). From
    `SHARED_CLASSIFY` papers to classify, the second half is classified on another core."""
    if memo is None:
        return _classify_all(papers, taxonomy)
    scheme = digest(repr(taxonomy))
    keys = [digest(scheme, p.title, p.abstract, str(len(p.keywords)), *p.keywords)
            for p in papers]
    found = [memo.known(k) for k in keys]
    todo = [p for p, f in zip(papers, found, strict=True) if f is None]
    done = iter(_classify_all(todo, taxonomy))
    out = []
    for paper, key, matches in zip(papers, keys, found, strict=True):
        if matches is None:
            paper = next(done)
            memo.put(key, paper.topic_matches)
        else:
            paper = _with_matches(paper, matches)
        out.append(paper)
    return tuple(out)


def _classify_all(papers: Sequence[Paper], taxonomy: Taxonomy) -> tuple[Paper, ...]:
    matcher = _Matcher(taxonomy)
    if len(papers) < SHARED_CLASSIFY:
        return _classify(papers, taxonomy, matcher)
    return tuple(background.in_two(_classify, papers, len(papers) // 2, taxonomy, matcher))


def _classify(papers: Sequence[Paper], taxonomy: Taxonomy, matcher: _Matcher
              ) -> tuple[Paper, ...]:
    factors = {"title": taxonomy.title_weight, "keywords": taxonomy.keyword_weight,
               "abstract": 1.0}
    weights = [{term: sign * w for sign, terms in ((1, t.include), (-1, t.exclude))
                for term, w in terms} for t in taxonomy.topics]
    topics_of: dict[str, list[int]] = {}  # term -> the topics that list it
    for k, weight_of in enumerate(weights):
        for term in weight_of:
            topics_of.setdefault(term, []).append(k)
    out = []
    for paper in papers:
        fields = (("title", matcher.find(paper.title)),
                  ("keywords", [p for text in paper.keywords for p in matcher.find(text)]),
                  ("abstract", matcher.find(paper.abstract)))
        # per topic: term -> field -> places; of several terms of a topic at one place
        # (`word` and `word*`), the weightiest counts
        counts: dict[int, dict[str, dict[str, int]]] = {}
        for field, places in fields:
            for place in places:
                chosen: dict[int, str] = {}
                for term in place:
                    for k in topics_of[term]:
                        if k not in chosen or abs(weights[k][term]) > abs(weights[k][chosen[k]]):
                            chosen[k] = term
                for k, term in chosen.items():
                    per_field = counts.setdefault(k, {}).setdefault(term, {})
                    per_field[field] = per_field.get(field, 0) + 1
        scored = [(k, _score(weights[k], counts[k], factors, taxonomy)) for k in sorted(counts)]
        matches = decide(taxonomy, {k: m for k, m in scored if m is not None})
        out.append(_with_matches(paper, tuple(matches)))
    return tuple(out)


def _with_matches(paper: Paper, matches: tuple[TopicMatch, ...]) -> Paper:
    return replace(paper, topics=tuple(m.topic for m in matches), topic_matches=matches)


def decide(taxonomy: Taxonomy, scored: dict[int, tuple[float, tuple[str, ...], bool]]
           ) -> list[TopicMatch]:
    """The paper's topics (taxonomy order) from every topic's (score, terms, whether a term
    is in the title or keywords): the decision layer of the module docstring."""
    topics = taxonomy.topics
    chosen = {k for k, (score, _, _) in scored.items() if score >= topics[k].min_score}
    if chosen:  # 1. passing mentions (a share of 0: none)
        best = max(scored[k][0] for k in chosen)
        shares = {k: taxonomy.side_share if topics[k].side_share is None else
                  topics[k].side_share for k in chosen}
        chosen = {k for k in chosen
                  if scored[k][2] or not shares[k] or scored[k][0] >= shares[k] * best}
    ids = {t.id: k for k, t in enumerate(topics)}
    chosen -= {k for k in chosen if any(  # 2. topics that yield to others
        ids[t] in chosen and scored[ids[t]][0] >= scored[k][0] for t in topics[k].yields_to)}
    via: dict[int, str] = {}
    for k, topic in enumerate(topics):  # 3. umbrellas
        rule = topic.umbrella
        if rule is None or k in chosen or k not in scored or scored[k][0] < rule.min_score:
            continue
        under = [ids[t] for t in rule.over if ids[t] in chosen]
        if under and not any(ids[t] in chosen for t in rule.unless):
            chosen.add(k)
            via[k] = topics[min(under, key=lambda u: -scored[u][0])].title
    if taxonomy.max_topics and len(chosen) > taxonomy.max_topics:  # 4. at most max_topics
        ranked = sorted(chosen, key=lambda k: (k in via, not scored[k][2], -scored[k][0], k))
        chosen = set(ranked[:taxonomy.max_topics])
    if not chosen and scored and taxonomy.fallback_score is not None:  # 5. fallback
        k = max(scored, key=lambda k: (scored[k][0], -k))
        if scored[k][0] >= max(taxonomy.fallback_score, 1e-9):
            chosen = {k}
    return [TopicMatch(topics[k].id, scored[k][0],
                       scored[k][1] + ((f"via {via[k]}",) if k in via else ()))
            for k in sorted(chosen)]


def _score(weight_of: dict[str, float], counts: dict[str, dict[str, int]],
           factors: dict[str, float], taxonomy: Taxonomy
           ) -> tuple[float, tuple[str, ...], bool] | None:
    """The topic's score, the terms that made it (strongest first), and whether one of
    them is in the title or the keywords; None when only zero-weight terms were found.

    `counts`: for each term of the topic found, in how many places of each field. Each
    term counts once, in its best field (title, keywords, abstract); each further place
    it occurs in the abstract adds `repeat_weight` of its weight, at most `max_repeats`
    times."""
    scored: list[tuple[float, str]] = []
    prominent = False
    for term, per_field in counts.items():
        weight = weight_of[term]
        if weight == 0:
            continue
        field = max(per_field, key=lambda f: (factors[f], f == "title"))
        prominent |= weight > 0 and ("title" in per_field or "keywords" in per_field)
        # further mentions in the abstract (beyond the one that counts, if it is there)
        extra = min(per_field.get("abstract", 0) - (field == "abstract"), taxonomy.max_repeats)
        best = abs(weight) * (factors[field] + taxonomy.repeat_weight * extra)
        # where it was seen: "title", "abstract ×3", "title, abstract ×2"
        why = ", ".join(f"{f} \u00d7{n}" if n > 1 else f for f in ("title", "keywords",
                        "abstract") if (n := per_field.get(f, 0)))
        scored.append((best if weight > 0 else -best, f"{'-' if weight < 0 else ''}{term} ({why})"))
    if not scored:
        return None
    scored.sort(key=lambda vw: (vw[0] < 0, -abs(vw[0]), vw[1]))
    return sum(value for value, _ in scored), tuple(why for _, why in scored), prominent
