"""Mentions: an indexed paper whose *name* another paper's abstract uses.

A paper's name is the part of its title before the colon when it looks like a name
("PIXART-δ", "MoEUT", "Gemma 2", "Video-MME"): 1-4 words, at least four letters or digits
(three with a digit or a Greek letter), with something beyond a capital first letter
(capitals inside, digits, Greek letters) and a word that is not an ordinary one ("Agent
AI" is a phrase). An abstract names it when:

* the name's letters and digits stand there, split or joined as any spelling does it
  (`Gemma 2` = `Gemma-2` = `Gemma2`, `Video-MME` = `VideoMME`, `Windows Agent Arena` =
  `WindowsAgentArena`), in the same case when the name is also an ordinary word that
  abstracts write in lower case (`LiFT` is not "lift", `EVER` is not "ever", `Agent S` is
  not "agents"), in any case otherwise (`LLaMA` = `Llama`);
* it is the whole name, not part of a longer one: no name glued before it (`UI-TARS`,
  `PixArt-Sigma`, `claude-opus`) and nothing glued after it but a size or a variant of
  the same release (`Gemma-2-9b-it`, `Llama-3-8B-Instruct`), never another version
  (`VBench++`, `MeshAnything V2`, `T2V-Turbo-v2`, `Qwen2.5` for `Qwen2`);
* the abstract is not introducing an artifact of its own by that name ("we introduce
  X", "called X", or its own title's name), and the named paper is not newer than it
  (arXiv ids give the month: a paper cannot cite a later one, so a later namesake is
  another thing);
* the name is not so common in abstracts that it is a generic word.

Measured against labelled links of the 2024 stream: `benchmarks/bench_mentions.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from . import background
from .memo import digest
from .model import Paper
from .textnorm import match_key

MAX_NAME_WORDS = 4
MAX_SPAN_TOKENS = 6  # a one-word name may be written as several words, and back
COMMON_NAME_SHARE = 0.01  # a name found in more abstracts than this share is generic
ORDINARY_WORD_ABSTRACTS = 2  # in lower case in this many abstracts: an ordinary word
NEWER_MONTHS = 2  # a paper this many months newer than an abstract is not what it names

# a maximal run of letters and digits (Greek letters included), with where it stands
_TOKEN = re.compile(r"[^\W_]+")
_LINK = re.compile(r"://|www\.|\.(?:com|org|io|ai|net)\b")  # in a word with no spaces
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_INNER = re.compile(r"[A-Z0-9\u0370-\u03ff]")
# glued after a name: a size or variant of the same release ("-7B", "-it", "-Instruct")
_SAME_RELEASE = re.compile(
    r"\d+(?:\.\d+)?[bBmMkKtT]|it|instruct|chat|base|hf|preview|[a-z]{0,2}\d*x\d+[bB]",
    re.IGNORECASE)
_VERSION = re.compile(r"[vV]\d+(?:\.\d+)*|\d+(?:\.\d+)*")  # "V2", "2", "2.5"
# the abstract makes an artifact of its own by this name: "we introduce X", "we propose a
# new benchmark, X", "a method dubbed X" (not "we compare with X")
_NOT_BETWEEN = (r"(?!(?:and|or|with|than|to|against|on|over|from|of|for|like|as|versus|vs|"
                r"including|compared|such|by|in|into|upon|beyond|outperform\w*)\b)")
_INTRODUCES = re.compile(
    r"\b(?i:introduc(?:e|es|ing)|propos(?:e|es|ing)|present(?:s|ing)?|develop(?:s|ing)?|"
    r"releas(?:e|es|ing)|build(?:s|ing)?|design(?:s|ing)?|construct(?:s|ing)?|"
    r"curat(?:e|es|ing)|creat(?:e|es|ing)|contribut(?:e|es|ing))\s+"
    # then a few lower-case words ("a new benchmark,"), never a name of its own
    rf"(?:{_NOT_BETWEEN}[a-z][\w-]*[\s,]+){{0,6}}$"
    r"|\b(?i:called|named|dubbed|termed|coined)\s*[\"'“‘(]?$"
    # "called Egocentric Memory Enhanced ... Agent (EMMA)": an acronym it defines
    r"|\b(?i:called|named|dubbed|termed|coined)\s+(?:[A-Z][\w-]*\s+){1,10}\($")
_LOOK_BACK = 160  # characters before a name searched for "we introduce"


@dataclass(frozen=True)
class Name:
    text: str  # as the title writes it
    squashed: str  # its letters and digits, lower case, Greek spelled out
    exact: str  # its letters and digits as written (for case-sensitive names)
    suffix: str = ""  # what follows its last letter or digit ("++" of "VBench++")


def squash(text: str) -> str:
    return match_key(text).replace(" ", "")


def title_head(title: str) -> tuple[str, list[str]] | None:
    """The part of a title before its colon and its words, when it is short enough to be
    a name (at most `MAX_NAME_WORDS` words)."""
    if ":" not in title:
        return None
    name = title.split(":", 1)[0].strip()
    words = name.split()
    if not name or len(words) > MAX_NAME_WORDS:
        return None
    return name, words


def paper_name(title: str) -> str | None:
    """'PIXART-δ: Fast and ...' -> 'PIXART-δ'; None when the title has no name."""
    head = title_head(title)
    if head is None:
        return None
    name, words = head
    key = squash(name)
    if len(key) < 3 or (len(key) < 4 and not re.search(r"[0-9\u0370-\u03ff]", name)):
        return None  # short acronyms ("RMT", "CAT", "V^3") name many unrelated things
    # a name, not a phrase: something beyond a capital first letter marks it (a plain
    # capitalised word, "Finch", "Janus", "Artist", is as often a namesake)
    return name if any(_INNER.search(w[1:]) or w.isdigit() for w in words) else None


def _ordinary(lower: Counter[str], capital: Counter[str]) -> set[str]:
    """Words more abstracts write in lower case than with capitals ("lift", "video",
    "agent"; not "gemma" or "mme", which lower case only spells in model ids and links),
    and at least two: names spelled like them are ordinary words too."""
    return {w for w, n in lower.items() if n >= ORDINARY_WORD_ABSTRACTS and n > capital[w]}


def _tallies(abstracts: Sequence[str], halves: bool = False
             ) -> tuple[Counter[str], Counter[str]]:
    """In how many of the abstracts each word is in lower case, and with a capital.
    `halves`: the second half counted on another core."""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for low, high in (background.in_two(_case_counts, abstracts, len(abstracts) // 2)
                      if halves else _case_counts(abstracts)):
        lower.update(low)
        capital.update(high)
    return lower, capital


def _case_counts(abstracts: Sequence[str]) -> list[tuple[Counter[str], Counter[str]]]:
    """[(in how many abstracts each word is in lower case, with a capital)]"""
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for abstract in abstracts:
        # a link ("github.com/x/video-mme") is no use of a word
        text = " ".join(w for w in set(abstract.split()) if not _LINK.search(w))
        words = set(_TOKEN.findall(text))
        low = {w for w in words if w.islower()}
        lower.update(low)
        capital.update({w.lower() for w in words - low if not w.isdigit()})
    return [(lower, capital)]


def _month(paper: Paper) -> int | None:
    """Months since 2000 of the paper's arXiv id ('2405.15757' -> 292)."""
    if not paper.arxiv_id:
        return None
    return int(paper.arxiv_id[:2]) * 12 + int(paper.arxiv_id[2:4])


