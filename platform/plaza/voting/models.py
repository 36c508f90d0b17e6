"""Ballots, their options, and the three places a secret vote passes through.

Who voted (`Participation`: ballot and voter, nothing else) and the vote itself, sealed (`SealedVote`, the
mixing pool), are written in one transaction (`plaza.voting.casting`); what was voted (`Vote`: choices,
receipt hash, chain hash; no voter, no time) reaches the bulletin board later, in shuffled batches of at
least k votes (`plaza.voting.mixing`). The storage links rows written together (rowids, `xmin`, `ctid`),
so only the sealed copy is ever written beside a participation.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaza.clock import utcnow
from plaza.extensions import db
from plaza.voting.methods.rules import BallotKind, CountingRule  # BallotKind: declared with the rules


class BudgetInput(enum.Enum):
    """How residents express themselves on a participatory budget (the Pabulib vote types)."""

    APPROVAL = "approval"  # projects whose total cost fits the budget
    CUMULATIVE = "cumulative"  # points spread over projects
    RANKED = "ordinal"  # projects in order of preference


class BallotState(enum.Enum):
    DRAFT = "draft"  # the organiser is still preparing it
    OPEN = "open"  # residents vote
    CLOSED = "closed"  # frozen; the count runs in a worker
    COUNTED = "counted"  # result published


# Counting methods each kind of ballot offers, by name (`Ballot.method`); the first is the default. From the one
# declaration of the rules, `plaza.voting.methods.rules.CountingRule`.
METHODS: dict[BallotKind, tuple[str, ...]] = {
    kind: tuple(rule.value for rule in CountingRule.for_kind(kind)) for kind in BallotKind
}


class Ballot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[BallotKind]
    method: Mapped[str] = mapped_column(sa.String(20))  # a CountingRule's value (see `rule`)
    seats: Mapped[int] = mapped_column(default=1)  # winners for approval, score, STV
    min_choices: Mapped[int] = mapped_column(default=1)  # approval
    max_choices: Mapped[int | None]  # approval; None: any number
    max_score: Mapped[int] = mapped_column(default=5)  # score
    budget: Mapped[int | None]  # budget ballots: the money to spend
    budget_input: Mapped[BudgetInput | None]
    points: Mapped[int | None]  # cumulative budget ballots: points each voter spreads
    min_age: Mapped[int | None]  # eligibility: residents at least this old on the day they vote
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    state: Mapped[BallotState] = mapped_column(default=BallotState.DRAFT)
    vote_count: Mapped[int] = mapped_column(default=0)  # votes cast: sealed in the pool or on the board
    published_count: Mapped[int] = mapped_column(default=0)  # votes on the bulletin board
    chain_head: Mapped[str] = mapped_column(sa.String(64))  # hash of the last published vote, or of the empty chain
    result: Mapped[dict | None] = mapped_column(sa.JSON)  # published count with its explanation
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    counted_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    options: Mapped[list["BallotOption"]] = relationship(
        back_populates="ballot", order_by="BallotOption.position", cascade="all, delete-orphan"
    )
    process = relationship("Process")
    district = relationship("District")

    __table_args__ = (
        sa.CheckConstraint("seats >= 1", name="at_least_one_seat"),
        sa.CheckConstraint("min_choices >= 0", name="min_choices_not_negative"),
        sa.CheckConstraint("max_choices IS NULL OR max_choices >= min_choices", name="max_not_below_min"),
        sa.CheckConstraint("max_score >= 1", name="max_score_positive"),
        sa.CheckConstraint("budget IS NULL OR budget > 0", name="budget_positive"),
        sa.CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
        sa.CheckConstraint("min_age IS NULL OR min_age BETWEEN 0 AND 120", name="min_age_sensible"),
        sa.CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        sa.CheckConstraint("published_count BETWEEN 0 AND vote_count", name="published_within_cast"),
    )

    @property
    def waiting_count(self) -> int:
        """Votes cast but not yet on the bulletin board (sealed in the mixing pool)."""
        return self.vote_count - self.published_count

    @property
    def rule(self) -> CountingRule:
        return CountingRule(self.method)

    @property
    def is_open(self) -> bool:
        return self.state is BallotState.OPEN

    def option(self, option_id: int) -> "BallotOption | None":
        return next((option for option in self.options if option.id == option_id), None)


class BallotOption(db.Model):
    """A choice on a ballot: an answer, a candidate or, on a budget ballot, a project with its cost."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cost: Mapped[int | None]  # budget ballots
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id", ondelete="SET NULL"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="SET NULL"))
    # An optional picture (stored under a random name in instance/uploads, see plaza.uploads), never without
    # the text that says what it shows.
    picture_name: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    picture_type: Mapped[str | None] = mapped_column(sa.String(100))
    picture_alt: Mapped[str | None] = mapped_column(sa.String(300))

    ballot: Mapped[Ballot] = relationship(back_populates="options")
    district = relationship("District")

    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "position", name="uq_ballot_option_position"),
        sa.CheckConstraint("cost IS NULL OR cost > 0", name="cost_positive"),
        sa.CheckConstraint("picture_name IS NULL OR (picture_type IS NOT NULL AND picture_alt IS NOT NULL "
                           "AND picture_alt <> '')", name="picture_has_alt_text"),
    )


class Participation(db.Model):
    """That a person voted on a ballot: one row per person and ballot, which is what makes one vote each.
    No time, not even the day: the moment a vote reaches the board would otherwise narrow who cast it."""

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)


class SealedVote(db.Model):
    """A cast vote waiting in the mixing pool: its receipt hash and choices encrypted with a key that is not
    in the database (`plaza.voting.mixing`), padded to one length per ballot. Written in the casting
    transaction, deleted when its batch is published."""

    __tablename__ = "vote_pool"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)


class Vote(db.Model):
    """What was voted, with no trace of who: a published vote. `position` is its place in the ballot's hash
    chain; the positions of one batch follow a random order, not the order of casting."""

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    choices: Mapped[str] = mapped_column(sa.Text)  # canonical JSON (plaza.voting.receipts.canonical)
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    chain_hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.CheckConstraint("position >= 1", name="position_positive"),)
