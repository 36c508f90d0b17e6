"""Ranked-choice counting: instant-runoff voting (IRV, one seat) and single transferable vote (STV).

Pure Python, no Flask and no database. A `RankedElection` holds the candidates and the weighted
ballots; the PrefLib reader (`plaza.voting.formats.preflib`) builds one from a file and the web app
builds one from Plaza ballots.

Ballots
    A ballot is a tuple of ranks, most preferred first; each rank is a frozenset of candidate ids (a
    rank with more than one candidate is a tie). Counting reads a ballot only up to the rank before its
    first tie (the usual US overvote rule), so a ballot whose first rank is tied counts for no one.
    Ballots that are empty after this are not counted at all, not even in N below. Identical ballots
    are grouped and counted with their weight.

Arithmetic
    Exact: ballot weights, tallies, surpluses and transfer values are integers and `fractions.Fraction`s,
    never floats, so ``votes >= quota`` and ties are decided exactly. (The references count in floats;
    on the real elections this makes no difference.) The rounds report numbers as int or float.

STV (`stv(election, seats)`): the variant of votekit 3.5.0's
``STV(profile, n_seats=seats, transfer=fractional_transfer, quota="droop", simultaneous=True)``.
    * N = number of counted (non-empty) ballots; Droop quota q = floor(N / (seats + 1)) + 1, fixed for
      the whole count.
    * Each round starts with the tallies of the continuing candidates (votes of the ballots whose
      highest-ranked continuing candidate they are, each at its current weight). Then exactly one of:
    * Election: every continuing candidate with at least q votes is elected, all at once, in
      decreasing order of votes. Each one's whole pile is then transferred: every ballot in it goes on
      to its next continuing candidate at weight x (votes - q) / votes, with the transfer value of the
      candidate whose pile it was in. All candidates elected in the round are out of the running
      before any transfer, so a ballot passes over them (it is not weighted twice); it also passes over
      eliminated candidates. A ballot with no continuing candidate left is exhausted, and its weight
      is counted as exhausted. The elected candidate keeps exactly q.
    * Otherwise, if the number of continuing candidates is at most the number of seats still empty,
      all of them are elected (in decreasing order of votes), even below the quota, and the count ends.
    * Otherwise the continuing candidate with the fewest votes is eliminated (one at a time) and each
      ballot in its pile goes on, at its current weight, to its next continuing candidate.
    * The count ends when all seats are filled; the surplus of the candidates who fill the last seats
      is not transferred (votekit transfers it, which cannot change the result). With Droop's quota
      no more candidates than there are seats left can reach it, so exactly ``min(seats,
      number of candidates)`` are elected.
    "Continuing" means not yet elected or eliminated, whether or not any ballot still ranks the
    candidate. (votekit drops a candidate silently once no remaining ballot mentions it; that only
    changes which of several zero-vote candidates goes first, never a tally.)

IRV (`irv(election)`)
    Each round, a continuing candidate with more than half of the continuing (not exhausted) votes,
    i.e. at least floor(T / 2) + 1 of T, wins; so does the last continuing candidate. Otherwise the
    candidate with the fewest votes is eliminated, one at a time, and its ballots go on to their next
    continuing candidate. (votekit's IRV is its STV with one seat and the fixed quota floor(N/2)+1:
    it reaches the same winner, because a candidate with a majority of the continuing votes can never
    be overtaken.) `stv(election, 1)` elects the same candidate.

Ties (both rules, never random)
    * For last place: the candidate with fewer first-round votes (first preferences) is eliminated;
      if still tied, the one with fewer votes in the most recent earlier round in which the tied
      candidates' tallies differ; if still tied (equal in every round), the one that comes first in
      the election's candidate order (for a PrefLib file, the lowest alternative number).
      For comparison: votekit also looks at first-round votes first, then draws lots (seeded); pyrcv
      draws lots at once; pref_voting's ``instant_runoff`` eliminates all the tied candidates together.
    * Candidates elected in the same round are listed in decreasing order of votes; equal votes are
      ordered by the same rule reversed (more first-round votes first, ..., then the candidate that
      comes later in the candidate order). This only orders the winners: each one's own votes set
      its transfer value.

The package: `election` (the model), `count` (the state of a count, transfers and tie-breaking), and here
the two rules.
"""

