"""Write a `PBElection` as a Pabulib file (the format: see the package docstring), so that reading it back
gives an equal election."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path
from typing import TextIO

from plaza.voting.formats.pabulib.reader import MODEL_KEYS
from plaza.voting.methods.budgeting import POINTS_VOTE_TYPES, Number, PBElection


def write_pabulib(election: PBElection, target: str | Path | TextIO) -> None:
    """Write `election` as a Pabulib file (UTF-8, LF line ends) to a path or an open text file."""
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(pabulib_text(election))
    else:
        target.write(pabulib_text(election))


def pabulib_text(election: PBElection) -> str:
    """The Pabulib file for `election`, as text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    writer.writerow(["key", "value"])
    meta = {
        **{k: v for k, v in election.meta.items() if k not in MODEL_KEYS},
        "num_projects": str(len(election.projects)),
        "num_votes": str(election.num_voters),
        "budget": _number_text(election.budget),
        "vote_type": election.vote_type,
    }
    for key, value in meta.items():
        writer.writerow([key, value])

    out.write("PROJECTS\n")
    columns: dict[str, None] = {}
    for project in election.projects:
        for column in election.project_fields.get(project, {}):
            if column not in ("project_id", "cost"):
                columns[column] = None
    writer.writerow(["project_id", "cost", *columns])
    for project, cost in election.projects.items():
        fields = election.project_fields.get(project, {})
        writer.writerow([project, _number_text(cost), *(fields.get(c, "") for c in columns)])

    out.write("VOTES\n")
    points = election.vote_type in POINTS_VOTE_TYPES
    extra: dict[str, None] = {}
    for ballot in election.ballots:
        for column in ballot.extra:
            if column not in ("voter_id", "vote", "points"):
                extra[column] = None
    writer.writerow(["voter_id", "vote", *(["points"] if points else []), *extra])
    used = {ballot.voter_id for ballot in election.ballots if ballot.count == 1 and ballot.voter_id}
    serial = 0
    for ballot in election.ballots:
        for copy in range(ballot.count):
            if ballot.count == 1 and ballot.voter_id:
                voter = ballot.voter_id
            else:  # an unnamed or repeated ballot: a fresh id that no other ballot uses
                while True:
                    serial += 1
                    voter = f"{ballot.voter_id}-{copy + 1}" if ballot.voter_id else str(serial)
                    if voter not in used:
                        break
                    if ballot.voter_id:
                        voter = f"{ballot.voter_id}-{copy + 1}-{serial}"
                        if voter not in used:
                            break
                used.add(voter)
            row = [voter, ",".join(ballot.projects)]
            if points:
                row.append(",".join(_number_text(x) for x in ballot.points or ()))
            row += [ballot.extra.get(c, "") for c in extra]
            writer.writerow(row)
    return out.getvalue()


def _number_text(value: Number) -> str:
    """Exact decimal text of an int or a Fraction with a terminating decimal expansion."""
    if isinstance(value, int):
        return str(value)
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(f"{value} has no exact decimal form; Pabulib files hold decimal numbers")
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return ("-" if value < 0 else "") + digits[:-places] + "." + digits[-places:]
