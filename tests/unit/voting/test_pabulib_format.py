"""Pabulib `.pb` files: reading, writing, round trips and clear errors on malformed input."""

import io
from fractions import Fraction
from pathlib import Path

import pytest

from plaza.voting.formats.pabulib import FormatError, pabulib_text, read_pabulib, write_pabulib
from plaza.voting.methods.budgeting import PBBallot, PBElection
from tests.conftest import SHARED_DATA

PB_FILES = sorted(path.name for path in (SHARED_DATA / "pabulib").glob("*.pb"))

VALID = "\n".join([
    "META",
    "key;value",
    'description;"Test; with a semicolon and ""quotes"""',
    "num_projects;3",
    "num_votes;4",
    "budget;100",
    "vote_type;cumulative",
    "rule;greedy",
    "PROJECTS",
    "project_id;cost;votes;name",
    "02;40;3;Park",
    '2;60,5;2;"Bench; with ""quotes"""',
    "c10;25;1;Trees",
    "VOTES",
    "voter_id;age;vote;points",
    "v1;34;02,2;2,1",
    "v2;;02;3",
    "v3;70;c10,02,2;1,1,1",
    "v4;18;2;4",
    "",
])


def read(text: str) -> PBElection:
    return read_pabulib(text)


def test_reads_sections_ids_numbers_and_quoted_fields():
    election = read(VALID)
    assert election.vote_type == "cumulative"
    assert election.budget == 100
    assert election.projects == {"02": 40, "2": Fraction(121, 2), "c10": 25}  # "02" and "2" stay apart
    assert election.meta == {"description": 'Test; with a semicolon and "quotes"', "rule": "greedy"}
    assert election.project_fields["2"] == {"votes": "2", "name": 'Bench; with "quotes"'}
    first = election.ballots[0]
    assert first == PBBallot(projects=("02", "2"), points=(2, 1), voter_id="v1", extra={"age": "34"})
    assert election.ballots[1].extra == {"age": ""}
    assert election.num_voters == 4


def test_utility_weights_per_vote_type():
    ballot = PBBallot(projects=("a", "b", "c"), points=(5, 1, 2))
    assert ballot.weights("cumulative") == {"a": 5, "b": 1, "c": 2}
    assert ballot.weights("approval") == {"a": 1, "b": 1, "c": 1}
    assert ballot.weights("ordinal") == {"a": 3, "b": 2, "c": 1}


def test_bom_and_crlf_read_the_same_as_lf(tmp_path):
    crlf = "\ufeff" + VALID.replace("\n", "\r\n")
    assert read(crlf) == read(VALID)
    path = tmp_path / "crlf.pb"
    path.write_bytes(crlf.encode("utf-8"))
    assert read_pabulib(path) == read(VALID)
    assert read_pabulib(str(path)) == read(VALID)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        assert read_pabulib(handle) == read(VALID)


def test_round_trip_of_a_written_election(tmp_path):
    election = read(VALID)
    assert read(pabulib_text(election)) == election
    path = tmp_path / "out.pb"
    write_pabulib(election, path)
    assert read_pabulib(path) == election
    buffer = io.StringIO()
    write_pabulib(election, buffer)
    assert buffer.getvalue() == path.read_text(encoding="utf-8")


def test_writes_elections_built_in_code():
    election = PBElection(
        projects={"p1": 10, "p2": Fraction(5, 4)},
        budget=Fraction(21, 2),
        ballots=[PBBallot(("p2", "p1")), PBBallot(("p1",), count=2), PBBallot(())],
        vote_type="ordinal",
    )
    text = pabulib_text(election)
    assert "budget;10.5\n" in text and "p2;1.25\n" in text
    back = read(text)
    assert back.projects == election.projects and back.budget == election.budget
    assert [b.projects for b in back.ballots] == [("p2", "p1"), ("p1",), ("p1",), ()]
    assert len({b.voter_id for b in back.ballots}) == 4  # repeated ballots get ids of their own
    with pytest.raises(ValueError, match="decimal"):
        pabulib_text(PBElection(projects={"a": Fraction(1, 3)}, budget=1, ballots=[]))


@pytest.mark.parametrize("name", PB_FILES or ["(no data)"])
def test_round_trip_of_every_real_file(shared_data, name):
    election = read_pabulib(shared_data / "pabulib" / name)
    assert read(pabulib_text(election)) == election
    assert election.num_voters == int(read_meta(shared_data / "pabulib" / name)["num_votes"])


