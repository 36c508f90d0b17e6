"""Properties of IRV and STV on small random elections (hypothesis)."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plaza.voting.methods.ranked import RankedElection, irv, strict_prefix, stv

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw, ties: bool = True) -> RankedElection:
    """1-6 candidates, up to 25 distinct rankings with counts 1-9; some ranks tied when `ties`."""
    n = draw(st.integers(1, 6))
    ids = [str(i) for i in range(1, n + 1)]
    ballots = []
    for _ in range(draw(st.integers(0, 25))):
        order = draw(st.permutations(ids))[: draw(st.integers(1, n))]
        ranking, i = [], 0
        while i < len(order):
            size = draw(st.integers(1, 2)) if ties and draw(st.integers(0, 5)) == 0 else 1
            ranking.append(frozenset(order[i:i + size]))
            i += size
        ballots.append((tuple(ranking), draw(st.integers(1, 9))))
    return RankedElection({cid: f"Candidate {cid}" for cid in ids}, ballots)


def first_preferences(election: RankedElection) -> tuple[dict[str, int], int]:
    tally = dict.fromkeys(election.candidates, 0)
    valid = 0
    for ranking, count in election.ballots:
        prefix = strict_prefix(ranking)
        if prefix:
            tally[prefix[0]] += count
            valid += count
    return tally, valid


@SETTINGS
@given(elections())
def test_irv_elects_a_majority_winner_when_there_is_one(election):
    tally, valid = first_preferences(election)
    leaders = [c for c, votes in tally.items() if 2 * votes > valid]
    result = irv(election)
    assert len(result.winners) == 1 and result.winners[0] in election.candidates
    if leaders:
        assert result.winners == leaders
        assert len(result.rounds) == 1


@SETTINGS
@given(elections(), st.integers(1, 7))
def test_stv_elects_exactly_as_many_as_seats(election, seats):
    result = stv(election, seats)
    assert len(result.winners) == min(seats, len(election.candidates))
    assert len(set(result.winners)) == len(result.winners)
    assert set(result.winners) <= set(election.candidates)


@SETTINGS
@given(elections(), st.integers(1, 4), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_ballots(election, seats, rng: random.Random):
    ballots = list(election.ballots)
    rng.shuffle(ballots)
    shuffled = RankedElection(election.candidates, ballots)
    assert irv(shuffled) == irv(election)  # winners and every round, number for number
    assert stv(shuffled, seats) == stv(election, seats)
    split = RankedElection(election.candidates, [(b.ranking, 1) for b in ballots for _ in range(b.count)])
    assert stv(split, seats).winners == stv(election, seats).winners


@SETTINGS
@given(elections())
def test_stv_with_one_seat_elects_the_irv_winner(election):
    assert stv(election, 1).winners == irv(election).winners


@SETTINGS
@given(elections(), st.integers(1, 5))
def test_a_candidate_with_a_quota_of_first_preferences_is_elected(election, seats):
    tally, valid = first_preferences(election)
    quota = valid // (seats + 1) + 1
    result = stv(election, seats)
    assert result.summary["quota"] == quota and result.summary["valid_ballots"] == valid
    for candidate, votes in tally.items():
        if votes >= quota:
            assert candidate in result.winners
            assert candidate in [e["candidate"] for e in result.rounds[0].detail["elected"]]


@SETTINGS
@given(elections(ties=False), st.integers(1, 4))
def test_every_vote_is_accounted_for_in_every_round(election, seats):
    result = stv(election, seats)
    valid = result.summary["valid_ballots"]
    elected = 0
    for r in result.rounds:
        d = r.detail
        before = d["exhausted"] - d.get("exhausted_now", 0)
        assert abs(sum(d["tallies"].values()) + before + elected * d["quota"] - valid) < 1e-9 * max(valid, 1)
        if r.kind == "elect":
            elected += sum(1 for e in d["elected"] if e["votes"] >= d["quota"])
