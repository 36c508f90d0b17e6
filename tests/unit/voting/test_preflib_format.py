"""PrefLib .soi / .soc / .toi: reading real files, writing them back, and every kind of malformed input."""

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaza.voting.formats.preflib import (
    parse_preflib,
    preflib_data_type,
    preflib_text,
    read_preflib,
    write_preflib,
)
from plaza.voting.methods.ranked import RankedElection, WeightedBallot
from plaza.voting.methods.result import FormatError

PREFLIB_FILES = (
    "glasgow/00008-00000013.soi",
    "glasgow/00008-00000018.soi",
    "irish/00001-00000001.soi",
    "irish/00001-00000002.soi",
    "irish/00001-00000003.soi",
    "minneapolis/00018-00000002.soi",
    "us_irv/00021-00000004.toi",
    "us_irv/00021-00000011.toi",
)

SMALL_TOI = """\
# FILE NAME: small.toi
# TITLE: A small election
# DESCRIPTION:\x20
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 10
# NUMBER UNIQUE ORDERS: 4
# ALTERNATIVE NAME 1: Ana
# ALTERNATIVE NAME 2: "Bo" Berg
# ALTERNATIVE NAME 3: Chen: the third
5: 1,2,3
2: 3,{1,2}
2: {2,3}
1: 2
"""

SMALL_SOC = """\
# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 4
# NUMBER UNIQUE ORDERS: 2
# ALTERNATIVE NAME 1: Ana
# ALTERNATIVE NAME 2: Bo
# ALTERNATIVE NAME 3: Chen
3: 1,2,3
1: 3,1,2
"""


def header(data_type="soi", alternatives=3, voters=None, orders=None, names=True) -> str:
    lines = [f"# DATA TYPE: {data_type}"] if data_type else []
    if alternatives is not None:
        lines.append(f"# NUMBER ALTERNATIVES: {alternatives}")
    if voters is not None:
        lines.append(f"# NUMBER VOTERS: {voters}")
    if orders is not None:
        lines.append(f"# NUMBER UNIQUE ORDERS: {orders}")
    if names:
        lines += [f"# ALTERNATIVE NAME {i}: Candidate {i}" for i in range(1, (alternatives or 0) + 1)]
    return "\n".join(lines) + "\n"


def fails(text: str, line: int, *words: str, name: str | None = None) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_preflib(text, name=name)
    error = caught.value
    assert error.line == line, str(error)
    assert str(error).startswith(f"line {line}: ")
    for word in words:
        assert word in str(error), str(error)
    return error


# --- real files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", PREFLIB_FILES)
def test_real_file_reads_as_its_expected_json_describes_and_writes_back_byte_for_byte(
        shared_data, relative, tmp_path):
    path = shared_data / "preflib" / relative
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text())
    election = read_preflib(path)

    assert election.candidates == expected["candidates"]  # ids are the PrefLib numbers, names as written
    assert list(election.candidates) == [str(i) for i in range(1, expected["num_candidates"] + 1)]
    assert election.num_voters == expected["num_voters"]
    assert election.title == expected["title"]
    tied = sum(b.count for b in election.ballots if any(len(rank) > 1 for rank in b.ranking))
    assert tied == expected["ballot_handling"]["ballots_with_tied_ranks"]
    assert preflib_data_type(election) == expected["data_type"]

    original = path.read_bytes()
    assert preflib_text(election).encode() == original
    copy = tmp_path / path.name
    write_preflib(election, copy)
    assert copy.read_bytes() == original
    assert read_preflib(copy) == election


def test_every_preflib_file_in_the_shared_data_is_listed_here(shared_data):
    found = {str(p.relative_to(shared_data / "preflib")).removesuffix(".expected.json")
             for p in (shared_data / "preflib").glob("*/*.expected.json")}
    assert found == set(PREFLIB_FILES), "add new files to PREFLIB_FILES (and to test_ranked_methods.py)"


