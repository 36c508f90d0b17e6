"""Open data: the proposals of a consultation as CSV or JSON.

Nothing about authors goes out (no names, no e-mail addresses): an export may be published as it is.
The rows are built by pure functions from loaded proposals; `proposals_for_export` loads them in a
fixed number of queries, however many there are.
"""

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from plaza import spreadsheets
from plaza.extensions import db
from plaza.processes.models import Process
from plaza.proposals.models import Proposal
from plaza.text import plain_text

COLUMNS = (
    "id", "title", "body", "category", "district", "state", "answer_state", "answer", "supports_count",
    "comments_count", "created_at", "url",
)


def proposals_for_export(process: Process) -> list[Proposal]:
    """All proposals of the process, oldest first, with their category and district."""
    return list(db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.process_id == process.id)
        .options(selectinload(Proposal.category), selectinload(Proposal.district))
        .order_by(Proposal.id)
    ))


def iso_utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def proposal_row(proposal: Proposal, url: str) -> dict:
    return {
        "id": proposal.id,
        "title": proposal.title,
        "body": plain_text(proposal.body or ""),
        "category": proposal.category.name if proposal.category else None,
        "district": proposal.district.name if proposal.district else None,
        "state": proposal.state.value,
        "answer_state": proposal.answer_state.value if proposal.answer_state else None,
        "answer": plain_text(proposal.answer_text) if proposal.answer_text else None,
        "supports_count": proposal.supports_count,
        "comments_count": proposal.comments_count,
        "created_at": iso_utc(proposal.created_at),
        "url": url,
    }


def proposal_rows(proposals: Iterable[Proposal], url_for_proposal: Callable[[Proposal], str]) -> list[dict]:
    return [proposal_row(proposal, url_for_proposal(proposal)) for proposal in proposals]


def process_record(process: Process, url: str) -> dict:
    return {
        "id": process.id,
        "slug": process.slug,
        "title": process.title,
        "summary": process.summary,
        "language": process.language,
        "opens_at": iso_utc(process.opens_at),
        "closes_at": iso_utc(process.closes_at),
        "url": url,
    }


def csv_document(rows: Iterable[dict]) -> str:
    """CSV text with a byte order mark and a header row, safe to open in a spreadsheet (see
    plaza.spreadsheets); encode it as UTF-8."""
    return spreadsheets.csv_document(COLUMNS, ([row[column] for column in COLUMNS] for row in rows))


def json_document(process: dict, rows: list[dict]) -> str:
    return json.dumps({"process": process, "proposals": rows}, ensure_ascii=False, indent=2)
