"""From a ballot's published description and its votes to a `Result`, with no Flask and no database.

The bulletin board publishes the same description (`spec`) and the votes, so `flask plaza verify-ballot`
recounts from the board alone with this very function.
"""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from plaza.voting.methods import budgeting, ranked
from plaza.voting.methods.result import Result
from plaza.voting.methods.rules import BallotKind, CountingRule


def count(spec: dict[str, Any], votes: Iterable[str | list | dict]) -> Result:
    """`spec`: {"kind", "method", "seats", "budget", "budget_input", "points", "options": [{"id", "cost"}]};
    `votes`: canonical choices (as stored, or already decoded). `kind` is a `BallotKind` value, `method` a
    `CountingRule` value that counts that kind."""
    ballots = [json.loads(vote) if isinstance(vote, str) else vote for vote in votes]
    options = [str(option["id"]) for option in spec["options"]]
    kind, rule, seats = BallotKind(spec["kind"]), CountingRule(spec["method"]), spec.get("seats") or 1
    if rule.kind is not kind:
        raise ValueError(f"the rule {rule.value!r} does not count {kind.value} ballots")
    if kind is not BallotKind.SCORE and not (kind is BallotKind.BUDGET and spec["budget_input"] == "cumulative"):
        ballots = [[str(choice) for choice in ballot] for ballot in ballots]
    if kind is BallotKind.BUDGET:
        return _count_budget(spec, ballots, rule)
    if kind is BallotKind.RANKED:
        election = ranked_election(spec, ballots)
        return rule.function(election, seats) if rule.takes_seats else rule.function(election)
    return rule.function(options, ballots, seats) if rule.takes_seats else rule.function(options, ballots)


def ranked_election(spec: dict[str, Any], ballots: list) -> ranked.RankedElection:
    """The PrefLib model of a Plaza ranked ballot: identical rankings grouped."""
    labels = {str(option["id"]): option.get("label", "") for option in spec["options"]}
    grouped = Counter(tuple(str(choice) for choice in ballot) for ballot in ballots)
    return ranked.RankedElection(
        candidates=labels,
        ballots=tuple(ranked.WeightedBallot(tuple(frozenset((choice,)) for choice in ranking), count)
                      for ranking, count in sorted(grouped.items())),
        metadata={"TITLE": spec.get("title", "")})


def budget_election(spec: dict[str, Any], ballots: list) -> budgeting.PBElection:
    """The Pabulib model of a Plaza budget ballot: identical ballots grouped, votes in canonical form."""
    vote_type = spec["budget_input"]
    if vote_type == "cumulative":
        keys = [tuple(sorted((str(k), v) for k, v in ballot.items())) for ballot in ballots]
    else:
        keys = [tuple(str(choice) for choice in ballot) for ballot in ballots]
    grouped = Counter(keys)
    pb_ballots = []
    for key, count in sorted(grouped.items()):
        if vote_type == "cumulative":
            pb_ballots.append(budgeting.PBBallot(projects=tuple(k for k, _ in key),
                                                 points=tuple(v for _, v in key), count=count))
        else:
            pb_ballots.append(budgeting.PBBallot(projects=key, count=count))
    return budgeting.PBElection(
        projects={str(option["id"]): option["cost"] for option in spec["options"]}, budget=spec["budget"],
        ballots=pb_ballots, vote_type=vote_type,
        meta={"description": spec.get("title", ""), "unit": "Plaza ballot", "rule": spec["method"]},
        project_fields={str(option["id"]): {"name": option.get("label", "")} for option in spec["options"]})


def _count_budget(spec, ballots, rule: CountingRule) -> Result:
    """The chosen rule's result, with each project's support (approvals, points or positional points) in
    its summary: the rules' rounds do not all carry it, and the result table shows it."""
    election = budget_election(spec, ballots)
    result = rule.function(election)
    profile = budgeting.Profile.of(election)
    support = {project: budgeting.json_number(total) for project, total in zip(profile.ids, profile.support(),
                                                                                  strict=True)}
    return replace(result, summary={**result.summary, "support": support})
