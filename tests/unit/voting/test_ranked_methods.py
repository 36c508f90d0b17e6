"""IRV and STV: the real PrefLib elections against their reference results, and small counts by hand."""

import json

import pytest

from plaza.voting.formats.preflib import read_preflib
from plaza.voting.methods.ranked import RankedElection, WeightedBallot, irv, strict_prefix, stv
from tests.unit.voting.test_preflib_format import PREFLIB_FILES


def load(shared_data, relative):
    path = shared_data / "preflib" / relative
    return read_preflib(path), json.loads(path.with_name(path.name + ".expected.json").read_text())


def election(candidates: str, *ballots: tuple[str, int]) -> RankedElection:
    """election("ABC", ("AB", 3), ("C", 1)): one-letter ids; "(AB)C" is a tie between A and B, then C."""
    parsed = []
    for text, count in ballots:
        ranking, group = [], None
        for char in text:
            if char == "(":
                group = []
            elif char == ")":
                ranking.append(tuple(group))
                group = None
            elif group is not None:
                group.append(char)
            else:
                ranking.append(char)
        parsed.append((ranking, count))
    return RankedElection({c: f"Candidate {c}" for c in candidates}, parsed)


def accounted(result, valid: int) -> None:
    """At the start of every round every vote is somewhere: continuing, exhausted or kept by the elected."""
    elected = 0
    for r in result.rounds:
        d = r.detail
        exhausted_before = d["exhausted"] - d.get("exhausted_now", 0)
        total = sum(d["tallies"].values()) + exhausted_before + elected * d["quota"]
        assert total == pytest.approx(valid, rel=1e-9), (r, total)
        if r.kind == "elect" and result.rule == "stv":
            elected += sum(1 for e in d["elected"] if e["votes"] >= d["quota"])


# --- real elections --------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", PREFLIB_FILES)
def test_real_election_matches_the_reference_winners(shared_data, relative):
    election_, expected = load(shared_data, relative)
    seats = expected["seats"]

    result = irv(election_)
    assert result.rule == "irv"
    assert result.winners == [str(expected["irv_winner"])]

    result = stv(election_, seats)
    assert result.rule == "stv"
    assert sorted(int(w) for w in result.winners) == expected["stv_winners"]
    # Same order of election as votekit, the primary reference.
    assert [int(w) for w in result.winners] == expected["by_library"]["votekit"]["stv_election_order"]
    assert result.summary["quota"] == result.summary["valid_ballots"] // (seats + 1) + 1
    handling = expected["ballot_handling"]
    empty = handling["ballots_empty_after_truncation"]
    assert result.summary["valid_ballots"] == expected["num_voters"] - empty
    assert result.summary["empty_ballots"] == empty
    accounted(result, result.summary["valid_ballots"])
    json.dumps(result.as_json())  # the explanation is plain JSON


def test_minneapolis_quota_is_the_official_threshold(shared_data):
    election_, _ = load(shared_data, "minneapolis/00018-00000002.soi")
    assert stv(election_, 3).summary["quota"] == 9164  # floor(36655/4)+1, as declared in 2009


def test_sf_mayor_round_by_round(shared_data):
    election_, expected = load(shared_data, "us_irv/00021-00000011.toi")
    result = irv(election_)
    assert result.summary["valid_ballots"] == 194530 - 351
    assert [r.kind for r in result.rounds] == ["eliminate"] * (len(result.rounds) - 1) + ["elect"]
    final = result.rounds[-1].detail
    assert final["elected"] == ["13"] and final["reason"] == "majority of the continuing votes"
    assert final["votes"] >= final["quota"] == final["continuing_votes"] // 2 + 1
    assert set(final["tallies"]) == {"9", "13"}  # Ed Lee against John Avalos in the last round
    # The references drew lots for one tie for last place; Plaza breaks it by the documented rule.
    ties = [r.detail["tie"] for r in result.rounds if "tie" in r.detail]
    assert ties and all(t["broken_by"] for t in ties)
    accounted(result, result.summary["valid_ballots"])


# --- counts by hand --------------------------------------------------------------------------------