from __future__ import annotations

from fractions import Fraction

from plaza.voting.methods.ranked.count import RankedCount, reported
from plaza.voting.methods.ranked.election import RankedElection, Ranking, WeightedBallot, strict_prefix
from plaza.voting.methods.result import Result, Round

__all__ = ["Ranking", "WeightedBallot", "RankedElection", "irv", "stv", "strict_prefix"]


def irv(election: RankedElection) -> Result:
    """Instant-runoff voting: one winner. See the module docstring for the exact rules."""
    if not election.candidates:
        raise ValueError("an election needs at least one candidate")
    count = RankedCount(election)
    winner = None
    while winner is None:
        number, tallies = count.start_round()
        continuing = count.continuing()
        total = sum(count.tally[c] for c in continuing)
        quota = total // 2 + 1
        extra = {"continuing_votes": reported(total), "quota": reported(quota)}
        leader = max(continuing, key=count.weaker_key)
        if count.tally[leader] >= quota or len(continuing) == 1:
            winner = leader
            reason = ("majority of the continuing votes" if count.tally[leader] >= quota
                      else "last continuing candidate")
            count.rounds.append(Round("elect", {
                "round": number, "tallies": tallies, **extra, "elected": [count.ids[leader]],
                "votes": reported(count.tally[leader]), "reason": reason, "exhausted": reported(count.exhausted)}))
        else:
            count.eliminate_lowest(number, tallies, extra)
    return Result(
        rule="irv",
        winners=[count.ids[winner]],
        rounds=count.rounds,
        summary={"quota": count.rounds[-1].detail["quota"], "valid_ballots": count.valid,
                 "exhausted": reported(count.exhausted), "empty_ballots": count.empty_ballots,
                 "rounds": len(count.rounds)},
    )


def stv(election: RankedElection, seats: int) -> Result:
    """Single transferable vote with `seats` seats. See the module docstring for the exact rules."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be a positive integer, got {seats!r}")
    count = RankedCount(election)
    quota = count.valid // (seats + 1) + 1
    winners: list[int] = []
    while len(winners) < seats and any(count.hopeful):
        number, tallies = count.start_round()
        continuing = count.continuing()
        reached = count.stronger_first([c for c in continuing if count.tally[c] >= quota])
        reached = reached[: seats - len(winners)]  # never more than the seats left (Droop guarantees it)
        if reached:
            for c in reached:
                count.hopeful[c] = False
            elected, transfers, exhausted_now = [], {}, 0
            winners.extend(reached)
            last = len(winners) == seats  # the count is over: surpluses are not transferred
            for c in reached:
                votes = count.tally[c]
                surplus = votes - quota
                elected.append({"candidate": count.ids[c], "votes": reported(votes), "surplus": reported(surplus),
                                "transfer_value": reported(surplus / votes)})
                if surplus and not last:
                    transfers[count.ids[c]], exhausted = count.transfer(c, Fraction(surplus, votes))
                    exhausted_now += exhausted
                count.tally[c] = quota
            detail = {"round": number, "tallies": tallies, "quota": quota, "elected": elected,
                      "reason": "reached the quota"}
            if last:
                detail["note"] = "all seats are filled, so no surplus is transferred"
            else:
                detail.update(transfers=transfers, exhausted_now=reported(exhausted_now))
            detail["exhausted"] = reported(count.exhausted)
            count.rounds.append(Round("elect", detail))
        elif len(continuing) <= seats - len(winners):
            filled = count.stronger_first(continuing)
            for c in filled:
                count.hopeful[c] = False
            winners.extend(filled)
            count.rounds.append(Round("elect", {
                "round": number, "tallies": tallies, "quota": quota,
                "elected": [{"candidate": count.ids[c], "votes": reported(count.tally[c])} for c in filled],
                "reason": "as many continuing candidates as seats left", "exhausted": reported(count.exhausted)}))
        else:
            count.eliminate_lowest(number, tallies, {"quota": quota})
    return Result(
        rule="stv",
        winners=[count.ids[c] for c in winners],
        rounds=count.rounds,
        summary={"seats": seats, "quota": quota, "valid_ballots": count.valid,
                 "exhausted": reported(count.exhausted), "empty_ballots": count.empty_ballots,
                 "rounds": len(count.rounds)},
    )
