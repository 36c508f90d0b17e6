"""Rho of projects in every column of a `batch.Batch`: the inner loop of the fast MES engine.

For a project, rho is the smallest price per unit of utility at which its supporters can pay for it, each
paying ``min(money left, rho x utility)`` (Peters, Pierczyński and Skowron 2021; pabutools
1.2.3 computes it voter by voter in ``_mes_internal``). Here supporters come as *entries* (a class of voters
holding the same money, with one weight), and rho is computed in all the columns (endowments) of a batch at once.

Arithmetic. The batch engine counts in floating point and takes a decision (which rho is smaller, whether
supporters can afford a project) only when the two sides differ by more than a safety margin: 1e-9 relative
to the size of the terms involved (``TOLERANCE``) plus a bound on how far rounding can have moved the money
in play (``DRIFT`` per round, relative to all the money there is), both far above the actual rounding
errors. Two rho values are *exactly* equal, and the tie goes to the smaller id, when in both projects every
payer pays the same price and the others hold exactly no money (rho is then exactly 1 / total weight of the
payers, which floating point compares exactly), or when the two projects have the same cost and the same
supporters with the same weights. Any other near-tie, and any affordability within the margin, makes the
engine count that step again with exact fractions (`exact.ExactCount`: the same algorithm in
`fractions.Fraction`, which the tests also use as the reference). On the ten real elections of the test data
that never happens; small random elections full of ties need it often, and agree with the exact count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from plaza.voting.methods.equal_shares.batch import Batch

TOLERANCE = 1e-9  # relative safety margin for decisions taken in floating point (see the module docstring)
DRIFT = 1e-13  # bound on the rounding error a voter's money gathers per round, relative to its endowment


@dataclass(eq=False)
class ProjectEvaluation:
    """One project evaluated in every column of a batch (a row of `Evaluations`)."""

    rho: np.ndarray  # inf where unaffordable (or where affordability is unsure)
    delta: np.ndarray  # uncertainty of rho (0 where exact)
    exact: np.ndarray  # rho is exactly 1/(total weight of the payers): the other supporters have no money
    unsure: np.ndarray  # affordability cannot be decided in floating point
    price: np.ndarray  # per unit of weight
    classes: np.ndarray  # supporter classes (one entry per class and weight)
    weights: np.ndarray  # their weights
    voters: np.ndarray  # voters per entry
    poor: np.ndarray  # entries x columns: pays all its money
    weight_index: np.ndarray  # position of each entry's weight in the project's distinct weights


@dataclass(eq=False)
class Evaluations:
    """Several projects evaluated at once: one row per project (`projects`), one column per endowment."""

    projects: list[int]
    rho: np.ndarray
    delta: np.ndarray
    exact: np.ndarray
    unsure: np.ndarray
    price: np.ndarray
    classes: np.ndarray
    weights: np.ndarray
    voters: np.ndarray
    poor: np.ndarray
    weight_index: np.ndarray
    starts: list[int]
    ends: list[int]

    def row(self, i: int) -> ProjectEvaluation:
        a, b = self.starts[i], self.ends[i]
        return ProjectEvaluation(self.rho[i], self.delta[i], self.exact[i], self.unsure[i], self.price[i],
                                 self.classes[a:b], self.weights[a:b], self.voters[a:b], self.poor[a:b],
                                 self.weight_index[a:b])


def evaluate(batch: Batch, projects: list[int], probe: bool = False) -> Evaluations:
    """Rho of each project in every column (one row per project).

    The supporters of each project are counted per (class, weight) *entry*; the price per unit of weight
    comes from Newton's method on the (concave) amount the supporters would pay, started from the price
    found in an earlier round (a lower bound, as prices never decrease): each step makes every entry whose
    money is below the price pay all of it, and it stops when no more entries are below the new price.
    One project at a time needs fewer array passes; several at once need fewer numpy calls.
    """
    if len(projects) == 1:
        return evaluate_one(batch, projects[0], probe)
    return _evaluate_many(batch, projects, probe)


def evaluate_one(batch: Batch, q: int, probe: bool = False) -> Evaluations:
    """One project, in every column or, for a *probe*, in the first and the last column only."""
    prepared = batch.prepared
    width = batch.width
    columns = [0, width - 1] if probe else slice(0, width)
    weight_count = int(prepared.weight_count[q])
    if weight_count == 1:
        hist = np.bincount(batch.cls[prepared.supporters[q]], weights=prepared.supporter_voters[q],
                           minlength=batch.classes)
        classes = hist.nonzero()[0]
        weight_index = np.zeros(len(classes), dtype=np.intp)
        w = np.full(len(classes), prepared.distinct_weights[q][0])
    else:
        key = batch.cls[prepared.supporters[q]] * weight_count + prepared.weight_index[q]
        hist = np.bincount(key, weights=prepared.supporter_voters[q], minlength=batch.classes * weight_count)
        keys = hist.nonzero()[0]
        classes, weight_index = np.divmod(keys, weight_count)
        w = prepared.distinct_weights[q][weight_index]
        hist = hist[keys]
    m = hist[classes] if weight_count == 1 else hist
    money = batch.money[classes[:, None], columns] if probe else batch.money[classes, :width]
    ratio = money if weight_count == 1 and w[0] == 1.0 else money / w[:, None]
    mw = m * w
    cost = prepared.cost[q]
    weight = prepared.total_weight_float[q]
    total = m @ money
    affordable = None
    if total.min() > cost * (1 + 4 * TOLERANCE) + batch.drift:  # affordable in every column, for sure
        unsure = np.zeros(len(total), dtype=bool)
    else:
        unsure = np.abs(total - cost) <= TOLERANCE * (total + cost) + batch.drift
        affordable = (total >= cost) & ~unsure
    # poor: where an entry pays all its money (it only grows: stop when it stops growing)
    poor = ratio < batch.price[q, columns]
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
        return _probed(batch, np.array([q]), paid[None], rich_weight[None], price[None], unsure[None],
                            None if affordable is None else affordable[None])
    exact = paid == 0.0
    rho = (1.0 - paid / cost) / rich_weight
    delta = (TOLERANCE * (1.0 + paid / cost) + batch.drift / cost) / rich_weight
    delta[exact] = 0.0
    bound, lower = batch.bound[q, :width], batch.price[q, :width]  # views
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
    return Evaluations([q], rho[None], delta[None], exact[None], unsure[None], price[None], classes, w, m,
                  poor, weight_index, [0], [len(classes)])


def _probed(batch: Batch, qs: np.ndarray, paid, rich_weight, price, unsure, affordable) -> Evaluations:
    """Rho in columns 0 and width-1 (rows: projects `qs`) and the bounds they give: rho of a project never
    increases from one column to the next (same history, more money), so its value in the last column
    bounds every column but the first; the same holds for the price.
    """
    cost = batch.prepared.cost[qs][:, None]
    exact = paid == 0.0
    rho = (1.0 - paid / cost) / rich_weight
    delta = (TOLERANCE * (1.0 + paid / cost) + batch.drift / cost) / rich_weight
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
    width = batch.width
    low = rho - delta
    low[unsure] = -np.inf
    cheap = np.where(ok, price * (1 - 1e-12), 0.0)
    bound, lower = batch.bound, batch.price
    bound[qs, 0] = np.maximum(bound[qs, 0], low[:, 0])
    lower[qs, 0] = np.maximum(lower[qs, 0], cheap[:, 0])
    if width > 1:
        bound[qs, 1:width] = np.maximum(bound[qs, 1:width], low[:, 1:2])
        lower[qs, 1:width] = np.maximum(lower[qs, 1:width], cheap[:, 1:2])
    empty = np.empty(0)
    return Evaluations(qs.tolist(), rho, delta, exact, unsure, price, *([empty] * 5), [], [])


def _evaluate_many(batch: Batch, projects: list[int], probe: bool = False) -> Evaluations:
    prepared = batch.prepared
    width = batch.width
    qs = np.array(projects, dtype=np.intp)
    weight_count = prepared.weight_count[qs]
    offsets = np.zeros(len(qs) + 1, dtype=np.intp)
    np.cumsum(batch.classes * weight_count, out=offsets[1:])
    sizes = [len(prepared.supporters[q]) for q in projects]
    key = batch.cls[np.concatenate([prepared.supporters[q] for q in projects])] * np.repeat(weight_count, sizes)
    key += np.concatenate([prepared.weight_index[q] for q in projects])
    key += np.repeat(offsets[:-1], sizes)
    mult = np.concatenate([prepared.supporter_voters[q] for q in projects])
    hist = np.bincount(key, weights=mult, minlength=int(offsets[-1]))
    keys = hist.nonzero()[0]
    m = hist[keys]
    seg = np.searchsorted(offsets, keys, side="right") - 1  # entry -> project (row)
    local = keys - offsets[seg]
    weight_counts = weight_count[seg]
    classes = local // weight_counts
    weight_index = local - classes * weight_counts
    wbase = np.zeros(len(qs), dtype=np.intp)
    np.cumsum(weight_count[:-1], out=wbase[1:])
    w = np.concatenate([prepared.distinct_weights[q] for q in projects])[wbase[seg] + weight_index]
    starts = np.searchsorted(seg, np.arange(len(qs)))
    if probe:
        columns = np.array([0, width - 1])
        money = batch.money[classes[:, None], columns]
        lower = batch.price[qs[:, None], columns]
    else:
        money = batch.money[classes, :width]
        lower = batch.price[qs, :width]
    mmoney = money * m[:, None]
    mw = (m * w)[:, None]
    ratio = money / w[:, None]
    cost = prepared.cost[qs][:, None]
    weight = prepared.total_weight_float[qs][:, None]
    total = np.add.reduceat(mmoney, starts, axis=0)
    affordable = None
    if (total.min(axis=1) > cost[:, 0] * (1 + 4 * TOLERANCE) + batch.drift).all():  # all affordable
        unsure = np.zeros(total.shape, dtype=bool)
    else:
        unsure = np.abs(total - cost) <= TOLERANCE * (total + cost) + batch.drift
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
        return _probed(batch, qs, paid, rich_weight, price, unsure, affordable)
    block = _finish_evaluations(batch, projects, paid, rich_weight, price, unsure, affordable)
    block.classes, block.weights, block.voters, block.poor, block.weight_index = classes, w, m, poor, weight_index
    starts_list = starts.tolist()
    block.starts, block.ends = starts_list, [*starts_list[1:], len(keys)]
    return block


def _finish_evaluations(batch: Batch, projects, paid, rich_weight, price, unsure, affordable) -> Evaluations:
    """Rho and its uncertainty from the payments; the new lower bounds of rho and of the price."""
    width = batch.width
    cost = batch.prepared.cost[projects][:, None]
    exact = paid == 0.0
    rho = (1.0 - paid / cost) / rich_weight
    delta = (TOLERANCE * (1.0 + paid / cost) + batch.drift / cost) / rich_weight
    delta[exact] = 0.0
    if affordable is None and rich_weight.min() > 0:
        batch.bound[projects, :width] = rho - delta
        batch.price[projects, :width] = price * (1 - 1e-12)
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
        batch.bound[projects, :width] = np.where(unsure, batch.bound[projects, :width], rho - delta)
        batch.price[projects, :width] = np.where(ok, price * (1 - 1e-12), batch.price[projects, :width])
    empty = np.empty(0)
    return Evaluations(list(projects), rho, delta, exact, unsure, price, *([empty] * 5), [], [])