def test_stv_textbook_example_with_surplus_and_tie():
    # Wikipedia's food election: 20 voters, 3 seats, Droop quota 6.
    food = election("OPCSHB", ("O", 4), ("PO", 2), ("CS", 8), ("CB", 4), ("S", 1), ("H", 1))
    result = stv(food, 3)
    assert result.winners == ["C", "O", "S"]
    assert result.summary == {"seats": 3, "quota": 6, "valid_ballots": 20, "exhausted": 3, "empty_ballots": 0,
                              "rounds": 6}
    first, second, third, fourth, fifth, sixth = (r.detail for r in result.rounds)
    assert first["elected"] == [{"candidate": "C", "votes": 12, "surplus": 6, "transfer_value": 0.5}]
    assert first["transfers"] == {"C": {"S": 4, "B": 2}}
    assert second["tallies"] == {"O": 4, "P": 2, "S": 5, "H": 1, "B": 2}
    assert second["eliminated"] == "H" and second["exhausted"] == 1
    assert third["eliminated"] == "B"  # tied with P at 2; B had no first preferences
    assert third["tie"] == {"candidates": ["P", "B"], "broken_by": "fewer first-round votes"}
    assert third["exhausted_now"] == 2  # 4 ballots at weight 1/2, nowhere to go
    assert fourth["eliminated"] == "P" and fourth["transfers"] == {"O": 2}
    assert fifth["elected"] == [{"candidate": "O", "votes": 6, "surplus": 0, "transfer_value": 0}]
    assert fifth["transfers"] == {} and "note" not in fifth  # one seat still empty, but nothing to pass on
    assert sixth["elected"] == [{"candidate": "S", "votes": 5}]
    assert sixth["reason"] == "as many continuing candidates as seats left"


def test_stv_candidates_elected_together_pass_over_each_other():
    # N = 12, 3 seats, quota 4. A and B both reach it in round 1; their surplus ballots skip each other.
    result = stv(election("ABCD", ("ABC", 5), ("BAD", 5), ("C", 1), ("D", 1)), 3)
    first = result.rounds[0].detail
    assert [e["candidate"] for e in first["elected"]] == ["B", "A"]  # equal votes: the later one listed first
    assert first["transfers"] == {"B": {"D": 1}, "A": {"C": 1}}
    second = result.rounds[1].detail
    assert second["tallies"] == {"C": 2, "D": 2}
    assert second["eliminated"] == "C"
    assert second["tie"]["broken_by"] == "equal in every round; the first in candidate order is eliminated"
    assert result.winners == ["B", "A", "D"]


def test_stv_transfer_values_compound_exactly():
    # N = 8, 2 seats: quota floor(8/3)+1 = 3. A has 7: each of its ballots goes on to B at 4/7, so B has 4,
    # which fills the last seat: B's surplus is not transferred any more.
    result = stv(election("ABCD", ("ABC", 7), ("D", 1)), 2)
    assert result.summary["quota"] == 3
    first = result.rounds[0].detail
    assert first["elected"][0]["transfer_value"] == pytest.approx(4 / 7)
    assert first["transfers"] == {"A": {"B": 4}}
    second = result.rounds[1].detail
    assert second["elected"][0] == {"candidate": "B", "votes": 4, "surplus": 1, "transfer_value": 0.25}
    assert second["note"] == "all seats are filled, so no surplus is transferred"
    assert result.winners == ["A", "B"]


def test_tie_for_last_place_broken_by_an_earlier_round():
    # Round 1: Z and W tie (1 each) and Z goes first in candidate order; Z's vote goes to X.
    # Round 2: W goes, its vote to Y. Round 3: X and Y tie at 5 with equal first preferences (4 each),
    # but in round 2 X had 5 and Y 4: Y is eliminated, although X comes first in candidate order.
    e = election("AXYZW", ("A", 9), ("XA", 4), ("YX", 4), ("ZX", 1), ("WYX", 1))
    result = irv(e)
    rounds = [r.detail for r in result.rounds]
    assert rounds[0]["eliminated"] == "Z"
    assert rounds[0]["tie"]["broken_by"] == "equal in every round; the first in candidate order is eliminated"
    assert rounds[1]["eliminated"] == "W"
    assert rounds[2]["tallies"] == {"A": 9, "X": 5, "Y": 5}
    assert rounds[2]["eliminated"] == "Y"
    assert rounds[2]["tie"] == {"candidates": ["X", "Y"], "broken_by": "fewer votes in round 2"}
    assert result.winners == ["X"]
    assert stv(e, 1).winners == ["X"]


def test_irv_majority_of_continuing_votes_not_of_all_ballots():
    # 9 ballots; once C is eliminated its 2 are exhausted, and A's 4 of the 7 continuing votes is a majority.
    result = irv(election("ABC", ("A", 4), ("B", 3), ("C", 2)))
    assert result.winners == ["A"]
    final = result.rounds[-1].detail
    assert final == {"round": 2, "tallies": {"A": 4, "B": 3}, "continuing_votes": 7, "quota": 4,
                     "elected": ["A"], "votes": 4, "reason": "majority of the continuing votes",
                     "exhausted": 2}
    assert result.summary["exhausted"] == 2


