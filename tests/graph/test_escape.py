"""Untrusted text for Markdown: shown as written, never a link, image, colour or formula."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from graph.demo import HOSTILE_NAMES
from graph.escape import markdown

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def test_markdown_neutralises_every_construct():
    cases = {
        "![x](http://evil.example/a.png)": "\\!\\[x\\]\\(http\\:\\/\\/evil\\.example\\/a\\.png\\)",
        "<script>alert(1)</script>": "\\<script\\>alert\\(1\\)\\<\\/script\\>",
        ":red[alarm] :material/home: $x^2$": "\\:red\\[alarm\\] \\:material\\/home\\: \\$x\\^2\\$",
        "**bold** _it_ `code` # h": "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\# h",
        "www.evil.example": "www\\.evil\\.example",
        "line\nbreak\x1b[31m": "line break",
    }
    for raw, escaped in cases.items():
        assert markdown(raw) == escaped


@given(st.text())
def test_markdown_unescapes_to_the_plain_text(text):
    """Removing the backslashes gives back the text (without controls and line breaks), and no
    punctuation is left unescaped."""
    from graph.escape import terminal

    out = markdown(text)
    assert _UNESCAPE.sub(r"\1", out) == terminal(text)
    assert not re.search(r"(?<!\\)[<>\[\]()!*_`$:]", out.replace("\\\\", ""))


def test_hostile_demo_names():
    for first, last in HOSTILE_NAMES:
        out = markdown(f"{first} {last}")
        assert "<" not in out.replace("\\<", "") and "[" not in out.replace("\\[", "")
