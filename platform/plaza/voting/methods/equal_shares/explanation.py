"""The rounds of an MES count in words a person can follow: which project each round funds, at which rho, and
how the voters' money stands afterwards; and the "budget" round of the Add1 scan.

pabutools keeps no such record; the numbers are those of Peters, Pierczyński and Skowron 2021 (rho: the price
per unit of utility at which a project's supporters can pay for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from plaza.voting.methods.budgeting import json_number
from plaza.voting.methods.result import Round

if TYPE_CHECKING:
    from plaza.voting.methods.equal_shares.prepared import PreparedProfile

GROUPS_SHOWN = 10  # money levels listed per round in an explanation


def select_round(prepared: PreparedProfile, winner: int, rho, price, supporters, paid_in_full, money, voters) -> Round:
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
        "project": prepared.profile.ids[winner],
        "cost": json_number(prepared.profile.costs[winner]),
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


@dataclass
class Add1Outcome:
    """The outcome of the Add1 scan and how it was reached (`add1.add1_scan`)."""

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
