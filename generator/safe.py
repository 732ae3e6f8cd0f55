"""Untrusted text into HTML, markdown front matter and attributes, inert everywhere.

Generated pages put dump text only inside raw HTML blocks, escaped here, so that
Python-Markdown never sees it as markdown (no emphasis, links, attribute lists or
snippet includes) and the theme prints it as text wherever it lands (`<title>`, meta
tags, header). Front matter is written by `yaml.safe_dump` from a fixed set of keys.
"""

from __future__ import annotations

from typing import Any

import yaml

_ENTITIES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "*": "&#42;", "_": "&#95;",
    "`": "&#96;", "\\": "&#92;", "|": "&#124;", "~": "&#126;", "$": "&#36;", "#": "&#35;",
    ":": "&#58;", "=": "&#61;",
})


def esc(text: str) -> str:
    """Escape text for element content and quoted attributes; the characters markdown,
    attribute lists or templates could act on become entities too."""
    return text.translate(_ENTITIES)


def front_matter(meta: dict[str, Any]) -> str:
    body = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True, width=1 << 30,
                          default_flow_style=False)
    return f"---\n{body}---\n"


def teaser(abstract: str, limit: int = 200) -> str:
    """The first sentence of an abstract, cut at a word boundary."""
    end = abstract.find(". ")
    sentence = abstract if end < 0 else abstract[: end + 1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut + "…"
