"""The state of a ranked count, shared by IRV and STV: piles of ballots, transfers, eliminations, and the
tie-breaking rules (package docstring, "Ties"); and how a round reports its numbers.

The counting follows votekit 3.5.0's ``STV(..., transfer=fractional_transfer, quota="droop",
simultaneous=True)`` (and its IRV); the arithmetic is exact (`fractions.Fraction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plaza.voting.methods.ranked.election import Number, RankedElection, Ranking
from plaza.voting.methods.result import Round


def reported(value: Number | float) -> int | float:
    """A number for the rounds: an int when whole, else a float (the count itself stays exact)."""
    if isinstance(value, (int, float)):
        return value
    return value.numerator if value.denominator == 1 else float(value)


class RankedCount:
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
        return {self.ids[c]: reported(self.tally[c]) for c in candidates}

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
        return {self.ids[c]: reported(v) for c, v in sorted(received.items())}, exhausted

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
                                  "votes": reported(low)}
        if len(tied) > 1:
            detail["tie"] = self.tie_reason(tied, loser)
            others = len(tied) - 1
            detail["reason"] = f"fewest votes, tied with {others} other(s): {detail['tie']['broken_by']}"
        else:
            detail["reason"] = "fewest votes"
        self.hopeful[loser] = False
        received, exhausted = self.transfer(loser)
        self.tally[loser] = 0
        detail.update(transfers=received, exhausted_now=reported(exhausted), exhausted=reported(self.exhausted))
        self.rounds.append(Round("eliminate", detail))

    def stronger_first(self, candidates: list[int]) -> list[int]:
        if len(candidates) < 2:
            return candidates
        return sorted(candidates, key=self.weaker_key, reverse=True)
