"""What every MES count needs, prepared once: the profile as numpy arrays.

`budgeting.Profile` has merged identical ballots into weighted *groups*; this indexes them by project: each
project's supporters (the groups giving it positive weight, as only voters with positive utility support a
project in MES, Peters, Pierczyński and Skowron 2021), their weights and voters, each
project's total weight, the projects that can take part at all (positive cost and support, as pabutools 1.2.3
``method_of_equal_shares`` filters them), and *twins*: projects with the same cost, supporters and weights,
whose rho are equal in every round (what lets the fast engine decide their ties exactly).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from plaza.voting.methods.budgeting import Number, Profile


class PreparedProfile:
    """The profile as arrays: each project's supporters (groups with positive weight), weights and counts."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.num_voters = profile.num_voters
        self.num_projects = m = len(profile.ids)
        costs = profile.costs
        lengths = profile.lengths
        flat_p = np.fromiter(profile.flat_projects, dtype=np.intp, count=len(profile.flat_projects))
        flat_w = profile.flat_weights if profile.flat_weights is not None else [1]
        flat_g = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)
        self.group_voters = np.array(profile.counts, dtype=np.float64)
        # the float engine needs whole-number weights, whose totals are exact in floating point
        self.floats = profile.flat_weights is None or all(type(w) is int for w in set(flat_w))
        if profile.flat_weights is None:  # approval: every weight is 1
            supporter_weights = np.ones(len(flat_p))
            keep = np.ones(len(flat_p), dtype=bool)
        elif self.floats:
            supporter_weights = np.array(flat_w, dtype=np.float64)
            keep = supporter_weights > 0
        else:
            keep = np.array([w > 0 for w in flat_w], dtype=bool)
            supporter_weights = np.ones(len(flat_w))
        kept = np.flatnonzero(keep)
        order = kept[np.argsort(flat_p[kept], kind="stable")]  # by project, then group
        groups_sorted, projects_sorted, supporter_weights = flat_g[order], flat_p[order], supporter_weights[order]
        edges = np.searchsorted(projects_sorted, np.arange(m + 1)).tolist()
        self.supporters = [groups_sorted[edges[p]:edges[p + 1]] for p in range(m)]
        self._weights: list[list[Number]] | None = None
        if self.floats:
            per_project = np.bincount(projects_sorted, weights=supporter_weights * self.group_voters[groups_sorted],
                                      minlength=m)
            self.total_weight = [int(t) for t in per_project.tolist()]
            self.floats = bool(per_project.max(initial=0) < 2**50)  # else totals might not be exact
        else:
            exact = [flat_w[i] for i in order.tolist()]
            self._weights = [exact[edges[p]:edges[p + 1]] for p in range(m)]
        self._supporter_weights = supporter_weights
        self._edges = edges
        if not self.floats:
            counts = profile.counts
            self.total_weight = [sum(w * counts[g] for g, w in zip(self.supporters[p].tolist(), self.weights[p],
                                                                     strict=True)) for p in range(m)]
        self.active = [p for p in range(m) if self.total_weight[p] > 0 and costs[p] > 0]
        self.cost = np.array([float(c) for c in costs])
        self.total_weight_float = np.array([float(t) for t in self.total_weight])
        self.supporter_voters = [self.group_voters[s] for s in self.supporters]
        self.distinct_weights: list[np.ndarray] = []  # distinct weights of each project's supporters, ascending
        self.weight_index: list[np.ndarray] = []  # each supporter's position in distinct_weights
        one = np.ones(1)
        for p in range(m):
            w = supporter_weights[edges[p]:edges[p + 1]]
            distinct = np.unique(w) if len(w) and profile.flat_weights is not None else one
            self.distinct_weights.append(distinct)
            self.weight_index.append(np.searchsorted(distinct, w) if len(distinct) > 1 else np.zeros(len(w), np.intp))
        self.weight_count = np.array([len(v) for v in self.distinct_weights], dtype=np.intp)
        twin_of: dict[tuple, int] = {}
        self.twin = list(range(m))  # projects with the same cost, supporters and weights share a twin number
        for p in self.active:
            key = (costs[p], self.supporters[p].tobytes(), supporter_weights[edges[p]:edges[p + 1]].tobytes()
                   if self._weights is None else tuple(self._weights[p]))
            self.twin[p] = twin_of.setdefault(key, p)

    @property
    def weights(self) -> list[list[Number]]:
        """Each project's supporters' weights, as exact numbers (for `ExactCount`)."""
        if self._weights is None:
            supporter_weights, edges = self._supporter_weights, self._edges
            self._weights = [[int(x) for x in supporter_weights[edges[p]:edges[p + 1]].tolist()]
                             for p in range(self.num_projects)]
        return self._weights

    def endowment(self, k: int) -> Fraction:
        return Fraction(self.profile.budget + k * self.num_voters, self.num_voters)
