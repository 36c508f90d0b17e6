"""Browse proposals: filters, full-text search, sort and pagination, in a fixed number of queries."""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from plaza import search
from plaza.districts import all_districts
from plaza.extensions import db
from plaza.proposals.models import AnswerState, Category, Proposal, ProposalState
from plaza.taxonomy import services as taxonomy  # the tag filter: a declared cross-feature import

PER_PAGE = 20
# Counting stops here, so a list costs the same with 2,000 or 200,000 proposals; beyond it the page says
# "more than 2,000" and offers the next page instead of a last one.
COUNT_LIMIT = 2000


class Sort(enum.Enum):
    RECENT = "recent"
    SUPPORTED = "supported"
    RANDOM = "random"


class Status(enum.Enum):
    """What a resident can filter by: the proposal's state and its official answer in one list."""

    OPEN = "open"
    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass
class Filters:
    query: str = ""
    category_id: int | None = None
    district_id: int | None = None
    status: Status | None = None
    tag_id: int | None = None
    sort: Sort = Sort.RECENT
    seed: int = 0  # for Sort.RANDOM: stable per visitor, so paging does not reshuffle


@dataclass
class Page:
    items: list[Proposal]
    number: int
    total: int  # exact up to COUNT_LIMIT
    total_is_capped: bool = False

    @property
    def pages(self) -> int:
        counted = max(1, -(-self.total // PER_PAGE))
        return max(counted, self.number + 1) if self.total_is_capped else counted


class PageOutOfRange(Exception):
    pass


def _status_condition(status: Status):
    if status is Status.WITHDRAWN:
        return Proposal.state == ProposalState.WITHDRAWN
    if status is Status.OPEN:
        return sa.and_(Proposal.state == ProposalState.PUBLISHED, Proposal.answer_state.is_(None))
    return sa.and_(Proposal.state == ProposalState.PUBLISHED, Proposal.answer_state == AnswerState(status.value))


def _filtered(process_id: int, filters: Filters) -> sa.Select:
    # Every status condition names the state, so merged proposals never show, and the composite indexes
    # (process_id, state, …) serve both the count and the sorted page.
    statement = sa.select(Proposal).where(Proposal.process_id == process_id)
    if filters.category_id:
        statement = statement.where(Proposal.category_id == filters.category_id)
    if filters.district_id:
        statement = statement.where(Proposal.district_id == filters.district_id)
    if filters.status:
        statement = statement.where(_status_condition(filters.status))
    else:
        statement = statement.where(Proposal.state == ProposalState.PUBLISHED)
    if filters.tag_id:
        statement = taxonomy.filter_by_tag(statement, Proposal, filters.tag_id)
    matches = search.matching_proposal_ids(filters.query, db.session.get_bind().dialect.name)
    if matches is not None:
        # SQLite starts from the (few) matches when they are joined; PostgreSQL plans a hashed IN better
        # (bench/proposals.py measured both ways on both backends).
        if db.session.get_bind().dialect.name == "sqlite":
            statement = statement.join(matches, matches.c.proposal_id == Proposal.id)
        else:
            statement = statement.where(Proposal.id.in_(sa.select(matches.c.proposal_id)))
    return statement


def _ordered(statement: sa.Select, filters: Filters) -> sa.Select:
    if filters.sort is Sort.SUPPORTED:
        return statement.order_by(Proposal.supports_count.desc(), Proposal.id.desc())
    if filters.sort is Sort.RANDOM:
        # A portable, seeded shuffle: id times a large seed-dependent multiplier, modulo a prime. Different
        # multipliers give different permutations; a large one makes even neighbouring ids land far apart.
        prime = 2147483647
        multiplier = prime // 4 + (filters.seed * 2654435761) % (prime // 2)
        shuffled = (sa.cast(Proposal.id, sa.BigInteger) * multiplier) % prime
        return statement.order_by(shuffled, Proposal.id)
    return statement.order_by(Proposal.created_at.desc(), Proposal.id.desc())


def page_of_proposals(process_id: int, filters: Filters, number: int = 1) -> Page:
    statement = _filtered(process_id, filters)
    counted = statement.with_only_columns(Proposal.id).order_by(None).limit(COUNT_LIMIT + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    capped = total > COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    if number < 1 or (not capped and number > max(1, -(-total // PER_PAGE))):
        raise PageOutOfRange(number)
    # A deferred join: the offset walks the sort index for ids only, then just this page's rows are read.
    # Otherwise every skipped row is fetched from the table, and page 1,000 reads 20,000 proposals.
    page_ids = (_ordered(statement.with_only_columns(Proposal.id), filters)
                .limit(PER_PAGE).offset((number - 1) * PER_PAGE).subquery("page_ids"))
    items = db.session.scalars(
        _ordered(sa.select(Proposal).join(page_ids, page_ids.c.id == Proposal.id), filters)
        .options(selectinload(Proposal.category), selectinload(Proposal.district),
                 defer(Proposal.body), defer(Proposal.answer_text))  # the list shows neither
    ).all()
    if capped and number > 1 and not items:
        raise PageOutOfRange(number)
    if capped and len(items) < PER_PAGE:  # the last page after all: show it as the last one
        return Page(items=list(items), number=number, total=(number - 1) * PER_PAGE + len(items))
    return Page(items=list(items), number=number, total=total, total_is_capped=capped)


def categories() -> list[Category]:
    return db.session.scalars(sa.select(Category).order_by(Category.name)).all()


districts = all_districts


def tags() -> list[tuple]:
    """(tag, label) for the tag filter, UDHR first."""
    return taxonomy.all_tags_with_labels()
