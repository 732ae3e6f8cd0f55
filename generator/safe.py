"""Untrusted text into HTML, markdown front matter and attributes, inert everywhere.

Generated pages put dump text only inside raw HTML blocks, escaped here, so that
Python-Markdown never sees it as markdown (no emphasis, links, attribute lists or
snippet includes) and the theme prints it as text wherever it lands (`<title>`, meta
tags, header). Front matter is written from a fixed set of keys, each value as JSON
(`front_matter`), and the writer checks that mkdocs reads every block back as written.
"""

from __future__ import annotations

import json
import re
from typing import Any

# '&' first and '#' second: the entities written after them contain both
_ENTITIES = (
    ("&", "&amp;"), ("#", "&#35;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
    ("'", "&#39;"), ("{", "&#123;"), ("}", "&#125;"), ("[", "&#91;"), ("]", "&#93;"),
    ("*", "&#42;"), ("_", "&#95;"), ("`", "&#96;"), ("\\", "&#92;"), ("|", "&#124;"),
    ("~", "&#126;"), ("$", "&#36;"), (":", "&#58;"), ("=", "&#61;"),
)


_ACTIVE = re.compile("[" + re.escape("".join(char for char, _ in _ENTITIES)) + "]")


def esc(text: str) -> str:
    """Escape text for element content and quoted attributes; the characters markdown,
    attribute lists or templates could act on become entities too."""
    if _ACTIVE.search(text) is None:  # most values: nothing to escape
        return text
    for char, entity in _ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text


# What YAML (and so mkdocs) would refuse in front matter or read as a line break inside a
# double-quoted scalar; written as escapes, the value reads back exactly. (The readers and
# the strict loader keep these out of every text; this is the last line of defence.)
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# Inside JSON strings: every character Markdown or the theme could act on, as a \u escape,
# so that even front matter rendered as Markdown (never allowed, see `writer`) is inert.
_MARKDOWN_ACTIVE = re.compile(r"[\[\]()*_`!{}|~$#:<>&=]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _escape_code(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def _yaml_safe_json(value: Any) -> str:
    return _YAML_UNSAFE.sub(_escape_code, json.dumps(value, ensure_ascii=False, sort_keys=True))


def inert_json(text: str) -> str:
    """JSON text whose strings hold no character Markdown reads as syntax; it parses to
    the same value."""
    return _JSON_STRING.sub(lambda m: _MARKDOWN_ACTIVE.sub(_escape_code, m.group()), text)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter from a fixed set of keys, one per line, each value written as
    JSON (a subset of YAML: strings double-quoted, mappings in flow style). Much faster
    than a YAML emitter for long values, and the value can never end the block or add
    a key: newlines, quotes, backslashes and what YAML refuses are escaped."""
    lines = [f"{key}: {_yaml_safe_json(meta[key])}" for key in sorted(meta)]
    return "---\n" + "\n".join(lines) + "\n---\n"


def read_front_matter(page: str) -> tuple[dict[str, Any], str] | None:
    """What `front_matter` wrote, read back without YAML: (meta, the rest of the page),
    or None when the page does not start with such a block."""
    if not page.startswith("---\n"):
        return None
    end = page.find(_END, 3)
    if end < 0:
        return None
    meta: dict[str, Any] = {}
    for line in page[4:end].split("\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            return None
        meta[key] = json.loads(value)
    return meta, page[end + len(_END) :]


def page_body(page: str) -> str:
    """The rest of a page `front_matter` began (whose front matter was read already)."""
    return page[page.index(_END, 3) + len(_END) :]


_END = "\n---\n"  # the line that ends a front matter block


def teaser(abstract: str, limit: int = 200) -> str:
    """The first sentence of an abstract, cut at a word boundary."""
    end = abstract.find(". ")
    sentence = abstract if end < 0 else abstract[: end + 1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut + "…"
