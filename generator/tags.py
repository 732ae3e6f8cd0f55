"""Curated tags and topic corrections, contributed by pull request.

- `curation/tags.yml`: the controlled vocabulary, `name: description` per tag.
- `curation/tags/<paper id>.yml`: one file per paper, so two contributors tagging
  different papers never touch the same file:

      tags: [survey, state-space]
      add_topics: [efficiency]        # optional
      remove_topics: [vision]         # optional
      note: Why the topics change.    # required when topics change

Loading is strict (`strict_yaml`, then a pydantic schema that forbids unknown keys);
`check` then resolves every name against the catalog, the vocabulary and the taxonomy,
suggests the closest known names, and reports every problem at once with its line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from . import strict_yaml
from .curation import line_for, validate
from .model import ERROR, Paper, Problem
from .topics import Taxonomy, TopicMatch

VOCABULARY_FILE = "tags.yml"
ASSIGNMENTS_DIR = "tags"
TAG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TAG_MAX = 32
DESCRIPTION_MAX = 300
NOTE_MAX = 500
ASSIGNMENT_MAX_BYTES = 8 * 1024
CURATED = "curated"  # the term a TopicMatch of an added topic carries


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Assignment(_Strict):
    tags: list[str] = Field(default_factory=list)
    add_topics: list[str] = Field(default_factory=list)
    remove_topics: list[str] = Field(default_factory=list)
    note: str | None = Field(default=None, min_length=1, max_length=NOTE_MAX)


@dataclass(frozen=True)
class SourceFile:
    """A curation file as read from disk: its display path and text (None: unreadable)."""

    path: str
    text: str | None
    problem: str | None = None  # why it could not be read
    problem_line: int = 1


@dataclass(frozen=True)
class Tag:
    name: str
    description: str


@dataclass(frozen=True)
class PaperTags:
    """One paper's curated changes, from `path` (line numbers for messages)."""

    path: str
    ref: str  # the paper id the file is named after
    tags: tuple[tuple[str, int], ...]  # (tag, line)
    add_topics: tuple[tuple[str, int], ...]
    remove_topics: tuple[tuple[str, int], ...]
    note: str | None


@dataclass(frozen=True)
class Curated:
    vocabulary: tuple[Tag, ...] = ()
    papers: tuple[PaperTags, ...] = ()
    vocabulary_read: bool = True  # False: tags.yml could not be read, names are unchecked


def _closest(word: str, known: Sequence[str], limit: int = 3) -> str:
    """'; did you mean ...?' with the known names closest to `word` (those within a few
    points of the best match), or ''."""
    # WRatio favours a name that contains the word; for a word of a few letters that is
    # any name, so short words are compared whole
    scorer = fuzz.WRatio if len(word) > 3 else fuzz.ratio
    found = process.extract(word, list(known), scorer=scorer, limit=limit, score_cutoff=60)
    found = [c for c in found if c[1] >= found[0][1] - 5] if found else []
    return "; did you mean " + " or ".join(f"'{c[0]}'" for c in found) + "?" if found else ""


def _bad_tag_name(name: str) -> str | None:
    if len(name) > TAG_MAX:
        return f"tag names are at most {TAG_MAX} characters"
    if not TAG_PATTERN.fullmatch(name):
        return ("tag names are lower-case letters and digits, words joined by '-' "
                "(like 'state-space')")
    return None


def load_vocabulary(source: SourceFile | None
                    ) -> tuple[tuple[Tag, ...], list[Problem], bool]:
    """The tags of `tags.yml`, its problems (a bad tag leaves the others in place), and
    whether the file as a whole could be read (False: no tag name is known)."""
    if source is None:
        return (), [], True
    if source.text is None:
        return (), [Problem(source.path, source.problem_line, ERROR,
                            source.problem or "unreadable")], False
    try:
        node = strict_yaml.load(source.text)
    except strict_yaml.YamlError as exc:
        return (), [Problem(source.path, exc.line, ERROR, exc.message)], False
    if node is None:
        return (), [], True
    if not isinstance(node.value, dict):
        return (), [Problem(source.path, node.line, ERROR,
                            "expected a mapping of tag names to descriptions")], False
    problems: list[Problem] = []
    tags = []
    key_lines = dict(node.key_lines)
    for name, value in node.value.items():
        line = key_lines[name]
        bad = _bad_tag_name(name)
        if bad:
            problems.append(Problem(source.path, line, ERROR, bad, name))
            continue
        if not isinstance(value.value, str) or not value.value.strip():
            problems.append(Problem(source.path, line, ERROR,
                                    f"tag '{name}' needs a description (one line of text)"))
            continue
        if len(value.value) > DESCRIPTION_MAX:
            problems.append(Problem(source.path, value.line, ERROR,
                                    f"the description of '{name}' is longer than "
                                    f"{DESCRIPTION_MAX} characters"))
            continue
        tags.append(Tag(name, " ".join(value.value.split())))
    return tuple(sorted(tags, key=lambda t: t.name)), problems, True