def test_irv_first_round_majority_and_last_candidate_standing():
    first = irv(election("AB", ("A", 2), ("B", 1))).rounds[0].detail
    assert first["reason"] == "majority of the continuing votes"
    alone = irv(election("A"))
    assert alone.winners == ["A"] and alone.rounds[0].detail["reason"] == "last continuing candidate"
    nobody = irv(election("AB", ("A", 1), ("B", 1)))  # tie in every way: A goes first, B wins
    assert nobody.winners == ["B"]


def test_tied_ranks_are_read_up_to_the_rank_before_the_first_tie():
    e = election("ABC", ("(AB)C", 5), ("C(AB)", 2), ("B", 3), ("A", 1))
    assert strict_prefix(e.ballots[1].ranking) == ("C",)
    result = irv(e)
    assert result.summary["valid_ballots"] == 6  # the 5 ballots with a first-rank tie count for no one
    assert result.summary["empty_ballots"] == 5
    assert result.rounds[0].detail["tallies"] == {"A": 1, "B": 3, "C": 2}
    assert result.winners == ["B"]
    assert stv(e, 1).summary["quota"] == 4  # floor(6/2)+1: empty ballots are not in N


def test_stv_fills_every_seat_even_with_candidates_nobody_ranked():
    e = election("ABCDE", ("AB", 6), ("B", 3))
    result = stv(e, 3)
    assert len(result.winners) == 3 and set(result.winners) >= {"A", "B"}
    assert stv(election("AB", ("A", 1)), 3).winners == ["A", "B"]  # fewer candidates than seats: all elected
    assert stv(RankedElection({}, []), 2).winners == []


def test_identical_ballots_given_one_by_one_count_the_same():
    grouped = election("ABCD", ("ABC", 5), ("BCA", 4), ("CDA", 3), ("DB", 2))
    singles = [(b.ranking, 1) for b in grouped.ballots for _ in range(b.count)]
    one_by_one = RankedElection(grouped.candidates, singles)
    for count in (irv, lambda e: stv(e, 2)):
        assert count(one_by_one) == count(grouped)


def test_invalid_arguments():
    e = election("AB", ("A", 1))
    for seats in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="seats"):
            stv(e, seats)
    with pytest.raises(ValueError, match="at least one candidate"):
        irv(RankedElection({}, []))


# --- the model -------------------------------------------------------------------------------------


def test_model_normalises_ranks_and_rejects_bad_ballots():
    e = RankedElection({1: "One", "2": "Two"}, [(["1", ("2",)], 2), WeightedBallot((frozenset("2"),), 1)])
    assert e.candidates == {"1": "One", "2": "Two"}
    assert e.ballots == (WeightedBallot((frozenset("1"), frozenset("2")), 2),
                         WeightedBallot((frozenset("2"),), 1))
    assert e.num_voters == 3 and e.name("2") == "Two"
    bad = [
        ((["3"], 1), "unknown candidate '3'"),
        ((["1", "1"], 1), "more than once"),
        ((["1", ("1", "2")], 1), "more than once"),
        ((["1"], 0), "positive integer"),
        ((["1"], True), "positive integer"),
        ((["1"], 1.0), "positive integer"),
        (("12", 1), "not the string"),
        ((["1", ()], 1), "empty rank"),
        (("1",), "expected (ranking, count)"),
        ((["1", 5], 1), "each rank must be"),
        (WeightedBallot((frozenset("3"),), 1), "unknown candidate"),
    ]
    for ballot, message in bad:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            RankedElection({"1": "One", "2": "Two"}, [ballot])


def test_exact_arithmetic_decides_a_quota_that_floats_would_miss():
    # N = 25, 2 seats: quota 9. A has 10 votes on ten different ballots, each passing 1/10 on to B. In floats
    # ten times 0.1 is 0.9999999999999999 and B would stay just below the quota; counted exactly, B has 9.
    others = "DEFGHIJKLM"
    e = election("ABC" + others, *[("AB" + x, 1) for x in others], ("B", 8), ("C", 7))
    assert sum([0.1] * 10) < 1
    result = stv(e, 2)
    first, second = (r.detail for r in result.rounds)
    assert first["elected"][0]["transfer_value"] == 0.1 and first["transfers"] == {"A": {"B": 1}}
    assert second["tallies"]["B"] == 9 and second["reason"] == "reached the quota"
    assert result.winners == ["A", "B"]
