"""Participatory budgeting: the election model, voters' utilities and the greedy rule.

The model (`PBElection`) is what every budgeting rule counts, what the Pabulib reader builds and what the
web app fills from Plaza's own ballots. Money and points are exact numbers (`int`, or `Fraction` for
decimal amounts such as ``1250.50``), so that no count depends on floating-point rounding.

Utilities are the ones of the reference computations (``../shared/data/README.md``): a voter's utility for a
project is its *weight* for the project times the project's cost, where the weight is

* ``approval`` and ``choose-1``: 1 for every project on the ballot;
* ``cumulative`` and ``scoring``: the points given to the project;
* ``ordinal``: ballot length minus the 0-based position (the first of 3 ranked projects weighs 3, the last 1).

Only positive utilities count as support in the Method of Equal Shares (see `equal_shares`); greedy adds
up all weights, as pabutools does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

from plaza.voting.methods.result import Result, Round

Number = int | Fraction

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_VOTE_TYPES = ("cumulative", "scoring")


@dataclass(frozen=True)
class PBBallot:
    """One ballot: the chosen projects (most preferred first for ``ordinal``), with points where the vote type
    has them (``cumulative``, ``scoring``; aligned with `projects`).

    `count` lets a caller hand in identical ballots once (e.g. the web app's aggregated votes); the Pabulib
    reader gives every voter its own ballot (count 1) with its `voter_id` and other columns in `extra`.
    """

    projects: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    voter_id: str = ""
    count: int = 1
    extra: Mapping[str, str] = field(default_factory=dict)

    def weights(self, vote_type: str) -> dict[str, Number]:
        """Project id -> weight (utility per unit of the project's cost) for this ballot."""
        if vote_type in POINTS_VOTE_TYPES:
            return dict(zip(self.projects, self.points or (), strict=True))
        if vote_type == "ordinal":
            length = len(self.projects)
            return {project: length - position for position, project in enumerate(self.projects)}
        return dict.fromkeys(self.projects, 1)


@dataclass
class PBElection:
    """A participatory budgeting election: project costs, the budget, the ballots and how they were cast.

    `projects` maps project id (a string: ``"02"`` and ``"2"`` are different projects) to cost. `meta` holds
    the other Pabulib META entries (description, unit, rule, ...), `project_fields` the other PROJECTS columns
    per project (name, votes, selected, ...), both as read, so that a file can be written back unchanged.
    """

    projects: dict[str, Number]
    budget: Number
    ballots: list[PBBallot]
    vote_type: str = "approval"
    meta: dict[str, str] = field(default_factory=dict)
    project_fields: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vote_type not in VOTE_TYPES:
            raise ValueError(f"unknown vote type {self.vote_type!r}; expected one of {', '.join(VOTE_TYPES)}")
        if _negative(self.budget):
            raise ValueError(f"the budget must be a non-negative number, not {self.budget!r}")
        for project, cost in self.projects.items():
            if not isinstance(project, str):
                raise ValueError(f"project ids are strings, not {project!r}")
            if _negative(cost):
                raise ValueError(f"project {project}: the cost must be a non-negative number, not {cost!r}")
        known = self.projects.keys()
        points_type = self.vote_type in POINTS_VOTE_TYPES
        if self.ballots and _all_valid(self.ballots, known, points_type):  # in bulk, at C speed
            return
        for number, ballot in enumerate(self.ballots, start=1):  # find the first ballot at fault
            if ballot.count < 1:
                raise ValueError(f"ballot {number}: count must be at least 1")
            if len(set(ballot.projects)) != len(ballot.projects):
                raise ValueError(f"ballot {number}: a project appears twice")
            unknown = [p for p in ballot.projects if p not in known]
            if unknown:
                raise ValueError(f"ballot {number}: unknown project {unknown[0]!r}")
            if points_type and (ballot.points is None or len(ballot.points) != len(ballot.projects)):
                raise ValueError(f"ballot {number}: {self.vote_type} ballots need one number of points per "
                                 "project")

    @property
    def num_voters(self) -> int:
        return sum(map(attrgetter("count"), self.ballots))


def _all_valid(ballots: list[PBBallot], known: Collection[str], points_type: bool) -> bool:
    """Whether every ballot passes `PBElection`'s checks (counts, repeated and unknown projects, points)."""
    projects = list(map(attrgetter("projects"), ballots))
    lengths = list(map(len, projects))
    if min(map(attrgetter("count"), ballots)) < 1 or lengths != list(map(len, map(set, projects))):
        return False
    if not set(chain.from_iterable(projects)).issubset(known):
        return False
    if points_type:
        points = list(map(attrgetter("points"), ballots))
        return None not in points and lengths == list(map(len, points))
    return True


def _negative(value: Any) -> bool:
    return not isinstance(value, (int, Fraction)) or isinstance(value, bool) or value < 0


def as_number(value: Number | float | str) -> Number:
    """An exact number: ints stay ints, decimals become Fractions (``"0.1"`` is exactly 1/10)."""
    number = Fraction(value) if not isinstance(value, int) else value
    return int(number) if isinstance(number, Fraction) and number.denominator == 1 else number


def json_number(value: Number) -> int | float:
    """For explanations: ints as they are, other amounts as floats."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value if isinstance(value, int) else float(value)


# --- the profile the rules count ----------------------------------------------------------------------


@dataclass
class Profile:
    """Ballots reduced to what the rules need: projects in tie-breaking order and identical ballots merged.

    Projects are numbered 0..m-1 in ascending order of their id *as text* (Python string comparison), so a
    smaller number always wins a tie. Each group is a distinct ballot; its projects and weights are stored
    one after the other in `flat_projects` / `flat_weights` (`lengths[g]` of them for group g, weights
    ``None`` meaning all 1), and `counts[g]` voters cast it.
    """

    ids: list[str]
    costs: list[Number]
    budget: Number
    lengths: list[int]
    flat_projects: list[int]
    flat_weights: list[Number] | None
    counts: list[int]
    num_voters: int

    @classmethod
    def of(cls, election: PBElection) -> Profile:
        ids = sorted(election.projects)
        number = {project: i for i, project in enumerate(ids)}.__getitem__
        ballots = election.ballots
        vote_type = election.vote_type
        points_type = vote_type in POINTS_VOTE_TYPES
        projects_of = attrgetter("projects")
        # merge identical ballots with C-level loops (an approval ballot's order does not matter)
        raw: Counter[tuple]
        if set(map(attrgetter("count"), ballots)) <= {1}:
            if points_type:
                raw = Counter(zip(map(projects_of, ballots), map(attrgetter("points"), ballots), strict=True))
            elif vote_type == "ordinal":
                raw = Counter(map(projects_of, ballots))
            else:
                raw = Counter(map(tuple, map(sorted, map(projects_of, ballots))))
        else:
            raw = Counter()
            for ballot in ballots:
                if points_type:
                    raw[(ballot.projects, ballot.points)] += ballot.count
                else:
                    key = ballot.projects if vote_type == "ordinal" else tuple(sorted(ballot.projects))
                    raw[key] += ballot.count
        flat_weights: list[Number] | None
        if points_type:  # the same (project, points) pairs in another order are the same ballot
            tally: Counter[tuple] = Counter()
            for (projects, points), count in raw.items():
                tally[tuple(sorted(zip(map(number, projects), points, strict=True)))] += count
            keys = list(tally)
            counts = list(tally.values())
            lengths = list(map(len, keys))
            pairs = list(chain.from_iterable(keys))
            flat_projects = [project for project, _ in pairs]
            flat_weights = [weight for _, weight in pairs]
        else:
            keys = list(raw)
            counts = list(raw.values())
            lengths = list(map(len, keys))
            flat_projects = list(map(number, chain.from_iterable(keys)))
            flat_weights = (list(chain.from_iterable(range(length, 0, -1) for length in lengths))
                            if vote_type == "ordinal" else None)
        return cls(ids=ids, costs=[election.projects[p] for p in ids], budget=election.budget,
                   lengths=lengths, flat_projects=flat_projects, flat_weights=flat_weights, counts=counts,
                   num_voters=election.num_voters)

    def support(self) -> list[Number]:
        """Total weight per project: approvals, points or positional points (the `votes` / `score` column)."""
        total: list[Number] = [0] * len(self.ids)
        group_of = list(chain.from_iterable(repeat(count, length) for count, length
                                            in zip(self.counts, self.lengths, strict=True)))
        weights = self.flat_weights if self.flat_weights is not None else [1] * len(group_of)
        for project, weight, count in zip(self.flat_projects, weights, group_of, strict=True):
            total[project] += weight * count
        return total


# --- greedy -------------------------------------------------------------------------------------------


def greedy(election: PBElection) -> Result:
    """Utilitarian greedy: projects in decreasing order of total utility per unit of cost, each taken if it
    still fits in the money left (a project that does not fit is skipped, the count goes on).

    Utility per unit of cost is the project's support: approvals, total points, or total positional points
    (``ordinal``). Exactly pabutools 1.2.3 ``greedy_utilitarian_welfare(instance, profile, sat_class=S)``
    with the utilities of this module: a project with no (or negative) support, or with cost 0 (which gives
    nobody any utility), counts as support 0 and is still taken if it fits. Ties are broken by project id
    compared as text, smaller first. No minimum-vote threshold is applied.
    """
    profile = Profile.of(election)
    return _greedy(profile, rule="greedy")


def greedy_completion(profile: Profile, chosen: Sequence[int], rule: str) -> tuple[list[int], list[Round]]:
    """Greedy with `chosen` already funded: the projects it adds and the rounds explaining them."""
    result = _greedy(profile, rule=rule, already=chosen)
    number = {project: i for i, project in enumerate(profile.ids)}
    return [number[p] for p in result.winners], list(result.rounds)


def _greedy(profile: Profile, rule: str, already: Iterable[int] = ()) -> Result:
    already = list(already)
    support = profile.support()
    costs = profile.costs

    def order_key(project: int) -> tuple[Number, int]:
        # Total utility per unit of cost is the support itself (utility = weight x cost). A project that
        # costs nothing gives no utility (density 0, as in pabutools), nor does no or negative support.
        return (-support[project] if support[project] > 0 and costs[project] > 0 else 0, project)

    taken = set(already)
    left = profile.budget - sum(costs[p] for p in already)
    winners: list[str] = []
    rounds: list[Round] = []
    for project in sorted((p for p in range(len(profile.ids)) if p not in taken), key=order_key):
        cost = costs[project]
        fits = cost <= left
        if fits:
            left -= cost
            winners.append(profile.ids[project])
        rounds.append(Round("select" if fits else "skip", {
            "project": profile.ids[project],
            "support": json_number(support[project]),
            "cost": json_number(cost),
            "money_left": json_number(left),
            **({} if fits else {"reason": "does not fit in the money left"}),
        }))
    spent = profile.budget - left
    return Result(rule=rule, winners=winners, rounds=rounds,
                  summary={"budget": json_number(profile.budget), "spent": json_number(spent),
                           "left": json_number(left)})