def _glued_before(text: str, start: int) -> bool:
    """A longer name runs into this one ("UI-TARS", "PixArt-Sigma")."""
    return start >= 2 and text[start - 1] in "-_/." and text[start - 2].isalnum()


def _glued_after(text: str, end: int) -> bool:
    """Something after the name makes it another name or another version."""
    rest = text[end : end + 24]
    if rest.startswith("+") or re.match(r"\.\d", rest):  # "VBench++", "Qwen2.5"
        return True
    m = re.match(r"[-_]([^\W_]+)", rest)
    if m:  # glued on: a size or a word for a variant of the same release ("-7B", "-Gen")
        glued = m.group(1)
        return not (_SAME_RELEASE.fullmatch(glued) or re.fullmatch(r"[A-Za-z][a-z]+", glued))
    m = re.match(r" ([^\W_]+(?:\.\d+)*)", rest)
    return bool(m and _VERSION.fullmatch(m.group(1)))  # "MeshAnything V2", "X 2"


def _introduces(text: str, start: int) -> bool:
    return _INTRODUCES.search(text[max(0, start - _LOOK_BACK) : start]) is not None


def _found(abstract: str, names: Names, prefixes: set[str],
           squashed: dict[str, str]) -> set[str]:
    """Ids of the papers whose name the abstract uses (before the corpus-wide filters).
    `squashed`: a cache of each word's `squash`."""
    return _read(abstract, names, prefixes, squashed)[0]


