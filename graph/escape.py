"""Untrusted text, made safe for where it is shown.

Names, titles, companies and subjects come from other people's exports. This module is the one
place that neutralises them for each output: HTML (the graph view and the app), Markdown (the
app's text, where a name must not become a link, an image, a colour or a formula), spreadsheet
cells (CSV exports opened in Excel or Sheets), the terminal (no escape sequences that move
the cursor, recolour the screen or rewrite the title bar, no bidirectional controls that make
a line read differently than it is), and JSON printed or written for other programs (exact,
yet with no raw control character that a terminal showing it would act on).
"""

from __future__ import annotations

import html as _html
import json
import re

__all__ = ["html_text", "csv_cell", "terminal", "markdown", "json_text", "UNSAFE_CHARS"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0/C1 controls (except tab and newline handled separately), DEL, ANSI CSI/OSC sequences,
# and bidirectional overrides, isolates and marks that can make text read differently than it is.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\r\n|[\n\t\u2028\u2029]")
#: Characters no text that `terminal` or `json_text` returns holds raw: C0 controls but the
#: line feed, DEL, C1 controls, bidirectional controls, and the Unicode line separators.
UNSAFE_CHARS = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# what JSON leaves raw (it escapes C0 itself) and a terminal could act on
_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# every ASCII punctuation character may be backslash-escaped in CommonMark
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def html_text(value: object) -> str:
    """Text for HTML: ``<``, ``>``, ``&`` and both quotes escaped.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return _html.escape("" if value is None else str(value), quote=True)


def csv_cell(value: object) -> object:
    """A cell value that a spreadsheet shows as text, never runs as a formula.

    A string starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe (the OWASP recommendation); numbers and None pass unchanged.

    >>> csv_cell('=HYPERLINK("http://evil","click")')
    '\\'=HYPERLINK("http://evil","click")'
    >>> csv_cell(0.41)
    0.41
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def terminal(value: object) -> str:
    """Text for a terminal line: escape sequences and control characters removed, line breaks
    shown as spaces.

    >>> terminal("Ada\\x1b[31m Lovelace\\nPh.D.")
    'Ada Lovelace Ph.D.'
    """
    s = "" if value is None else str(value)
    s = _ANSI.sub("", s)
    s = _LINE_BREAKS.sub(" ", s)
    return _CONTROL.sub("", s)


def markdown(value: object) -> str:
    """Text for Markdown (Streamlit's ``st.markdown``, captions, labels): shown as written.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows it for all of
    them), so no link, image, emphasis, HTML, autolink, ``:colour[...]`` directive or ``$``
    formula can come from data; control characters go and line breaks become spaces, so a
    value stays on its line.

    >>> markdown("![x](http://evil.example/a.png) *Ada*")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/evil\\\\.example\\\\/a\\\\.png\\\\) \\\\*Ada\\\\*'
    """
    return _MD_SPECIAL.sub(r"\\\1", terminal(value))


def json_text(value: object) -> str:
    """`value` as one line of JSON (UTF-8 text kept as is) that parses back to exactly
    `value`, with no raw control character in it: JSON escapes C0 controls itself; DEL, C1
    controls (``\\x9b`` is CSI to some terminals), bidirectional controls and the Unicode line
    separators are written as ``\\uXXXX`` escapes too, which mean the same characters.

    >>> json_text({"name": "Ada\\u202e\\x1b[31m"})
    '{"name": "Ada\\\\u202e\\\\u001b[31m"}'
    >>> json.loads(json_text(["Zoë \\x9b"])) == ["Zoë \\x9b"]
    True
    """
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
