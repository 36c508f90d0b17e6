"""MES at one endowment, in exact fractions: the reference count.

pabutools 1.2.3 ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat)`` step for step (its
``_mes_internal``: lazy evaluation of each project in order of its previous rho, which is a lower bound as rho
never decreases; ties to the smaller project id), on *classes* of voters holding the same money instead of
single voters. Rho is the smallest price per unit of utility at which a project's supporters can pay for it,
each paying ``min(money left, rho x utility)`` (Peters, Pierczyński and Skowron 2021).

The tests compare the fast engine (`batch`) with this one on every step of real and random elections, and the
fast engine counts a step with it whenever floating point cannot decide a near-tie.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import TYPE_CHECKING

from plaza.voting.methods.budgeting import Number
from plaza.voting.methods.equal_shares.explanation import select_round
from plaza.voting.methods.result import Round

if TYPE_CHECKING:
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile


class ExactCount:
    """MES at one endowment in exact fractions, on classes of voters holding the same money.

    The reference for the float engine and its fallback on near-ties: pabutools' algorithm step for step
    (lazy evaluation in order of the previous rho, a lower bound; ties to the smaller id).
    """

    def __init__(self, prepared: PreparedProfile, endowment: Fraction, record: bool = False):
        self.prepared = prepared
        self.record = record
        self.rounds: list[Round] = []
        self.cls = [0] * len(prepared.profile.counts)
        self.money = [endowment]  # per class
        self.supporters = [s.tolist() for s in prepared.supporters]

    def rho(self, project: int) -> tuple[Fraction, Fraction, Counter] | None:
        """(rho, price per unit of weight, {(class, weight): voters}), or None when unaffordable."""
        prepared = self.prepared
        counts = prepared.profile.counts
        classes: Counter[tuple[int, Number]] = Counter()
        cls = self.cls
        for g, w in zip(self.supporters[project], prepared.weights[project], strict=True):
            classes[(cls[g], w)] += counts[g]
        money = self.money
        cost = prepared.profile.costs[project]
        if sum(money[c] * m for (c, _), m in classes.items()) < cost:
            return None
        paid = Fraction(0)
        weight = prepared.total_weight[project]
        for (c, w), m in sorted(classes.items(), key=lambda item: Fraction(money[item[0][0]]) / item[0][1]):
            price = Fraction(cost - paid, weight)
            if price * w <= money[c]:
                return price / cost, price, classes
            paid += money[c] * m
            weight -= w * m
        raise AssertionError("unreachable: an affordable project has a price")  # pragma: no cover

    def run(self) -> list[int]:
        prepared = self.prepared
        sequence: list[int] = []
        remaining = set(prepared.active)
        bound = {q: Fraction(1, prepared.total_weight[q]) for q in remaining}
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
        for g, w in zip(self.supporters[winner], self.prepared.weights[winner], strict=True):
            cls[g] = renamed[(cls[g], w)]
        if self.record:
            voters: Counter[int] = Counter()
            for g, c in enumerate(cls):
                voters[c] += self.prepared.profile.counts[g]
            self.rounds.append(select_round(self.prepared, winner, rho, price, sum(classes.values()), paid_in_full,
                                             [float(self.money[c]) for c in voters], list(voters.values())))
