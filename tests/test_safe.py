"""Untrusted text stays text: escaping and front matter, checked on arbitrary strings."""

from __future__ import annotations

import html

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from generator.safe import esc, front_matter, read_front_matter, teaser

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # what mkdocs uses

nasty = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "---\ntitle: pwned\n---", "</title><script>alert(1)</script>", "{{ config }}",
    '"; alert(1); "', "\u2028\u2029\x85", "\x80\x9f\ufffe\uffff\x7f\x0b", "a: b",
    "- item", "&amp; &#106;", "\\", "'''",
])


@settings(max_examples=500, deadline=None)
@given(nasty, nasty)
def test_front_matter_round_trips_through_mkdocs(title, description):
    """Raw text, not cleaned first: whatever reaches `front_matter` (C1 controls, U+0085,
    U+2028, non-characters included), mkdocs reads back exactly what was written."""
    meta = {"title": title, "social": {"description": description}}
    text = front_matter(meta)
    assert text.startswith("---\n") and text.endswith("\n---\n")
    body = text[4:-4]
    assert body.count("\n---") == 0  # the block cannot be closed early
    assert yaml.load(body, Loader=Loader) == meta
    markdown, parsed = get_data(text + "body\n")
    assert (parsed, markdown) == (meta, "body\n")
    assert read_front_matter(text + "body\n") == (meta, "body\n")


def test_front_matter_keeps_every_character_yaml_refuses():
    every = "".join(chr(c) for c in range(1, 0x3000) if not 0xD800 <= c < 0xE000) + \
        "\ufdd0\ufffe\uffff\U0001fffe\U0010ffff"
    meta = {"title": every}
    assert get_data(front_matter(meta) + "x\n") == ("x\n", meta)


@settings(max_examples=300, deadline=None)
@given(nasty)
def test_esc_leaves_no_markup_and_decodes_back(text):
    out = esc(text)
    for ch in "<>\"'`{}[]*_\\|":
        assert ch not in out
    assert html.unescape(out) == text


def test_teaser_is_the_first_sentence():
    assert teaser("One two. Three four.") == "One two."
    long = "word " * 100
    assert teaser(long).endswith("…") and len(teaser(long)) <= 201
