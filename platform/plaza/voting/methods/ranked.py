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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from plaza.voting.methods.result import Result, Round

__all__ = ["Ranking", "WeightedBallot", "RankedElection", "irv", "stv", "strict_prefix"]

Ranking = tuple[frozenset[str], ...]
Number = int | Fraction


class WeightedBallot(NamedTuple):
    """One ranking and how many voters cast it."""

    ranking: Ranking
    count: int = 1


def _rank(rank: Any) -> frozenset[str]:
    """A rank as a frozenset of candidate ids: a bare string is one candidate, a collection a tie."""
    if isinstance(rank, str):
        return frozenset((rank,))
    if isinstance(rank, frozenset):
        return rank
    return frozenset(rank)


def _checked_ballot(number: int, item: Any, known: AbstractSet[str]) -> WeightedBallot:
    """Normalise and check one ballot; `ValueError` naming the ballot (1-based) if it is not valid."""
    try:
        ranking, count = item
    except (TypeError, ValueError):
        raise ValueError(f"ballot {number}: expected (ranking, count), got {item!r}") from None
    if isinstance(ranking, str):
        raise ValueError(f"ballot {number}: a ranking is a sequence of ranks, not the string {ranking!r}")
    try:
        ranking = tuple(_rank(rank) for rank in ranking)
    except TypeError:
        raise ValueError(f"ballot {number}: each rank must be a candidate id or a collection of ids") \
            from None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"ballot {number}: count must be a positive integer, got {count!r}")
    seen = 0
    for rank in ranking:
        if not rank:
            raise ValueError(f"ballot {number}: empty rank")
        if not rank <= known:
            unknown = ", ".join(sorted(map(repr, rank - known)))
            raise ValueError(f"ballot {number}: unknown candidate {unknown}")
        seen += len(rank)
    if seen != len(frozenset().union(*ranking)):
        raise ValueError(f"ballot {number}: a candidate appears more than once")
    return WeightedBallot(ranking, count)


@dataclass(frozen=True)
class RankedElection:
    """Candidates ``{id: name}`` in election order, and weighted ballots.

    `ballots` accepts ``WeightedBallot``s or ``(ranking, count)`` pairs; each rank of a ranking may be a
    candidate id (str) or a collection of ids tied at that rank, and is stored as a frozenset. A
    candidate may appear at most once in a ballot; counts are positive integers. `metadata` keeps
    free-form header fields (e.g. PrefLib's ``TITLE``) so that a file can be written back as read.
    """

    candidates: Mapping[str, str]
    ballots: tuple[WeightedBallot, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        candidates = {str(key): str(value) for key, value in dict(self.candidates).items()}
        singles = frozenset(frozenset((cid,)) for cid in candidates)
        all_known_singles = singles.issuperset
        ballots = []
        append = ballots.append
        for number, item in enumerate(self.ballots, start=1):
            # Fast path: a tuple of distinct known single-candidate ranks (what the PrefLib reader builds).
            if type(item) is WeightedBallot:
                ranking, count = item
                if (type(ranking) is tuple and type(count) is int and count > 0 and all_known_singles(ranking)
                        and len(set(ranking)) == len(ranking)):
                    append(item)
                    continue
            append(_checked_ballot(number, item, candidates.keys()))
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "ballots", tuple(ballots))
        object.__setattr__(self, "metadata", {str(k): str(v) for k, v in dict(self.metadata).items()})

    @property
    def title(self) -> str:
        return self.metadata.get("TITLE", "")

    @property
    def num_voters(self) -> int:
        return sum(ballot.count for ballot in self.ballots)

    def name(self, candidate: str) -> str:
        return self.candidates[candidate]


def strict_prefix(ranking: Ranking) -> tuple[str, ...]:
    """The candidates a ballot counts for, in order: its ranks up to the one before its first tie."""
    prefix = []
    for rank in ranking:
        if len(rank) != 1:
            break
        prefix.extend(rank)
    return tuple(prefix)


# --- the count ------------------------------------------------------------------------------------


def _num(value: Number | float) -> int | float:
    """A number for the rounds: an int when whole, else a float (the count itself stays exact)."""
    if isinstance(value, (int, float)):
        return value
    return value.numerator if value.denominator == 1 else float(value)


