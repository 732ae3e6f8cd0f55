"""A synthetic corpus of text dumps with a known answer, for the deduplicator.

    python -m benchmarks.synth --entries 10000 --out benchmarks/out/10k [--seed 0]

writes `OUT/dumps/2025-01-07_synthetic.txt`, ... (one dump per day, 100-250 entries
each, both plain-text layouts) and, next to the dumps folder,

* `OUT/truth.json`: `{"<dump file>:<title line>": "<true paper key>", ...}` for every
  entry;
* `OUT/corpus.json`: what was generated (parameters, counts), the noise applied to
  every repeat that is not an exact copy (`"noise": {"<file>:<line>": kind}`) and the
  look-alike traps (`"traps": {paper key: {"kind": ..., "partner": paper key}}`).

Titles and abstracts come from word-level Markov chains trained on the real dumps
of the repository (`dumps/`). The chains back off from two words of context to one
whenever two words would force the next one, so a synthetic abstract does not copy
long passages of a seed abstract, and two synthetic papers share no long passage.
Paper names ("Kraken: ...") are invented and unique.

About 35% of the entries repeat a paper of an earlier dump (never twice in one
dump). Most repeats are exact copies; the others carry one kind of noise
(`NOISE_WEIGHTS`). About 2% of the papers are traps: pairs of *different* papers
that look alike (`TRAP_KINDS`) and must stay apart.

Everything is drawn from one `random.Random(seed)`: the same seed and the same seed
dumps give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

SEED_DUMPS = Path(__file__).resolve().parent.parent / "dumps"
START_DATE = dt.date(2025, 1, 7)
DUMP_SIZE = (100, 250)
REPEAT_RATE = 0.35  # share of all entries that repeat a paper of an earlier dump
TRAP_EVENT_RATE = 0.01  # per new paper: start a look-alike pair (2 papers) -> ~2% traps
ABSTRACT_CHARS = (600, 1900)
TRUNCATED_CHARS = (150, 400)
TITLE_WORDS = (4, 20)

# Kind of noise a repeat carries, and how often. "title_typo+abstract_truncated"
# carries both.
NOISE_WEIGHTS: dict[str, float] = {
    "identical": 0.52,
    "title_case": 0.05,
    "title_punct": 0.05,
    "title_dash": 0.04,
    "title_typo": 0.04,
    "title_space": 0.03,
    "abstract_truncated": 0.08,
    "abstract_typo": 0.06,
    "abstract_reflow": 0.05,
    "title_typo+abstract_truncated": 0.02,
    # harder: two edits at once
    "title_typo+title_case": 0.02,
    "title_dash+abstract_truncated": 0.02,
    "title_punct+abstract_reflow": 0.01,
    "title_case+abstract_typo": 0.01,
}
# Look-alike pairs of different papers (each with its own abstract):
#   survey:     "A Survey on X" / "X: A Survey"
#   one_word:   titles that differ by one word ("... for Vision" / "... for Language")
#   version:    "Foo-2: subtitle" / "Foo-3: subtitle"
#   same_title: the very same title
TRAP_KINDS = ("survey", "one_word", "version", "same_title")

HEADER_A = ("Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!")
CHROME = frozenset({*HEADER_A, "new", "Subscribe", "Daily Papers",
                    "byAK and the research community"})
CONTRAST = (("Vision", "Language"), ("Images", "Videos"), ("2D", "3D"), ("Text", "Speech"),
            ("Small", "Large"), ("Online", "Offline"), ("Robots", "Humans"),
            ("Classification", "Segmentation"), ("Encoders", "Decoders"),
            ("Training", "Inference"), ("Code", "Math"), ("Graphs", "Sequences"))
NAME_SUFFIXES = ("-2", "++", "-XL", "v2", "-R1", "-VL", "-Bench", "-Zero", "-Lite", "-7B")
SYLLABLES = ("ka", "ra", "ken", "lo", "mi", "zen", "tor", "vi", "da", "nex", "ar", "ion",
             "sol", "qua", "rix", "ta", "mo", "lux", "fi", "dra", "gon", "pel", "sy", "on")
LOWER_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "into",
                         "is", "of", "on", "or", "the", "to", "via", "with"})
ABBREVIATIONS = ("e.g.", "i.e.", "al.", "vs.", "etc.", "cf.", "Fig.", "Eq.")
_BOS, _EOS = "\x02", "\x03"
_KEY = re.compile(r"[\W_]+")


def _title_key(title: str) -> str:
    return _KEY.sub(" ", title.casefold()).strip()


# --------------------------------------------------------------------------- seeds


def load_seeds(folder: Path = SEED_DUMPS) -> list[tuple[str, str]]:
    """(title, abstract) of every distinct paper of the plain-text dumps in `folder`."""
    papers: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):
        lines = [" ".join(raw.split()) for raw in
                 path.read_text(encoding="utf-8", errors="replace").split("\n")]
        lines = [line for line in lines if line]
        for i, line in enumerate(lines):
            if len(line) < 300 or i == 0:
                continue
            title = lines[i - 1]
            if title.startswith("Subscribe") and len(title) > 9 and title[9].isupper():
                title = title[9:]
            if title not in CHROME and len(title) < 300:
                papers.setdefault(title, line)
    if len(papers) < 20:
        raise ValueError(f"too few seed papers in {folder} ({len(papers)}); need 20")
    return list(papers.items())


class Chain:
    """A word-level Markov chain of order 2 that backs off to order 1.

    `backoff` is the chance of using one word of context where two words of context
    allow only one next word (that is where a chain copies its training text)."""

    def __init__(self, texts: Sequence[str], backoff: float = 0.8):
        two: dict[tuple[str, str], list[str]] = {}
        one: dict[str, list[str]] = {}
        for text in texts:
            words = [_BOS, _BOS, *text.split(), _EOS]
            for i in range(2, len(words)):
                two.setdefault((words[i - 2], words[i - 1]), []).append(words[i])
                one.setdefault(words[i - 1], []).append(words[i])
        self.two = {state: (nexts, len(set(nexts)) == 1) for state, nexts in two.items()}
        self.one = one
        self.backoff = backoff

    def next(self, rng: Random, a: str, b: str) -> str:
        entry = self.two.get((a, b))
        if entry is None or (entry[1] and rng.random() < self.backoff):
            return rng.choice(self.one.get(b) or self.one[_BOS])
        return rng.choice(entry[0])

    def sequence(self, rng: Random, max_words: int) -> list[str]:
        """One text from its start to its end (cut at `max_words`)."""
        a, b = _BOS, _BOS
        out: list[str] = []
        while len(out) < max_words:
            word = self.next(rng, a, b)
            if word == _EOS:
                break
            out.append(word)
            a, b = b, word
        return out


def _ends_sentence(word: str) -> bool:
    return word.endswith(".") and not word.endswith(ABBREVIATIONS) and not word.endswith("..")


class Model:
    """Titles, names and abstracts in the style of the seed dumps."""

    def __init__(self, seeds: Sequence[tuple[str, str]]):
        titles = [t for t, _ in seeds]
        subtitles = []
        self.seed_names: set[str] = set()
        parts: list[str] = []
        for title in titles:
            name, sep, sub = title.partition(": ")
            if sep and " " not in name:
                self.seed_names.add(name)
                parts.extend(re.findall(r"[A-Z][a-z]{2,}", name))
                subtitles.append(sub)
            else:
                subtitles.append(title)
        self.name_parts = list(dict.fromkeys(parts)) or ["Model", "Former", "Agent"]
        self.titles = Chain(subtitles, backoff=0.6)
        self.abstracts = Chain([a for _, a in seeds], backoff=0.8)
        vocab = [w for t in subtitles for w in t.split() if w.isalpha() and len(w) >= 4
                 and w[0].isupper() and not w.isupper()]
        self.title_vocab = list(dict.fromkeys(vocab))

    # -- names and titles

    def name(self, rng: Random) -> str:
        style = rng.random()
        if style < 0.35:
            first, second = rng.sample(self.name_parts, 2)
            name = first + second
        elif style < 0.6:
            name = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVW") for _ in range(rng.randint(2, 6)))
        elif style < 0.8:
            letters = "".join(rng.choice("ABCDEFGHKLMPRSTV") for _ in range(rng.randint(2, 4)))
            part = rng.choice(self.name_parts)
            name = f"{letters}-{part}" if rng.random() < 0.5 else part[:3] + letters
        else:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        return name

    def subtitle(self, rng: Random, low: int, high: int, avoid: str = "") -> str:
        for _ in range(200):
            words = self.titles.sequence(rng, high + 1)
            if not low <= len(words) <= high:
                continue
            text = " ".join(words).rstrip(".,;")
            if ":" in text or "?" in text or text.endswith("…") or (avoid and avoid in text):
                continue
            if text[:1].isalpha() and text[0].islower() and rng.random() < 0.8:
                continue  # most titles start with a capital
            return text
        return " ".join(rng.choice(self.title_vocab) for _ in range(low))

    def topic(self, rng: Random) -> str:
        for _ in range(100):
            text = self.subtitle(rng, 3, 8)
            if text.split()[0] not in {"A", "An", "The", "On", "Towards", "Toward", "How",
                                       "When", "Why", "Can", "Do", "Does", "Is", "Are"}:
                return text
        return text

    # -- abstracts

    def abstract(self, rng: Random, name: str | None) -> str:
        low, high = ABSTRACT_CHARS
        while True:
            target = rng.randint(low, high)
            words: list[str] = []
            length = -1
            cut = 0  # words up to the last sentence end
            sentences = 0
            a, b = _BOS, _BOS
            while length < target:
                word = self.abstracts.next(rng, a, b)
                if word == _EOS:  # a seed abstract ended: start another sentence
                    a, b = _BOS, _BOS
                    if words and not _ends_sentence(words[-1]):
                        words[-1] += "."
                        sentences += 1
                        cut = len(words)
                    continue
                words.append(word)
                length += len(word) + 1
                a, b = b, word
                if _ends_sentence(word):
                    sentences += 1
                    if length > high - 40:
                        break
                    cut = len(words)
                elif length > high - 40:
                    break
            words = words[:cut]
            if name:
                words = [self._own_name(w, name) for w in words]
            text = " ".join(words)
            if low <= len(text) <= high and sentences >= 3 and text.count(". ") >= 2:
                return text

    def _own_name(self, word: str, name: str) -> str:
        core = word.strip(".,;:()'\"")
        if core in self.seed_names:
            return word.replace(core, name)
        return word


# --------------------------------------------------------------------------- noise


def _typo(rng: Random, text: str, positions: Sequence[int]) -> str:
    """One character edit (substitute, delete, insert or swap) at one of `positions`."""
    i = rng.choice(positions)
    op = rng.randrange(4)
    letter = rng.choice([c for c in "aeinorstlcdu" if c != text[i].lower()])
    if op == 0:
        return text[:i] + letter + text[i + 1:]
    if op == 1:
        return text[:i] + text[i + 1:]
    if op == 2:
        return text[:i] + letter + text[i:]
    if text[i + 1] != text[i] and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + letter + text[i + 1:]


def _inner_letters(text: str, min_word: int) -> list[int]:
    """Positions inside words of at least `min_word` letters (not first or last)."""
    return [m.start() + k for m in re.finditer(rf"[A-Za-z]{{{min_word},}}", text)
            for k in range(1, m.end() - m.start() - 1)]


def _case_variant(rng: Random, title: str) -> str:
    words = title.split(" ")
    choices = [
        title.lower(),
        " ".join([words[0]] + [w if w.isupper() or any(c.isdigit() for c in w) else w.lower()
                               for w in words[1:]]),
        " ".join(w.lower() if w.lower() in LOWER_WORDS and i else
                 (w.capitalize() if w.lower() in LOWER_WORDS else w)
                 for i, w in enumerate(words)),
        " ".join(w[:1].upper() + w[1:] for w in words),
    ]
    choices = [c for c in choices if c != title and c[:1] != ""]
    return rng.choice(choices) if choices else title


def title_variant(rng: Random, title: str, kind: str) -> tuple[str, str]:
    """(noisy title, the kind actually applied)."""
    if kind == "title_punct":
        if ": " in title:
            return title.replace(": ", rng.choice([" - ", " -- ", " : "]), 1), kind
        hyphened = [m.start() for m in re.finditer(r"(?<=\w)-(?=\w)", title)]
        if hyphened:
            i = rng.choice(hyphened)
            return title[:i] + rng.choice([" ", ""]) + title[i + 1:], kind
        kind = "title_case"
    if kind == "title_dash":
        dash = rng.choice(["–", "—"])
        hyphened = [m.start() for m in re.finditer(r"(?<=\w)-(?=\w)", title)]
        if ": " in title and (not hyphened or rng.random() < 0.5):
            return title.replace(": ", f" {dash} ", 1), kind
        if hyphened:
            return title.replace("-", dash), kind
        kind = "title_case"
    if kind == "title_case":
        varied = _case_variant(rng, title)
        if varied != title:
            return varied, kind
        kind = "title_typo"
    if kind == "title_space":
        gaps = [m.start() for m in re.finditer(" ", title)]
        i = rng.choice(gaps)
        return title[:i] + "  " + title[i + 1:], kind
    positions = _inner_letters(title, 4) or _inner_letters(title, 3)
    if positions:
        return _typo(rng, title, positions), "title_typo"
    return title + " ", "title_space"


def abstract_variant(rng: Random, abstract: str, kind: str) -> str:
    if kind == "abstract_truncated":
        low, high = TRUNCATED_CHARS
        cut = rng.randint(low, min(high, len(abstract) - 10))
        return abstract[:cut].rstrip() + "..."
    if kind == "abstract_typo":
        return _typo(rng, abstract, _inner_letters(abstract, 4))
    # reflowed: extra spaces, and sometimes one sentence glued to the next
    gaps = [m.start() for m in re.finditer(" ", abstract)]
    chosen = set(rng.sample(gaps, min(len(gaps), rng.randint(2, 6))))
    glue = -1
    ends = [m.start() + 1 for m in re.finditer(r"\. (?=[A-Z])", abstract)]
    if ends and rng.random() < 0.5:
        glue = rng.choice(ends)
        chosen.discard(glue)
    out = []
    for i, ch in enumerate(abstract):
        if i == glue:
            continue
        out.append("  " if i in chosen else ch)
    return "".join(out)


def noisy(rng: Random, title: str, abstract: str, kind: str) -> tuple[str, str, str]:
    """(title, abstract, kind actually applied) of one repeat."""
    if kind == "identical":
        return title, abstract, kind
    if "+" in kind:  # several edits: title ones in order, then at most one abstract one
        applied = []
        for part in kind.split("+"):
            if part.startswith("title_"):
                title, done = title_variant(rng, title, part)
            else:
                abstract, done = abstract_variant(rng, abstract, part), part
            applied.append(done)
        return title, abstract, "+".join(applied)
    if kind.startswith("title_"):
        new_title, applied = title_variant(rng, title, kind)
        return new_title, abstract, applied
    return title, abstract_variant(rng, abstract, kind), kind


# --------------------------------------------------------------------------- corpus


@dataclass
class _Pending:
    title: str
    due: int  # dump index from which it may be published
    partner: int  # index of the first paper of the pair
    kind: str


class _Corpus:
    def __init__(self, rng: Random, model: Model, n_dumps: int):
        self.rng = rng
        self.model = model
        self.n_dumps = n_dumps
        self.titles: list[str] = []
        self.abstracts: list[str] = []
        self.names: list[str | None] = []
        self.traps: dict[int, tuple[str, int]] = {}
        self.pending: list[_Pending] = []
        self.used_names: set[str] = set()
        self.used_titles: set[str] = set()

    def fresh_name(self) -> str:
        while True:
            name = self.model.name(self.rng)
            if name.casefold() not in self.used_names and name not in self.model.seed_names:
                self.used_names.add(name.casefold())
                return name

    def fresh_title(self) -> tuple[str, str | None]:
        low, high = TITLE_WORDS
        while True:
            if self.rng.random() < 0.5:
                name = self.fresh_name()
                if self.rng.random() < 0.12:
                    name += self.rng.choice(NAME_SUFFIXES)
                title = f"{name}: {self.model.subtitle(self.rng, max(3, low - 1), high - 1)}"
            else:
                name = None
                title = self.model.subtitle(self.rng, low, high - 2)
            if self.claim(title):
                return title, name

    def claim(self, title: str) -> bool:
        key = _title_key(title)
        if key in self.used_titles or not key:
            return False
        self.used_titles.add(key)
        return True

    def add(self, title: str, name: str | None, avoid_start: str | None = None) -> int:
        abstract = self.model.abstract(self.rng, name)
        while avoid_start is not None and abstract.split()[:12] == avoid_start.split()[:12]:
            abstract = self.model.abstract(self.rng, name)
        self.titles.append(title)
        self.abstracts.append(abstract)
        self.names.append(name)
        return len(self.titles) - 1

    def trap_titles(self, kind: str) -> tuple[str, str, str | None]:
        rng, model = self.rng, self.model
        while True:
            name = None
            if kind == "survey":
                topic = model.topic(rng)
                big = rng.random() < 0.3
                first = f"A Comprehensive Survey of {topic}" if big else f"A Survey on {topic}"
                second = f"{topic}: A Comprehensive Survey" if big else f"{topic}: A Survey"
                if rng.random() < 0.5:
                    first, second = second, first
            elif kind == "one_word":
                if rng.random() < 0.5:
                    left, right = rng.choice(CONTRAST)
                    base = model.subtitle(rng, 3, 12, avoid=" for ")
                    first, second = f"{base} for {left}", f"{base} for {right}"
                else:
                    first, name = self.fresh_title()
                    self.used_titles.discard(_title_key(first))
                    words = first.split(" ")
                    start = 1 if name else 0
                    slots = [i for i in range(start, len(words)) if words[i].isalpha()
                             and len(words[i]) >= 4]
                    if not slots:
                        continue
                    i = rng.choice(slots)
                    other = rng.choice(model.title_vocab)
                    if other.lower() == words[i].lower():
                        continue
                    words[i] = other if words[i][0].isupper() else other.lower()
                    second = " ".join(words)
            elif kind == "version":
                name = self.fresh_name()
                n = rng.randint(1, 4)
                style = rng.choice(["{}-{}", "{}{}", "{} {}", "{}-v{}"])
                sub = model.subtitle(rng, 3, 14)
                first = f"{style.format(name, n)}: {sub}"
                second = f"{style.format(name, n + 1)}: {sub}"
            else:  # same_title
                first, name = self.fresh_title()
                self.used_titles.discard(_title_key(first))
                second = first
            if _title_key(first) in self.used_titles or _title_key(second) in self.used_titles:
                continue
            self.used_titles.add(_title_key(first))
            self.used_titles.add(_title_key(second))
            return first, second, name

    def new_paper(self, dump_index: int, last_dump: bool) -> int:
        for i, pending in enumerate(self.pending):
            if (pending.due <= dump_index and self.rng.random() < 0.3) or last_dump:
                del self.pending[i]
                partner = pending.partner
                avoid = self.abstracts[partner] if pending.kind == "same_title" else None
                paper = self.add(pending.title, self.names[partner], avoid)
                self.traps[paper] = (pending.kind, partner)
                self.traps[partner] = (pending.kind, paper)
                return paper
        if self.rng.random() < TRAP_EVENT_RATE:
            kind = self.rng.choice(TRAP_KINDS)
            first, second, name = self.trap_titles(kind)
            paper = self.add(first, name)
            due = min(dump_index + self.rng.randint(0, 5), self.n_dumps - 1)
            self.pending.append(_Pending(second, due, paper, kind))
            return paper
        title, name = self.fresh_title()
        return self.add(title, name)


def dump_sizes(rng: Random, entries: int) -> list[int]:
    low, high = DUMP_SIZE
    sizes = []
    remaining = entries
    while remaining > high:
        n = rng.randint(low, min(high, remaining - low))
        sizes.append(n)
        remaining -= n
    if remaining:
        sizes.append(remaining)
    return sizes


def _repeat_of(rng: Random, by_dump: list[list[int]], dump_index: int,
               here: set[int]) -> int | None:
    """An earlier dump's paper, mostly from the last few dumps, not already `here`."""
    for _ in range(10):
        back = 1
        while back < dump_index and rng.random() < 0.75:
            back += 1
        candidate = rng.choice(by_dump[dump_index - back])
        if candidate not in here:
            return candidate
    return None


