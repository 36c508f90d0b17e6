"""The fast MES engine: many endowments of the Add1 scan counted at once, one numpy column per endowment.

The same count as `exact.ExactCount` (pabutools 1.2.3 ``method_of_equal_shares``, Peters, Pierczyński and
Skowron 2021), in floating point with safety margins (`evaluation`), for the endowments B/n + k of
consecutive steps k of pabutools' ``exhaustion_by_budget_increase`` (`add1`).

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
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from plaza.voting.methods.budgeting import Number
from plaza.voting.methods.equal_shares.evaluation import (
    DRIFT,
    Evaluations,
    ProjectEvaluation,
    evaluate,
    evaluate_one,
)
from plaza.voting.methods.equal_shares.explanation import select_round
from plaza.voting.methods.equal_shares.prepared import PreparedProfile
from plaza.voting.methods.result import Round

NARROW = 16  # batches up to this many columns evaluate several projects in one pass


@dataclass
class Payment:
    """What the explanation of a round needs: the winner's evaluation and the classes after payment."""

    winner: int
    evaluation: ProjectEvaluation
    first_new: int  # new classes first_new .. first_new + len(evaluation.classes) - 1 hold the payers' money left
    voters: np.ndarray  # voters per class after payment


class Batch:
    """MES at endowments B/n + first_step + j for j = 0..width-1 at once, one numpy column per endowment.

    `run` returns (sequence, width): every column funds `sequence`, in this order, each decision having been
    checked in each column; or, as soon as the projects funded cost more than the budget B, the sequence so
    far (Add1 stops at this batch's first step, whatever the rest of its count). Before a round in which a
    later column could decide differently, the batch is split: the columns from that one on become a batch of
    their own (a *tail*, pushed on `tails`) that goes on from that round with its columns' money. `run`
    returns None when column 0 meets a near-tie that floating point cannot decide; the caller then counts
    that endowment exactly (the other columns become a tail). Class money rows are never changed once written
    (paying creates new classes), which the explanation of a column (`explain`) relies on.
    """

    def __init__(self, prepared: PreparedProfile, first_step: int, size: int):
        self.prepared = prepared
        self.first_step = first_step
        self.width = size
        n = prepared.num_voters
        first = float(Fraction(prepared.profile.budget + first_step * n, n))
        self.cls = np.zeros(len(prepared.profile.counts), dtype=np.intp)
        rows = max(16, 2 * len(prepared.active) + 1)
        self.money = np.empty((rows, size))
        self.money[0] = first + np.arange(size)
        self.scale = n * (first + size)  # all the money there is, in the richest column
        self.voters = np.zeros(rows)
        self.voters[0] = n
        self.classes = 1
        active = prepared.active
        self.bound = np.full((prepared.num_projects, size), np.inf)  # lower bounds of rho, per column
        self.bound[active] = (1.0 / prepared.total_weight_float[active])[:, None]  # rho >= 1/total weight, exactly
        self.price = np.zeros((prepared.num_projects, size))  # lower bounds of the price per unit of weight
        self.price[active] = (prepared.cost[active] / prepared.total_weight_float[active])[:, None]
        self.remaining = np.array(active, dtype=np.intp)
        self.sequence: list[int] = []
        self.spent: Number = 0  # cost of `sequence`
        self.log: list[tuple[Payment, int]] = []  # with the column offset of this batch in the one that paid

    @property
    def drift(self) -> float:
        """Bound on the rounding error of a sum of money over voters after the rounds so far: each round adds
        at most DRIFT x endowment to the error of a voter's money (a very generous bound)."""
        return DRIFT * (len(self.sequence) + 1) * self.scale

    def split(self, start: int, tails: list[Batch]) -> None:
        """Columns start..width-1 become a tail batch, in the state of this batch now."""
        tail = object.__new__(Batch)
        tail.prepared = self.prepared
        tail.first_step, tail.width = self.first_step + start, self.width - start
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

    def run(self, tails: list[Batch]) -> tuple[list[int], int] | None:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._run(tails)

    def _run(self, tails: list[Batch]) -> tuple[list[int], int] | None:
        bound = self.bound
        twin = self.prepared.twin
        while True:
            remaining = self.remaining
            width = self.width
            wide = width > NARROW
            order = remaining[np.argsort(bound[remaining, 0], kind="stable")].tolist()
            blocks: list[Evaluations] = []  # full evaluations (every column)
            probes: list[Evaluations] = []  # column 0 and the last column (wide batches)
            evaluated: set[int] = set()
            best = -1
            win: tuple[Evaluations, int] | None = None
            best_rho = limit = np.inf
            best_delta = 0.0
            best_exact = False
            # column 0, lazily as pabutools: only projects whose bound does not exceed the best rho found so
            # far: the first project by bound, then at once all others under the limit it sets. Wide batches
            # evaluate the first one fully (it is often the winner) and only probe the others (first and last
            # column): rho in the last column bounds all columns but the first.
            wave = order[:1]
            while wave:
                block = evaluate(self, wave, probe=wide and bool(evaluated))
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
                    block = evaluate_one(self, q)
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
                evaluation = win[0].row(win[1])
            else:
                block = evaluate(self, [best])
                blocks.append(block)
                evaluation = block.row(0)
            if width > 1:
                # the other columns: every project whose bound is not above the winner's rho there
                ceiling = evaluation.rho + evaluation.delta
                full = {q for block in blocks for q in block.projects}
                others = [q for q in order if q not in full and q not in gone]
                close = (np.array(others)[(bound[others, :width] <= ceiling).any(axis=1)].tolist()
                         if others else [])
                if close:  # wide arrays: one project at a time costs fewer passes over them
                    blocks += [evaluate_one(self, q) for q in close] if wide else [evaluate(self, close)]
                against = evaluation.unsure.copy()
                for block in blocks:
                    against |= self.against(block, best, evaluation)
                self.cut(against, tails)
            self.pay(best, evaluation)
            self.sequence.append(best)
            self.spent += self.prepared.profile.costs[best]
            if self.spent > self.prepared.profile.budget:  # projects are never unfunded: this step stops Add1
                return self.sequence, self.width
            width = self.width
            for block in blocks:  # projects unaffordable in every column now are out for good
                out = ~((block.rho[:, :width] < np.inf) | block.unsure[:, :width]).any(axis=1)
                gone.update(q for q, o in zip(block.projects, out.tolist(), strict=True) if o)
            self.remaining = np.array([q for q in remaining.tolist() if q not in gone], dtype=np.intp)

    def cut(self, against: np.ndarray, tails: list[Batch]) -> None:
        """Split the batch before the first column marked in `against` (column 0 is decided already)."""
        marked = np.flatnonzero(against[1: self.width])
        if len(marked):
            self.split(int(marked[0]) + 1, tails)

    def fallback(self, tails: list[Batch]) -> None:
        if self.width > 1:
            self.split(1, tails)
        return None

    def against(self, block: Evaluations, best: int, win: ProjectEvaluation) -> np.ndarray:
        """Columns where some project of `block` would be funded before `best`, or where floating point
        cannot tell, or where its affordability is unsure.

        A project comes first with a smaller rho, or with the same rho and a smaller id. Two rho values are
        equal for sure when both are exact (`ProjectEvaluation.exact`) or when the projects are twins (same cost,
        supporters and weights); otherwise values closer than their uncertainties are undecided.
        """
        width = self.width
        projects = np.array(block.projects)
        rows = projects != best
        rho = block.rho[rows, :width]
        wr = win.rho[:width]
        exact = block.exact[rows, :width] & win.exact[:width]
        twin = self.prepared.twin
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

    def pay(self, winner: int, evaluation: ProjectEvaluation) -> None:
        """Supporters of the winner pay min(money, price x weight); each (class, weight) of them becomes a
        new class, and the round is logged for `explain`."""
        prepared = self.prepared
        width = self.width
        money = self.money[evaluation.classes, :width]
        left = money - evaluation.price[None, :width] * evaluation.weights[:, None]
        left[(evaluation.poor[:, :width] != 0) | (left < 0.0)] = 0.0
        new = len(evaluation.classes)
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
        self.voters[first:first + new] = evaluation.voters
        self.voters[:first] -= np.bincount(evaluation.classes, weights=evaluation.voters, minlength=first)
        sup = prepared.supporters[winner]
        weight_count = int(prepared.weight_count[winner])
        table = np.empty(first * weight_count, dtype=np.intp)
        table[evaluation.classes * weight_count + evaluation.weight_index] = ids
        self.cls[sup] = table[self.cls[sup] * weight_count + prepared.weight_index[winner]]
        self.classes += new
        self.log.append((Payment(winner, evaluation, first, self.voters[: self.classes].copy()), 0))

    def explain(self, column: int) -> list[Round]:
        """The "select" rounds of the count in `column` (which ran in this batch or, before a split, in its
        parent: the evaluations are shared, at the parent's column offset)."""
        rounds = []
        for paid, offset in self.log:
            j = column + offset
            evaluation = paid.evaluation
            classes = len(paid.voters)
            left = self.money[paid.first_new:paid.first_new + len(evaluation.classes), column]
            rounds.append(select_round(self.prepared, paid.winner, evaluation.rho[j], evaluation.price[j],
                                       float(evaluation.voters.sum()), float(evaluation.voters[left == 0.0].sum()),
                                       self.money[:classes, column], paid.voters))
        return rounds
