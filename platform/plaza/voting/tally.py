"""`plaza-tally FILE --rule RULE`: count a Pabulib or PrefLib election file from the command line.

Pure: no Flask, no database, no configuration. Exit status 0 with the winners; 2 for a file or an option
that cannot be used (the message names the line of the file at fault).
"""

import argparse
import gc
import json
import sys
from pathlib import Path

from plaza.voting.methods.result import FormatError, Result
from plaza.voting.methods.rules import BallotKind, CountingRule

BUDGET_RULES = tuple(rule.value for rule in CountingRule if rule.kind is BallotKind.BUDGET)
RANKED_RULES = tuple(rule.value for rule in CountingRule if rule.kind is BallotKind.RANKED)
FILE_RULES = BUDGET_RULES + RANKED_RULES  # the --rule choices: what a Pabulib or PrefLib file can be counted by
RANKED_SUFFIXES = (".soi", ".soc", ".toi")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="plaza-tally",
        description="Count an election file: participatory budgeting in Pabulib .pb format, or ranked "
                    "ballots in PrefLib .soi/.soc/.toi format. Prints the winners (ids as in the file), "
                    "one per line in the order the rule chose them.",
        epilog=f"Rules: {', '.join(BUDGET_RULES)} for .pb files; {', '.join(RANKED_RULES)} for PrefLib files. "
               "See README.md, 'Counting methods', for the exact variants and tie-breaking.")
    parser.add_argument("file", type=Path, help="a .pb, .soi, .soc or .toi file")
    parser.add_argument("--rule", required=True, choices=FILE_RULES)
    parser.add_argument("--seats", type=int, metavar="N",
                        help="seats to fill (stv only; required there)")
    parser.add_argument("--json", action="store_true",
                        help='print {"rule": ..., "winners": [...], "rounds": [...]} instead of plain lines')
    return parser.parse_args(argv)


def count_file(path: Path, rule_name: str, seats: int | None = None) -> Result:
    """Read `path` and count it by the rule named `rule_name`; ValueError (or FormatError) with a clear message
    otherwise."""
    rule = CountingRule(rule_name)
    if path.suffix.lower() == ".pb":
        if rule.kind is not BallotKind.BUDGET:
            raise ValueError(f"{rule.value} counts ranked ballots; for a .pb file use one of "
                             f"{', '.join(BUDGET_RULES)}")
        from plaza.voting.formats.pabulib import read_pabulib

        return rule.function(read_pabulib(path))
    if path.suffix.lower() in RANKED_SUFFIXES:
        if rule.kind is not BallotKind.RANKED:
            raise ValueError(f"{rule.value} is a budgeting rule; for a PrefLib file use {' or '.join(RANKED_RULES)}")
        from plaza.voting.formats.preflib import read_preflib

        election = read_preflib(path)
        if not rule.takes_seats:
            if seats not in (None, 1):
                raise ValueError(f"{rule.value} elects one winner; use --rule stv for several seats")
            return rule.function(election)
        if seats is None or seats < 1:
            raise ValueError(f"{rule.value} needs --seats N (a whole number, at least 1)")
        if seats > len(election.candidates):
            raise ValueError(f"{seats} seats but only {len(election.candidates)} candidates")
        return rule.function(election, seats)
    raise ValueError(f"{path.name}: unknown kind of file; expected .pb, .soi, .soc or .toi")


def main(argv: list[str] | None = None) -> int:
    collecting = gc.isenabled()
    gc.disable()  # a short run that builds many objects and leaves no cycles: the collector only costs time
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    if args.seats is not None and CountingRule(args.rule).kind is BallotKind.BUDGET:
        print("plaza-tally: --seats applies to stv only; a budget decides how many projects win",
              file=sys.stderr)
        return 2
    if not args.file.is_file():
        print(f"plaza-tally: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        result = count_file(args.file, args.rule, args.seats)
    except (FormatError, ValueError, UnicodeDecodeError) as error:
        print(f"plaza-tally: {args.file}: {error}", file=sys.stderr)
        return 2
    if args.json:
        document = result.as_json()
        print(json.dumps({"rule": document["rule"], "winners": document["winners"],
                          "rounds": document["rounds"]}, ensure_ascii=False, default=str))
    else:
        print("\n".join(result.winners))
    return 0


if __name__ == "__main__":
    sys.exit(main())
