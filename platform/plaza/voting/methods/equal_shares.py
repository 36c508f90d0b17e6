"""The Method of Equal Shares (MES) for participatory budgeting, plain and with the Add1 completion.

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

How it is made fast (Łódź 2022, 90,494 voters, 59 Add1 steps: about half a second; pabutools' fastest Add1
takes about three minutes):

* Identical ballots are merged into weighted groups, and groups that hold the same money form *classes*
  (everyone starts in one class; paying for a project splits a class into its payers and the others).
  A project's rho comes from the few classes among its supporters, not from every voter.
* Lazy evaluation: rho of a project never decreases during a count, so each project keeps a lower bound
  and is computed again only when that bound could beat the best project found so far.
* The Add1 scan counts *every* step k, many at once: a batch of consecutive endowments is counted in
  lockstep with numpy, one column per step, each column checking its own rho values, affordability and ties.
  While all columns fund the same project they share the work; before the first round in which some column
  could decide differently, the batch is split there, and the columns from that one on go on as a batch of
  their own from that round (their earlier rounds being the same, they are not counted again). Within a
  batch rho never increases from one column to the next (same history, more money), which lets a cheap
  look at the first and last columns rule most competitors out. A count stops as soon as what it has funded
  costs more than B, as that already decides the scan. Nothing else is skipped or guessed: the outcome of
  every step up to the stopping one is computed.

Arithmetic. The batch engine counts in floating point and takes a decision (which rho is smaller, whether
supporters can afford a project) only when the two sides differ by more than a safety margin: 1e-9 relative
to the size of the terms involved (``TOLERANCE``) plus a bound on how far rounding can have moved the money
in play (``DRIFT`` per round, relative to all the money there is), both far above the actual rounding
errors. Two rho values are *exactly* equal, and the tie goes to the smaller id, when in both projects every
payer pays the same price and the others hold exactly no money (rho is then exactly 1 / total weight of the
payers, which floating point compares exactly), or when the two projects have the same cost and the same
supporters with the same weights. Any other near-tie, and any affordability within the margin, makes the
engine count that step again with exact fractions (`_ExactCount`: the same algorithm in
`fractions.Fraction`, which the tests also use as the reference). On the ten real elections of the test data
that never happens; small random elections full of ties need it often, and agree with the exact count.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from math import floor

import numpy as np

from plaza.voting.methods.budgeting import Number, PBElection, Profile, greedy_completion, json_number
from plaza.voting.methods.result import Result, Round

TOLERANCE = 1e-9  # relative safety margin for decisions taken in floating point (see the module docstring)
DRIFT = 1e-13  # bound on the rounding error a voter's money gathers per round, relative to its endowment
GROUPS_SHOWN = 10  # money levels listed per round in an explanation
BATCH_CELLS = 262144  # the Add1 scan's first batch has about this many (group x step) cells ...
MAX_BATCH = 1024  # ... and no batch has more steps than this
NARROW = 16  # batches up to this many columns evaluate several projects in one pass


# --- public rules -------------------------------------------------------------------------------------


def mes(election: PBElection) -> Result:
    """Method of Equal Shares, no completion: each voter starts with budget / number of voters.

    Utilities: approval -> cost if approved; cumulative, scoring -> points x cost; ordinal -> (ballot length -
    0-based position) x cost. Ties between equal rho go to the smaller project id (compared as text).
    Same outcome as pabutools 1.2.3 ``method_of_equal_shares(instance, profile, sat_class=S)`` (resolute,
    lexicographic tie-breaking). Rounds: one "select" per funded project with its rho, the price a supporter
    pays per point of weight, and how the voters' money stands afterwards (voters holding the same amount form
    one group; the largest groups are listed).
    """
    prepared = _Prepared(Profile.of(election))
    sequence, rounds = prepared.count(0)
    return _result("mes", prepared, sequence, rounds)


def mes_add1(election: PBElection) -> Result:
    """MES with the Add1 completion, as pabutools 1.2.3 ``exhaustion_by_budget_increase(instance, profile,
    method_of_equal_shares, {"sat_class": S}, budget_step=number of voters)``.

    Endowments B/n, B/n + 1, B/n + 2, ... are tried in turn; the first outcome that is exhaustive is returned,
    or, if an outcome costing more than B comes first, the outcome of the step before it. Tie-breaking as in
    `mes`. The first round ("budget") gives the endowment per voter that was used and the number of steps
    (k); the "select" rounds that follow explain the count at that endowment.
    """
    prepared = _Prepared(Profile.of(election))
    add1 = prepared.add1()
    return _result("mes-add1", prepared, add1.sequence, add1.rounds())


def mes_add1_greedy(election: PBElection) -> Result:
    """`mes_add1`, then greedy completion (`budgeting.greedy` order: support per cost, ties by id as text)
    with the money of B left over; the same as pabutools' ``completion_by_rule_combination`` of
    ``exhaustion_by_budget_increase`` and ``greedy_utilitarian_welfare``.
    """
    profile = Profile.of(election)
    prepared = _Prepared(profile)
    add1 = prepared.add1()
    added, greedy_rounds = greedy_completion(profile, add1.sequence, rule="mes-add1-greedy")
    completion = Round("completion", {"rule": "greedy", "added": [profile.ids[p] for p in added]})
    rounds = [*add1.rounds(), completion]
    return _result("mes-add1-greedy", prepared, add1.sequence + added, rounds + greedy_rounds)


def _result(rule: str, prepared: _Prepared, sequence: list[int], rounds: list[Round]) -> Result:
    profile = prepared.profile
    spent = sum(profile.costs[p] for p in sequence)
    return Result(rule=rule, winners=[profile.ids[p] for p in sequence], rounds=rounds,
                  summary={"budget": json_number(profile.budget), "spent": json_number(spent),
                           "left": json_number(profile.budget - spent)})


@dataclass
class _Add1:
    sequence: list[int]
    endowment: Fraction | None  # per voter, of the returned outcome (None: the empty outcome, no step)
    step: int | None  # k of the returned outcome
    steps_counted: int  # endowments counted: every step up to the one that stopped the scan
    batches: int  # batches of the float engine (and exact re-counts) that took
    stop: str
    explanation: list[Round]

    def rounds(self) -> list[Round]:
        detail = {
            "endowment_per_voter": float(self.endowment) if self.endowment is not None else None,
            "endowment_exact": str(self.endowment) if self.endowment is not None else None,
            "steps": self.step,
            "steps_counted": self.steps_counted,
            "batches": self.batches,
            "stopped_because": self.stop,
        }
        return [Round("budget", detail), *self.explanation]


# --- what a count needs, prepared once ----------------------------------------------------------------


class _Prepared:
    """The profile as arrays: each project's supporters (groups with positive weight), weights and counts."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.n = profile.num_voters
        self.m = m = len(profile.ids)
        costs = profile.costs
        lengths = profile.lengths
        flat_p = np.fromiter(profile.flat_projects, dtype=np.intp, count=len(profile.flat_projects))
        flat_w = profile.flat_weights if profile.flat_weights is not None else [1]
        flat_g = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)
        self.mult = np.array(profile.counts, dtype=np.float64)
        # the float engine needs whole-number weights, whose totals are exact in floating point
        self.floats = profile.flat_weights is None or all(type(w) is int for w in set(flat_w))
        if profile.flat_weights is None:  # approval: every weight is 1
            wf = np.ones(len(flat_p))
            keep = np.ones(len(flat_p), dtype=bool)
        elif self.floats:
            wf = np.array(flat_w, dtype=np.float64)
            keep = wf > 0
        else:
            keep = np.array([w > 0 for w in flat_w], dtype=bool)
            wf = np.ones(len(flat_w))
        kept = np.flatnonzero(keep)
        order = kept[np.argsort(flat_p[kept], kind="stable")]  # by project, then group
        groups_sorted, projects_sorted, wf = flat_g[order], flat_p[order], wf[order]
        edges = np.searchsorted(projects_sorted, np.arange(m + 1)).tolist()
        self.sup = [groups_sorted[edges[p]:edges[p + 1]] for p in range(m)]
        self._weights: list[list[Number]] | None = None
        if self.floats:
            per_project = np.bincount(projects_sorted, weights=wf * self.mult[groups_sorted], minlength=m)
            self.total_weight = [int(t) for t in per_project.tolist()]
            self.floats = bool(per_project.max(initial=0) < 2**50)  # else totals might not be exact
        else:
            exact = [flat_w[i] for i in order.tolist()]
            self._weights = [exact[edges[p]:edges[p + 1]] for p in range(m)]
        self._wf = wf
        self._edges = edges
        if not self.floats:
            counts = profile.counts
            self.total_weight = [sum(w * counts[g] for g, w in zip(self.sup[p].tolist(), self.weights[p],
                                                                     strict=True)) for p in range(m)]
        self.active = [p for p in range(m) if self.total_weight[p] > 0 and costs[p] > 0]
        self.cost = np.array([float(c) for c in costs])
        self.wf = np.array([float(t) for t in self.total_weight])
        self.sup_mult = [self.mult[s] for s in self.sup]
        self.wvals: list[np.ndarray] = []  # distinct weights of each project's supporters, ascending
        self.widx: list[np.ndarray] = []  # each supporter's position in wvals
        one = np.ones(1)
        for p in range(m):
            w = wf[edges[p]:edges[p + 1]]
            distinct = np.unique(w) if len(w) and profile.flat_weights is not None else one
            self.wvals.append(distinct)
            self.widx.append(np.searchsorted(distinct, w) if len(distinct) > 1 else np.zeros(len(w), np.intp))
        self.nw = np.array([len(v) for v in self.wvals], dtype=np.intp)
        twin_of: dict[tuple, int] = {}
        self.twin = list(range(m))  # projects with the same cost, supporters and weights share a twin number
        for p in self.active:
            key = (costs[p], self.sup[p].tobytes(), wf[edges[p]:edges[p + 1]].tobytes()
                   if self._weights is None else tuple(self._weights[p]))
            self.twin[p] = twin_of.setdefault(key, p)

    @property
    def weights(self) -> list[list[Number]]:
        """Each project's supporters' weights, as exact numbers (for `_ExactCount`)."""
        if self._weights is None:
            wf, edges = self._wf, self._edges
            self._weights = [[int(x) for x in wf[edges[p]:edges[p + 1]].tolist()] for p in range(self.m)]
        return self._weights

    def endowment(self, k: int) -> Fraction:
        return Fraction(self.profile.budget + k * self.n, self.n)

    def count(self, k: int) -> tuple[list[int], list[Round]]:
        """MES at endowment B/n + k: the funded projects in order and the rounds explaining them."""
        if self.n == 0:
            return [], []
        if self.floats:
            batch = _Batch(self, k, 1)
            found = batch.run([])
            if found is not None:
                return found[0], batch.explain(0)
        exact = _ExactCount(self, self.endowment(k), record=True)
        return exact.run(), exact.rounds

    def add1(self) -> _Add1:
        """The Add1 scan (module docstring): every step k = 0, 1, ... in order until one stops it."""
        profile = self.profile
        budget = profile.budget
        if self.n == 0:
            return _Add1([], None, None, 0, 0, "no voters", [])
        previous: tuple[list[int], int, _Batch | None, int] | None = None  # sequence, step, batch, column
        last_step = floor(budget)  # B + k*n <= B*(n+1)  <=>  k <= B
        k = 0
        cells = BATCH_CELLS / max(1, len(profile.counts))
        size = min(MAX_BATCH, max(8, 1 << max(0, round(math.log2(cells)))))
        batches = 0
        tails: list[_Batch] = []
        while True:
            if k > last_step:
                return self._finish(previous, k, batches, "the budget bound B*(n+1) was reached")
            batches += 1
            batch: _Batch | None = None
            found = None
            if self.floats:
                if tails:
                    batch = tails.pop()
                    assert batch.k0 == k, "batches are counted in the order of their endowments"
                else:
                    batch = _Batch(self, k, min(size, last_step - k + 1))
                    size = min(2 * size, MAX_BATCH)
                found = batch.run(tails)
            if found is None:  # exact weights only, or a near-tie in this step: count it exactly
                batch = None
                found = _ExactCount(self, self.endowment(k)).run(), 1
            sequence, length = found
            spent = sum(profile.costs[p] for p in sequence)
            if spent > budget:
                stop = f"step {k} costs {json_number(spent)}, more than the budget"
                return self._finish(previous, k + 1, batches, stop)
            left = budget - spent
            chosen = set(sequence)
            if all(profile.costs[p] > left for p in range(self.m) if p not in chosen):
                return self._finish((sequence, k, batch, 0), k + 1, batches, f"step {k} is exhaustive")
            previous = (sequence, k + length - 1, batch, length - 1)
            k += length

    def _finish(self, outcome, counted: int, batches: int, stop: str) -> _Add1:
        if outcome is None:
            return _Add1([], None, None, counted, batches, stop, [])
        sequence, step, batch, column = outcome
        if batch is not None:
            rounds = batch.explain(column)
        else:
            exact = _ExactCount(self, self.endowment(step), record=True)
            exact.run()
            rounds = exact.rounds
        return _Add1(sequence, self.endowment(step), step, counted, batches, stop, rounds)


