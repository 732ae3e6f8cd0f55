"""Untrusted text into HTML, markdown front matter and attributes, inert everywhere.

Generated pages put dump text only inside raw HTML blocks, escaped here, so that
Python-Markdown never sees it as markdown (no emphasis, links, attribute lists or
snippet includes) and the theme prints it as text wherever it lands (`<title>`, meta
tags, header). Front matter is written by `yaml.safe_dump` from a fixed set of keys.
"""

from __future__ import annotations

import json
from typing import Any

# '&' first and '#' second: the entities written after them contain both
_ENTITIES = (
    ("&", "&amp;"), ("#", "&#35;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
    ("'", "&#39;"), ("{", "&#123;"), ("}", "&#125;"), ("[", "&#91;"), ("]", "&#93;"),
    ("*", "&#42;"), ("_", "&#95;"), ("`", "&#96;"), ("\\", "&#92;"), ("|", "&#124;"),
    ("~", "&#126;"), ("$", "&#36;"), (":", "&#58;"), ("=", "&#61;"),
)


def esc(text: str) -> str:
    """Escape text for element content and quoted attributes; the characters markdown,
    attribute lists or templates could act on become entities too."""
    for char, entity in _ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text


# characters YAML reads as line breaks inside a double-quoted scalar
_YAML_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _yaml_safe_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).translate(_YAML_BREAKS)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter from a fixed set of keys, one per line, each value written as
    JSON (a subset of YAML: strings double-quoted, mappings in flow style). Much faster
    than a YAML emitter for long values, and the value can never end the block or add
    a key: newlines, quotes and backslashes are escaped."""
    lines = [f"{key}: {_yaml_safe_json(meta[key])}" for key in sorted(meta)]
    return "---\n" + "\n".join(lines) + "\n---\n"


def teaser(abstract: str, limit: int = 200) -> str:
    """The first sentence of an abstract, cut at a word boundary."""
    end = abstract.find(". ")
    sentence = abstract if end < 0 else abstract[: end + 1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut + "…"