def load_assignment(source: SourceFile) -> tuple[PaperTags | None, list[Problem]]:
    """Parse and validate one `tags/<paper id>.yml` (its shape, not its names)."""
    name = source.path.rsplit("/", 1)[-1]
    if not name.endswith(".yml"):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return None, [Problem(source.path, 1, ERROR, f"files here are named <paper id>.yml: "
                                                     f"rename it to '{stem}.yml'")]
    if source.text is None:
        return None, [Problem(source.path, source.problem_line, ERROR,
                              source.problem or "unreadable")]
    if len(source.text.encode("utf-8")) > ASSIGNMENT_MAX_BYTES:
        return None, [Problem(source.path, 1, ERROR, f"file is larger than "
                                                     f"{ASSIGNMENT_MAX_BYTES // 1024} KiB")]
    parsed, node, problems = validate(source.path, source.text, Assignment)
    keys = ", ".join(f"'{k}'" for k in Assignment.model_fields)
    problems = [replace(p, message=f"{p.message}; the keys are {keys}")
                if p.message.startswith("unknown key") else p for p in problems]
    if parsed is None:
        return None, problems
    if node is None:
        return None, [Problem(source.path, 1, ERROR, "the file is empty: give 'tags' (or "
                                                     "'add_topics' / 'remove_topics')")]
    assert isinstance(parsed, Assignment)

    def lines(key: str, values: list[str]) -> tuple[tuple[str, int], ...]:
        return tuple((v, line_for(node, (key, k))) for k, v in enumerate(values))

    entry = PaperTags(source.path, name.removesuffix(".yml"), lines("tags", parsed.tags),
                      lines("add_topics", parsed.add_topics),
                      lines("remove_topics", parsed.remove_topics), parsed.note)
    if not (entry.tags or entry.add_topics or entry.remove_topics):
        problems.append(Problem(source.path, node.line, ERROR,
                                "the file changes nothing: give 'tags' (or 'add_topics' / "
                                "'remove_topics')"))
    if (entry.add_topics or entry.remove_topics) and not parsed.note:
        problems.append(Problem(source.path, line_for(node, ("add_topics",) if entry.add_topics
                                                     else ("remove_topics",)), ERROR,
                                "a topic change needs a 'note' saying why"))
    for key, values in (("tags", entry.tags), ("add_topics", entry.add_topics),
                        ("remove_topics", entry.remove_topics)):
        first: dict[str, int] = {}
        for value, line in values:
            if value in first:
                problems.append(Problem(source.path, line, ERROR, f"{key}: '{value}' is listed "
                                                                  f"twice (first on line "
                                                                  f"{first[value]})"))
            first.setdefault(value, line)
    for value, line in entry.remove_topics:
        if value in dict(entry.add_topics):
            problems.append(Problem(source.path, line, ERROR,
                                    f"remove_topics: '{value}' is also in add_topics"))
    return entry, problems


def load_curated(vocabulary: SourceFile | None, assignments: Sequence[SourceFile]
                 ) -> tuple[Curated, list[Problem]]:
    # when the vocabulary itself is unreadable, say so once instead of calling every tag
    # of every paper unknown
    tags, problems, readable = load_vocabulary(vocabulary)
    papers = []
    for source in sorted(assignments, key=lambda s: s.path):
        entry, more = load_assignment(source)
        problems += more
        if entry is not None and not more:
            papers.append(entry)
    return Curated(tags, tuple(papers), readable), problems


def _by_ref(papers: Sequence[Paper]) -> dict[str, Paper]:
    """Each paper under its id and its aliases (the names a tags file may have)."""
    by_ref: dict[str, Paper] = {}
    for p in papers:
        by_ref[p.id] = p
        for alias in p.aliases:
            by_ref.setdefault(alias, p)
    return by_ref