def _select_round(p: _Prepared, winner: int, rho, price, supporters, paid_in_full, money, voters) -> Round:
    """A "select" round: the project, its rho, and how the voters' money stands after paying for it.

    `money` and `voters` give, per class, the money each of its voters holds and how many voters it has;
    voters holding the same amount form one group. The largest groups are listed (at most GROUPS_SHOWN),
    with totals over all of them.
    """
    money = np.asarray(money, dtype=np.float64)
    voters = np.asarray(voters, dtype=np.float64)
    levels, where = np.unique(money, return_inverse=True)
    count = np.bincount(where, weights=voters, minlength=len(levels))
    held = count > 0
    levels, count = levels[held], count[held]
    largest = np.lexsort((-levels, -count))[:GROUPS_SHOWN]
    return Round("select", {
        "project": p.profile.ids[winner],
        "cost": json_number(p.profile.costs[winner]),
        "rho": float(rho),
        "price_per_point": float(price),
        "supporters": round(supporters),
        "paid_all_their_money": round(paid_in_full),
        "money_left_total": round(float(levels @ count), 6),
        "voter_groups": len(levels),
        "voters_with_no_money": round(float(count[levels == 0.0].sum())),
        "largest_groups": [{"voters": round(float(count[i])), "money_each": round(float(levels[i]), 6)}
                           for i in largest.tolist()],
    })


