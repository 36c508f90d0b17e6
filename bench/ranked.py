"""Is Plaza's ranked-choice count right, and faster than the Python reference libraries?

Reads the PrefLib elections in the shared data folder (`preflib/*/*.soi|.toi`, each with its
`.expected.json`) and counts each one with Plaza's IRV and STV (`plaza.voting.methods.ranked`) and, in
the same run, with the reference libraries that are installed:

    pyrcv 1.2.6         run_rcv(RaceData(...), RoundMode.ADD_ONE_FLOOR)          IRV (1 seat) and STV
    pref_voting 1.18.2  instant_runoff(ProfileWithTies)                            IRV
                        stv_scottish(profile, num_seats=seats, rng=random.Random(0))   STV
    votekit 3.5.0       IRV(profile, rng_seed=0), STV(profile, n_seats=seats,      only with --votekit
                        transfer=fractional_transfer, quota="droop", simultaneous=True, rng_seed=0)

These are the calls that produced the `by_library` results in the expected JSON files (see the data
folder's README). Every library gets the same ballots (tied ranks read as overvotes: a ballot counts up
to the rank before its first tie; empty ballots dropped), built *before* the clock starts, so the times
compare counting with counting. Plaza's time is `irv(election)` / `stv(election, seats)` on the
`RankedElection` that `read_preflib` returned; the time to read the file is shown on its own. Every
count (Plaza's and the references') is timed the same way: in batches of at least 20 ms (a small
election takes microseconds), garbage collector off, the fastest of --repeat batches kept.

It checks that every library's winners equal Plaza's and the expected JSON, and prints per file the
times and the speed-up of Plaza over the FASTEST reference. Target: STV at least 3x faster than the
fastest reference on every file (a missed target is printed as MISSED). Exit status: 0 winners agree,
1 a winner differs, 2 the data or every reference library is missing.

    .venv/bin/python bench/ranked.py             # all 8 files, 3 timed runs of each count (~2 min)
    .venv/bin/python bench/ranked.py --quick     # CI: SF mayor, Dublin North, Minneapolis, 2 runs (~30 s)
    .venv/bin/python bench/ranked.py --votekit --repeat 1   # also votekit, the primary reference (+~5 min)

The data folder is $PLAZA_SHARED_DATA, else ../shared/data next to the repository. Install the
references with `pip install -e '.[bench]'` (pyrcv==1.2.6, pref_voting==1.18.2, votekit==3.5.0).
"""

import argparse
import gc
import importlib.util
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
if str(REPOSITORY_ROOT / "platform") not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT / "platform"))  # works without `pip install -e .` too

from plaza.voting.formats.preflib import read_preflib  # noqa: E402
from plaza.voting.methods.ranked import RankedElection, irv, strict_prefix, stv  # noqa: E402

TARGET_RATIO = 3.0
MIN_BATCH = 0.02  # seconds: shorter counts are repeated in a batch at least this long
# SF mayor 2011 (largest), Dublin North 2002, Minneapolis 2009
QUICK_FILES = ("00021-00000011.toi", "00001-00000001.soi", "00018-00000002.soi")
INSTALL_HINT = "pip install -e '.[bench]'   (or: pip install pyrcv==1.2.6 pref_voting==1.18.2 votekit==3.5.0)"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def best_time(run: Callable[[], object], repeat: int, before: Callable[[], None] | None = None):
    """Seconds per call, the fastest of `repeat` batches, and the result of the last call.

    A batch repeats the call until it lasts at least MIN_BATCH seconds (a single call of a small election
    takes microseconds, too short to time alone); the garbage collector is off during a batch. `before`
    runs (untimed) before each batch.
    """

    def batch(number: int):
        if before is not None:
            before()
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            for _ in range(number):
                result = run()
            return time.perf_counter() - started, result
        finally:
            gc.enable()

    number = 1
    elapsed, result = batch(number)
    while elapsed < MIN_BATCH:  # calibrate; these short batches are not kept
        number = max(2 * number, int(1.2 * MIN_BATCH * number / max(elapsed, 1e-7)))
        elapsed, result = batch(number)
    best = elapsed / number
    for _ in range(repeat - 1):
        elapsed, result = batch(number)
        best = min(best, elapsed / number)
    return best, result


