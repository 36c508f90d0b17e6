"""Counts that add up marks: majority (referendum), plurality, approval and score voting.

Every function takes the options in ballot order (ids as text) and an iterable of ballots, and returns a
`Result` whose single round holds the totals. Winners are the `seats` options with the highest totals;
equal totals are ordered by ballot order (the option listed first wins the tie), which the organiser fixed
before voting opened and everybody can see.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from plaza.voting.methods.result import Result, Round


def _ranked(options: Sequence[str], totals: Counter, seats: int) -> list[str]:
    place = {option: index for index, option in enumerate(options)}
    return sorted(options, key=lambda option: (-totals[option], place[option]))[:seats]


def _check(options: Sequence[str], chosen: Iterable[str]) -> None:
    unknown = set(chosen) - set(options)
    if unknown:
        raise ValueError(f"ballot names options that are not on the ballot: {sorted(unknown)}")


def majority(options: Sequence[str], ballots: Iterable[Sequence[str]]) -> Result:
    """Referendum: options are (yes, no, abstain). "yes" wins only with more yes than no votes;
    abstentions are counted and shown but decide nothing. A tie rejects the question."""
    yes, no, abstain = options
    totals = Counter({option: 0 for option in options})
    for ballot in ballots:
        _check(options, ballot)
        totals.update(ballot)
    winners = [yes] if totals[yes] > totals[no] else [no]
    return Result("majority", winners, [Round("count", {"totals": dict(totals)})],
                  {"valid": totals[yes] + totals[no], "abstentions": totals[abstain]})


def plurality(options: Sequence[str], ballots: Iterable[Sequence[str]], seats: int = 1) -> Result:
    totals = Counter({option: 0 for option in options})
    for ballot in ballots:
        _check(options, ballot)
        if len(ballot) != 1:
            raise ValueError("a single-choice ballot names exactly one option")
        totals.update(ballot)
    return Result("plurality", _ranked(options, totals, seats), [Round("count", {"totals": dict(totals)})])


def approval(options: Sequence[str], ballots: Iterable[Sequence[str]], seats: int = 1) -> Result:
    totals = Counter({option: 0 for option in options})
    for ballot in ballots:
        _check(options, ballot)
        totals.update(set(ballot))
    return Result("approval", _ranked(options, totals, seats), [Round("count", {"totals": dict(totals)})])


def score(options: Sequence[str], ballots: Iterable[Mapping[str, int]], seats: int = 1) -> Result:
    totals = Counter({option: 0 for option in options})
    for ballot in ballots:
        _check(options, ballot)
        if any(points < 0 for points in ballot.values()):
            raise ValueError("scores cannot be negative")
        totals.update(ballot)
    return Result("score", _ranked(options, totals, seats), [Round("count", {"totals": dict(totals)})])