# --- the exact engine ---------------------------------------------------------------------------------


class _ExactCount:
    """MES at one endowment in exact fractions, on classes of voters holding the same money.

    The reference for the float engine and its fallback on near-ties: pabutools' algorithm step for step
    (lazy evaluation in order of the previous rho, a lower bound; ties to the smaller id).
    """

    def __init__(self, prepared: _Prepared, endowment: Fraction, record: bool = False):
        self.p = prepared
        self.record = record
        self.rounds: list[Round] = []
        self.cls = [0] * len(prepared.profile.counts)
        self.money = [endowment]  # per class
        self.supporters = [s.tolist() for s in prepared.sup]

    def rho(self, project: int) -> tuple[Fraction, Fraction, Counter] | None:
        """(rho, price per unit of weight, {(class, weight): voters}), or None when unaffordable."""
        p = self.p
        counts = p.profile.counts
        classes: Counter[tuple[int, Number]] = Counter()
        cls = self.cls
        for g, w in zip(self.supporters[project], p.weights[project], strict=True):
            classes[(cls[g], w)] += counts[g]
        money = self.money
        cost = p.profile.costs[project]
        if sum(money[c] * m for (c, _), m in classes.items()) < cost:
            return None
        paid = Fraction(0)
        weight = p.total_weight[project]
        for (c, w), m in sorted(classes.items(), key=lambda item: Fraction(money[item[0][0]]) / item[0][1]):
            price = Fraction(cost - paid, weight)
            if price * w <= money[c]:
                return price / cost, price, classes
            paid += money[c] * m
            weight -= w * m
        raise AssertionError("unreachable: an affordable project has a price")  # pragma: no cover

    def run(self) -> list[int]:
        p = self.p
        sequence: list[int] = []
        remaining = set(p.active)
        bound = {q: Fraction(1, p.total_weight[q]) for q in remaining}
        while True:
            best: tuple[int, Fraction, Counter] | None = None
            best_rho = Fraction(0)
            for q in sorted(remaining, key=lambda q: (bound[q], q)):
                if best is not None and bound[q] > best_rho:
                    break
                found = self.rho(q)
                if found is None:
                    remaining.discard(q)
                    continue
                bound[q] = found[0]
                if best is None or found[0] < best_rho or (found[0] == best_rho and q < best[0]):
                    best, best_rho = (q, found[1], found[2]), found[0]
            if best is None:
                return sequence
            winner, price, classes = best
            self.pay(winner, best_rho, price, classes)
            sequence.append(winner)
            remaining.discard(winner)

    def pay(self, winner: int, rho: Fraction, price: Fraction, classes: Counter) -> None:
        renamed: dict[tuple[int, Number], int] = {}
        paid_in_full = 0
        for (c, w), m in classes.items():
            renamed[(c, w)] = len(self.money)
            left = self.money[c] - min(self.money[c], price * w)
            if left == 0:
                paid_in_full += m
            self.money.append(left)
        cls = self.cls
        for g, w in zip(self.supporters[winner], self.p.weights[winner], strict=True):
            cls[g] = renamed[(cls[g], w)]
        if self.record:
            voters: Counter[int] = Counter()
            for g, c in enumerate(cls):
                voters[c] += self.p.profile.counts[g]
            self.rounds.append(_select_round(self.p, winner, rho, price, sum(classes.values()), paid_in_full,
                                             [float(self.money[c]) for c in voters], list(voters.values())))


