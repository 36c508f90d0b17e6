"""Read and write Pabulib ``.pb`` files (participatory budgeting elections; see pabulib.org).

A file has three sections in this order, each opened by a line holding only its name::

    META                      PROJECTS                      VOTES
    key;value                 project_id;cost;name;...      voter_id;vote;points;...
    budget;100000             p1;25000;Park bench;...       v1;p1,p3;2,1;...
    vote_type;cumulative      ...                           ...

Rows are CSV with ``;`` as delimiter (double quotes, ``""`` for a literal quote, quoted fields may hold ``;``
and line breaks). Lines may end in LF or CRLF and the file may start with a UTF-8 byte-order mark. Project
ids are kept as strings (``02`` stays ``02``); ``vote`` lists project ids separated by commas (the ranking,
most preferred first, for ``ordinal``), ``points`` the matching numbers for ``cumulative`` and ``scoring``.
Costs, budget and points may use a decimal point or comma (``1250,50``) and are read exactly.

`read_pabulib` checks the file and raises `FormatError` naming the line of the first problem: missing or
out-of-order sections, missing header columns, counts that disagree with ``num_projects`` / ``num_votes``,
costs or budget that are not non-negative numbers, unknown or repeated project ids, repeated voter ids,
points that do not match the vote, an empty file. `write_pabulib` writes an election so that reading it back
gives an equal `PBElection`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TextIO

from plaza.voting.methods.budgeting import POINTS_VOTE_TYPES, VOTE_TYPES, Number, PBBallot, PBElection
from plaza.voting.methods.result import FormatError

__all__ = ["FormatError", "PBBallot", "PBElection", "read_pabulib", "write_pabulib"]

SECTIONS = ("meta", "projects", "votes")
# META keys that `PBElection` holds in its own fields; the writer puts them back.
MODEL_KEYS = ("num_projects", "num_votes", "budget", "vote_type")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")


def read_pabulib(source: str | Path | TextIO) -> PBElection:
    """Read a Pabulib election from a path, from the text of a file, or from an open text file.

    A `str` is taken as the file's text when it is blank, contains a line break or starts with ``META``,
    else as a path.
    """
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8-sig")
    elif isinstance(source, str):
        stripped = source.lstrip("\ufeff").strip()
        if not stripped or "\n" in source or "\r" in source or stripped.upper().startswith("META"):
            text = source
        else:
            text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = source.read()
    return _Reader(text.removeprefix("\ufeff")).read()


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


def _parse_number(text: str, what: str, line: int, negative_ok: bool = False) -> Number:
    raw = text.strip()
    candidate = raw.replace(",", ".")
    sign = ""
    if negative_ok and candidate.startswith("-"):
        sign, candidate = "-", candidate[1:]
    if not _NUMBER.fullmatch(candidate):
        qualifier = "a number" if negative_ok else "a non-negative number"
        raise FormatError(f"{what} must be {qualifier}, not {raw!r}", line=line)
    value = Fraction(sign + candidate)
    return int(value) if value.denominator == 1 else value


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.rows = self._rows()

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank rows with the number of the line each starts on."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=";")
        line = 1
        try:
            for row in reader:
                start, line = line, reader.line_num + 1
                if not row or all(not cell.strip() for cell in row):
                    continue
                yield start, row
        except csv.Error as error:
            raise FormatError(f"not valid CSV: {error}", line=reader.line_num) from None

    def next_row(self) -> tuple[int, list[str]] | None:
        return next(self.rows, None)

    def read(self) -> PBElection:
        if not self.text.strip():
            raise FormatError("empty file: expected the META section", line=1)
        first = self.next_row()
        assert first is not None
        line, row = first
        if _section(row) != "meta":
            raise FormatError(f"the file must start with a line 'META', not {';'.join(row)!r}", line=line)
        meta, meta_lines, row_after = self.read_meta(line)
        budget_line = meta_lines.get("budget", line)
        if "budget" not in meta:
            raise FormatError("META has no 'budget'", line=line)
        budget = _parse_number(meta["budget"], "budget", budget_line)
        vote_type = meta.get("vote_type", "")
        if vote_type not in VOTE_TYPES:
            where = meta_lines.get("vote_type", line)
            raise FormatError(f"vote_type must be one of {', '.join(VOTE_TYPES)}, not {vote_type!r}",
                              line=where)

        if row_after is None or _section(row_after[1]) != "projects":
            found = "the end of the file" if row_after is None else repr(";".join(row_after[1]))
            where = row_after[0] if row_after else self.text.count("\n") + 1
            raise FormatError(f"expected the PROJECTS section after META, found {found}", line=where)
        projects, fields, project_lines, row_after = self.read_projects(row_after[0])
        self.check_count(meta, meta_lines, "num_projects", len(projects), "projects in PROJECTS", line)

        if row_after is None or _section(row_after[1]) != "votes":
            found = "the end of the file" if row_after is None else repr(";".join(row_after[1]))
            where = row_after[0] if row_after else self.text.count("\n") + 1
            raise FormatError(f"expected the VOTES section after PROJECTS, found {found}", line=where)
        ballots = self.read_votes(row_after[0], projects, vote_type)
        self.check_count(meta, meta_lines, "num_votes", len(ballots), "votes in VOTES", line)

        kept = {k: v for k, v in meta.items() if k not in MODEL_KEYS}
        return PBElection(projects=projects, budget=budget, ballots=ballots, vote_type=vote_type, meta=kept,
                          project_fields=fields)

    def header(self, section_line: int, name: str, required: tuple[str, ...]) -> tuple[int, list[str]]:
        found = self.next_row()
        if found is None or _section(found[1]):
            where = found[0] if found else section_line + 1
            raise FormatError(f"{name} has no header row", line=where)
        line, row = found
        columns = [cell.strip() for cell in row]
        for column in required:
            if column not in columns:
                raise FormatError(f"{name} header lacks the column {column!r} (has: {';'.join(columns)})",
                                  line=line)
        if len(set(columns)) != len(columns):
            raise FormatError(f"{name} header names a column twice", line=line)
        return line, columns

    def read_meta(self, section_line: int):
        self.header(section_line, "META", ())
        meta: dict[str, str] = {}
        lines: dict[str, int] = {}
        while True:
            found = self.next_row()
            if found is None or _section(found[1]):
                return meta, lines, found
            line, row = found
            key = row[0].strip()
            if len(row) < 2 or not key:
                raise FormatError(f"a META row is 'key;value', not {';'.join(row)!r}", line=line)
            cells = row[1:]
            while len(cells) > 1 and not cells[-1].strip():
                cells.pop()
            meta[key] = ";".join(cells).strip()
            lines[key] = line

    def read_projects(self, section_line: int):
        header_line, columns = self.header(section_line, "PROJECTS", ("project_id", "cost"))
        id_at, cost_at = columns.index("project_id"), columns.index("cost")
        projects: dict[str, Number] = {}
        fields: dict[str, dict[str, str]] = {}
        lines: dict[str, int] = {}
        while True:
            found = self.next_row()
            if found is None or _section(found[1]):
                return projects, fields, lines, found
            line, row = found
            row = _fit(row, columns, line)
            project = row[id_at].strip()
            if not project:
                raise FormatError("a project has an empty project_id", line=line)
            if "," in project:
                raise FormatError(f"project_id {project!r} contains a comma", line=line)
            if project in projects:
                raise FormatError(f"project {project!r} is listed twice (first on line {lines[project]})",
                                  line=line)
            projects[project] = _parse_number(row[cost_at], f"the cost of project {project!r}", line)
            fields[project] = {c: v.strip() for c, v in zip(columns, row, strict=True)
                               if c not in ("project_id", "cost")}
            lines[project] = line

    def read_votes(self, section_line: int, projects: dict[str, Number], vote_type: str) -> list[PBBallot]:
        points_type = vote_type in POINTS_VOTE_TYPES
        required = ("voter_id", "vote", "points") if points_type else ("voter_id", "vote")
        header_line, columns = self.header(section_line, "VOTES", required)
        voter_at, vote_at = columns.index("voter_id"), columns.index("vote")
        points_at = columns.index("points") if points_type else None
        others = [(i, c) for i, c in enumerate(columns) if i not in (voter_at, vote_at, points_at)]
        ballots: list[PBBallot] = []
        seen: dict[str, int] = {}
        number_cache: dict[str, Number] = {}
        while True:
            found = self.next_row()
            if found is None:
                return ballots
            line, row = found
            if _section(row):
                raise FormatError(f"section {row[0].strip()} after VOTES: sections must be META, PROJECTS, "
                                  "VOTES once each, in this order", line=line)
            row = _fit(row, columns, line)
            voter = row[voter_at].strip()
            if not voter:
                raise FormatError("a vote has an empty voter_id", line=line)
            if voter in seen:
                raise FormatError(f"voter {voter!r} votes twice (first on line {seen[voter]})", line=line)
            seen[voter] = line
            vote = row[vote_at].strip()
            chosen = tuple(p.strip() for p in vote.split(",")) if vote else ()
            for project in chosen:
                if project not in projects:
                    shown = project or "(empty)"
                    raise FormatError(f"voter {voter!r} votes for {shown!r}, which is not in PROJECTS",
                                      line=line)
            if len(set(chosen)) != len(chosen):
                raise FormatError(f"voter {voter!r} lists a project twice", line=line)
            points = None
            if points_at is not None:
                raw = row[points_at].strip()
                texts = [t.strip() for t in raw.split(",")] if raw else []
                if len(texts) != len(chosen):
                    raise FormatError(f"voter {voter!r} has {len(chosen)} projects in 'vote' but "
                                      f"{len(texts)} numbers in 'points'", line=line)
                values = []
                for text in texts:
                    value = number_cache.get(text)
                    if value is None:
                        value = _parse_number(text, f"points of voter {voter!r}", line,
                                              negative_ok=vote_type == "scoring")
                        number_cache[text] = value
                    values.append(value)
                points = tuple(values)
            extra = {c: row[i].strip() for i, c in others}
            ballots.append(PBBallot(projects=chosen, points=points, voter_id=voter, extra=extra))

    @staticmethod
    def check_count(meta, meta_lines, key, actual, what, meta_line) -> None:
        if key not in meta:
            return
        line = meta_lines[key]
        declared = meta[key].strip()
        if not declared.isdigit():
            raise FormatError(f"{key} must be a whole number, not {declared!r}", line=line)
        if int(declared) != actual:
            raise FormatError(f"{key} is {declared} but the file has {actual} {what}", line=line)


def _section(row: list[str]) -> str | None:
    """'meta', 'projects' or 'votes' when the row is a section marker."""
    if len([cell for cell in row if cell.strip()]) == 1:
        name = row[0].strip().lower()
        if name in SECTIONS:
            return name
    return None


def _fit(row: list[str], columns: list[str], line: int) -> list[str]:
    """The row with as many fields as the header: missing trailing fields are empty, extra ones must be."""
    if len(row) < len(columns):
        return row + [""] * (len(columns) - len(row))
    if len(row) > len(columns):
        if any(cell.strip() for cell in row[len(columns):]):
            raise FormatError(f"the row has {len(row)} fields but the header has {len(columns)}", line=line)
        return row[: len(columns)]
    return row
