"""The public bulletin board of a ballot, its published result, and the check anyone can run on them.

The board lists every published vote (position, receipt hash, choices, chain hash; votes arrive from the
mixing pool in shuffled batches, `plaza.voting.mixing`) and the ballot's description
(`services.spec`). `verify` needs nothing else: it recomputes the hash chain and the count and compares
them with the published result, so a council, a journalist or a resident can check a count without
trusting Plaza's database.
"""

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from plaza import spreadsheets
from plaza.extensions import db
from plaza.voting import counting, receipts, services
from plaza.voting.models import Ballot, BallotKind, Vote

FORMAT = "plaza-bulletin-board/1"


@dataclass
class BoardPage:
    votes: list[Vote]
    number: int
    pages: int
    total: int


def page(ballot: Ballot, number: int, per_page: int) -> BoardPage | None:
    pages = max(1, -(-ballot.published_count // per_page))
    if number < 1 or number > pages:
        return None
    first = (number - 1) * per_page + 1  # positions are 1..n without gaps: a range, not an OFFSET
    votes = db.session.scalars(sa.select(Vote).where(Vote.ballot_id == ballot.id,
                                                     Vote.position.between(first, first + per_page - 1))
                               .order_by(Vote.position)).all()
    return BoardPage(list(votes), number, pages, ballot.published_count)


def export(ballot: Ballot) -> dict[str, Any]:
    votes = db.session.execute(sa.select(Vote.position, Vote.receipt_hash, Vote.choices, Vote.chain_hash)
                               .where(Vote.ballot_id == ballot.id).order_by(Vote.position))
    return {
        "format": FORMAT,
        "ballot": services.spec(ballot),
        "state": ballot.state.value,
        "genesis": receipts.genesis(ballot.id),
        "head": ballot.chain_head,
        "count": ballot.published_count,
        "waiting": ballot.waiting_count,  # cast, still sealed in the mixing pool
        "votes": [{"position": position, "receipt_hash": receipt, "choices": json.loads(choices),
                   "chain_hash": chain} for position, receipt, choices, chain in votes],
        "result": ballot.result,
    }


@dataclass(frozen=True)
class Verification:
    chain_valid: bool
    count_matches: bool
    result_matches: bool | None  # None: no result published yet
    problems: list[str]
    recounted_winners: list[str]

    @property
    def ok(self) -> bool:
        return self.chain_valid and self.count_matches and self.result_matches is not False


def verify(published: dict[str, Any]) -> Verification:
    """Check a bulletin board (as `export` makes it, e.g. read back from board.json)."""
    problems: list[str] = []
    spec = published["ballot"]
    chain = receipts.check_chain(spec["ballot"], published["votes"])
    if not chain.valid:
        problems.append(chain.problem)
    elif chain.head != published["head"]:
        problems.append("the last vote's chain hash is not the published head")
    count_matches = chain.count == published["count"] == len(published["votes"])
    if not count_matches:
        problems.append(f"the board holds {len(published['votes'])} votes but says {published['count']}")
    recount = counting.count(spec, [vote["choices"] for vote in published["votes"]])
    result = published.get("result")
    result_matches = None
    if result is not None:
        result_matches = (sorted(map(str, result["winners"])) == sorted(recount.winners)
                          and result.get("votes") == len(published["votes"])
                          and result.get("chain_head") == chain.head)
        if not result_matches:
            problems.append("the published result differs from a recount of the board")
    return Verification(chain.valid and chain.head == published["head"], count_matches, result_matches,
                        problems, recount.winners)


def open_data(ballot: Ballot) -> str:
    """A budget ballot as a Pabulib file, a ranked ballot as a PrefLib file, so that anyone can replay the
    count with other software. Identical ballots are grouped and sorted: the files keep no vote order."""
    from plaza.voting.formats.pabulib import pabulib_text
    from plaza.voting.formats.preflib import preflib_text

    spec = services.spec(ballot)
    votes = [json.loads(choices) for choices in db.session.scalars(
        sa.select(Vote.choices).where(Vote.ballot_id == ballot.id).order_by(Vote.position))]
    if ballot.kind is BallotKind.BUDGET:
        return pabulib_text(counting.budget_election(spec, votes))
    return preflib_text(counting.ranked_election(spec, votes), "soi")


@dataclass(frozen=True)
class ResultRow:
    option_id: int
    label: str
    cost: int | None
    total: float | int | None
    elected: bool


def result_rows(ballot: Ballot) -> list[ResultRow]:
    """One row per option for the result table and CSV: its total where the method has one (first round
    for ranked counts), and whether it won."""
    result = ballot.result or {}
    winners = set(map(str, result.get("winners", [])))
    totals: dict[str, Any] = {}
    for step in result.get("rounds", []):
        detail = step.get("detail", {})
        if "totals" in detail or "tallies" in detail:  # tallies: a ranked count's first round
            totals = detail.get("totals") or detail["tallies"]
            break
    if ballot.kind is BallotKind.BUDGET and not totals:
        totals = result.get("summary", {}).get("support", {})
    return [ResultRow(option.id, option.label, option.cost, totals.get(str(option.id)), str(option.id) in winners)
            for option in ballot.options]


def ranked(rows: list[ResultRow]) -> list[ResultRow]:
    """The result page's order: what won first, then by total, highest first; ties in ballot order."""
    return sorted(rows, key=lambda row: (not row.elected, -(row.total or 0)))


RESULT_CSV_HEADER = ("option_id", "option", "cost", "total", "elected")


def result_csv(ballot: Ballot) -> str:
    """The result table as CSV text (see plaza.spreadsheets): one row per option, totals as numbers."""
    return spreadsheets.csv_document(RESULT_CSV_HEADER, (
        [row.option_id, row.label, row.cost or "", "" if row.total is None else row.total,
         "yes" if row.elected else "no"]
        for row in result_rows(ballot)))