# --- the float batch engine ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Eval:
    """One project evaluated in every column of a batch (a row of a `_Block`)."""

    rho: np.ndarray  # inf where unaffordable (or where affordability is unsure)
    delta: np.ndarray  # uncertainty of rho (0 where exact)
    exact: np.ndarray  # rho is exactly 1/(total weight of the payers): the other supporters have no money
    unsure: np.ndarray  # affordability cannot be decided in floating point
    price: np.ndarray  # per unit of weight
    classes: np.ndarray  # supporter classes (one entry per class and weight)
    w: np.ndarray  # their weights
    m: np.ndarray  # voters per entry
    poor: np.ndarray  # entries x columns: pays all its money
    widx: np.ndarray  # position of each entry's weight in the project's distinct weights


@dataclass(eq=False)
class _Block:
    """Several projects evaluated at once: one row per project (`projects`), one column per endowment."""

    projects: list[int]
    rho: np.ndarray
    delta: np.ndarray
    exact: np.ndarray
    unsure: np.ndarray
    price: np.ndarray
    classes: np.ndarray
    w: np.ndarray
    m: np.ndarray
    poor: np.ndarray
    widx: np.ndarray
    starts: list[int]
    ends: list[int]

    def row(self, i: int) -> _Eval:
        a, b = self.starts[i], self.ends[i]
        return _Eval(self.rho[i], self.delta[i], self.exact[i], self.unsure[i], self.price[i],
                     self.classes[a:b], self.w[a:b], self.m[a:b], self.poor[a:b], self.widx[a:b])


@dataclass
class _Paid:
    """What the explanation of a round needs: the winner's evaluation and the classes after payment."""

    winner: int
    ev: _Eval
    first_new: int  # new classes first_new .. first_new + len(ev.classes) - 1 hold the payers' money left
    voters: np.ndarray  # voters per class after payment


