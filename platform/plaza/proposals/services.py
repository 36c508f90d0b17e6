"""The rules of proposals: publish, edit within a window, withdraw, support, amend, answer, merge."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from plaza import outbox, search, submissions
from plaza.audit import services as audit
from plaza.clock import utcnow
from plaza.errors import RuleBroken
from plaza.extensions import db, insert_on_conflict
from plaza.notifications import services as notifications
from plaza.permissions import authorize, can
from plaza.processes.models import Process
from plaza.proposals.models import (
    Amendment,
    AmendmentState,
    AnswerState,
    Attachment,
    Proposal,
    ProposalRevision,
    ProposalState,
    Support,
    SupportQuota,
)
from plaza.text import clean_html, plain_text
from plaza.uploads import DOCUMENT_TYPES, display_filename, read_upload, store, upload_folder  # noqa: F401

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = DOCUMENT_TYPES  # accepted by content, not by name (see plaza.uploads)


@dataclass
class ProposalDraft:
    title: str
    body: str
    category_id: int | None = None
    district_id: int | None = None
    address: str | None = None
    language: str | None = None  # of the text; None: the author's interface language


def _validate(draft: ProposalDraft) -> tuple[str, str]:
    title = " ".join(draft.title.split())
    body = clean_html(draft.body or "")
    if len(title) < 5:
        raise RuleBroken(_("Give your proposal a title of at least 5 characters."), field="title")
    if len(title) > 200:
        raise RuleBroken(_("Use at most %(max)d characters.", max=200), field="title")
    if len(plain_text(body)) < 15:
        raise RuleBroken(_("Describe your proposal in at least 15 characters."), field="body")
    if len(draft.body) > 20000:
        raise RuleBroken(_("Use at most %(max)d characters.", max=20000), field="body")
    return title, body


def _read_attachment(upload: FileStorage) -> tuple[str, str, bytes]:
    return read_upload(upload, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, field="attachments",
                       wrong_type=_("Attach PDF, PNG or JPEG files only."))


def create_proposal(author, process: Process, draft: ProposalDraft, submission_key: str,
                    uploads: list[FileStorage] = ()) -> Proposal:
    """Publish a proposal. The same submission key twice (a double click) gives back the first one."""
    authorize(author, "proposal.create", process)
    earlier = submissions.earlier_result(author, "proposal", process.id, submission_key, Proposal)
    if earlier is not None:
        return earlier
    title, body = _validate(draft)
    uploads = [upload for upload in uploads if upload and upload.filename]
    if len(uploads) > MAX_ATTACHMENTS:
        raise RuleBroken(_("Attach at most %(count)d files.", count=MAX_ATTACHMENTS), field="attachments")
    files = [_read_attachment(upload) for upload in uploads]
    proposal = Proposal(process_id=process.id, author_id=author.id, title=title, body=body,
                        language=draft.language or author.locale or "en", category_id=draft.category_id,
                        district_id=draft.district_id, address=(draft.address or "").strip() or None,
                        submission_key=submission_key)
    written: list[Path] = []
    for name, content_type, content in files:
        stored, path = store(content)
        written.append(path)
        proposal.attachments.append(Attachment(filename=name, content_type=content_type, size=len(content),
                                               stored_name=stored))
    db.session.add(proposal)
    try:
        db.session.flush()
        submissions.record(author, "proposal", process.id, submission_key, proposal.id)
        notifications.follow_quietly(author.id, proposal_id=proposal.id)
        search.index_text(proposal.id, f"{title} {plain_text(body)}")
        outbox.record("proposal.created", proposal_id=proposal.id, process_id=process.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        earlier = submissions.earlier_result(author, "proposal", process.id, submission_key, Proposal)
        if earlier is not None:  # the same form sent twice at once: the other request won
            return earlier
        raise
    return proposal


def _own_published(user, proposal: Proposal) -> None:
    if not can(user, "proposal.revise", target=proposal):
        raise RuleBroken(_("Only the author can do this."), status=403)
    if proposal.state is not ProposalState.PUBLISHED:
        raise RuleBroken(_("This proposal was withdrawn or merged, so it cannot change any more."), status=409)


def edit_window_ends(proposal: Proposal):
    return proposal.created_at + timedelta(minutes=proposal.process.edit_window_minutes)


def can_edit(user, proposal: Proposal) -> bool:
    return (can(user, "proposal.revise", target=proposal)
            and proposal.state is ProposalState.PUBLISHED and utcnow() < edit_window_ends(proposal)
            and can(user, "proposal.edit", proposal.process))


def _revise(proposal: Proposal, editor_id: int | None, title: str, body: str) -> None:
    number = (db.session.scalar(sa.select(sa.func.max(ProposalRevision.number))
                                .where(ProposalRevision.proposal_id == proposal.id)) or 0) + 1
    db.session.add(ProposalRevision(proposal_id=proposal.id, number=number, title=proposal.title,
                                    body=proposal.body, edited_by_id=editor_id))
    proposal.title, proposal.body, proposal.edited_at = title, body, utcnow()
    search.index_text(proposal.id, f"{title} {plain_text(body)}")


def edit_proposal(user, proposal: Proposal, draft: ProposalDraft) -> Proposal:
    authorize(user, "proposal.edit", proposal.process)
    _own_published(user, proposal)
    if utcnow() >= edit_window_ends(proposal):
        raise RuleBroken(_("Proposals can be edited for %(minutes)d minutes after publishing. That time is over.",
                           minutes=proposal.process.edit_window_minutes), status=409)
    title, body = _validate(draft)
    _revise(proposal, user.id, title, body)
    proposal.category_id, proposal.district_id = draft.category_id, draft.district_id
    proposal.address = (draft.address or "").strip() or None
    db.session.commit()
    return proposal


def withdraw(user, proposal: Proposal) -> None:
    authorize(user, "proposal.withdraw", proposal.process)
    _own_published(user, proposal)
    proposal.state = ProposalState.WITHDRAWN
    db.session.commit()


def _take_from_quota(user, process: Process) -> bool:
    """Count one more support of the resident in the process, unless that passes the process's limit.

    The quota row starts from the resident's live supports and then changes in the same transaction as each
    support, merge and withdrawal, so `used` is their number of supports in the process; the conditional
    UPDATE keeps two concurrent supports from both taking the last one."""
    live = (sa.select(sa.literal(user.id), sa.literal(process.id), sa.func.count())
            .where(Support.user_id == user.id, Support.process_id == process.id))
    db.session.execute(insert_on_conflict(SupportQuota).from_select(["user_id", "process_id", "used"], live)
                       .on_conflict_do_nothing())
    taking = sa.update(SupportQuota).where(SupportQuota.user_id == user.id, SupportQuota.process_id == process.id)
    if process.supports_per_resident is not None:
        taking = taking.where(SupportQuota.used < process.supports_per_resident)
    return db.session.execute(taking.values(used=SupportQuota.used + 1)).rowcount == 1


def _release_quota(user_ids, process_id: int, count: int = 1) -> None:
    db.session.execute(sa.update(SupportQuota)
                       .where(SupportQuota.user_id.in_(user_ids), SupportQuota.process_id == process_id,
                              SupportQuota.used >= count)
                       .values(used=SupportQuota.used - count))


def _lock(*proposal_ids: int) -> dict[int, ProposalState]:
    """Lock the proposals' rows for the transaction and read their current states. Supports, withdrawals of
    support and merges all lock the proposals first, so they wait for each other. An UPDATE that changes
    nothing locks on both backends: a row lock on PostgreSQL, the write lock on SQLite (whose driver starts
    the transaction only at the first write, and ignores FOR UPDATE)."""
    db.session.execute(sa.update(Proposal).where(Proposal.id.in_(proposal_ids))
                       .values(supports_count=Proposal.supports_count).execution_options(synchronize_session=False))
    return dict(db.session.execute(sa.select(Proposal.id, Proposal.state).where(Proposal.id.in_(proposal_ids))).all())


def support(user, proposal: Proposal) -> None:
    """One support per resident per proposal (primary key), and no more than the process allows per
    resident (a conditional UPDATE on the resident's quota row), both safe under concurrent requests."""
    process = proposal.process
    authorize(user, "proposal.support", process)
    if proposal.state is not ProposalState.PUBLISHED:
        raise RuleBroken(_("This proposal was withdrawn or merged, so it cannot be supported."), status=409)
    if db.session.get(Support, (proposal.id, user.id)) is not None:
        raise RuleBroken(_("You already support this proposal."), status=409)
    # The state is checked again under the row lock: a merge that committed meanwhile moved the supports.
    if _lock(proposal.id).get(proposal.id) is not ProposalState.PUBLISHED:
        db.session.rollback()
        raise RuleBroken(_("This proposal was withdrawn or merged, so it cannot be supported."), status=409)
    if not _take_from_quota(user, process):
        db.session.rollback()
        raise RuleBroken(_("You have used all %(count)d of your supports in this consultation. "
                           "Withdraw one to support another proposal.",
                           count=process.supports_per_resident), status=409)
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, process_id=process.id))
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                       .values(supports_count=Proposal.supports_count + 1))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("You already support this proposal."), status=409) from None