def _write_dump(path: Path, layout: str, date: dt.date, rng: Random,
                rows: list[tuple[str, str]]) -> list[int]:
    """Write one dump; returns the 1-based line of each row's title."""
    if layout == "A":
        lines = [*HEADER_A, "Subscribe" + rows[0][0], rows[0][1]]
        for title, abstract in rows[1:]:
            lines += [title, abstract]
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        return [3 + 2 * i for i in range(len(rows))]
    header = ["new", "Get trending papers in your email inbox!", "Subscribe"]
    if rng.random() < 0.5:
        header.append("Daily Papers")
    header += ["byAK and the research community", f"{date:%b} {date.day}"]
    lines = header + [part for row in rows for part in row]
    path.write_bytes("\n\n".join(lines).encode("utf-8"))
    return [2 * (len(header) + 2 * i) + 1 for i in range(len(rows))]


def make_corpus(out_dir: Path, entries: int, seed: int = 0, *,
                seed_dumps: Path = SEED_DUMPS,
                progress: Callable[[str], None] | None = None) -> Path:
    """Write a corpus of `entries` entries to `out_dir/dumps/` (returned), with
    `out_dir/truth.json` and `out_dir/corpus.json`."""
    if entries < 1:
        raise ValueError("entries must be at least 1")
    out_dir = Path(out_dir)
    dumps_dir = out_dir / "dumps"
    dumps_dir.mkdir(parents=True, exist_ok=True)
    strangers = [p.name for p in dumps_dir.iterdir() if not p.name.endswith("_synthetic.txt")]
    if strangers:
        raise ValueError(f"{dumps_dir} holds files this generator did not write: {strangers[:3]}")
    for old in dumps_dir.glob("*_synthetic.txt"):
        old.unlink()

    rng = Random(seed)
    model = Model(load_seeds(seed_dumps))
    sizes = dump_sizes(rng, entries)
    repeat_p = min(0.9, REPEAT_RATE * entries / (entries - sizes[0])) if len(sizes) > 1 else 0.0
    corpus = _Corpus(rng, model, len(sizes))
    by_dump: list[list[int]] = []
    truth: dict[str, str] = {}
    noise: dict[str, str] = {}
    counts: dict[str, int] = {}
    files: list[str] = []
    layouts: dict[str, str] = {}
    kinds = list(NOISE_WEIGHTS)
    weights = list(NOISE_WEIGHTS.values())
    done = 0
    next_report = 0
    for d, size in enumerate(sizes):
        date = START_DATE + dt.timedelta(days=d)
        name = f"{date.isoformat()}_synthetic.txt"
        layout = "A" if d == 0 else "B" if d == 1 else rng.choice("AB")
        here: set[int] = set()
        rows: list[tuple[int, str, str, str]] = []
        for _ in range(size):
            paper = None
            if d and rng.random() < repeat_p:
                paper = _repeat_of(rng, by_dump, d, here)
            if paper is None:
                paper = corpus.new_paper(d, d == len(sizes) - 1)
                kind = "first"
                title, abstract = corpus.titles[paper], corpus.abstracts[paper]
            else:
                wanted = rng.choices(kinds, weights)[0]
                title, abstract, kind = noisy(rng, corpus.titles[paper],
                                              corpus.abstracts[paper], wanted)
            here.add(paper)
            rows.append((paper, title, abstract, kind))
        if layout == "A":  # the first title is glued to "Subscribe": it needs a capital
            first = next((i for i, row in enumerate(rows) if row[1][:1].isupper()
                          or row[1][:1].isdigit()), 0)
            rows.insert(0, rows.pop(first))
        lines = _write_dump(dumps_dir / name, layout, date, rng,
                            [(title, abstract) for _, title, abstract, _ in rows])
        for line, (paper, _, _, kind) in zip(lines, rows, strict=True):
            key = f"{name}:{line}"
            truth[key] = f"p{paper:06d}"
            counts[kind] = counts.get(kind, 0) + 1
            if kind not in ("first", "identical"):
                noise[key] = kind
        by_dump.append([row[0] for row in rows])
        files.append(name)
        layouts[name] = layout
        done += size
        if progress and (done >= next_report or d == len(sizes) - 1):
            progress(f"synth: {done}/{entries} entries, {d + 1} dumps, "
                     f"{len(corpus.titles)} papers")
            next_report = done + max(1000, entries // 20)

    for pending in corpus.pending:  # a pair whose second paper never came out
        corpus.traps.pop(pending.partner, None)
    traps = {f"p{paper:06d}": {"kind": kind, "partner": f"p{partner:06d}"}
             for paper, (kind, partner) in sorted(corpus.traps.items())}
    meta = {
        "seed": seed,
        "entries": entries,
        "dumps": len(files),
        "papers": len(corpus.titles),
        "repeats": entries - counts.get("first", 0),
        "noise_counts": {k: counts[k] for k in sorted(counts)},
        "trap_papers": len(traps),
        "layouts": layouts,
        "traps": traps,
        "noise": noise,
    }
    (out_dir / "truth.json").write_bytes(json.dumps(truth, indent=0).encode("utf-8"))
    (out_dir / "corpus.json").write_bytes(
        json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8"))
    return dumps_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    dumps = make_corpus(args.out, args.entries, args.seed,
                        progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    meta = json.loads((args.out / "corpus.json").read_text(encoding="utf-8"))
    print(f"{dumps}: {meta['entries']} entries in {meta['dumps']} dumps, "
          f"{meta['papers']} papers, {meta['repeats']} repeats, "
          f"{meta['trap_papers']} trap papers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