class _Count:
    """The state of a count: ballots grouped and kept in per-candidate piles of parcels.

    Candidates are indices 0..m-1 in election order. Identical rankings are grouped: entry b is one
    distinct ranking ``rankings[b]`` (as given: a tuple of frozensets) cast ``counts[b]`` times; ``pos[b]`` is
    the rank it currently counts for. Rankings are read lazily, rank by rank, only when a ballot moves on,
    and a tied rank ends a ballot there (see "Ballots"). Ballot weights come in classes: class 0 is weight
    1, and a surplus transfer maps each class k of the elected candidate's pile to a new class of weight
    ``weights[k] x transfer value``. A pile is ``{weight class: [entries, number of ballots]}``, so a transfer
    costs one multiplication per weight class and target, not one per ballot, and touches only the pile
    it moves.
    """

    def __init__(self, election: RankedElection):
        self.ids = list(election.candidates)
        m = len(self.ids)
        singleton = {frozenset((cid,)): index for index, cid in enumerate(self.ids)}
        self.lookup = lookup = singleton.get  # a rank -> its candidate index, None for a tie
        where: dict[Ranking, int] = {}  # distinct ranking -> its entry b
        find = where.get
        rankings: list[Ranking] = []
        counts: list[int] = []
        firsts: list[int] = []
        members: list[list[int]] = [[] for _ in range(m)]  # entries by first preference
        tally: list[Number] = [0] * m
        empty = 0
        for ranking, count in election.ballots:
            b = find(ranking)
            if b is None:
                first = lookup(ranking[0]) if ranking else None
                if first is None:  # nothing ranked, or a tie at the first rank: counts for no one
                    empty += count
                    continue
                where[ranking] = b = len(rankings)
                rankings.append(ranking)
                counts.append(count)
                firsts.append(first)
                members[first].append(b)
            else:
                counts[b] += count
                first = firsts[b]
            tally[first] += count
        self.empty_ballots = empty
        self.rankings, self.counts = rankings, counts
        self.valid = sum(counts)
        self.pos = [0] * len(rankings)
        self.hopeful = [True] * m
        self.tally = tally
        self.weights: list[Number] = [1]
        self.derived: dict[tuple[int, int], int] = {}  # (class, elected candidate) -> class after transfer
        self.piles: list[dict[int, list]] = [
            {0: [entries, tally[c]]} if entries else {} for c, entries in enumerate(members)
        ]
        self.first = list(tally)
        self.history: list[list[Number]] = []  # tallies at the start of each round
        self.exhausted: Number = 0
        self.rounds: list[Round] = []

    # -- helpers --

    def continuing(self) -> list[int]:
        return [c for c in range(len(self.ids)) if self.hopeful[c]]

    def tallies(self, candidates: Iterable[int]) -> dict[str, int | float]:
        return {self.ids[c]: _num(self.tally[c]) for c in candidates}

    def transfer(self, source: int, factor: Number = 1) -> tuple[dict[str, int | float], Number]:
        """Move every ballot in `source`'s pile to its next continuing candidate at weight x factor.

        Returns the votes each candidate received and the weight exhausted.
        """
        rankings, pos, counts, hopeful, piles, tally, lookup = (
            self.rankings, self.pos, self.counts, self.hopeful, self.piles, self.tally, self.lookup)
        received: dict[int, Number] = {}
        exhausted: Number = 0
        for k, (entries, _total) in piles[source].items():
            if factor == 1:
                new_k = k
            else:
                new_k = self.derived.get((k, source))
                if new_k is None:
                    new_k = self.derived[(k, source)] = len(self.weights)
                    self.weights.append(self.weights[k] * factor)
            new_weight = self.weights[new_k]
            buckets: dict[int, list] = {}
            lost = 0
            for b in entries:
                ranking = rankings[b]
                p = pos[b] + 1
                n = len(ranking)
                while p < n:
                    target = lookup(ranking[p])
                    if target is None:  # a tied rank: the ballot ends before it
                        p = n
                    elif hopeful[target]:
                        break
                    else:
                        p += 1
                if p < n:
                    pos[b] = p
                    bucket = buckets.get(target)
                    if bucket is None:
                        buckets[target] = [[b], counts[b]]
                    else:
                        bucket[0].append(b)
                        bucket[1] += counts[b]
                else:
                    lost += counts[b]
            for target, (moved, count) in buckets.items():
                parcel = piles[target].get(new_k)
                if parcel is None:
                    piles[target][new_k] = [moved, count]
                else:
                    parcel[0] += moved
                    parcel[1] += count
                votes = new_weight * count
                tally[target] += votes
                received[target] = received.get(target, 0) + votes
            if lost:
                exhausted += new_weight * lost
        piles[source] = {}
        self.exhausted += exhausted
        return {self.ids[c]: _num(v) for c, v in sorted(received.items())}, exhausted

    def weaker_key(self, c: int) -> tuple:
        """Sort key: smaller means weaker (eliminated first). See the module docstring, "Ties"."""
        earlier = tuple(round_tally[c] for round_tally in reversed(self.history[:-1]))
        return (self.tally[c], self.first[c], *earlier, c)

    def tie_reason(self, tied: list[int], chosen: int) -> dict[str, Any]:
        """Which rule separated `chosen` from the others it was tied with."""
        others = [c for c in tied if c != chosen]
        if any(self.first[c] != self.first[chosen] for c in others):
            rule = "fewer first-round votes"
        else:
            rule = "equal in every round; the first in candidate order is eliminated"
            for number in range(len(self.history) - 1, 0, -1):
                round_tally = self.history[number - 1]
                if any(round_tally[c] != round_tally[chosen] for c in others):
                    rule = f"fewer votes in round {number}"
                    break
        return {"candidates": [self.ids[c] for c in tied], "broken_by": rule}

    def start_round(self) -> tuple[int, dict[str, int | float]]:
        self.history.append(list(self.tally))
        return len(self.history), self.tallies(self.continuing())

    def eliminate_lowest(self, number: int, tallies: dict[str, int | float], extra: dict[str, Any]) -> None:
        continuing = self.continuing()
        low = min(self.tally[c] for c in continuing)
        tied = [c for c in continuing if self.tally[c] == low]
        loser = min(tied, key=self.weaker_key)
        detail: dict[str, Any] = {"round": number, "tallies": tallies, **extra, "eliminated": self.ids[loser],
                                  "votes": _num(low)}
        if len(tied) > 1:
            detail["tie"] = self.tie_reason(tied, loser)
            others = len(tied) - 1
            detail["reason"] = f"fewest votes, tied with {others} other(s): {detail['tie']['broken_by']}"
        else:
            detail["reason"] = "fewest votes"
        self.hopeful[loser] = False
        received, exhausted = self.transfer(loser)
        self.tally[loser] = 0
        detail.update(transfers=received, exhausted_now=_num(exhausted), exhausted=_num(self.exhausted))
        self.rounds.append(Round("eliminate", detail))

    def stronger_first(self, candidates: list[int]) -> list[int]:
        if len(candidates) < 2:
            return candidates
        return sorted(candidates, key=self.weaker_key, reverse=True)