def test_sf_ties_are_kept_in_the_model(shared_data):
    election = read_preflib(shared_data / "preflib" / "us_irv" / "00021-00000004.toi")
    assert WeightedBallot((frozenset({"1", "2"}),), 38) in election.ballots
    assert WeightedBallot((frozenset({"3"}), frozenset({"1", "2"})), 8) in election.ballots


# --- reading ---------------------------------------------------------------------------------------


def test_reads_candidates_ties_and_metadata():
    election = parse_preflib(SMALL_TOI)
    assert election.candidates == {"1": "Ana", "2": '"Bo" Berg', "3": "Chen: the third"}
    assert election.ballots == (
        WeightedBallot((frozenset("1"), frozenset("2"), frozenset("3")), 5),
        WeightedBallot((frozenset("3"), frozenset({"1", "2"})), 2),
        WeightedBallot((frozenset({"2", "3"}),), 2),
        WeightedBallot((frozenset("2"),), 1),
    )
    assert election.metadata == {"FILE NAME": "small.toi", "TITLE": "A small election", "DESCRIPTION": ""}
    assert election.title == "A small election"
    assert election.num_voters == 10


def test_reads_a_soc_file():
    election = parse_preflib(SMALL_SOC)
    assert [b.count for b in election.ballots] == [3, 1]
    assert all(len(b.ranking) == 3 for b in election.ballots)
    assert preflib_data_type(election) == "soc"
    assert parse_preflib(preflib_text(election)) == election
    assert preflib_text(election) == SMALL_SOC


def test_bom_and_crlf_read_the_same_as_plain_lf(tmp_path):
    plain = parse_preflib(SMALL_TOI)
    windows = "\ufeff" + SMALL_TOI.replace("\n", "\r\n")
    assert parse_preflib(windows) == plain
    path = tmp_path / "windows.toi"
    path.write_bytes(windows.encode("utf-8"))
    assert read_preflib(path) == plain
    assert read_preflib(str(path)) == plain
    assert read_preflib(io.StringIO(windows)) == plain
    assert read_preflib(io.BytesIO(windows.encode())) == plain
    with path.open(encoding="utf-8", newline="") as handle:  # CRLF left in the text
        assert read_preflib(handle) == plain


def test_data_type_from_the_extension_when_the_header_has_none(tmp_path):
    text = header(data_type=None, voters=3, orders=2) + "2: 1,{2,3}\n1: 3\n"
    path = tmp_path / "ties.TOI"
    path.write_text(text)
    assert read_preflib(path).ballots[0].ranking == (frozenset("1"), frozenset({"2", "3"}))
    assert read_preflib(io.StringIO(text), name_hint="x.toi") == read_preflib(path)
    fails(text, 7, "tied alternatives {2,3}", "soi", name="x.soi")  # the extension decides
    fails(text, 7, "no DATA TYPE", ".soc, .soi or .toi")  # neither
    fails(text, 7, "no DATA TYPE", name="ballots.txt")


def test_header_data_type_wins_over_the_extension():
    text = header(data_type="soi") + "1: 1,2\n"
    assert len(parse_preflib(text, name="x.toi").ballots) == 1
    fails(header(data_type="soi") + "1: {1,2}\n", 6, "tied", name="x.toi")


def test_spaces_around_numbers_and_empty_rankings_are_accepted():
    election = parse_preflib(header() + "2:  3 , 1 ,{ 2 }\n1:\n")
    assert election.ballots == (WeightedBallot((frozenset("3"), frozenset("1"), frozenset("2")), 2),
                                WeightedBallot((), 1))


# --- malformed input: each error names its line ----------------------------------------------------


def test_empty_file():
    fails("", 1, "empty")
    fails("\ufeff\n\n", 1, "empty")


def test_non_numeric_count():
    fails(header() + "3: 1,2\nabc: 2,1\n", 7, "count", "'abc'")
    fails(header() + "2.5: 1\n", 6, "count")
    fails(header() + "0: 1\n", 6, "at least 1")
    fails(header() + "-1: 1\n", 6, "count")


