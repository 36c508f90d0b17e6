"""PrefLib ranked-ballot files: ``.soc``, ``.soi`` and ``.toi`` (https://preflib.org/format).

    # TITLE: 2002 Dublin North          header: "# KEY: value" lines, first
    # DATA TYPE: soi                    soc = complete strict orders, soi = strict orders (incomplete),
    # NUMBER ALTERNATIVES: 12           toi = orders with ties (incomplete)
    # NUMBER VOTERS: 43942              the counts below add up to this
    # NUMBER UNIQUE ORDERS: 19299       the number of lines below
    # ALTERNATIVE NAME 1: Cathal Boland F.G.
    800: 12,6,4                         "<count>: <ranking>", most preferred first
    34: 13,{1,2}                        .toi only: alternatives tied at one rank in braces

`read_preflib` builds a `RankedElection` whose candidate ids are the alternative numbers as strings
("1", "2", ...) and whose names come from ``ALTERNATIVE NAME i``. Ties are kept (a rank is a frozenset);
the counting rule decides what to do with them. Every other header field (``TITLE``, ``FILE NAME``, ...)
is kept, in order, in ``election.metadata``; ``DATA TYPE`` and the three ``NUMBER`` fields are not, since
the writer computes them. The data type comes from ``DATA TYPE``, else from the file name's extension.
A UTF-8 byte-order mark and CRLF line ends are accepted. Blank lines are ignored. Anything malformed
raises `FormatError` naming the line.

`write_preflib` writes the same layout back (``read(write(e)) == e``; for the real PrefLib files in
``shared/data`` the output is byte for byte the input). Candidate ids that are not exactly "1".."n" are
renumbered 1..n in candidate order. Without `data_type` the writer picks ``toi`` if a ballot has a tie,
``soc`` if every ballot ranks every candidate, else ``soi`` (so a ``.soi`` file whose orders all happen to
be complete comes back as ``soc``: the same election, a narrower type).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from plaza.voting.methods.ranked import RankedElection, Ranking, WeightedBallot
from plaza.voting.methods.result import FormatError

__all__ = ["DATA_TYPES", "read_preflib", "parse_preflib", "write_preflib", "preflib_text",
           "preflib_data_type"]

DATA_TYPES = ("soc", "soi", "toi")
COMPUTED = ("DATA TYPE", "NUMBER ALTERNATIVES", "NUMBER VOTERS", "NUMBER UNIQUE ORDERS")
NAME_PREFIX = "ALTERNATIVE NAME "
BEFORE_DATA_TYPE = ("FILE NAME", "TITLE", "DESCRIPTION")  # where the writer puts DATA TYPE: after these


# --- reading ---------------------------------------------------------------------------------------


def read_preflib(source: str | os.PathLike | TextIO, *, name_hint: str | None = None) -> RankedElection:
    """Read a PrefLib file: a path (str or Path) or an open text (or binary) file.

    `name_hint` is the file name used for the data type when the header has no ``DATA TYPE`` (by
    default the path, or the open file's ``name``).
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = name_hint or path.name
        try:
            data = path.read_bytes()
        except OSError as error:
            raise FormatError(f"cannot read {path}: {error.strerror or error}") from None
        return parse_preflib(_decode(data), name=name)
    text = source.read()
    name = name_hint or getattr(source, "name", None)
    if isinstance(text, bytes):
        text = _decode(text)
    return parse_preflib(text, name=str(name) if name is not None else None)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError("not UTF-8 text", line=line) from None


def _number(value: str, key: str, line: int) -> int:
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        raise FormatError(f"{key} must be a whole number, got {value!r}", line=line)
    return int(value)


def parse_preflib(text: str, *, name: str | None = None) -> RankedElection:
    """Parse the text of a PrefLib file (see the module docstring). `name` supplies the extension."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not text.strip():
        raise FormatError("the file is empty", line=1)

    metadata: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    names: dict[int, str] = {}
    data: list[tuple[int, str]] = []  # (line number, text) of each ballot line
    for number, line in enumerate(lines, start=1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip():
            continue
        if line.startswith("#"):
            if data:
                raise FormatError("header line after the ballots (the header comes first)", line=number)
            key, colon, value = line[1:].partition(":")
            key = key.strip()
            if not colon or not key:
                raise FormatError(f"expected '# KEY: value', got {line!r}", line=number)
            value = value.strip()
            if key in header_lines:
                raise FormatError(f"{key} given twice (first on line {header_lines[key]})", line=number)
            header_lines[key] = number
            if key.startswith(NAME_PREFIX):
                names[_number(key[len(NAME_PREFIX):], "the alternative number", number)] = value
            elif key in COMPUTED:
                metadata[key] = value  # checked below, then dropped
            else:
                metadata[key] = value
        else:
            data.append((number, line))
    first_data_line = data[0][0] if data else len(lines)

    # Data type: header first, else the file extension.
    if "DATA TYPE" in metadata:
        data_type = metadata.pop("DATA TYPE").lower()
        if data_type not in DATA_TYPES:
            raise FormatError(f"data type {data_type!r} is not supported (only soc, soi, toi)",
                              line=header_lines["DATA TYPE"])
    else:
        extension = Path(name).suffix.lower().lstrip(".") if name else ""
        if extension not in DATA_TYPES:
            raise FormatError("no DATA TYPE in the header and the file name does not end in "
                              ".soc, .soi or .toi", line=first_data_line)
        data_type = extension

    if "NUMBER ALTERNATIVES" not in metadata:
        raise FormatError("the header has no NUMBER ALTERNATIVES (it must come before the ballots)",
                          line=first_data_line)
    alternatives = _number(metadata.pop("NUMBER ALTERNATIVES"), "NUMBER ALTERNATIVES",
                           header_lines["NUMBER ALTERNATIVES"])
    expected_voters = expected_orders = None
    if "NUMBER VOTERS" in metadata:
        expected_voters = _number(metadata.pop("NUMBER VOTERS"), "NUMBER VOTERS",
                                  header_lines["NUMBER VOTERS"])
    if "NUMBER UNIQUE ORDERS" in metadata:
        expected_orders = _number(metadata.pop("NUMBER UNIQUE ORDERS"), "NUMBER UNIQUE ORDERS",
                                  header_lines["NUMBER UNIQUE ORDERS"])
    for alternative in names:
        if not 1 <= alternative <= alternatives:
            raise FormatError(f"ALTERNATIVE NAME {alternative} is outside 1..{alternatives} "
                              "(NUMBER ALTERNATIVES)", line=header_lines[f"{NAME_PREFIX}{alternative}"])
    missing = [str(i) for i in range(1, alternatives + 1) if i not in names]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise FormatError(f"no ALTERNATIVE NAME for alternative {shown}",
                          line=header_lines["NUMBER ALTERNATIVES"])

    candidates = {str(i): names[i] for i in range(1, alternatives + 1)}
    single = {cid: frozenset((cid,)) for cid in candidates}
    lookup = single.__getitem__
    ballots: list[WeightedBallot] = []
    voters = 0
    for number, line in data:
        count_text, colon, ranking_text = line.partition(":")
        if not colon:
            raise FormatError(f"expected '<count>: <ranking>', got {line!r}", line=number)
        count_text = count_text.strip()
        if not (count_text.isascii() and count_text.isdigit()):
            raise FormatError(f"the count {count_text!r} is not a whole number", line=number)
        count = int(count_text)
        if count < 1:
            raise FormatError("the count must be at least 1", line=number)
        ranking_text = ranking_text.strip()
        ranking: Ranking | None = None
        if "{" not in ranking_text and "}" not in ranking_text:  # fast path: "12,6,4"
            parts = ranking_text.split(",") if ranking_text else []
            try:
                ranking = tuple(map(lookup, parts))
            except KeyError:
                ranking = None  # spaces, unknown numbers, empty entries: the careful path says which
            if ranking is not None and len(set(parts)) != len(parts):
                ranking = None
            if ranking is not None and data_type == "soc" and len(ranking) != alternatives:
                raise FormatError(_incomplete(len(ranking), alternatives), line=number)
        if ranking is None:
            ranking = _parse_ranking(ranking_text, alternatives, number)
            if data_type != "toi":
                for rank in ranking:
                    if len(rank) > 1:
                        tied = ",".join(sorted(rank, key=int))
                        raise FormatError(f"tied alternatives {{{tied}}} in a {data_type} file "
                                          "(only toi allows ties)", line=number)
            if data_type == "soc" and len(ranking) != alternatives:
                raise FormatError(_incomplete(len(ranking), alternatives), line=number)
        ballots.append(WeightedBallot(ranking, count))
        voters += count

    if expected_voters is not None and voters != expected_voters:
        raise FormatError(f"the counts add up to {voters} voters but NUMBER VOTERS is {expected_voters}",
                          line=header_lines["NUMBER VOTERS"])
    if expected_orders is not None and len(data) != expected_orders:
        raise FormatError(f"{len(data)} ballot lines but NUMBER UNIQUE ORDERS is {expected_orders}",
                          line=header_lines["NUMBER UNIQUE ORDERS"])
    return RankedElection(candidates=candidates, ballots=tuple(ballots), metadata=metadata)


def _incomplete(ranked: int, alternatives: int) -> str:
    return (f"incomplete order in a soc file: {ranked} of {alternatives} alternatives ranked "
            "(soc orders rank every alternative; use soi)")


def _alternative(token: str, alternatives: int, line: int) -> str:
    token = token.strip()
    if not token:
        raise FormatError("empty entry in the ranking (two commas in a row, or a comma at an end)", line=line)
    if not (token.isascii() and token.isdigit()):
        raise FormatError(f"{token!r} is not an alternative number", line=line)
    value = int(token)
    if not 1 <= value <= alternatives:
        raise FormatError(f"unknown alternative {value} (NUMBER ALTERNATIVES is {alternatives})", line=line)
    return str(value)


def _parse_ranking(text: str, alternatives: int, line: int) -> Ranking:
    """The slow, careful path: spaces, braces, and every kind of mistake, each with its own message."""
    ranks: list[frozenset[str]] = []
    seen: set[str] = set()

    def add(group: list[str]) -> None:
        for cid in group:
            if cid in seen:
                raise FormatError(f"alternative {cid} appears more than once in this ballot", line=line)
            seen.add(cid)
        ranks.append(frozenset(group))

    if not text:
        return ()
    group: list[str] | None = None  # inside braces
    token = ""
    closed = False  # just after "}": only "," or the end may follow
    for char in text + ",":
        if char == "{":
            if group is not None:
                raise FormatError("unbalanced braces: '{' inside '{...}'", line=line)
            if token.strip() or closed:
                raise FormatError("missing comma before '{'", line=line)
            group, token = [], ""
        elif char == "}":
            if group is None:
                raise FormatError("unbalanced braces: '}' without '{'", line=line)
            group.append(_alternative(token, alternatives, line))
            if len(set(group)) != len(group):
                raise FormatError(f"alternative {group[-1]} appears more than once in this ballot", line=line)
            add(group)
            group, token, closed = None, "", True
        elif char == ",":
            if group is not None:
                group.append(_alternative(token, alternatives, line))
            elif closed:
                if token.strip():
                    raise FormatError("missing comma after '}'", line=line)
                closed = False
            else:
                add([_alternative(token, alternatives, line)])
            token = ""
        else:
            token += char
    if group is not None:
        raise FormatError("unbalanced braces: '{' is never closed", line=line)
    return tuple(ranks)


# --- writing ---------------------------------------------------------------------------------------


def preflib_data_type(election: RankedElection) -> str:
    """The narrowest type that holds the ballots: toi if any tie, soc if all complete, else soi."""
    if any(len(rank) > 1 for ballot in election.ballots for rank in ballot.ranking):
        return "toi"
    size = len(election.candidates)
    if election.ballots and all(len(ballot.ranking) == size for ballot in election.ballots):
        return "soc"
    return "soi"


def _numbering(election: RankedElection) -> dict[str, str]:
    """Candidate id -> PrefLib alternative number: the ids themselves if they are "1".."n"."""
    ids = list(election.candidates)
    if set(ids) == {str(i) for i in range(1, len(ids) + 1)}:
        return {cid: cid for cid in ids}
    return {cid: str(i) for i, cid in enumerate(ids, start=1)}


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{what} must fit on one line: {value!r}")
    return value


def preflib_text(election: RankedElection, data_type: str | None = None) -> str:
    """The PrefLib file for `election` as a string (LF line ends, final newline)."""
    inferred = preflib_data_type(election)
    if data_type is None:
        data_type = inferred
    if data_type not in DATA_TYPES:
        raise ValueError(f"data_type must be one of {', '.join(DATA_TYPES)}, got {data_type!r}")
    if data_type != "toi" and inferred == "toi":
        raise ValueError(f"the ballots have tied ranks, which a {data_type} file cannot hold (use toi)")
    if data_type == "soc" and inferred != "soc":
        raise ValueError("not every ballot ranks every candidate, which a soc file requires (use soi)")

    number = _numbering(election)
    lines = []
    placed = False
    for key, value in election.metadata.items():
        if key in COMPUTED or key.startswith(NAME_PREFIX) or not key.strip() or ":" in key or "\n" in key:
            raise ValueError(f"metadata key {key!r} cannot be written (reserved or not a PrefLib key)")
        if not placed and key not in BEFORE_DATA_TYPE:
            lines.append(f"# DATA TYPE: {data_type}")
            placed = True
        lines.append(f"# {key}: {_one_line(value, key)}")
    if not placed:
        lines.append(f"# DATA TYPE: {data_type}")
    lines.append(f"# NUMBER ALTERNATIVES: {len(election.candidates)}")
    lines.append(f"# NUMBER VOTERS: {election.num_voters}")
    lines.append(f"# NUMBER UNIQUE ORDERS: {len(election.ballots)}")
    names = {int(number[cid]): name for cid, name in election.candidates.items()}
    for alternative in sorted(names):
        lines.append(f"# {NAME_PREFIX}{alternative}: {_one_line(names[alternative], 'a candidate name')}")
    for ranking, count in election.ballots:
        lines.append(f"{count}: {','.join(_rank_text(rank, number) for rank in ranking)}")
    return "\n".join(lines) + "\n"


def _rank_text(rank: Iterable[str], number: dict[str, str]) -> str:
    numbers = sorted((number[cid] for cid in rank), key=int)
    return numbers[0] if len(numbers) == 1 else "{" + ",".join(numbers) + "}"


def write_preflib(election: RankedElection, target: str | os.PathLike | TextIO,
                  data_type: str | None = None) -> None:
    """Write `election` as a PrefLib file to a path or an open text file (see `preflib_text`)."""
    text = preflib_text(election, data_type)
    if isinstance(target, (str, os.PathLike)):
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    elif isinstance(target, io.TextIOBase) or hasattr(target, "write"):
        target.write(text)
    else:
        raise TypeError(f"cannot write to {target!r}")