def irv(election: RankedElection) -> Result:
    """Instant-runoff voting: one winner. See the module docstring for the exact rules."""
    if not election.candidates:
        raise ValueError("an election needs at least one candidate")
    count = _Count(election)
    winner = None
    while winner is None:
        number, tallies = count.start_round()
        continuing = count.continuing()
        total = sum(count.tally[c] for c in continuing)
        quota = total // 2 + 1
        extra = {"continuing_votes": _num(total), "quota": _num(quota)}
        leader = max(continuing, key=count.weaker_key)
        if count.tally[leader] >= quota or len(continuing) == 1:
            winner = leader
            reason = ("majority of the continuing votes" if count.tally[leader] >= quota
                      else "last continuing candidate")
            count.rounds.append(Round("elect", {
                "round": number, "tallies": tallies, **extra, "elected": [count.ids[leader]],
                "votes": _num(count.tally[leader]), "reason": reason, "exhausted": _num(count.exhausted)}))
        else:
            count.eliminate_lowest(number, tallies, extra)
    return Result(
        rule="irv",
        winners=[count.ids[winner]],
        rounds=count.rounds,
        summary={"quota": count.rounds[-1].detail["quota"], "valid_ballots": count.valid,
                 "exhausted": _num(count.exhausted), "empty_ballots": count.empty_ballots,
                 "rounds": len(count.rounds)},
    )


def stv(election: RankedElection, seats: int) -> Result:
    """Single transferable vote with `seats` seats. See the module docstring for the exact rules."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be a positive integer, got {seats!r}")
    count = _Count(election)
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
                elected.append({"candidate": count.ids[c], "votes": _num(votes), "surplus": _num(surplus),
                                "transfer_value": _num(surplus / votes)})
                if surplus and not last:
                    transfers[count.ids[c]], exhausted = count.transfer(c, Fraction(surplus, votes))
                    exhausted_now += exhausted
                count.tally[c] = quota
            detail = {"round": number, "tallies": tallies, "quota": quota, "elected": elected,
                      "reason": "reached the quota"}
            if last:
                detail["note"] = "all seats are filled, so no surplus is transferred"
            else:
                detail.update(transfers=transfers, exhausted_now=_num(exhausted_now))
            detail["exhausted"] = _num(count.exhausted)
            count.rounds.append(Round("elect", detail))
        elif len(continuing) <= seats - len(winners):
            filled = count.stronger_first(continuing)
            for c in filled:
                count.hopeful[c] = False
            winners.extend(filled)
            count.rounds.append(Round("elect", {
                "round": number, "tallies": tallies, "quota": quota,
                "elected": [{"candidate": count.ids[c], "votes": _num(count.tally[c])} for c in filled],
                "reason": "as many continuing candidates as seats left", "exhausted": _num(count.exhausted)}))
        else:
            count.eliminate_lowest(number, tallies, {"quota": quota})
    return Result(
        rule="stv",
        winners=[count.ids[c] for c in winners],
        rounds=count.rounds,
        summary={"seats": seats, "quota": quota, "valid_ballots": count.valid,
                 "exhausted": _num(count.exhausted), "empty_ballots": count.empty_ballots,
                 "rounds": len(count.rounds)},
    )
