"""`plaza-tally FILE --rule RULE`: count a Pabulib or PrefLib election file from the command line.

Pure: no Flask, no database, no configuration. Exit status 0 with the winners; 2 for a file or an option
that cannot be used (the message names the line of the file at fault).
"""

import argparse
import json
import sys
from pathlib import Path

from plaza.voting.methods.result import FormatError, Result

BUDGET_RULES = ("greedy", "mes", "mes-add1", "mes-add1-greedy")
RANKED_RULES = ("irv", "stv")
RANKED_SUFFIXES = (".soi", ".soc", ".toi")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="plaza-tally",
        description="Count an election file: participatory budgeting in Pabulib .pb format, or ranked "
                    "ballots in PrefLib .soi/.soc/.toi format. Prints the winners (ids as in the file), "
                    "one per line in the order the rule chose them.",
        epilog="Rules: greedy, mes, mes-add1, mes-add1-greedy for .pb files; irv, stv for PrefLib files. "
               "See README.md, 'Counting methods', for the exact variants and tie-breaking.")
    parser.add_argument("file", type=Path, help="a .pb, .soi, .soc or .toi file")
    parser.add_argument("--rule", required=True, choices=BUDGET_RULES + RANKED_RULES)
    parser.add_argument("--seats", type=int, metavar="N",
                        help="seats to fill (stv only; required there)")
    parser.add_argument("--json", action="store_true",
                        help='print {"rule": ..., "winners": [...], "rounds": [...]} instead of plain lines')
    return parser.parse_args(argv)


def count_file(path: Path, rule: str, seats: int | None = None) -> Result:
    """Read `path` and count it by `rule`; ValueError (or FormatError) with a clear message otherwise."""
    if path.suffix.lower() == ".pb":
        if rule not in BUDGET_RULES:
            raise ValueError(f"{rule} counts ranked ballots; for a .pb file use one of {', '.join(BUDGET_RULES)}")
        from plaza.voting.formats.pabulib import read_pabulib
        from plaza.voting.methods import budgeting, equal_shares

        election = read_pabulib(path)
        method = {"greedy": budgeting.greedy, "mes": equal_shares.mes, "mes-add1": equal_shares.mes_add1,
                  "mes-add1-greedy": equal_shares.mes_add1_greedy}[rule]
        return method(election)
    if path.suffix.lower() in RANKED_SUFFIXES:
        if rule not in RANKED_RULES:
            raise ValueError(f"{rule} is a budgeting rule; for a PrefLib file use irv or stv")
        from plaza.voting.formats.preflib import read_preflib
        from plaza.voting.methods import ranked

        election = read_preflib(path)
        if rule == "irv":
            if seats not in (None, 1):
                raise ValueError("irv elects one winner; use --rule stv for several seats")
            return ranked.irv(election)
        if seats is None or seats < 1:
            raise ValueError("stv needs --seats N (a whole number, at least 1)")
        if seats > len(election.candidates):
            raise ValueError(f"{seats} seats but only {len(election.candidates)} candidates")
        return ranked.stv(election, seats)
    raise ValueError(f"{path.name}: unknown kind of file; expected .pb, .soi, .soc or .toi")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    if args.seats is not None and args.rule in BUDGET_RULES:
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