class _Batch:
    """MES at endowments B/n + k0 + j for j = 0..width-1 at once, one numpy column per endowment.

    `run` returns (sequence, width): every column funds `sequence`, in this order, each decision having been
    checked in each column; or, as soon as the projects funded cost more than the budget B, the sequence so
    far (Add1 stops at this batch's first step, whatever the rest of its count). Before a round in which a
    later column could decide differently, the batch is split: the columns from that one on become a batch of
    their own (a *tail*, pushed on `tails`) that goes on from that round with its columns' money. `run`
    returns None when column 0 meets a near-tie that floating point cannot decide; the caller then counts
    that endowment exactly (the other columns become a tail). Class money rows are never changed once written
    (paying creates new classes), which the explanation of a column (`explain`) relies on.
    """

    def __init__(self, prepared: _Prepared, k0: int, size: int):
        self.p = prepared
        self.k0 = k0
        self.width = size
        n = prepared.n
        first = float(Fraction(prepared.profile.budget + k0 * n, n))
        self.cls = np.zeros(len(prepared.profile.counts), dtype=np.intp)
        rows = max(16, 2 * len(prepared.active) + 1)
        self.money = np.empty((rows, size))
        self.money[0] = first + np.arange(size)
        self.scale = n * (first + size)  # all the money there is, in the richest column
        self.voters = np.zeros(rows)
        self.voters[0] = n
        self.classes = 1
        active = prepared.active
        self.bound = np.full((prepared.m, size), np.inf)  # lower bounds of rho, per column
        self.bound[active] = (1.0 / prepared.wf[active])[:, None]  # rho >= 1/total weight, exactly
        self.price = np.zeros((prepared.m, size))  # lower bounds of the price per unit of weight
        self.price[active] = (prepared.cost[active] / prepared.wf[active])[:, None]
        self.remaining = np.array(active, dtype=np.intp)
        self.sequence: list[int] = []
        self.spent: Number = 0  # cost of `sequence`
        self.log: list[tuple[_Paid, int]] = []  # with the column offset of this batch in the one that paid

    @property
    def drift(self) -> float:
        """Bound on the rounding error of a sum of money over voters after the rounds so far: each round adds
        at most DRIFT x endowment to the error of a voter's money (a very generous bound)."""
        return DRIFT * (len(self.sequence) + 1) * self.scale

    def split(self, start: int, tails: list[_Batch]) -> None:
        """Columns start..width-1 become a tail batch, in the state of this batch now."""
        tail = object.__new__(_Batch)
        tail.p = self.p
        tail.k0, tail.width = self.k0 + start, self.width - start
        tail.cls = self.cls.copy()
        tail.money = np.empty((len(self.money), tail.width))
        tail.money[: self.classes] = self.money[: self.classes, start:self.width]
        tail.voters = self.voters.copy()
        tail.classes = self.classes
        tail.bound = self.bound[:, start:self.width].copy()
        tail.price = self.price[:, start:self.width].copy()
        tail.remaining = self.remaining.copy()
        tail.sequence = list(self.sequence)
        tail.spent = self.spent
        tail.scale = self.scale
        tail.log = [(paid, offset + start) for paid, offset in self.log]
        tails.append(tail)
        self.width = start

    def evaluate(self, projects: list[int], probe: bool = False) -> _Block:
        """Rho of each project in every column (one row per project).

        The supporters of each project are counted per (class, weight) *entry*; the price per unit of weight
        comes from Newton's method on the (concave) amount the supporters would pay, started from the price
        found in an earlier round (a lower bound, as prices never decrease): each step makes every entry whose
        money is below the price pay all of it, and it stops when no more entries are below the new price.
        One project at a time needs fewer array passes; several at once need fewer numpy calls.
        """
        if len(projects) == 1:
            return self._evaluate_one(projects[0], probe)
        return self._evaluate_many(projects, probe)

    def _evaluate_one(self, q: int, probe: bool = False) -> _Block:
        """One project, in every column or, for a *probe*, in the first and the last column only."""
        p = self.p
        width = self.width
        columns = [0, width - 1] if probe else slice(0, width)
        nw = int(p.nw[q])
        if nw == 1:
            hist = np.bincount(self.cls[p.sup[q]], weights=p.sup_mult[q], minlength=self.classes)
            classes = hist.nonzero()[0]
            widx = np.zeros(len(classes), dtype=np.intp)
            w = np.full(len(classes), p.wvals[q][0])
        else:
            key = self.cls[p.sup[q]] * nw + p.widx[q]
            hist = np.bincount(key, weights=p.sup_mult[q], minlength=self.classes * nw)
            keys = hist.nonzero()[0]
            classes, widx = np.divmod(keys, nw)
            w = p.wvals[q][widx]
            hist = hist[keys]
        m = hist[classes] if nw == 1 else hist
        money = self.money[classes[:, None], columns] if probe else self.money[classes, :width]
        ratio = money if nw == 1 and w[0] == 1.0 else money / w[:, None]
        mw = m * w
        cost = p.cost[q]
        weight = p.wf[q]
        total = m @ money
        affordable = None
        if total.min() > cost * (1 + 4 * TOLERANCE) + self.drift:  # affordable in every column, for sure
            unsure = np.zeros(len(total), dtype=bool)
        else:
            unsure = np.abs(total - cost) <= TOLERANCE * (total + cost) + self.drift
            affordable = (total >= cost) & ~unsure
        # poor: where an entry pays all its money (it only grows: stop when it stops growing)
        poor = ratio < self.price[q, columns]
        if affordable is not None:
            poor[:, ~affordable] = True
        count = np.count_nonzero(poor)
        while True:
            mask = poor.astype(np.float64)  # matrix-vector products are fast on floats
            paid = m @ (money * mask)
            rich_weight = weight - mw @ mask
            price = (cost - paid) / rich_weight
            more = ratio < price
            more |= poor
            grown = np.count_nonzero(more)
            if grown == count:
                break
            poor, count = more, grown
        if probe:
            return self._probed(np.array([q]), paid[None], rich_weight[None], price[None], unsure[None],
                                None if affordable is None else affordable[None])
        exact = paid == 0.0
        rho = (1.0 - paid / cost) / rich_weight
        delta = (TOLERANCE * (1.0 + paid / cost) + self.drift / cost) / rich_weight
        delta[exact] = 0.0
        bound, lower = self.bound[q, :width], self.price[q, :width]  # views
        if affordable is None and rich_weight.min() > 0:
            np.subtract(rho, delta, out=bound)
            np.multiply(price, 1 - 1e-12, out=lower)
        else:
            ok = rich_weight > 0
            if affordable is not None:
                ok &= affordable
                unsure |= affordable & ~ok
            else:
                unsure |= ~ok
            rho[~ok] = np.inf
            delta[~ok] = 0.0
            exact &= ok
            # rho and the price never decrease in later rounds: they stay lower bounds, except where unsure
            sure = ~unsure
            bound[sure] = (rho - delta)[sure]
            lower[ok] = price[ok] * (1 - 1e-12)
        return _Block([q], rho[None], delta[None], exact[None], unsure[None], price[None], classes, w, m,
                      poor, widx, [0], [len(classes)])

    def _probed(self, qs: np.ndarray, paid, rich_weight, price, unsure, affordable) -> _Block:
        """Rho in columns 0 and width-1 (rows: projects `qs`) and the bounds they give: rho of a project never
        increases from one column to the next (same history, more money), so its value in the last column
        bounds every column but the first; the same holds for the price.
        """
        cost = self.p.cost[qs][:, None]
        exact = paid == 0.0
        rho = (1.0 - paid / cost) / rich_weight
        delta = (TOLERANCE * (1.0 + paid / cost) + self.drift / cost) / rich_weight
        delta[exact] = 0.0
        ok = rich_weight > 0
        if affordable is not None:
            ok &= affordable
            unsure |= affordable & ~ok
        else:
            unsure |= ~ok
        rho[~ok] = np.inf
        delta[~ok] = 0.0
        exact &= ok
        width = self.width
        low = rho - delta
        low[unsure] = -np.inf
        cheap = np.where(ok, price * (1 - 1e-12), 0.0)
        bound, lower = self.bound, self.price
        bound[qs, 0] = np.maximum(bound[qs, 0], low[:, 0])
        lower[qs, 0] = np.maximum(lower[qs, 0], cheap[:, 0])
        if width > 1:
            bound[qs, 1:width] = np.maximum(bound[qs, 1:width], low[:, 1:2])
            lower[qs, 1:width] = np.maximum(lower[qs, 1:width], cheap[:, 1:2])
        empty = np.empty(0)
        return _Block(qs.tolist(), rho, delta, exact, unsure, price, *([empty] * 5), [], [])

    def _evaluate_many(self, projects: list[int], probe: bool = False) -> _Block:
        p = self.p
        width = self.width
        qs = np.array(projects, dtype=np.intp)
        nw = p.nw[qs]
        offsets = np.zeros(len(qs) + 1, dtype=np.intp)
        np.cumsum(self.classes * nw, out=offsets[1:])
        sizes = [len(p.sup[q]) for q in projects]
        key = self.cls[np.concatenate([p.sup[q] for q in projects])] * np.repeat(nw, sizes)
        key += np.concatenate([p.widx[q] for q in projects])
        key += np.repeat(offsets[:-1], sizes)
        mult = np.concatenate([p.sup_mult[q] for q in projects])
        hist = np.bincount(key, weights=mult, minlength=int(offsets[-1]))
        keys = hist.nonzero()[0]
        m = hist[keys]
        seg = np.searchsorted(offsets, keys, side="right") - 1  # entry -> project (row)
        local = keys - offsets[seg]
        nws = nw[seg]
        classes = local // nws
        widx = local - classes * nws
        wbase = np.zeros(len(qs), dtype=np.intp)
        np.cumsum(nw[:-1], out=wbase[1:])
        w = np.concatenate([p.wvals[q] for q in projects])[wbase[seg] + widx]
        starts = np.searchsorted(seg, np.arange(len(qs)))
        if probe:
            columns = np.array([0, width - 1])
            money = self.money[classes[:, None], columns]
            lower = self.price[qs[:, None], columns]
        else:
            money = self.money[classes, :width]
            lower = self.price[qs, :width]
        mmoney = money * m[:, None]
        mw = (m * w)[:, None]
        ratio = money / w[:, None]
        cost = p.cost[qs][:, None]
        weight = p.wf[qs][:, None]
        total = np.add.reduceat(mmoney, starts, axis=0)
        affordable = None
        if (total.min(axis=1) > cost[:, 0] * (1 + 4 * TOLERANCE) + self.drift).all():  # all affordable
            unsure = np.zeros(total.shape, dtype=bool)
        else:
            unsure = np.abs(total - cost) <= TOLERANCE * (total + cost) + self.drift
            affordable = (total >= cost) & ~unsure
        poor = ratio < lower[seg]
        if affordable is not None:
            poor |= ~affordable[seg]
        while True:
            paid = np.add.reduceat(mmoney * poor, starts, axis=0)
            rich_weight = weight - np.add.reduceat(mw * poor, starts, axis=0)
            price = (cost - paid) / rich_weight
            more = ratio < price[seg]
            more &= ~poor
            if not np.count_nonzero(more):
                break
            poor |= more
        if probe:
            return self._probed(qs, paid, rich_weight, price, unsure, affordable)
        block = self._finish_block(projects, paid, rich_weight, price, unsure, affordable)
        block.classes, block.w, block.m, block.poor, block.widx = classes, w, m, poor, widx
        starts_list = starts.tolist()
        block.starts, block.ends = starts_list, [*starts_list[1:], len(keys)]
        return block

    def _finish_block(self, projects, paid, rich_weight, price, unsure, affordable) -> _Block:
        """Rho and its uncertainty from the payments; the new lower bounds of rho and of the price."""
        width = self.width
        cost = self.p.cost[projects][:, None]
        exact = paid == 0.0
        rho = (1.0 - paid / cost) / rich_weight
        delta = (TOLERANCE * (1.0 + paid / cost) + self.drift / cost) / rich_weight
        delta[exact] = 0.0
        if affordable is None and rich_weight.min() > 0:
            self.bound[projects, :width] = rho - delta
            self.price[projects, :width] = price * (1 - 1e-12)
        else:
            ok = rich_weight > 0
            if affordable is not None:
                ok &= affordable
                unsure |= affordable & ~ok
            else:
                unsure |= ~ok
            rho[~ok] = np.inf
            delta[~ok] = 0.0
            exact &= ok
            # rho and the price never decrease in later rounds: they stay lower bounds, except where unsure
            self.bound[projects, :width] = np.where(unsure, self.bound[projects, :width], rho - delta)
            self.price[projects, :width] = np.where(ok, price * (1 - 1e-12), self.price[projects, :width])
        empty = np.empty(0)
        return _Block(list(projects), rho, delta, exact, unsure, price, *([empty] * 5), [], [])

    def run(self, tails: list[_Batch]) -> tuple[list[int], int] | None:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._run(tails)

    def _run(self, tails: list[_Batch]) -> tuple[list[int], int] | None:
        bound = self.bound
        twin = self.p.twin
        while True:
            remaining = self.remaining
            width = self.width
            wide = width > NARROW
            order = remaining[np.argsort(bound[remaining, 0], kind="stable")].tolist()
            blocks: list[_Block] = []  # full evaluations (every column)
            probes: list[_Block] = []  # column 0 and the last column (wide batches)
            evaluated: set[int] = set()
            best = -1
            win: tuple[_Block, int] | None = None
            best_rho = limit = np.inf
            best_delta = 0.0
            best_exact = False
            # column 0, lazily as pabutools: only projects whose bound does not exceed the best rho found so
            # far: the first project by bound, then at once all others under the limit it sets. Wide batches
            # evaluate the first one fully (it is often the winner) and only probe the others (first and last
            # column): rho in the last column bounds all columns but the first.
            wave = order[:1]
            while wave:
                block = self.evaluate(wave, probe=wide and bool(evaluated))
                (probes if wide and evaluated else blocks).append(block)
                evaluated.update(wave)
                rhos, deltas = block.rho[:, 0].tolist(), block.delta[:, 0].tolist()
                exacts, unsures = block.exact[:, 0].tolist(), block.unsure[:, 0].tolist()
                for i, q in enumerate(wave):
                    if unsures[i]:
                        continue
                    rho = rhos[i]
                    if rho < best_rho or (rho == best_rho and q < best and (
                            (best_exact and exacts[i]) or twin[q] == twin[best])):
                        best, win, best_rho, best_delta, best_exact = q, (block, i), rho, deltas[i], exacts[i]
                        limit = rho + deltas[i]
                wave = [q for q in order if q not in evaluated and bound[q, 0] <= limit]
            seen = blocks + probes
            if win is None:  # nothing is affordable in column 0: the count ends, if it ends in every column
                if any(block.unsure[:, 0].any() for block in seen):
                    return self.fallback(tails)
                against = np.zeros(width, dtype=bool)
                for block in blocks:
                    against |= (block.unsure | (block.rho < np.inf)).any(axis=0)
                # the last column has the most money: a project unaffordable there is so everywhere; others
                # are evaluated in every column
                maybe = [q for block in probes for q, u, r in zip(
                    block.projects, block.unsure[:, 1].tolist(), block.rho[:, 1].tolist(), strict=True)
                    if u or r < np.inf]
                for q in maybe:
                    block = self._evaluate_one(q)
                    against |= (block.unsure | (block.rho < np.inf)).any(axis=0)
                self.cut(against, tails)
                return self.sequence, self.width
            for block in seen:  # column 0 must be decided for sure against every competitor
                rho0 = block.rho[:, 0]
                doubt = block.unsure[:, 0] | ((np.abs(rho0 - best_rho) <= block.delta[:, 0] + best_delta)
                                              & (rho0 < np.inf) & ~(block.exact[:, 0] & best_exact))
                if doubt.any():
                    flags = zip(block.projects, doubt.tolist(), block.unsure[:, 0].tolist(), strict=True)
                    if any(unsure or q != best and twin[q] != twin[best] for q, d, unsure in flags if d):
                        return self.fallback(tails)
            gone = {best}
            for block in probes:  # unaffordable in the last column, so in every column, for good
                out = (block.rho[:, 1] == np.inf) & ~block.unsure.any(axis=1)
                gone.update(q for q, o in zip(block.projects, out.tolist(), strict=True) if o)
            if any(win[0] is block for block in blocks):
                ev = win[0].row(win[1])
            else:
                block = self.evaluate([best])
                blocks.append(block)
                ev = block.row(0)
            if width > 1:
                # the other columns: every project whose bound is not above the winner's rho there
                ceiling = ev.rho + ev.delta
                full = {q for block in blocks for q in block.projects}
                others = [q for q in order if q not in full and q not in gone]
                close = (np.array(others)[(bound[others, :width] <= ceiling).any(axis=1)].tolist()
                         if others else [])
                if close:  # wide arrays: one project at a time costs fewer passes over them
                    blocks += [self._evaluate_one(q) for q in close] if wide else [self.evaluate(close)]
                against = ev.unsure.copy()
                for block in blocks:
                    against |= self.against(block, best, ev)
                self.cut(against, tails)
            self.pay(best, ev)
            self.sequence.append(best)
            self.spent += self.p.profile.costs[best]
            if self.spent > self.p.profile.budget:  # projects are never unfunded: this step stops Add1
                return self.sequence, self.width
            width = self.width
            for block in blocks:  # projects unaffordable in every column now are out for good
                out = ~((block.rho[:, :width] < np.inf) | block.unsure[:, :width]).any(axis=1)
                gone.update(q for q, o in zip(block.projects, out.tolist(), strict=True) if o)
            self.remaining = np.array([q for q in remaining.tolist() if q not in gone], dtype=np.intp)

    def cut(self, against: np.ndarray, tails: list[_Batch]) -> None:
        """Split the batch before the first column marked in `against` (column 0 is decided already)."""
        marked = np.flatnonzero(against[1: self.width])
        if len(marked):
            self.split(int(marked[0]) + 1, tails)

    def fallback(self, tails: list[_Batch]) -> None:
        if self.width > 1:
            self.split(1, tails)
        return None

    def against(self, block: _Block, best: int, win: _Eval) -> np.ndarray:
        """Columns where some project of `block` would be funded before `best`, or where floating point
        cannot tell, or where its affordability is unsure.

        A project comes first with a smaller rho, or with the same rho and a smaller id. Two rho values are
        equal for sure when both are exact (`_Eval.exact`) or when the projects are twins (same cost,
        supporters and weights); otherwise values closer than their uncertainties are undecided.
        """
        width = self.width
        projects = np.array(block.projects)
        rows = projects != best
        rho = block.rho[rows, :width]
        wr = win.rho[:width]
        exact = block.exact[rows, :width] & win.exact[:width]
        twin = self.p.twin
        twins = [i for i, q in enumerate(projects[rows].tolist()) if twin[q] == twin[best]]
        if twins:
            exact[twins] = True
        smaller = (projects[rows] < best)[:, None]
        found = rho < wr
        found |= exact & (rho == wr) & smaller
        unclear = np.abs(rho - wr) <= block.delta[rows, :width] + win.delta[:width]
        unclear &= ~exact
        unclear &= rho < np.inf
        found |= unclear
        found |= block.unsure[rows, :width]
        return found.any(axis=0)

    def pay(self, winner: int, ev: _Eval) -> None:
        """Supporters of the winner pay min(money, price x weight); each (class, weight) of them becomes a
        new class, and the round is logged for `explain`."""
        p = self.p
        width = self.width
        money = self.money[ev.classes, :width]
        left = money - ev.price[None, :width] * ev.w[:, None]
        left[(ev.poor[:, :width] != 0) | (left < 0.0)] = 0.0
        new = len(ev.classes)
        if self.classes + new > len(self.money):
            rows = 2 * (self.classes + new)
            grown = np.empty((rows, self.money.shape[1]))
            grown[: self.classes] = self.money[: self.classes]
            self.money = grown
            voters = np.zeros(rows)
            voters[: self.classes] = self.voters[: self.classes]
            self.voters = voters
        first = self.classes
        ids = np.arange(first, first + new)
        self.money[first:first + new, :width] = left
        self.voters[first:first + new] = ev.m
        self.voters[:first] -= np.bincount(ev.classes, weights=ev.m, minlength=first)
        sup = p.sup[winner]
        nw = int(p.nw[winner])
        table = np.empty(first * nw, dtype=np.intp)
        table[ev.classes * nw + ev.widx] = ids
        self.cls[sup] = table[self.cls[sup] * nw + p.widx[winner]]
        self.classes += new
        self.log.append((_Paid(winner, ev, first, self.voters[: self.classes].copy()), 0))

    def explain(self, column: int) -> list[Round]:
        """The "select" rounds of the count in `column` (which ran in this batch or, before a split, in its
        parent: the evaluations are shared, at the parent's column offset)."""
        rounds = []
        for paid, offset in self.log:
            j = column + offset
            ev = paid.ev
            classes = len(paid.voters)
            left = self.money[paid.first_new:paid.first_new + len(ev.classes), column]
            rounds.append(_select_round(self.p, paid.winner, ev.rho[j], ev.price[j], float(ev.m.sum()),
                                        float(ev.m[left == 0.0].sum()), self.money[:classes, column],
                                        paid.voters))
        return rounds