# --- the references ------------------------------------------------------------------------------
# Each adapter builds its library's input from the counted ballots (untimed) and returns callables that
# count (timed) and give the winners as a sorted list of PrefLib numbers.

Ballots = list[tuple[list[int], int]]  # (ranking as PrefLib numbers, count), non-empty, ties truncated


@dataclass
class Reference:
    name: str
    module: str
    rules: tuple[str, ...]

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


REFERENCES = (
    Reference("pyrcv", "pyrcv", ("irv", "stv")),
    Reference("pref_voting", "pref_voting", ("irv", "stv")),
    Reference("votekit", "votekit", ("irv", "stv")),
)


def pyrcv_counters(ballots: Ballots, alternatives: int, seats: int):
    import numpy as np
    from pyrcv import RaceData, RaceMetadata, RoundMode, run_rcv

    names = [str(i) for i in range(1, alternatives + 1)]
    rankings, votes = [b for b, _ in ballots], [c for _, c in ballots]

    def counter(winners_wanted: int):
        race = RaceData(RaceMetadata("bench", winners_wanted, names), rankings, votes)
        return (lambda: run_rcv(race, RoundMode.ADD_ONE_FLOOR),
                lambda result: sorted(int(c) for r in result.rounds for c in r.elected),
                lambda: np.random.seed(0))  # its ties for last place are drawn with numpy's global RNG

    return {"irv": counter(1), "stv": counter(seats)}


def pref_voting_counters(ballots: Ballots, alternatives: int, seats: int):
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_scottish

    profile = ProfileWithTies([{c: rank for rank, c in enumerate(b, start=1)} for b, _ in ballots],
                              rcounts=[c for _, c in ballots], candidates=list(range(1, alternatives + 1)))
    return {
        "irv": (lambda: instant_runoff(profile), lambda winners: sorted(int(c) for c in winners), None),
        "stv": (lambda: stv_scottish(profile, num_seats=seats, rng=random.Random(0)),
                lambda winners: sorted(int(c) for c in winners), None),
    }


def votekit_counters(ballots: Ballots, alternatives: int, seats: int):
    from votekit.ballot import RankBallot
    from votekit.elections import IRV, STV
    from votekit.elections.transfers import fractional_transfer
    from votekit.pref_profile import RankProfile

    profile = RankProfile(
        ballots=[RankBallot(ranking=tuple(frozenset({str(c)}) for c in b), weight=count)
                 for b, count in ballots],
        candidates=[str(i) for i in range(1, alternatives + 1)])

    def winners(election) -> list[int]:
        return sorted(int(c) for group in election.get_elected() for c in group)

    return {
        "irv": (lambda: IRV(profile, rng_seed=0), winners, None),
        "stv": (lambda: STV(profile, n_seats=seats, transfer=fractional_transfer, quota="droop",
                            simultaneous=True, rng_seed=0), winners, None),
    }


ADAPTERS = {"pyrcv": pyrcv_counters, "pref_voting": pref_voting_counters, "votekit": votekit_counters}


# --- one file ------------------------------------------------------------------------------------


@dataclass
class FileRun:
    path: Path
    expected: dict
    election: RankedElection | None = None
    read_seconds: float = 0.0
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)  # (rule, library) -> s
    winners: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def seats(self) -> int:
        return int(self.expected["seats"])

    def expected_winners(self, rule: str) -> list[int]:
        return [int(self.expected["irv_winner"])] if rule == "irv" else sorted(self.expected["stv_winners"])

    def fastest_reference(self, rule: str) -> tuple[str, float] | None:
        times = [(s, lib) for (r, lib), s in self.seconds.items() if r == rule and lib != "plaza"]
        if not times:
            return None
        seconds, library = min(times)
        return library, seconds

    def ratio(self, rule: str) -> float | None:
        fastest = self.fastest_reference(rule)
        return fastest[1] / self.seconds[(rule, "plaza")] if fastest else None