def _read(abstract: str, names: Names, prefixes: set[str], squashed: dict[str, str]
          ) -> tuple[set[str], str]:
    """`_found`, and the abstract's words squashed, '|' between them: a name can be found
    only where its key is there, from the start of a word to the end of one (a name is
    read across consecutive words)."""
    words = _TOKEN.findall(abstract)
    keys = [squashed.get(w) or squashed.setdefault(w, squash(w)) for w in words]
    starts = [i for i, key in enumerate(keys) if key in prefixes]  # most words begin no name
    if not starts:
        return set(), "|".join(keys)
    tokens = list(_TOKEN.finditer(abstract))  # the same words, where they stand
    out: set[str] = set()
    own: set[str] = set()  # names the abstract introduces as its own, wherever it does
    for i in starts:
        start = tokens[i].start()
        joined = ""
        exact = ""
        for j in range(i, min(i + MAX_SPAN_TOKENS, len(tokens))):
            if j > i and abstract[tokens[j - 1].end() : tokens[j].start()] not in (
                    " ", "-", "_", ""):
                break  # a name's words are never parted by other punctuation
            piece = tokens[j].group()
            joined += keys[j]
            exact += piece
            if joined not in prefixes:
                break
            for name, pid in names.get(joined, ()):
                end = tokens[j].end()
                if name.exact and exact != name.exact:
                    continue
                if not abstract.startswith(name.suffix, end):
                    continue  # "VBench" is not "VBench++"
                end += len(name.suffix)
                if _glued_before(abstract, start) or _glued_after(abstract, end):
                    continue
                if _introduces(abstract, start):
                    own.add(pid)
                out.add(pid)
    return out - own, "|".join(keys)


def _read_all(abstracts: Sequence[str], names: Names, prefixes: set[str]
              ) -> list[tuple[set[str], str]]:
    squashed: dict[str, str] = {}
    return [_read(a, names, prefixes, squashed) for a in abstracts]


Names = dict[str, tuple[tuple[Name, str], ...]]  # a name's key -> ((name, paper id),)


@dataclass(frozen=True)
class Seen:
    """What a build read in the abstracts, for the next build (`mentions_kept`): an
    abstract read before is searched again only for the names that changed since, and
    only when its words hold that name's key; the case counts are the last build's, with
    the papers added since counted. The result is the same as reading everything."""

    names: Names  # the names searched for
    rows: dict[str, int]  # an abstract's digest -> its row
    counts: tuple[int, ...]  # how many papers have each row's abstract
    text: str  # each row's words squashed (`_read`), NUL after each row
    starts: tuple[int, ...]  # where each row starts in `text`
    found: dict[str, frozenset[str]]  # an abstract's digest -> ids it names, when any
    lower: Counter[str]  # `_tallies` over every paper
    capital: Counter[str]

    def row(self, row: int) -> str:
        end = self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.text) - 1
        return self.text[self.starts[row]:end]

    @staticmethod
    def of(names: Names, rows: _Rows, texts: Sequence[str], found_of: Sequence[set[str]],
           lower: Counter[str], capital: Counter[str]) -> Seen:
        starts, at = [], 0
        for text in texts:
            starts.append(at)
            at += len(text) + 1
        return Seen(names, rows.rows, tuple(rows.counts), "".join(t + "\0" for t in texts),
                    tuple(starts), {rows.prints[k]: frozenset(found_of[row])
                                    for row, k in enumerate(rows.first) if found_of[row]},
                    lower, capital)


