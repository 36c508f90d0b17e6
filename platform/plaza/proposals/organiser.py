"""The proposals part of the organiser's page: how many proposals wait for an official answer."""

import sqlalchemy as sa

from plaza.extensions import db
from plaza.permissions import can
from plaza.proposals.models import Proposal, ProposalState


def awaiting_answer(process) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(
        Proposal.process_id == process.id, Proposal.state == ProposalState.PUBLISHED,
        Proposal.answer_state.is_(None)))


def organiser_panel(process, user) -> dict | None:
    if not can(user, "proposal.answer", process):
        return None
    return {"awaiting": awaiting_answer(process)}