def read_meta(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines()[2:]:
        if line.strip() == "PROJECTS":
            return meta
        key, _, value = line.partition(";")
        meta[key] = value
    return meta


# --- malformed input: a FormatError naming the line ----------------------------------------------


def replace_line(text: str, number: int, new: str | None) -> str:
    lines = text.split("\n")
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return "\n".join(lines)


# line numbers in VALID: 1 META, 2 key;value, 3 description, 4 num_projects, 5 num_votes, 6 budget,
# 7 vote_type, 8 rule, 9 PROJECTS, 10 header, 11-13 projects, 14 VOTES, 15 header, 16-19 votes
MALFORMED = {
    "empty file": ("", 1, "empty"),
    "only blank lines": ("\n\n  \n", 1, "empty"),
    "no META": (VALID.split("PROJECTS\n", 1)[1].join(["PROJECTS\n", ""]), 1, "META"),
    "PROJECTS missing": (replace_line(replace_line(replace_line(replace_line(replace_line(
        VALID, 13, None), 12, None), 11, None), 10, None), 9, None), 9, "PROJECTS"),
    "VOTES missing": (VALID.split("VOTES\n")[0], 14, "VOTES"),
    "sections out of order": (VALID + "META\nkey;value\n", 20, "order"),
    "no cost column": (replace_line(VALID, 10, "project_id;price;votes;name"), 10, "cost"),
    "no vote column": (replace_line(VALID, 15, "voter_id;age;ballot;points"), 15, "vote"),
    "no points column": (replace_line(VALID, 15, "voter_id;age;vote;score"), 15, "points"),
    "no PROJECTS header": (VALID.replace("project_id;cost;votes;name\n", ""), 10, "header"),
    "num_projects wrong": (replace_line(VALID, 4, "num_projects;4"), 4, "num_projects"),
    "num_votes wrong": (replace_line(VALID, 5, "num_votes;5"), 5, "num_votes"),
    "num_votes not a number": (replace_line(VALID, 5, "num_votes;four"), 5, "num_votes"),
    "cost not a number": (replace_line(VALID, 12, "2;sixty;2;Bench"), 12, "cost"),
    "negative cost": (replace_line(VALID, 12, "2;-60;2;Bench"), 12, "non-negative"),
    "budget not a number": (replace_line(VALID, 6, "budget;lots"), 6, "budget"),
    "negative budget": (replace_line(VALID, 6, "budget;-100"), 6, "budget"),
    "no budget": (replace_line(VALID, 6, "currency;EUR"), 1, "budget"),
    "unknown vote type": (replace_line(VALID, 7, "vote_type;ranking"), 7, "vote_type"),
    "unknown project in a vote": (replace_line(VALID, 17, "v2;;03;3"), 17, "'03'"),
    "project twice in a vote": (replace_line(VALID, 17, "v2;;02,02;1,2"), 17, "twice"),
    "duplicate voter": (replace_line(VALID, 18, "v1;70;c10;1"), 18, "v1"),
    "duplicate project": (replace_line(VALID, 13, "02;25;1;Trees"), 13, "'02'"),
    "points not aligned": (replace_line(VALID, 16, "v1;34;02,2;2"), 16, "points"),
    "points not numbers": (replace_line(VALID, 16, "v1;34;02,2;2,x"), 16, "points"),
    "too many fields": (replace_line(VALID, 17, "v2;;02;3;extra"), 17, "fields"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_files_name_the_line(case):
    text, line, words = MALFORMED[case]
    with pytest.raises(FormatError) as raised:
        read(text)
    assert raised.value.line == line, str(raised.value)
    assert str(raised.value).startswith(f"line {line}: ")
    assert words.lower() in str(raised.value).lower()


def test_line_numbers_count_crlf_lines_and_quoted_line_breaks():
    text = VALID.replace('"Test; with a semicolon and ""quotes"""', '"two\nlines"')
    text = replace_line(text, 14, "02;99;1;Dup")  # line 13 of VALID, one down after the quoted line break
    with pytest.raises(FormatError) as raised:
        read(text.replace("\n", "\r\n"))
    assert raised.value.line == 14


def test_model_rejects_inconsistent_elections():
    with pytest.raises(ValueError, match="unknown project"):
        PBElection(projects={"a": 1}, budget=1, ballots=[PBBallot(("b",))])
    with pytest.raises(ValueError, match="points"):
        PBElection(projects={"a": 1}, budget=1, ballots=[PBBallot(("a",))], vote_type="cumulative")
    with pytest.raises(ValueError, match="cost"):
        PBElection(projects={"a": -1}, budget=1, ballots=[])
    with pytest.raises(ValueError, match="vote type"):
        PBElection(projects={}, budget=1, ballots=[], vote_type="plurality")