@dataclass(frozen=True)
class _Rows:
    """The papers' abstracts, each distinct one a row."""

    prints: list[str]  # each paper's abstract's digest
    rows: dict[str, int]  # digest -> row
    first: list[int]  # each row's first paper
    counts: list[int]  # how many papers have each row's abstract

    @staticmethod
    def of(papers: Sequence[Paper]) -> _Rows:
        prints = [digest(p.abstract) for p in papers]
        rows: dict[str, int] = {}
        first: list[int] = []
        counts: list[int] = []
        for k, print_ in enumerate(prints):
            row = rows.get(print_)
            if row is None:
                rows[print_] = len(first)
                first.append(k)
                counts.append(1)
            else:
                counts[row] += 1
        return _Rows(prints, rows, first, counts)


def _counted(papers: Sequence[Paper], rows: _Rows, halves: bool, seen: Seen | None
             ) -> tuple[Counter[str], Counter[str]]:
    """`_tallies` over every paper: the last build's, with the papers added since
    counted, when no paper left or changed its abstract; else all counted again."""
    if seen is None:
        return _tallies([p.abstract for p in papers], halves)
    before = {print_: seen.counts[row] for print_, row in seen.rows.items()}
    more = {row: rows.counts[row] - before.get(print_, 0) for print_, row in rows.rows.items()}
    if all(print_ in rows.rows for print_ in before) and min(more.values(), default=0) >= 0:
        added = [papers[rows.first[row]].abstract for row, n in more.items() for _ in range(n)]
        lower, capital = _tallies(added)
        lower.update(seen.lower)
        capital.update(seen.capital)
        return lower, capital
    return _tallies([p.abstract for p in papers], halves)  # a paper left or changed


def _prefixes(names: Names) -> set[str]:
    return {key[:k] for key in names for k in range(1, len(key) + 1)}


