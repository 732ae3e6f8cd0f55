"""Untrusted text stays text: escaping and front matter, checked on arbitrary strings."""

from __future__ import annotations

import html

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.safe import esc, front_matter, teaser
from generator.textnorm import clean_text

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # what mkdocs uses

nasty = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from([
    "---\ntitle: pwned\n---", "</title><script>alert(1)</script>", "{{ config }}",
    '"; alert(1); "', "\u2028\u2029\x85", "a: b", "- item", "&amp; &#106;", "\\", "'''",
])


@settings(max_examples=300, deadline=None)
@given(nasty, nasty)
def test_front_matter_round_trips_and_keeps_its_keys(title, description):
    meta = {"title": clean_text(title), "social": {"description": clean_text(description)}}
    text = front_matter(meta)
    assert text.startswith("---\n") and text.endswith("\n---\n")
    body = text[4:-4]
    assert body.count("\n---") == 0  # the block cannot be closed early
    assert yaml.load(body, Loader=Loader) == meta


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