def counted_ballots(election: RankedElection) -> Ballots:
    """The ballots every library gets: PrefLib numbers, ties truncated (overvote rule), empty ones dropped."""
    ballots = [(list(map(int, strict_prefix(ranking))), count) for ranking, count in election.ballots]
    return [(ranking, count) for ranking, count in ballots if ranking]


def run_file(run: FileRun, libraries: list[str], repeat: int) -> None:
    run.read_seconds, run.election = best_time(lambda: read_preflib(run.path), repeat)
    election = run.election
    plaza = {"irv": lambda: irv(election), "stv": lambda: stv(election, run.seats)}
    for rule, count in plaza.items():
        seconds, result = best_time(count, repeat)
        run.seconds[(rule, "plaza")] = seconds
        run.winners[(rule, "plaza")] = sorted(int(w) for w in result.winners)
    ballots = counted_ballots(election)
    for library in libraries:
        counters = ADAPTERS[library](ballots, len(election.candidates), run.seats)
        for rule, (count, winners_of, before) in counters.items():
            seconds, result = best_time(count, repeat, before)
            run.seconds[(rule, library)] = seconds
            run.winners[(rule, library)] = winners_of(result)
    for rule in ("irv", "stv"):
        expected = run.expected_winners(rule)
        for (r, library), winners in run.winners.items():
            if r == rule and winners != expected:
                run.problems.append(f"{run.path.name}: {rule.upper()} winners by {library} {winners} "
                                    f"differ from the expected {expected}")


def warm_up(libraries: list[str]) -> None:
    """One tiny count per library, so that no first-call cost (imports, caches) lands in a timing."""
    election = RankedElection({"1": "A", "2": "B", "3": "C"},
                              [(("1", "2"), 3), (("2", "3"), 2), (("3", "1"), 2), (("2",), 1)])
    irv(election)
    stv(election, 2)
    for library in libraries:
        for count, _winners, before in ADAPTERS[library](counted_ballots(election), 3, 2).values():
            if before:
                before()
            count()


# --- report --------------------------------------------------------------------------------------


