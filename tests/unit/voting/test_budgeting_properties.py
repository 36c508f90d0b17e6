"""Properties of the budgeting rules on small random elections (approval, cumulative, ordinal)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from plaza.voting.methods.budgeting import PBBallot, PBElection, Profile, greedy
from plaza.voting.methods.equal_shares import mes, mes_add1, mes_add1_greedy
from plaza.voting.methods.equal_shares.batch import Batch
from plaza.voting.methods.equal_shares.exact import ExactCount
from plaza.voting.methods.equal_shares.prepared import PreparedProfile

RULES = (greedy, mes, mes_add1, mes_add1_greedy)
IDS = ("1", "2", "10", "02", "a", "B", "x9")


@st.composite
def elections(draw) -> PBElection:
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal"]))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    # few distinct costs and small budgets: many ties, many near misses
    costs = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 10, 20]), min_size=len(ids), max_size=len(ids)))
    budget = draw(st.integers(min_value=0, max_value=40))
    votes = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)), max_size=12))
    ballots = []
    for number, projects in enumerate(votes):
        points = None
        if vote_type == "cumulative":
            points = tuple(draw(st.lists(st.integers(0, 3), min_size=len(projects), max_size=len(projects))))
        ballots.append(PBBallot(tuple(projects), points, voter_id=str(number)))
    return PBElection(projects=dict(zip(ids, costs, strict=True)), budget=budget, ballots=ballots,
                      vote_type=vote_type)


def spent(election: PBElection, winners: list[str]) -> int:
    return sum(election.projects[p] for p in winners)


def exhaustive(election: PBElection, winners: list[str]) -> bool:
    left = election.budget - spent(election, winners)
    return all(cost > left for project, cost in election.projects.items() if project not in winners)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_budget_never_exceeded(election):
    for rule in RULES:
        winners = rule(election).winners
        assert len(winners) == len(set(winners))
        assert set(winners) <= set(election.projects)
        assert spent(election, winners) <= election.budget


@settings(max_examples=150, deadline=None)
@given(elections())
def test_greedy_and_completed_add1_are_exhaustive(election):
    assert exhaustive(election, greedy(election).winners)
    completed = mes_add1_greedy(election).winners
    assert exhaustive(election, completed)
    add1 = mes_add1(election).winners
    assert completed[: len(add1)] == add1  # the completion only adds


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(election, rng: random.Random):
    shuffled = list(election.ballots)
    rng.shuffle(shuffled)
    other = PBElection(projects=dict(reversed(list(election.projects.items()))), budget=election.budget,
                       ballots=shuffled, vote_type=election.vote_type)
    for rule in RULES:
        assert rule(other).winners == rule(election).winners


@settings(max_examples=150, deadline=None)
@given(elections())
def test_mes_is_sensible(election):
    """MES funds only supported projects that cost something, never more than the voters' money, at
    non-decreasing prices (rho), and the Add1 endowment is never below the plain one."""
    support = Profile.of(election).support()
    number = {p: i for i, p in enumerate(sorted(election.projects))}
    result = mes(election)
    assert all(support[number[p]] > 0 and election.projects[p] > 0 for p in result.winners)
    rhos = [r.detail["rho"] for r in result.rounds]
    assert all(a <= b * (1 + 1e-9) for a, b in zip(rhos, rhos[1:], strict=False))
    assert [r.detail["project"] for r in result.rounds] == result.winners
    add1 = mes_add1(election).rounds[0].detail
    if add1["endowment_per_voter"] is not None and election.num_voters:
        assert add1["endowment_per_voter"] >= election.budget / election.num_voters - 1e-9


def same_count(election: PBElection, fast: list[int], exact: list[int]) -> bool:
    """The same funded projects in the same order; the fast engine may stop early once the projects it has
    funded cost more than the budget (that step ends Add1 whatever else it funds)."""
    if fast == exact:
        return True
    costs = [election.projects[p] for p in sorted(election.projects)]
    return exact[: len(fast)] == fast and sum(costs[p] for p in fast) > election.budget


@settings(max_examples=200, deadline=None)
@given(elections())
def test_fast_engine_equals_exact_fractions(election):
    """The floating-point batch engine and the exact-fraction engine fund the same projects in the same
    order, for plain MES and for the Add1 steps (each step is a column of one batch)."""
    prepared = PreparedProfile(Profile.of(election))
    if not election.num_voters:
        return
    tails: list = []
    found = Batch(prepared, 0, 6).run(tails)
    start = 0
    while True:
        if found is None:  # a near-tie in this column: the fast engine defers to the exact count
            length = 1
        else:
            sequence, length = found
            for k in range(start, start + length):
                exact = ExactCount(prepared, prepared.endowment(k)).run()
                assert same_count(election, sequence, exact)
        start += length
        if not tails:
            break
        tail = tails.pop()
        assert tail.first_step == start
        found = tail.run(tails)