def withdraw_support(user, proposal: Proposal) -> None:
    authorize(user, "proposal.support", proposal.process)
    _lock(proposal.id)
    removed = db.session.execute(
        sa.delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    if not removed:
        db.session.rollback()
        raise RuleBroken(_("You do not support this proposal."), status=409)
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                       .values(supports_count=Proposal.supports_count - 1))
    _release_quota([user.id], proposal.process_id)
    db.session.commit()


def is_eligible_for_vote(proposal: Proposal) -> bool:
    threshold = proposal.process.support_threshold
    return proposal.state is ProposalState.PUBLISHED and threshold is not None and proposal.supports_count >= threshold


def propose_amendment(user, proposal: Proposal, draft: ProposalDraft, submission_key: str) -> Amendment:
    authorize(user, "proposal.amend", proposal.process)
    earlier = submissions.earlier_result(user, "amendment", proposal.id, submission_key, Amendment)
    if earlier is not None:
        return earlier
    if proposal.state is not ProposalState.PUBLISHED:
        raise RuleBroken(_("This proposal was withdrawn or merged, so it cannot be amended."), status=409)
    if proposal.author_id == user.id:
        raise RuleBroken(_("This is your own proposal: edit it instead of amending it."), status=409)
    title, body = _validate(draft)
    amendment = Amendment(proposal_id=proposal.id, author_id=user.id, title=title, body=body,
                          submission_key=submission_key)
    db.session.add(amendment)
    try:
        db.session.flush()
        submissions.record(user, "amendment", proposal.id, submission_key, amendment.id)
        outbox.record("proposal.amended", proposal_id=proposal.id, amendment_id=amendment.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = submissions.earlier_result(user, "amendment", proposal.id, submission_key, Amendment)
        if earlier is not None:
            return earlier
        raise
    return amendment


def decide_amendment(user, amendment: Amendment, accept: bool) -> None:
    proposal = db.session.get(Proposal, amendment.proposal_id)
    _own_published(user, proposal)
    decided = db.session.execute(
        sa.update(Amendment).where(Amendment.id == amendment.id, Amendment.state == AmendmentState.PENDING)
        .values(state=AmendmentState.ACCEPTED if accept else AmendmentState.REJECTED, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if decided != 1:
        db.session.rollback()
        raise RuleBroken(_("This amendment was already decided."), status=409)
    if accept:
        _revise(proposal, amendment.author_id, amendment.title, amendment.body)
    db.session.commit()


def answer(user, proposal: Proposal, state: AnswerState, text: str) -> None:
    authorize(user, "proposal.answer", proposal.process)
    reasons = clean_html(text or "")
    if len(plain_text(reasons)) < 10:
        raise RuleBroken(_("Give the reasons for this answer in at least 10 characters."), field="text")
    proposal.answer_state, proposal.answer_text = state, reasons
    proposal.answered_at, proposal.answered_by_id = utcnow(), user.id
    outbox.record("proposal.answered", proposal_id=proposal.id, answer=state.value)
    audit.record("proposal.answered", user, proposal_id=proposal.id, answer=state.value)
    db.session.commit()


def merge(user, duplicates: list[Proposal], into: Proposal) -> None:
    """Merge duplicates into one proposal. Their supports move to it, once per resident: a resident who
    supported it already, or several of the duplicates, gets the extra supports back for other proposals."""
    authorize(user, "proposal.merge", into.process)
    if into.state is not ProposalState.PUBLISHED:
        raise RuleBroken(_("Merge into a published proposal."), status=409)
    duplicate_ids = sorted({p.id for p in duplicates if p.id != into.id})
    if not duplicate_ids or any(p.process_id != into.process_id for p in duplicates):
        raise RuleBroken(_("Choose other proposals of the same consultation to merge."), field="duplicates")
    if _lock(into.id, *duplicate_ids).get(into.id) is not ProposalState.PUBLISHED:
        db.session.rollback()
        raise RuleBroken(_("Merge into a published proposal."), status=409)
    already = set(db.session.scalars(sa.select(Support.user_id).where(Support.proposal_id == into.id)))
    held: dict[int, list] = {}
    for user_id, created_at in db.session.execute(
            sa.select(Support.user_id, Support.created_at).where(Support.proposal_id.in_(duplicate_ids))):
        held.setdefault(user_id, []).append(created_at)
    movers = {user_id: min(times) for user_id, times in held.items() if user_id not in already}
    released: dict[int, list[int]] = {}  # number of supports given back -> residents
    for user_id, times in held.items():
        extra = len(times) - (1 if user_id in movers else 0)
        if extra:
            released.setdefault(extra, []).append(user_id)
    db.session.execute(sa.delete(Support).where(Support.proposal_id.in_(duplicate_ids)))
    db.session.add_all(Support(proposal_id=into.id, user_id=user_id, process_id=into.process_id, created_at=since)
                       for user_id, since in movers.items())
    for extra, user_ids in released.items():
        _release_quota(user_ids, into.process_id, extra)
    db.session.execute(sa.update(Proposal).where(Proposal.id.in_(duplicate_ids))
                       .values(state=ProposalState.MERGED, merged_into_id=into.id, supports_count=0)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(Proposal).where(Proposal.id == into.id)
                       .values(supports_count=Proposal.supports_count + len(movers))
                       .execution_options(synchronize_session=False))
    audit.record("proposal.merged", user, into=into.id, duplicates=duplicate_ids)
    db.session.commit()
    db.session.expire_all()

