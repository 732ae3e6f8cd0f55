"""How much a line of a text dump looks like an abstract rather than a title.

A small logistic model over cues a reader uses: titles are short, rarely end a sentence,
name things with capitals and colons ("Name: what it does"); abstracts are sentences
("We propose ...", commas, verbs), however short a page may have cut them. The weights
are fitted on the real Daily Papers titles and abstracts, with abstracts also cut to
their first sentence, first two sentences or first few words (what short or truncated
abstracts look like): `benchmarks/fit_line_kind.py` fits them on half the real days and
reports the accuracy on the other half. The text reader never trusts one line's looks
alone: it pairs titles and abstracts over the whole dump (`text.align`).
"""

from __future__ import annotations

import math
import re

from ..textnorm import TRUNCATION_MARKERS

# Lines this long are abstracts whatever they look like (the longest real title of 2024
# has 24 words and 226 characters); the cues below only ever read shorter lines.
SURELY_ABSTRACT_CHARS = 300
SURELY_ABSTRACT_WORDS = 45

_INNER_SENTENCE = re.compile(r"[a-z0-9)\]%][.!?] +[A-Z]")
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|this paper|this work|in this)\b", re.IGNORECASE)
_VERB = re.compile(r"\b(?:is|are|was|were|has|have|can|achieves?|shows?|proposes?|"
                   r"introduces?|presents?|demonstrates?|outperforms?|remains?|requires?)\b")
_ENDS_WITH_A_LINK = re.compile(r"(?:https?://|www\.)\S+$")  # "Code: https://github.com/..."
LINK_ENDED = 0.99
_LONG_CAPITALISED = re.compile(r"(?<=\s)[A-Z]\S{3,}")
_LONG_LOWER = re.compile(r"(?<=\s)[a-z]\S{3,}")
_NAME_COLON = re.compile(r"^[^\s:]+(?: [^\s:]+){0,4}:")  # "Name: ...", "3D ... 512-Byte:Var..."

# name -> weight, fitted by benchmarks/fit_line_kind.py (see its table in benchmarks/README.md)
WEIGHTS = {
    "log_words": 2.32,
    "words_60": 0.73,
    "ends_sentence": 3.0,
    "truncated": 6.46,
    "inner_sentence": -0.86,
    "first_person": 0.35,
    "verbs_3": 3.15,
    "capitalised_share": -6.84,
    "lower_words_20": 4.3,
    "name_colon": -6.0,
    "commas_5": 1.5,
    "short_open_end": -9.19,
}
INTERCEPT = -0.22


def line_features(line: str) -> dict[str, float]:
    """The cues of one line (shorter than SURELY_ABSTRACT_CHARS), each a number."""
    words = line.split()
    # words after the first that start with a letter and have four characters or more
    capitalised = len(_LONG_CAPITALISED.findall(line))
    lower = len(_LONG_LOWER.findall(line))
    ends = line.endswith((".", "!", "。")) and not line.endswith("..")
    truncated = line.endswith(TRUNCATION_MARKERS)
    return {
        "log_words": math.log(max(len(words), 1)),
        "words_60": min(len(words), 60) / 60,
        "ends_sentence": float(ends),
        "truncated": float(truncated),
        "inner_sentence": float(_INNER_SENTENCE.search(line) is not None),
        "first_person": float(_FIRST_PERSON.search(line) is not None),
        "verbs_3": float(min(len(_VERB.findall(line)), 3)),
        "capitalised_share": capitalised / (capitalised + lower) if capitalised + lower else 0.5,
        "lower_words_20": min(lower, 20) / 20,
        "name_colon": float(_NAME_COLON.match(line) is not None),
        "commas_5": min(line.count(","), 5) / 5,
        # no real abstract is shorter than 29 words, and a page that cuts one marks the cut
        "short_open_end": float(not ends and not truncated and len(words) < 20),
    }


def abstract_probability(line: str) -> float:
    """0 (surely a title) to 1 (surely an abstract)."""
    if len(line) >= SURELY_ABSTRACT_CHARS or line.count(" ") + 1 >= SURELY_ABSTRACT_WORDS:
        return 1.0
    features = line_features(line)
    score = INTERCEPT + sum(w * features[k] for k, w in WEIGHTS.items())
    p = 1.0 / (1.0 + math.exp(-score))
    # no title ends with a link (none of 2024's 1,984), and the real abstracts that do are
    # all long: the fitted weights never saw a short one
    return max(p, LINK_ENDED) if _ENDS_WITH_A_LINK.search(line) else p


def ends_a_sentence_or_cut(line: str) -> bool:
    """Ends a sentence, a cut marker or a link: no title of 2024 does."""
    return (line.endswith((".", "!", "。")) or line.endswith(TRUNCATION_MARKERS)
            or _ENDS_WITH_A_LINK.search(line[-300:]) is not None)