def seconds_text(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"


def report(runs: list[FileRun], libraries: list[str]) -> list[str]:
    """Print the tables; return the files that miss the STV target."""
    missed = []
    for rule in ("stv", "irv"):
        print()
        title = ("STV (Droop quota, fractional transfer)" if rule == "stv" else "IRV (single seat)")
        print(f"{title}: fastest of the repeated runs; ratio = fastest reference / Plaza"
              + (f", target >= {TARGET_RATIO:.0f}x" if rule == "stv" else ""))
        columns = ["plaza", *libraries]
        header = (f"{'file':<22}{'voters':>8}{'seats':>6}" + "".join(f"{name:>13}" for name in columns)
                  + f"{'ratio':>9}{'read+count':>12}  winners")
        print(header)
        print("-" * len(header))
        for run in runs:
            seats = run.seats if rule == "stv" else 1
            times = "".join(f"{seconds_text(run.seconds.get((rule, name))):>13}" for name in columns)
            ratio = run.ratio(rule)
            fastest = run.fastest_reference(rule)
            with_read = (fastest[1] / (run.seconds[(rule, 'plaza')] + run.read_seconds)) if fastest else None
            verdict = ""
            if rule == "stv" and ratio is not None:
                verdict = "  OK" if ratio >= TARGET_RATIO else "  MISSED"
                if ratio < TARGET_RATIO:
                    missed.append(run.path.name)
            winners = ",".join(map(str, run.winners[(rule, "plaza")]))
            differs = any(p.startswith(f"{run.path.name}: {rule.upper()}") for p in run.problems)
            agree = "DIFFER" if differs else "same"
            print(f"{run.path.name:<22}{run.election.num_voters:>8,}{seats:>6}{times}"
                  f"{(f'{ratio:.1f}x' if ratio else '-'):>9}{(f'{with_read:.1f}x' if with_read else '-'):>12}"
                  f"  {winners} ({agree}){verdict}")
    print()
    print("read s per file (read_preflib, fastest run): "
          + ", ".join(f"{run.path.name} {seconds_text(run.read_seconds)}" for run in runs))
    print("ratio: fastest reference / Plaza count; read+count: the same with Plaza's file reading added.")
    return missed


def data_folder(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    configured = os.environ.get("PLAZA_SHARED_DATA")
    return Path(configured) if configured else REPOSITORY_ROOT.parent / "shared" / "data"


def election_files(folder: Path, quick: bool) -> list[Path]:
    files = sorted(p for p in (folder / "preflib").glob("*/*") if p.suffix in (".soi", ".toi", ".soc")
                   and p.with_name(p.name + ".expected.json").is_file())
    if quick:
        files = [p for p in files if p.name in QUICK_FILES]
    return files


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Count the PrefLib elections of the shared data folder with Plaza's IRV and STV and "
                    "with pyrcv / pref_voting (and votekit with --votekit) in the same run; check identical "
                    "winners; report the speed-up over the fastest reference "
                    f"(STV target >= {TARGET_RATIO:.0f}x).",
        epilog="Exit status 0: all winners agree (a missed speed target is printed, not an error); 1: a winner "
               "differs; 2: no data or no reference library. Data: --data, else "
               f"$PLAZA_SHARED_DATA, else ../shared/data. References: {INSTALL_HINT}")
    parser.add_argument("--quick", action="store_true",
                        help=f"CI run: 3 of the largest elections ({', '.join(QUICK_FILES)}), 2 timed runs")
    parser.add_argument("--votekit", action="store_true", help="also run votekit (the slowest reference)")
    parser.add_argument("--repeat", type=int,
                        help="timed runs of every count, Plaza's and the references', fastest kept "
                             "(default 3; quick 2)")
    parser.add_argument("--data", help="the shared data folder (holding preflib/)")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 2 if args.quick else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    folder = data_folder(args.data)
    files = election_files(folder, args.quick) if folder.is_dir() else []
    if not files:
        print(f"No PrefLib elections with .expected.json found under {folder / 'preflib'}. Set "
              "PLAZA_SHARED_DATA (or --data) to the folder holding preflib/ (see ../shared/data/README.md).",
              file=sys.stderr)
        return 2
    wanted = [r for r in REFERENCES if r.name != "votekit" or args.votekit]
    libraries = [r.name for r in wanted if r.available()]
    absent = [r.name for r in wanted if not r.available()]
    if absent:
        progress(f"not installed, skipped: {', '.join(absent)}. Install with: {INSTALL_HINT}")
    if not libraries:
        print(f"No reference library is installed, so there is nothing to compare with. {INSTALL_HINT}",
              file=sys.stderr)
        return 2
    progress(f"{len(files)} files from {folder / 'preflib'}; references: {', '.join(libraries)}; "
             f"every count timed in {args.repeat} batch(es) of at least {MIN_BATCH * 1000:.0f} ms, "
             "fastest kept")
    started = time.perf_counter()
    warm_up(libraries)
    runs = []
    for path in files:
        expected = json.loads(path.with_name(path.name + ".expected.json").read_text())
        run = FileRun(path=path, expected=expected)
        file_started = time.perf_counter()
        run_file(run, libraries, args.repeat)
        progress(f"{path.parent.name}/{path.name}: {run.election.num_voters:,} voters, "
                 f"{len(run.election.ballots):,} distinct orders, {run.seats} seats, "
                 f"{time.perf_counter() - file_started:.1f} s")
        runs.append(run)
    missed = report(runs, libraries)
    problems = [p for run in runs for p in run.problems]
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if problems:
        print("\nWINNERS DIFFER:\n  " + "\n  ".join(problems), file=sys.stderr)
    if missed:
        print(f"\nSTV TARGET MISSED (< {TARGET_RATIO:.0f}x the fastest reference): {', '.join(missed)}",
              file=sys.stderr)
    if problems:  # a wrong count is broken; a missed speed target is a report (see bench/README.md)
        return 1
    if missed:
        return 0
    print(f"All winners agree with every reference and the expected results; STV >= {TARGET_RATIO:.0f}x "
          "faster than the fastest reference on every file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
