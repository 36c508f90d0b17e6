"""Organisers' side of a ballot: prepare it, open it, close it; and the count that publishes its result.

A ballot moves draft → open → closed → counted, each step by a conditional UPDATE on the state, so two
organisers clicking at once change it once. Closing freezes the votes (`casting.cast` only adds to an open
ballot) and asks a worker to count; the count first publishes what is left in the mixing pool, and counts
only when every vote cast is on the board. If the queue is unreachable at that moment, the periodic job
`workers.voting.count_closed_ballots` finds the closed ballot and counts it, so no count is lost.
"""

import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from plaza import queues, uploads
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize, can
from plaza.voting import counting, mixing, receipts
from plaza.voting.models import (
    METHODS,
    Ballot,
    BallotKind,
    BallotOption,
    BallotState,
    BudgetInput,
    CountingRule,
    Vote,
)

log = logging.getLogger(__name__)
MAX_OPTIONS = 200


def referendum_options() -> list[dict]:
    return [{"label": _("Yes")}, {"label": _("No")}, {"label": _("Abstain")}]


def create_ballot(organiser, process, *, title: str, kind: BallotKind, options: list[dict],
                  description: str = "", method: str | None = None, seats: int = 1, min_choices: int = 1,
                  max_choices: int | None = None, max_score: int = 5, budget: int | None = None,
                  budget_input: BudgetInput | None = None, points: int | None = None,
                  min_age: int | None = None, district_id: int | None = None) -> Ballot:
    """A draft ballot. `options`: [{"label", "description"?, "cost"?, "proposal_id"?}] in ballot order."""
    authorize(organiser, "ballot.manage", process)
    method = method or METHODS[kind][0]
    if method not in METHODS[kind]:
        raise RuleBroken(_("This counting method does not fit this kind of ballot."), field="method")
    if kind is BallotKind.REFERENDUM:
        options = referendum_options()
    _check_options(kind, options, budget)
    if kind is BallotKind.BUDGET:
        if budget is None:
            raise RuleBroken(_("Enter the budget to spend."), field="budget")
        budget_input = budget_input or BudgetInput.APPROVAL
        if budget_input is BudgetInput.CUMULATIVE and not points:
            raise RuleBroken(_("Enter how many points each voter gives."), field="points")
    else:
        budget = budget_input = points = None
    if kind in (BallotKind.APPROVAL, BallotKind.SCORE, BallotKind.RANKED) and seats >= len(options):
        raise RuleBroken(_("Choose fewer winners than there are options."), field="seats")
    if kind is BallotKind.APPROVAL and max_choices is not None and max_choices < min_choices:
        raise RuleBroken(_("The most choices cannot be fewer than the fewest."), field="max_choices")
    if kind is BallotKind.APPROVAL and min_choices > len(options):
        raise RuleBroken(_("Nobody could vote: the fewest choices is more than the number of options."),
                         field="min_choices")
    ballot = Ballot(process_id=process.id, title=title, description=description, kind=kind, method=method,
                    seats=1 if kind in (BallotKind.REFERENDUM, BallotKind.SINGLE, BallotKind.BUDGET)
                    or method == CountingRule.IRV.value else seats,
                    min_choices=min_choices, max_choices=max_choices, max_score=max_score, budget=budget,
                    budget_input=budget_input, points=points, min_age=min_age, district_id=district_id,
                    created_by_id=organiser.id, chain_head="")
    ballot.options = [BallotOption(position=index, label=option["label"], description=option.get("description", ""),
                                   cost=option.get("cost"), proposal_id=option.get("proposal_id"))
                      for index, option in enumerate(options, start=1)]
    db.session.add(ballot)
    db.session.flush()
    ballot.chain_head = receipts.genesis(ballot.id)
    audit.record("ballot.created", organiser, process_id=process.id, ballot_id=ballot.id, kind=kind.value,
                 method=method)
    db.session.commit()
    return ballot


def _check_options(kind: BallotKind, options: list[dict], budget: int | None) -> None:
    if len(options) < 2:
        raise RuleBroken(_("A ballot needs at least two options."), field="options")
    if len(options) > MAX_OPTIONS:
        raise RuleBroken(_("A ballot can have at most %(num)d options.", num=MAX_OPTIONS), field="options")
    labels = [option["label"].strip().casefold() for option in options]
    if any(not label for label in labels):
        raise RuleBroken(_("Every option needs a name."), field="options")
    if len(set(labels)) != len(labels):
        raise RuleBroken(_("Two options have the same name."), field="options")
    if kind is BallotKind.BUDGET:
        for option in options:
            cost = option.get("cost")
            if not isinstance(cost, int) or cost <= 0:
                raise RuleBroken(_("Every project needs a cost in whole units above zero: “%(option)s”.",
                                   option=option["label"]), field="options")
            if budget is not None and cost > budget:
                raise RuleBroken(_("“%(option)s” costs more than the whole budget.", option=option["label"]),
                                 field="options")


MAX_PICTURE_BYTES = 2 * 1024 * 1024


