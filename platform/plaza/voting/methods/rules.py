"""The one declaration of Plaza's counting rules: their names, the kind of ballot each counts, and the pure
function that counts it.

Everything that names a rule reads it from here: the ballot model (`Ballot.method` stores
`CountingRule.value`, a string column), the ballot form's choices (its translated labels live with the
form, as this layer imports no Flask), `plaza-tally --rule`, and the count (`plaza.voting.counting`).
Importing this module is cheap: a rule's function is imported only when it is first used.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from importlib import import_module
from typing import Any


class BallotKind(enum.Enum):
    """What a resident does on a ballot; it decides which rules can count it. (Stored by the database as
    the member's name, in the enum type ``ballotkind``.)"""

    REFERENDUM = "referendum"  # yes / no / abstain
    SINGLE = "single"  # one option
    APPROVAL = "approval"  # between min_choices and max_choices options
    SCORE = "score"  # 0..max_score for each option
    RANKED = "ranked"  # an order of preference, counted by IRV (one seat) or STV
    BUDGET = "budget"  # participatory budgeting: projects with costs and a budget


class CountingRule(enum.Enum):
    """A counting rule: its name (the value), the ballot kind it counts, whether it fills several seats,
    whether it is that kind's default, and where its pure function is (``module:function``).

    Call signatures by kind: referendum ``f(options, ballots)``; single, approval, score
    ``f(options, ballots, seats)``; ranked ``f(RankedElection)`` or, with seats, ``f(RankedElection,
    seats)``; budget ``f(PBElection)``.
    """

    MAJORITY = ("majority", BallotKind.REFERENDUM, False, True, "tallies:majority")
    PLURALITY = ("plurality", BallotKind.SINGLE, True, True, "tallies:plurality")
    APPROVAL = ("approval", BallotKind.APPROVAL, True, True, "tallies:approval")
    SCORE = ("score", BallotKind.SCORE, True, True, "tallies:score")
    IRV = ("irv", BallotKind.RANKED, False, True, "ranked:irv")
    STV = ("stv", BallotKind.RANKED, True, False, "ranked:stv")
    GREEDY = ("greedy", BallotKind.BUDGET, False, False, "budgeting:greedy")
    MES = ("mes", BallotKind.BUDGET, False, False, "equal_shares:mes")
    MES_ADD1 = ("mes-add1", BallotKind.BUDGET, False, False, "equal_shares:mes_add1")
    MES_ADD1_GREEDY = ("mes-add1-greedy", BallotKind.BUDGET, False, True, "equal_shares:mes_add1_greedy")

    kind: BallotKind
    takes_seats: bool
    is_default: bool

    def __new__(cls, value: str, kind: BallotKind, takes_seats: bool, is_default: bool, where: str):
        member = object.__new__(cls)
        member._value_ = value
        member.kind = kind
        member.takes_seats = takes_seats  # False: one winner (irv, referendum) or a budget decides how many
        member.is_default = is_default
        member._where = where
        return member

    @property
    def function(self) -> Callable[..., Any]:
        """The pure function that counts by this rule (imported on first use)."""
        module, name = self._where.split(":")
        return getattr(import_module(f"plaza.voting.methods.{module}"), name)

    @classmethod
    def for_kind(cls, kind: BallotKind) -> tuple[CountingRule, ...]:
        """The rules that can count `kind`, its default first."""
        return tuple(sorted((rule for rule in cls if rule.kind is kind), key=lambda rule: not rule.is_default))

    @classmethod
    def default(cls, kind: BallotKind) -> CountingRule:
        return cls.for_kind(kind)[0]