def apply_curated(papers: Sequence[Paper], curated: Curated, taxonomy: Taxonomy,
                  vocabulary_path: str = f"curation/{VOCABULARY_FILE}"
                  ) -> tuple[tuple[Paper, ...], list[Problem]]:
    """Papers with curated tags and topic changes; every unknown name is an error with
    the closest known names."""
    problems: list[Problem] = []
    by_ref = _by_ref(papers)
    ids = sorted(p.id for p in papers)
    known_tags = [t.name for t in curated.vocabulary]
    topic_ids = [t.id for t in taxonomy.topics]
    changes: dict[str, PaperTags] = {}
    for entry in curated.papers:
        paper = by_ref.get(entry.ref)
        if paper is None:
            problems.append(Problem(entry.path, 1, ERROR,
                                    f"no paper has the id '{entry.ref}' (the file name)"
                                    f"{_closest(entry.ref, ids)}"))
            continue
        if paper.id in changes:
            other = changes[paper.id]
            for here, there in ((entry, other), (other, entry)):
                problems.append(Problem(here.path, 1, ERROR,
                                        f"paper '{paper.id}' is also curated in {there.path}:1; "
                                        f"keep one file, named '{paper.id}.yml'"))
            continue
        ok = True
        for tag, line in entry.tags:
            bad = _bad_tag_name(tag)
            if bad:
                problems.append(Problem(entry.path, line, ERROR, f"tags: {bad}", tag))
                ok = False
            elif tag not in known_tags and curated.vocabulary_read:
                problems.append(Problem(entry.path, line, ERROR,
                                        f"tags: unknown tag '{tag}'{_closest(tag, known_tags)} "
                                        f"(new tags are added to {vocabulary_path} with a "
                                        f"description)"))
                ok = False
        for key, values in (("add_topics", entry.add_topics),
                            ("remove_topics", entry.remove_topics)):
            for topic, line in values:
                if topic not in topic_ids:
                    problems.append(Problem(entry.path, line, ERROR,
                                            f"{key}: unknown topic '{topic}'"
                                            f"{_closest(topic, topic_ids)}"))
                    ok = False
        if ok:
            changes[paper.id] = entry
    order = {t: k for k, t in enumerate(topic_ids)}
    out = []
    for paper in papers:
        entry = changes.get(paper.id)
        if entry is None:
            out.append(paper)
            continue
        removed = {t for t, _ in entry.remove_topics}
        added = [t for t, _ in entry.add_topics if t not in paper.topics]
        topics = sorted([t for t in paper.topics if t not in removed] + added, key=order.get)
        matches: list[Any] = [m for m in paper.topic_matches if m.topic not in removed]
        matches += [TopicMatch(t, 0.0, (CURATED,)) for t in added]
        matches.sort(key=lambda m: order[m.topic])
        out.append(replace(paper, tags=tuple(sorted(t for t, _ in entry.tags)),
                           topics=tuple(topics), topic_matches=tuple(matches)))
    return tuple(out), problems


def assignment_template(paper: Paper) -> str:
    """A new `tags/<id>.yml` for a paper, prefilled for the web editor."""
    title = paper.title.replace("\n", " ")
    return (f"# Curated tags for: {title[:200]}\n"
            "# Tags come from curation/tags.yml. See docs/contributing.md.\n"
            "tags:\n  - \n")


@dataclass(frozen=True)
class CuratedFile:
    path: str  # e.g. curation/tags/<id>.yml
    note: str | None


def curated_files(papers: Sequence[Paper], curated: Curated) -> dict[str, CuratedFile]:
    """Paper id -> the curation file that changes it (for the pages' edit links and notes)."""
    by_ref = _by_ref(papers)
    out: dict[str, CuratedFile] = {}
    for entry in curated.papers:
        paper = by_ref.get(entry.ref)
        if paper is not None and paper.id not in out:
            out[paper.id] = CuratedFile(entry.path, entry.note)
    return out


def suggest_url(repo_url: str, branch: str, paper: Paper, existing: CuratedFile | None,
                folder: str = f"curation/{ASSIGNMENTS_DIR}") -> str:
    """GitHub's web editor on the paper's tags file: edit it when it exists, else create
    it prefilled. '' without a repository."""
    if not repo_url or not branch:
        return ""
    base = repo_url.rstrip("/")
    if existing is not None:
        return f"{base}/edit/{quote(branch)}/{quote(existing.path)}"
    query = urlencode({"filename": f"{paper.id}.yml", "value": assignment_template(paper)},
                      quote_via=quote)
    return f"{base}/new/{quote(branch)}/{quote(folder)}?{query}"
