"""Strict YAML for files that come from strangers' pull requests.

Every scalar stays a string (`2401.10000`, `no`, `0123` are kept as written) and is
cleaned like dump text (NFC, whitespace collapsed); duplicate keys, anchors, aliases,
explicit tags, non-string keys, control characters (also when written as escapes such as
`"\\x85"` or `"\\v"`), nesting deeper than `MAX_DEPTH` and oversized files are refused.
Values come back with the line they were written on, so schema messages can name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .textnorm import clean_text, describe_character, forbidden_character

MAX_BYTES = 256 * 1024
MAX_DEPTH = 16  # the curated files need 4 levels; the composer recurses per level
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


def _short_tag(tag: str) -> str:
    """A tag as it is written: `!!python/object` rather than `tag:yaml.org,2002:python/...`."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") \
        else tag


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """No implicit typing: every plain scalar resolves to a string."""


_Loader.yaml_implicit_resolvers = {}


@dataclass(frozen=True)
class Node:
    """A loaded value (str, list of Node, or dict of str to Node) and its line."""

    value: Any
    line: int
    key_lines: tuple[tuple[str, int], ...] = ()  # for mappings: each key's own line

    def plain(self) -> Any:
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        return self.value


def load(text: str) -> Node | None:
    """Parse one YAML document strictly; None for an empty document."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(1, f"file is larger than {MAX_BYTES // 1024} KiB")
    bad = forbidden_character(text)
    if bad is not None:  # written raw (YAML's own reader would refuse most of them)
        raise YamlError(text.count("\n", 0, text.index(bad)) + 1, _not_allowed(bad))
    loader = None
    try:
        loader = _Loader(text)
        _refuse_anchors(loader)
        loader.dispose()
        loader = _Loader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(mark.line + 1 if mark else 1,
                        f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return None if root is None else _convert(root)


def _not_allowed(char: str) -> str:
    return f"{describe_character(char)} is not allowed; remove it"


def _refuse_anchors(loader: _Loader) -> None:
    """One pass over the events, before anything is composed: no anchors, aliases or
    explicit tags, no control characters, no deep nesting."""
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            bad = forbidden_character(event.value)
            if bad is not None:
                raise YamlError(line, _not_allowed(bad) + " (written as an escape)")
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(line, f"aliases are not allowed (*{event.anchor})")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlError(line, f"anchors are not allowed (&{anchor})")
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = (isinstance(event, yaml.ScalarEvent) and tag is not None
                    and not implicit[0] and not implicit[1] and tag != "!")
        explicit = explicit or (isinstance(event, yaml.CollectionStartEvent) and tag is not None
                                and not implicit)
        if explicit:
            raise YamlError(line, f"explicit tags are not allowed ({_short_tag(tag)})")


def _convert(node: yaml.Node) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _STR:
            raise YamlError(line, f"explicit tags are not allowed ({_short_tag(node.tag)})")
        return Node(clean_text(node.value), line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item) for item in node.value], line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise YamlError(key_line, "keys must be plain strings")
            key = key_node.value
            if key == "<<":
                raise YamlError(key_line, "merge keys ('<<') are not allowed")
            if key in out:
                raise YamlError(key_line, f"duplicate key '{key}' (first on line {lines[key]})")
            out[key] = _convert(value_node)
            lines[key] = key_line
        return Node(out, line, tuple(lines.items()))
    raise YamlError(line, "unsupported YAML node")