def test_line_without_count():
    fails(header() + "1,2,3\n", 6, "expected '<count>: <ranking>'")


def test_unknown_alternative():
    fails(header() + "3: 1,2\n1: 2,4\n", 7, "unknown alternative 4", "NUMBER ALTERNATIVES is 3")
    fails(header() + "1: 0\n", 6, "unknown alternative 0")
    fails(header() + "1: 1,x\n", 6, "'x' is not an alternative number")
    fails(header(data_type="toi") + "1: {1,7}\n", 6, "unknown alternative 7")


def test_candidate_twice_in_one_ballot():
    fails(header() + "1: 1,2,1\n", 6, "alternative 1 appears more than once")
    fails(header(data_type="toi") + "1: 2,{1,2}\n", 6, "alternative 2 appears more than once")
    fails(header(data_type="toi") + "1: {3,3}\n", 6, "alternative 3 appears more than once")


def test_unbalanced_or_misplaced_braces():
    toi = header(data_type="toi")
    fails(toi + "1: 1,{2,3\n", 6, "unbalanced braces", "never closed")
    fails(toi + "1: 1,2}\n", 6, "unbalanced braces", "without '{'")
    fails(toi + "1: {1,{2}}\n", 6, "unbalanced braces")
    fails(toi + "1: {1,2}3\n", 6, "missing comma after '}'")
    fails(toi + "1: 3{1,2}\n", 6, "missing comma before '{'")
    fails(toi + "1: {}\n", 6, "empty entry")


def test_empty_entries():
    fails(header() + "1: 1,,2\n", 6, "empty entry")
    fails(header() + "1: 1,2,\n", 6, "empty entry")


def test_counts_that_do_not_add_up_to_number_voters():
    fails(header(voters=10, orders=2) + "3: 1,2\n4: 2\n", 3, "add up to 7", "NUMBER VOTERS is 10")


def test_number_of_lines_different_from_number_unique_orders():
    fails(header(voters=7, orders=3) + "3: 1,2\n4: 2\n", 4, "2 ballot lines", "NUMBER UNIQUE ORDERS is 3")


def test_ties_in_a_soi_or_soc_file():
    fails(header(data_type="soi") + "1: 1,2\n2: 3,{1,2}\n", 7, "tied alternatives {1,2}", "soi file")
    fails(header(data_type="soc") + "2: {1,2},3\n", 6, "tied alternatives {1,2}", "soc file")


def test_incomplete_order_in_a_soc_file():
    fails(header(data_type="soc") + "1: 1,2,3\n1: 1,2\n", 7, "incomplete order", "2 of 3")
    fails(header(data_type="soc") + "1: 1, 2\n", 6, "incomplete order")
    fails(header(data_type="soc") + "1:\n", 6, "incomplete order", "0 of 3")


def test_missing_number_alternatives():
    fails(header(alternatives=None) + "1: 1\n", 2, "NUMBER ALTERNATIVES")
    fails("# DATA TYPE: soi\n", 2, "NUMBER ALTERNATIVES")


def test_bad_header_values():
    fails("# DATA TYPE: toc\n# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 1: A\n1: 1\n", 1, "'toc'",
          "not supported")
    fails("# DATA TYPE: soi\n# NUMBER ALTERNATIVES: three\n", 2, "NUMBER ALTERNATIVES must be a whole number")
    fails(header(voters=None) + "# NUMBER VOTERS: many\n", 6, "NUMBER VOTERS must be a whole number")
    fails(header() + "# ALTERNATIVE NAME 4: Extra\n", 6, "ALTERNATIVE NAME 4 is outside 1..3")
    fails(header() + "# ALTERNATIVE NAME 2: Again\n", 6, "ALTERNATIVE NAME 2 given twice (first on line 4)")
    fails(header(names=False) + "# ALTERNATIVE NAME 1: A\n1: 1\n", 2,
          "no ALTERNATIVE NAME for alternative 2, 3")
    fails(header() + "# just a remark\n", 6, "expected '# KEY: value'")


