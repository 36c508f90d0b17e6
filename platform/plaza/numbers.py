"""Whole numbers read from what people type or put in addresses.

`int()` accepts far more than a person means by a number: other scripts' digits, "1_000", "+5", and
thousands of digits (and `str.isdigit()` even accepts "²", which `int()` then refuses). So Plaza reads
only ASCII digits, and never more of them than a database integer holds.
"""

import re

MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds
MAX_INTEGER = 2**31 - 1  # the largest value an INTEGER column holds on PostgreSQL

_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits always fit under MAX_ID


def whole_number(text: str | None) -> int | None:
    """The number `text` writes in ASCII digits (spaces around it allowed), or None."""
    if text is None:
        return None
    text = text.strip()
    return int(text) if _DIGITS.fullmatch(text) else None
