"""The Method of Equal Shares (MES) for participatory budgeting, plain and with the Add1 completion.

The rule of Peters, Pierczyński and Skowron, "Proportional participatory budgeting with additive utilities"
(NeurIPS 2021), with cost utilities; ``mes-add1`` is the completion by budget increase discussed there.

Semantics (identical to pabutools 1.2.3, resolute, ``lexico_tie_breaking``; see ``../shared/data/README.md``):

* Every voter starts with the same endowment ``e`` (``budget / number of voters`` for plain MES).
  A voter's utility for a project is weight x cost (`budgeting` module: 1 for an approval, the points of a
  cumulative or scoring ballot, ballot length - position for a ranking); only voters with positive utility
  support a project, and only projects with positive cost and some support take part (a project that costs
  nothing gives nobody positive utility, so MES never funds it; greedy completion does, as it always fits).
* Each round, for every project still in the race, rho is the smallest price per unit of utility at which its
  supporters can pay for it, each paying ``min(money left, rho x utility)``. A project whose supporters
  together hold less than its cost drops out for good. The project with the smallest rho is funded (ties: the
  smaller project id, compared as text) and its supporters pay. The count stops when no project is
  affordable. This is pabutools ``method_of_equal_shares(instance, profile, sat_class=S)``.
* ``mes-add1``: pabutools ``exhaustion_by_budget_increase(instance, profile, method_of_equal_shares,
  {"sat_class": S}, budget_step=n)``: MES is run with endowment ``B/n + k`` for k = 0, 1, 2, ... (one more
  unit of money per voter at each step). The scan stops at the first k whose outcome costs more than the real
  budget B, and then returns the outcome of step k-1, or at the first k whose outcome is exhaustive (no
  project left out, supported or not, costs at most what is left of B), and returns it. It also stops,
  returning the previous outcome, once ``B + k*n`` would exceed ``B * (n+1)``. (pabutools' built-in
  ``voter_budget_increment=1`` differs only in ignoring unsupported projects when it tests exhaustiveness;
  on an election where every project has a supporter both give the same outcome.)
* ``mes-add1-greedy``: that outcome completed by `budgeting.greedy` with what is left of B.

The package, by job:

* `prepared`: the profile as arrays, once per count (each project's supporters, weights, twins);
* `exact`: MES at one endowment in exact fractions, pabutools' algorithm step for step: the reference the
  tests compare with, and the fallback of the fast engine on near-ties;
* `batch` and `evaluation`: the fast engine, many Add1 steps at once in numpy columns;
* `add1`: the Add1 scan (``exhaustion_by_budget_increase``) over those engines;
* `explanation`: the rounds a person reads.

Importing this package loads no numpy; the first count does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plaza.voting.methods.budgeting import PBElection, Profile, greedy_completion, json_number
from plaza.voting.methods.result import Result, Round

if TYPE_CHECKING:
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile

__all__ = ["mes", "mes_add1", "mes_add1_greedy"]


def mes(election: PBElection) -> Result:
    """Method of Equal Shares, no completion: each voter starts with budget / number of voters.

    Utilities: approval -> cost if approved; cumulative, scoring -> points x cost; ordinal -> (ballot length -
    0-based position) x cost. Ties between equal rho go to the smaller project id (compared as text).
    Same outcome as pabutools 1.2.3 ``method_of_equal_shares(instance, profile, sat_class=S)`` (resolute,
    lexicographic tie-breaking). Rounds: one "select" per funded project with its rho, the price a supporter
    pays per point of weight, and how the voters' money stands afterwards (voters holding the same amount form
    one group; the largest groups are listed).
    """
    from plaza.voting.methods.equal_shares.add1 import count_at
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile

    prepared = PreparedProfile(Profile.of(election))
    sequence, rounds = count_at(prepared, 0)
    return _result("mes", prepared, sequence, rounds)


def mes_add1(election: PBElection) -> Result:
    """MES with the Add1 completion, as pabutools 1.2.3 ``exhaustion_by_budget_increase(instance, profile,
    method_of_equal_shares, {"sat_class": S}, budget_step=number of voters)``.

    Endowments B/n, B/n + 1, B/n + 2, ... are tried in turn; the first outcome that is exhaustive is returned,
    or, if an outcome costing more than B comes first, the outcome of the step before it. Tie-breaking as in
    `mes`. The first round ("budget") gives the endowment per voter that was used and the number of steps
    (k); the "select" rounds that follow explain the count at that endowment.
    """
    from plaza.voting.methods.equal_shares.add1 import add1_scan
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile

    prepared = PreparedProfile(Profile.of(election))
    add1 = add1_scan(prepared)
    return _result("mes-add1", prepared, add1.sequence, add1.rounds())


def mes_add1_greedy(election: PBElection) -> Result:
    """`mes_add1`, then greedy completion (`budgeting.greedy` order: support per cost, ties by id as text)
    with the money of B left over; the same as pabutools' ``completion_by_rule_combination`` of
    ``exhaustion_by_budget_increase`` and ``greedy_utilitarian_welfare``.
    """
    from plaza.voting.methods.equal_shares.add1 import add1_scan
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile

    profile = Profile.of(election)
    prepared = PreparedProfile(profile)
    add1 = add1_scan(prepared)
    added, greedy_rounds = greedy_completion(profile, add1.sequence, rule="mes-add1-greedy")
    completion = Round("completion", {"rule": "greedy", "added": [profile.ids[p] for p in added]})
    rounds = [*add1.rounds(), completion]
    return _result("mes-add1-greedy", prepared, add1.sequence + added, rounds + greedy_rounds)


def _result(rule: str, prepared: PreparedProfile, sequence: list[int], rounds: list[Round]) -> Result:
    profile = prepared.profile
    spent = sum(profile.costs[p] for p in sequence)
    return Result(rule=rule, winners=[profile.ids[p] for p in sequence], rounds=rounds,
                  summary={"budget": json_number(profile.budget), "spent": json_number(spent),
                           "left": json_number(profile.budget - spent)})