def _search(papers: Sequence[Paper], rows: _Rows, names: Names, halves: bool,
            seen: Seen | None) -> tuple[list[set[str]], list[str]]:
    """Each row's found names (before the corpus-wide filters) and text (`Seen`), from
    `seen` where it can."""
    found_of: list[set[str]] = [set() for _ in rows.first]
    texts: list[str] = [""] * len(rows.first)
    todo = list(range(len(rows.first)))
    if seen is not None:
        changed = {key for key in names.keys() | seen.names.keys()
                   if names.get(key) != seen.names.get(key)}
        gone = {pid for key in changed for _, pid in seen.names.get(key, ())}
        fresh = {key: names[key] for key in changed if key in names}
        again = _rows_holding(seen, fresh)  # rows of `seen` that hold a changed name's key
        fresh_prefixes = _prefixes(fresh)
        squashed: dict[str, str] = {}
        todo = []
        for row, k in enumerate(rows.first):
            print_ = rows.prints[k]
            before = seen.rows.get(print_)
            if before is None:
                todo.append(row)
                continue
            texts[row] = seen.row(before)
            found = set(seen.found.get(print_, ())) - gone
            if before in again:
                found |= _found(papers[k].abstract, fresh, fresh_prefixes, squashed)
            found_of[row] = found
    abstracts = [papers[rows.first[row]].abstract for row in todo]
    prefixes = _prefixes(names)
    read = (background.in_two(_read_all, abstracts, len(abstracts) // 2, names, prefixes)
            if halves and len(abstracts) > 1 else _read_all(abstracts, names, prefixes))
    for row, (found, text) in zip(todo, read, strict=True):
        found_of[row], texts[row] = found, text
    return found_of, texts


def _rows_holding(seen: Seen, names: Names) -> set[int]:
    """The rows of `seen` whose words hold one of these names' keys: found in the text
    without the bars between words (fast), then checked from the start of a word to the
    end of one in each row that has it."""
    if not names:
        return set()
    plain = seen.text.replace("|", "")
    starts, bars = [], 0  # where each row starts in `plain`
    for row, start in enumerate(seen.starts):
        if row:
            bars += seen.text.count("|", seen.starts[row - 1], start)
        starts.append(start - bars)
    out: set[int] = set()
    for key in names:
        whole = re.compile(r"(?:^|\|)" + r"\|*".join(map(re.escape, key)) + r"(?:\||$)")
        at = plain.find(key)
        while at != -1:
            row = bisect_right(starts, at) - 1
            if whole.search(seen.row(row)):
                out.add(row)
            if row + 1 >= len(starts):
                break
            at = plain.find(key, starts[row + 1])
    return out


def mentions(papers: Sequence[Paper], halves: bool = False
             ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(paper id -> ids its abstract names, paper id -> ids whose abstracts name it).
    `halves`: half of the abstracts read on another core (the same result)."""
    out, back, _ = mentions_kept(papers, halves)
    return out, back


def mentions_kept(papers: Sequence[Paper], halves: bool = False, seen: Seen | None = None
                  ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], Seen]:
    """`mentions`, from what the last build read (`seen`) where it can, and what the
    next build can start from."""
    rows = _Rows.of(papers)
    lower, capital = _counted(papers, rows, halves, seen)
    ordinary = _ordinary(lower, capital)
    by_key: dict[str, list[tuple[Name, Paper]]] = {}
    own: dict[str, str] = {}
    for p in papers:
        text = paper_name(p.title)
        if text is None:
            continue
        key = squash(text)
        if len(key) < 2:
            continue
        plain = "".join(_TOKEN.findall(text))
        # its words; then its parts, camel case split ("PositionID": position, ID)
        words = [w for w in _TOKEN.findall(text) if not w.isdigit()]
        if len(words) > 1 and all(w.lower() in ordinary or len(w) <= 2 for w in words):
            continue  # a phrase of ordinary words ("Agent AI", "Agent S"), not a name
        parts = [w for w in _CAMEL.findall(text) if not w.isdigit()]
        ordinary_name = key in ordinary or any(w.lower() in ordinary for w in parts)
        # names that are also ordinary words in lower case, and acronyms, match only in
        # their own case ("BRIGHT" is not "bright", "DICE" is not "Dice")
        exact = plain if ordinary_name or plain.isupper() else ""
        suffix = re.search(r"[^\w\s]*$", text).group()  # "++"
        by_key.setdefault(key, []).append((Name(text, key, exact, suffix), p))
        own[p.id] = key
    # a name two indexed papers share names neither for sure
    names = {key: tuple((name, p.id) for name, p in found) for key, found in by_key.items()
             if len(found) == 1}
    month = {p.id: _month(p) for p in papers}
    found_of, texts = _search(papers, rows, names, halves, seen)
    found = {p.id: found_of[rows.rows[print_]]
             for p, print_ in zip(papers, rows.prints, strict=True)}
    kept = Seen.of(names, rows, texts, found_of, lower, capital)
    seen_in = Counter(t for targets in found.values() for t in targets)
    limit = max(3, int(COMMON_NAME_SHARE * len(papers)))
    out: dict[str, tuple[str, ...]] = {}
    back: dict[str, set[str]] = {p.id: set() for p in papers}
    for p in papers:
        targets = sorted(
            t for t in found[p.id]
            if t != p.id and seen_in[t] <= limit
            and own.get(t) != own.get(p.id)  # its own artifact's name: a namesake
            and not (month[t] and month[p.id] and month[t] - month[p.id] >= NEWER_MONTHS))
        out[p.id] = tuple(targets)
        for t in targets:
            back[t].add(p.id)
    return out, {k: tuple(sorted(v)) for k, v in back.items()}, kept
