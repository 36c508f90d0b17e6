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

from plaza.voting.formats.pabulib.reader import read_pabulib
from plaza.voting.formats.pabulib.writer import pabulib_text, write_pabulib
from plaza.voting.methods.budgeting import PBBallot, PBElection
from plaza.voting.methods.result import FormatError

__all__ = ["FormatError", "PBBallot", "PBElection", "pabulib_text", "read_pabulib", "write_pabulib"]
