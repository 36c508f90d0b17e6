"""The model a ranked count reads: candidates, and ballots that rank them (ties allowed), with their weights.

The PrefLib reader (`plaza.voting.formats.preflib`) builds a `RankedElection` from a ``.soi``/``.soc``/``.toi``
file, the web app from Plaza's ballots (`plaza.voting.counting.ranked_election`). See the package docstring
for how a ballot with a tied rank is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

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