def describe_project(organiser, option: BallotOption, *, description: str, district_id: int | None,
                     picture: FileStorage | None = None, picture_alt: str = "", remove_picture: bool = False) -> None:
    """What residents see of a project beside its name and cost: a description, a district and a picture
    (PNG or JPEG, accepted by its content) with the text that says what it shows. Only while in preparation."""
    ballot = option.ballot
    authorize(organiser, "ballot.manage", ballot.process)
    if ballot.state is not BallotState.DRAFT:
        raise RuleBroken(_("Projects can be changed only while the ballot is in preparation."), status=409)
    picture_alt = " ".join((picture_alt or "").split())
    has_new = bool(picture and picture.filename)
    keeps_old = option.picture_name is not None and not remove_picture
    if (has_new or keeps_old) and not picture_alt:
        raise RuleBroken(_("Describe what the picture shows, for people who cannot see it."), field="picture_alt")
    old = option.picture_name if (has_new or remove_picture) else None
    if has_new:
        _name, content_type, content = uploads.read_upload(
            picture, uploads.IMAGE_TYPES, MAX_PICTURE_BYTES, field="picture",
            wrong_type=_("Choose a PNG or JPEG picture."))
        option.picture_name, _path = uploads.store(content)
        option.picture_type = content_type
    elif remove_picture:
        option.picture_name = option.picture_type = None
    option.picture_alt = picture_alt if option.picture_name else None
    option.description, option.district_id = description, district_id
    audit.record("ballot.project_described", organiser, ballot_id=ballot.id, option_id=option.id)
    db.session.commit()
    if old:
        (uploads.upload_folder() / old).unlink(missing_ok=True)


def _move(ballot: Ballot, from_state: BallotState, to_state: BallotState, **values) -> bool:
    return bool(db.session.execute(
        sa.update(Ballot).where(Ballot.id == ballot.id, Ballot.state == from_state)
        .values(state=to_state, **values).execution_options(synchronize_session=False)
    ).rowcount)


def _step(organiser, ballot: Ballot, from_state: BallotState, to_state: BallotState, action: str, refused: str,
          **values) -> None:
    """Move the ballot one step (once, however many organisers click at once) and write it in the audit log."""
    authorize(organiser, "ballot.manage", ballot.process)
    if not _move(ballot, from_state, to_state, **values):
        db.session.rollback()
        raise RuleBroken(refused, status=409)
    audit.record(action, organiser, ballot_id=ballot.id)
    db.session.commit()


def open_ballot(organiser, ballot: Ballot) -> None:
    _step(organiser, ballot, BallotState.DRAFT, BallotState.OPEN, "ballot.opened",
          _("Only a ballot in preparation can be opened."), opened_at=utcnow())


def close_ballot(organiser, ballot: Ballot) -> None:
    """Freeze the ballot, publish the votes still in the mixing pool and ask a worker to count it."""
    _step(organiser, ballot, BallotState.OPEN, BallotState.CLOSED, "ballot.closed",
          _("Only an open ballot can be closed."), closed_at=utcnow())
    try:  # the last batch: closed, nothing more can join it
        mixing.publish(ballot.id)
    except Exception:  # the count publishes it
        db.session.rollback()
        log.exception("could not publish the last votes of ballot %s at closing; the count will", ballot.id)
    try:
        queues.enqueue("workers.voting.count_ballot", ballot.id, queue_name="default",
                       job_id=f"count-ballot-{ballot.id}")
    except Exception:  # the periodic job will count it
        log.warning("could not queue the count of ballot %s; the periodic count will pick it up", ballot.id,
                    exc_info=True)


def spec(ballot: Ballot) -> dict[str, Any]:
    """What the count needs to know about a ballot; published on the bulletin board."""
    return {
        "ballot": ballot.id, "title": ballot.title, "kind": ballot.kind.value, "method": ballot.method,
        "seats": ballot.seats, "budget": ballot.budget,
        "budget_input": ballot.budget_input.value if ballot.budget_input else None, "points": ballot.points,
        "options": [{"id": option.id, "label": option.label, "cost": option.cost} for option in ballot.options],
    }


def count_ballot(ballot_id: int) -> bool:
    """Count a closed ballot and publish the result; True if this call published it. Idempotent: a
    counted ballot is left as it is, and of two concurrent counts one publishes."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.state is not BallotState.CLOSED:
        return False
    try:
        mixing.publish(ballot_id)
    except mixing.SealBroken:
        db.session.rollback()
        log.exception("ballot %s: sealed votes cannot be opened; not counting", ballot_id)
        return False
    db.session.refresh(ballot)
    if ballot.published_count != ballot.vote_count:  # never count part of the votes
        log.error("ballot %s: %d votes cast but %d published; not counting", ballot_id, ballot.vote_count,
                  ballot.published_count)
        return False
    votes = db.session.scalars(sa.select(Vote.choices).where(Vote.ballot_id == ballot.id)
                               .order_by(Vote.position)).all()
    result = counting.count(spec(ballot), votes)
    published = {**result.as_json(), "votes": len(votes), "chain_head": ballot.chain_head,
                 "counted_at": utcnow().isoformat()}
    if not _move(ballot, BallotState.CLOSED, BallotState.COUNTED, result=published, counted_at=utcnow()):
        db.session.rollback()
        return False
    audit.record("ballot.counted", None, ballot_id=ballot.id, votes=len(votes), winners=result.winners)
    db.session.commit()
    return True


def closed_uncounted() -> list[int]:
    return list(db.session.scalars(sa.select(Ballot.id).where(Ballot.state == BallotState.CLOSED)))


def ballots_visible_to(user, process) -> list[Ballot]:
    """The process's ballots, oldest first; drafts only for those who manage ballots."""
    statement = sa.select(Ballot).where(Ballot.process_id == process.id).order_by(Ballot.created_at, Ballot.id)
    if not can(user, "ballot.manage", process):
        statement = statement.where(Ballot.state != BallotState.DRAFT)
    return list(db.session.scalars(statement))

