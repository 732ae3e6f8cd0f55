"""Topics: a curated taxonomy (`curation/topics.yml`) and transparent keyword rules.

Each topic lists `include` and `exclude` terms with weights. A term matches whole words
of a paper's title or abstract after normalisation (case, punctuation and dashes do not
matter); a trailing `*` matches any word ending ("transformer*"). A title match counts
`title_weight` times. A paper belongs to every topic whose score reaches the topic's
`min_score`; each match records the terms that fired, so a curator can see why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from . import strict_yaml
from .curation import line_for, validate
from .files import read_utf8
from .model import ERROR, Paper, Problem
from .textnorm import match_key

TOPICS_FILE = "topics.yml"
UNSORTED = "unsorted"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # always fullmatch: `$` matches before "\n"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _term(value: str) -> str:
    if not match_key(value.removesuffix("*")):
        raise ValueError(f"term '{value}' has no letters or digits")
    return value


def _weight(value: str) -> str:
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"weight must be a number (got '{value}')")
    return value


Term = Annotated[str, AfterValidator(_term)]
Weight = Annotated[str, AfterValidator(_weight)]


class TopicRule(_Strict):
    id: str = Field(description="Lower-case words joined by '-', used in URLs.")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    min_score: Weight = Field(default="3", description="Score a paper needs to be in the topic.")
    include: dict[Term, Weight] = Field(min_length=1)
    exclude: dict[Term, Weight] = Field(default_factory=dict)

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
    topics: list[TopicRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    min_score: float
    include: tuple[tuple[str, float], ...]
    exclude: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    score: float
    terms: tuple[str, ...]  # e.g. "linear attention (title)", "-survey (abstract)"


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    title_weight: float = 2.0


def load_taxonomy(folder: Path, display: str = "curation") -> tuple[Taxonomy, list[Problem]]:
    path = folder / TOPICS_FILE
    name = f"{display}/{TOPICS_FILE}"
    if not os.path.lexists(path):
        return Taxonomy(()), []
    text, why, line = read_utf8(path, strict_yaml.MAX_BYTES)
    if text is None:
        return Taxonomy(()), [Problem(name, line, ERROR, why or "unreadable")]
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
    if problems:
        return Taxonomy(()), problems
    topics = tuple(
        Topic(t.id, t.title, t.description, float(t.min_score),
              tuple((term, float(w)) for term, w in t.include.items()),
              tuple((term, float(w)) for term, w in t.exclude.items()))
        for t in parsed.topics)
    return Taxonomy(topics, float(parsed.title_weight)), problems


class _Matcher:
    """Finds which terms occur in a text, by walking its words once.

    Terms are indexed by their first word (or, for a one-word `stem*`, by the stem), so
    the cost per word is a few dictionary look-ups whatever the number of terms.
    """

    def __init__(self, taxonomy: Taxonomy):
        terms = sorted({term for t in taxonomy.topics for term, _ in (*t.include, *t.exclude)})
        self.by_first: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {}
        self.by_stem: dict[str, list[str]] = {}
        for term in terms:
            wildcard = term.endswith("*")
            words = tuple(match_key(term.removesuffix("*")).split())
            if wildcard and len(words) == 1:
                self.by_stem.setdefault(words[0], []).append(term)
            else:
                self.by_first.setdefault(words[0], []).append((term, words, wildcard))
        self.stem_lengths = sorted({len(stem) for stem in self.by_stem})

    def find(self, text_key: str) -> set[str]:
        found: set[str] = set()
        tokens = text_key.split()
        by_first, by_stem, lengths = self.by_first, self.by_stem, self.stem_lengths
        for i, token in enumerate(tokens):
            for length in lengths:
                if length > len(token):
                    break
                hit = by_stem.get(token[:length])
                if hit:
                    found.update(hit)
            for term, words, wildcard in by_first.get(token, ()):
                n = len(words)
                window = tokens[i : i + n]
                if len(window) < n or window[1 : n - 1] != list(words[1 : n - 1]):
                    continue
                if n == 1 or (window[-1].startswith(words[-1]) if wildcard
                              else window[-1] == words[-1]):
                    found.add(term)
        return found


def classify(papers: Sequence[Paper], taxonomy: Taxonomy) -> tuple[Paper, ...]:
    """Papers with `topics` and `topic_matches` set (topic order of the taxonomy)."""
    matcher = _Matcher(taxonomy)
    out = []
    for paper in papers:
        in_title = matcher.find(match_key(paper.title))
        in_abstract = matcher.find(match_key(paper.abstract))
        matches = []
        for topic in taxonomy.topics:
            score = 0.0
            fired: list[str] = []
            for sign, terms in ((1, topic.include), (-1, topic.exclude)):
                mark = "" if sign > 0 else "-"
                for term, weight in terms:
                    if term in in_title:
                        score += sign * weight * taxonomy.title_weight
                        fired.append(f"{mark}{term} (title)")
                    elif term in in_abstract:
                        score += sign * weight
                        fired.append(f"{mark}{term} (abstract)")
            if score >= topic.min_score:
                matches.append(TopicMatch(topic.id, score, tuple(fired)))
        out.append(replace(paper, topics=tuple(m.topic for m in matches),
                           topic_matches=tuple(matches)))
    return tuple(out)