def test_header_after_the_ballots():
    fails(header() + "1: 1\n# TITLE: late\n", 7, "header line after the ballots")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.soi"
    path.write_bytes(header().encode() + "# TITLE: Gen\xe8ve\n".encode("latin-1"))
    with pytest.raises(FormatError) as caught:
        read_preflib(path)
    assert caught.value.line == 6 and "UTF-8" in str(caught.value)


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        read_preflib(tmp_path / "nope.soi")


# --- writing ---------------------------------------------------------------------------------------


def test_writes_plaza_elections_with_their_own_ids_renumbered_and_type_inferred():
    election = RankedElection({"bike": "Bike lanes", "park": "A park", "pool": "Pool"},
                              [(["park", "bike"], 3), ([("bike", "pool")], 1), (["pool"], 2)],
                              metadata={"TITLE": "Riverside 2026"})
    text = preflib_text(election)
    assert text == (
        "# TITLE: Riverside 2026\n# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 6\n"
        "# NUMBER UNIQUE ORDERS: 3\n# ALTERNATIVE NAME 1: Bike lanes\n# ALTERNATIVE NAME 2: A park\n"
        "# ALTERNATIVE NAME 3: Pool\n3: 2,1\n1: {1,3}\n2: 3\n")
    back = parse_preflib(text)
    assert back.candidates == {"1": "Bike lanes", "2": "A park", "3": "Pool"}
    assert [b.count for b in back.ballots] == [3, 1, 2]


def test_write_to_a_path_or_an_open_file_and_choose_the_data_type(tmp_path):
    election = parse_preflib(SMALL_SOC)
    buffer = io.StringIO()
    write_preflib(election, buffer, data_type="soi")
    assert "# DATA TYPE: soi\n" in buffer.getvalue()
    assert parse_preflib(buffer.getvalue()) == election
    write_preflib(election, tmp_path / "x.toi", data_type="toi")
    assert read_preflib(tmp_path / "x.toi") == election
    with pytest.raises(ValueError, match="cannot hold"):
        preflib_text(parse_preflib(SMALL_TOI), data_type="soi")
    with pytest.raises(ValueError, match="soc file requires"):
        preflib_text(parse_preflib(header() + "1: 1\n"), data_type="soc")
    with pytest.raises(ValueError, match="data_type must be one of"):
        preflib_text(election, data_type="csv")
    with pytest.raises(ValueError, match="one line"):
        preflib_text(RankedElection({"1": "two\nlines"}, [(["1"], 1)]))


ids = st.integers(min_value=1, max_value=6)


@st.composite
def elections(draw) -> RankedElection:
    n = draw(ids)
    candidates = {str(i): draw(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                                       max_size=12).map(str.strip)) for i in range(1, n + 1)}
    ballots = []
    for _ in range(draw(st.integers(0, 8))):
        order = draw(st.permutations([str(i) for i in range(1, n + 1)]))
        order = order[: draw(st.integers(0, n))]
        ranking, i = [], 0
        while i < len(order):
            size = draw(st.integers(1, 3))
            ranking.append(frozenset(order[i:i + size]))
            i += size
        ballots.append((tuple(ranking), draw(st.integers(1, 50))))
    metadata = draw(st.dictionaries(st.sampled_from(["TITLE", "DESCRIPTION", "PUBLICATION DATE", "X-PLAZA"]),
                                    st.text(alphabet="abc xyz:-{},0123", max_size=10).map(str.strip)))
    return RankedElection(candidates, ballots, metadata)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_round_trip_write_then_read_is_the_identity(election):
    assert parse_preflib(preflib_text(election)) == election
    for data_type in {"toi", preflib_data_type(election)}:
        assert parse_preflib(preflib_text(election, data_type=data_type)) == election
