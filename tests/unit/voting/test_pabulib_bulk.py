"""The Pabulib reader reads VOTES a column at a time when it can: it must give what row by row gives, and leave
every unusual or wrong file to the row-by-row reader (which names the line at fault)."""

import pytest

from plaza.voting.formats.pabulib import FormatError, read_pabulib
from plaza.voting.formats.pabulib import reader as pabulib

HEAD = "META\nkey;value\nnum_projects;3\nbudget;10\nvote_type;{vote_type}\nPROJECTS\nproject_id;cost\n1;4\n2;5\n3;6\n"


def row_by_row(text: str):
    return pabulib._Reader(text.removeprefix("\ufeff")).read()


def test_bulk_reads_every_real_file_as_row_by_row(shared_data):
    for path in sorted((shared_data / "pabulib").glob("*.pb")):
        text = path.read_text(encoding="utf-8-sig")
        assert pabulib._Reader(text, bulk=True).read() == row_by_row(text), path.name


@pytest.mark.parametrize("vote_type, votes", [
    ("approval", "voter_id;vote;age\nv1;1,2;30\nv2;3;\nv3;;41\n"),
    ("approval", "voter_id;vote;age\n v1 ; 1 , 2 ;30\nv2;3; 7 \n"),  # spaces to strip
    ("approval", 'voter_id;vote;name\nv1;1,2;"a;b"\nv2;3;"two\nlines"\n'),  # quoted fields
    ("approval", "voter_id;vote;age\nv1;1,2\nv2;3;;\n"),  # short and long rows
    ("approval", "voter_id;vote\nv1;1\n\nv2;2\n;\n"),  # blank rows
    ("cumulative", "voter_id;vote;points\nv1;1,2;3,1\nv2;3;4\n"),
    ("scoring", "voter_id;vote;points\nv1;1,2;-1,2.5\nv2;3;0,5\n"),
    ("ordinal", "voter_id;vote\nv1;3,1,2\nv2;2\n"),
    # errors: the row-by-row reader names the line
    ("approval", "voter_id;vote\nv1;1\nv1;2\n"),
    ("approval", "voter_id;vote\nv1;1,1\n"),
    ("approval", "voter_id;vote\nv1;4\n"),
    ("approval", "voter_id;vote\nv1;1\nMeta;\n"),
    ("approval", "voter_id;vote\n;1\n"),
    ("cumulative", "voter_id;vote;points\nv1;1,2;3\n"),
    ("cumulative", "voter_id;vote;points\nv1;1;x\n"),
    ("cumulative", "voter_id;vote;points\nv1;1;-1\n"),
])
def test_bulk_and_row_by_row_agree(vote_type, votes):
    text = HEAD.format(vote_type=vote_type) + "VOTES\n" + votes
    try:
        expected = row_by_row(text)
    except FormatError as error:
        with pytest.raises(FormatError) as raised:
            read_pabulib(text)
        assert str(raised.value) == str(error) and raised.value.line == error.line
    else:
        assert read_pabulib(text) == expected
