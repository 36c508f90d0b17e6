"""Whole numbers read from what people type or put in addresses.

`int()` accepts far more than a person means by a number: other scripts' digits, "1_000", "+5", and
thousands of digits (and `str.isdigit()` even accepts "²", which `int()` then refuses). So Plaza reads
only ASCII digits, and never more of them than a database integer holds.
"""

import re

MAX_INTEGER = 2**31 - 1  # the largest value an INTEGER column holds on PostgreSQL
MAX_ID = MAX_INTEGER  # ids are INTEGER columns; a larger one in a query is an error on PostgreSQL, not "none"

_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits stay below 2**63, so arithmetic on them never overflows


def whole_number(text: str | None) -> int | None:
    """The number `text` writes in ASCII digits (spaces around it allowed), or None."""
    if text is None:
        return None
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None
