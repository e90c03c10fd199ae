"""loaders/text.py: bytes to rows, shared by every CSV loader."""

from __future__ import annotations

from graph.model import Skipped
from loaders.text import read_table


def test_rows_with_undecodable_bytes_are_skipped_whatever_the_line_ends():
    """Found by tests/loaders/test_fuzz.py. A UTF-8 file (``Zoë``) with one Latin-1 byte
    (``Jos\\xe9``) decodes with that byte kept as a lone surrogate, and the row holding it must
    be skipped: a surrogate cannot be stored. The damaged rows used to be found by counting
    LF line ends, while the csv module also ends a line at a lone CR; with a CR-ended row
    before it, the good row was skipped and the damaged one came out, surrogate and all.

    Lines as the csv module counts them: 1 header, 2 Zoë (ends with CR), 3 José.
    """
    raw = b"First Name,Last Name\r\nZo\xc3\xab,Ng\rJos\xe9,Ruiz\n"
    rows = list(read_table(raw, file="c.csv", required=["first name"]).rows())
    assert rows == [(2, ["Zoë", "Ng"]), Skipped("c.csv", 3, "undecodable bytes")]
