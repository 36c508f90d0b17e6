"""The Add1 completion of MES: the scan over endowments B/n, B/n + 1, B/n + 2, ...

pabutools 1.2.3 ``exhaustion_by_budget_increase(instance, profile, method_of_equal_shares, {"sat_class":
Cost_Sat}, budget_step=n)`` (the completion by budget increase of Peters, Pierczyński and Skowron 2021):
MES is counted with one more unit of money per voter at each step k; the scan returns the first exhaustive
outcome, or the outcome of step k-1 when step k costs more than the budget B, and stops once
``B + k*n > B * (n+1)``. (pabutools' ``method_of_equal_shares(..., voter_budget_increment=1)`` differs only in
ignoring unsupported projects when it tests exhaustiveness.) The completion by greedy that ``mes-add1-greedy``
adds after it (pabutools ``completion_by_rule_combination`` with ``greedy_utilitarian_welfare``) is
`budgeting.greedy_completion`.

Every step up to the one that stops the scan is counted: by the fast engine (`batch`), many steps at once, or
by the exact reference (`exact`) when weights are not whole numbers or a step has a near-tie.
"""

from __future__ import annotations

import math
from math import floor

from plaza.voting.methods.budgeting import json_number
from plaza.voting.methods.equal_shares.batch import Batch
from plaza.voting.methods.equal_shares.exact import ExactCount
from plaza.voting.methods.equal_shares.explanation import Add1Outcome
from plaza.voting.methods.equal_shares.prepared import PreparedProfile
from plaza.voting.methods.result import Round

BATCH_CELLS = 262144  # the Add1 scan's first batch has about this many (group x step) cells ...
MAX_BATCH = 1024  # ... and no batch has more steps than this


def count_at(prepared: PreparedProfile, k: int) -> tuple[list[int], list[Round]]:
    """MES at endowment B/n + k: the funded projects in order and the rounds explaining them."""
    if prepared.num_voters == 0:
        return [], []
    if prepared.floats:
        batch = Batch(prepared, k, 1)
        found = batch.run([])
        if found is not None:
            return found[0], batch.explain(0)
    exact = ExactCount(prepared, prepared.endowment(k), record=True)
    return exact.run(), exact.rounds


def add1_scan(prepared: PreparedProfile) -> Add1Outcome:
    """The Add1 scan (module docstring): every step k = 0, 1, ... in order until one stops it."""
    profile = prepared.profile
    budget = profile.budget
    if prepared.num_voters == 0:
        return Add1Outcome([], None, None, 0, 0, "no voters", [])
    previous: tuple[list[int], int, Batch | None, int] | None = None  # sequence, step, batch, column
    last_step = floor(budget)  # B + k*n <= B*(n+1)  <=>  k <= B
    k = 0
    cells = BATCH_CELLS / max(1, len(profile.counts))
    size = min(MAX_BATCH, max(8, 1 << max(0, round(math.log2(cells)))))
    batches = 0
    tails: list[Batch] = []
    while True:
        if k > last_step:
            return _finish(prepared, previous, k, batches, "the budget bound B*(n+1) was reached")
        batches += 1
        batch: Batch | None = None
        found = None
        if prepared.floats:
            if tails:
                batch = tails.pop()
                assert batch.first_step == k, "batches are counted in the order of their endowments"
            else:
                batch = Batch(prepared, k, min(size, last_step - k + 1))
                size = min(2 * size, MAX_BATCH)
            found = batch.run(tails)
        if found is None:  # exact weights only, or a near-tie in this step: count it exactly
            batch = None
            found = ExactCount(prepared, prepared.endowment(k)).run(), 1
        sequence, length = found
        spent = sum(profile.costs[p] for p in sequence)
        if spent > budget:
            stop = f"step {k} costs {json_number(spent)}, more than the budget"
            return _finish(prepared, previous, k + 1, batches, stop)
        left = budget - spent
        chosen = set(sequence)
        if all(profile.costs[p] > left for p in range(prepared.num_projects) if p not in chosen):
            return _finish(prepared, (sequence, k, batch, 0), k + 1, batches, f"step {k} is exhaustive")
        previous = (sequence, k + length - 1, batch, length - 1)
        k += length


def _finish(prepared: PreparedProfile, outcome, counted: int, batches: int, stop: str) -> Add1Outcome:
    if outcome is None:
        return Add1Outcome([], None, None, counted, batches, stop, [])
    sequence, step, batch, column = outcome
    if batch is not None:
        rounds = batch.explain(column)
    else:
        exact = ExactCount(prepared, prepared.endowment(step), record=True)
        exact.run()
        rounds = exact.rounds
    return Add1Outcome(sequence, prepared.endowment(step), step, counted, batches, stop, rounds)
