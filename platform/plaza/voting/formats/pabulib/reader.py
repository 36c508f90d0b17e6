"""Read a Pabulib file (the format: see the package docstring) into a `PBElection`.

VOTES, nearly all of a large file, is read a column at a time when nothing in it is unusual
(`_Reader.read_votes_in_bulk`), else row by row (`_Reader.read_votes`), which names the line of the first
problem. Both give the same election; a test checks it on every real file.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from itertools import chain, repeat
from pathlib import Path
from typing import TextIO

from plaza.voting.methods.budgeting import POINTS_VOTE_TYPES, VOTE_TYPES, Number, PBBallot, PBElection
from plaza.voting.methods.result import FormatError

SECTIONS = ("meta", "projects", "votes")
# META keys that `PBElection` holds in its own fields; the writer puts them back.
MODEL_KEYS = ("num_projects", "num_votes", "budget", "vote_type")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_SPACE = re.compile(r"\s")  # what str.strip() would remove
_SECTION_LINE = re.compile(r"^(?:meta|projects|votes)$", re.IGNORECASE | re.MULTILINE)  # a section's name alone


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
    text = text.removeprefix("\ufeff")
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of ballots: the cyclic collector would run over them again and again
    try:
        try:
            return _Reader(text, bulk=True).read()
        except _NotInBulk:  # something unusual (or wrong) in VOTES: row by row, naming the line at fault
            return _Reader(text).read()
    finally:
        if collecting:
            gc.enable()


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


class _NotInBulk(Exception):
    """The VOTES section needs the row-by-row reader (quotes, spaces, short rows, or an error to locate)."""


class _Reader:
    def __init__(self, text: str, bulk: bool = False):
        self.text = text
        self.bulk = bulk
        self.csv = csv.reader(io.StringIO(self.text, newline=""), delimiter=";")
        self.rows = self._rows()

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank rows with the number of the line each starts on."""
        reader = self.csv
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
        read_votes = self.read_votes_in_bulk if self.bulk else self.read_votes
        ballots = read_votes(row_after[0], projects, vote_type)
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

    def read_votes_in_bulk(self, section_line: int, projects: dict[str, Number], vote_type: str) -> list[PBBallot]:
        """`read_votes` a column at a time, for a file with nothing unusual in VOTES: every row has as many
        fields as the header, no field needs quotes or stripping, no voter id is empty, repeated or a section
        name, every vote names known projects once, every number of points parses. Anything else raises
        `_NotInBulk`, and `read_votes` reads the file again to accept it or name the line at fault."""
        points_type = vote_type in POINTS_VOTE_TYPES
        required = ("voter_id", "vote", "points") if points_type else ("voter_id", "vote")
        _, columns = self.header(section_line, "VOTES", required)
        try:
            rows = [row for row in self.csv if row]
        except csv.Error:
            raise _NotInBulk from None
        if not rows:
            return []
        if set(map(len, rows)) != {len(columns)}:
            raise _NotInBulk
        cells = list(zip(*rows, strict=True))
        votes = cells[columns.index("vote")]
        numbers = cells[columns.index("points")] if points_type else ()
        if _SPACE.search("".join(votes)) or _SPACE.search("".join(numbers)):
            raise _NotInBulk  # project ids or points to strip: row by row
        voters = list(map(str.strip, cells[columns.index("voter_id")]))
        named = set(voters)
        if len(named) != len(voters) or "" in named or _SECTION_LINE.search("\n".join(named)):
            raise _NotInBulk
        chosen = [tuple(vote.split(",")) if vote else () for vote in votes]
        lengths = list(map(len, chosen))
        if lengths != list(map(len, map(set, chosen))) or not set(chain.from_iterable(chosen)).issubset(projects):
            raise _NotInBulk
        points: Iterable[tuple[Number, ...] | None] = repeat(None)
        if points_type:
            texts = [tuple(raw.split(",")) if raw else () for raw in numbers]
            if lengths != list(map(len, texts)):
                raise _NotInBulk
            value = {}
            try:
                for text in set(chain.from_iterable(texts)):
                    value[text] = _parse_number(text, "points", 0, negative_ok=vote_type == "scoring")
            except FormatError:
                raise _NotInBulk from None
            points = [tuple(map(value.__getitem__, numbers)) for numbers in texts]
        used = {"voter_id", "vote", *(("points",) if points_type else ())}
        others = [(name, map(str.strip, cells[i])) for i, name in enumerate(columns) if name not in used]
        names = [name for name, _ in others]
        if others:
            extras = list(map(dict, map(zip, repeat(names), zip(*(column for _, column in others), strict=True))))
        else:
            extras = [{} for _ in voters]
        return list(map(PBBallot, chosen, points, voters, repeat(1), extras))

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
