"""CSV files that are safe to open in a spreadsheet program: the one writer every export uses.

A spreadsheet (Excel, LibreOffice Calc, Google Sheets, Numbers) runs a cell that starts with = + - or @ as a
formula, which can fetch web pages with the sheet's data or, through DDE, start programs ("CSV injection",
OWASP; CWE-1236). Excel and LibreOffice skip leading spaces before deciding, and read the full-width forms
＝ ＋ － ＠ (typed by Japanese, Chinese and Korean input methods) as the ASCII ones. So a text cell gets a
leading apostrophe, which makes it plain text, when

- it starts with a control character (tab, carriage return, line feed, NUL...), or
- its first character after any spaces and control or invisible formatting characters is one of
  = + - @ ＝ ＋ － ＠.

Numbers are written as numbers, so a negative amount stays a number. Cells with a formula character further
in ("a=b", "2024-01-01") are kept as they are; a line break inside a cell is quoted by the csv module, so
what follows it stays in the same cell.

Pure: no Flask, no database.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from numbers import Number

BYTE_ORDER_MARK = "\ufeff"  # lets spreadsheet programs open the UTF-8 file with the right characters
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
APOSTROPHE = "'"


def _is_skipped(character: str) -> bool:
    """Characters a spreadsheet may pass over before it looks for a formula: spaces, controls, invisibles."""
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program could read this text cell as a formula."""
    if not text:
        return False
    if unicodedata.category(text[0]) == "Cc":  # tab, CR, LF, NUL... (OWASP, ASVS 1.2.10)
        return True
    for character in text:
        if not _is_skipped(character):
            return character in FORMULA_STARTS
    return False


def safe_cell(value):
    """The value to write in a CSV cell: text a spreadsheet would run gets a leading apostrophe; numbers,
    None (an empty cell) and harmless text are kept as they are."""
    if value is None or isinstance(value, Number):
        return value
    text = str(value)
    return APOSTROPHE + text if is_formula_like(text) else text


def csv_document(header: Sequence, rows: Iterable[Sequence]) -> str:
    """CSV text (comma separated, CRLF line ends, quoted where needed) starting with a byte order mark, every
    cell made safe with `safe_cell`; encode it as UTF-8."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
