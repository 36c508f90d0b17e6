"""`plaza-tally`, the console script setup.cfg installs, run as a real process on real election files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

TALLY = Path(sys.executable).with_name("plaza-tally")


def tally(*args: str) -> subprocess.CompletedProcess:
    if not TALLY.exists():
        pytest.fail(f"{TALLY} is missing: install Plaza with `pip install -e .` (make test does it)")
    return subprocess.run([str(TALLY), *map(str, args)], capture_output=True, text=True, timeout=120)


def expected(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".expected.json").read_text())


def test_help():
    result = tally("--help")
    assert result.returncode == 0 and "--rule" in result.stdout and "--seats" in result.stdout


def test_irv_and_stv_on_real_elections(shared_data):
    dublin_west = shared_data / "preflib" / "irish" / "00001-00000002.soi"
    reference = expected(dublin_west)
    irv = tally(dublin_west, "--rule", "irv")
    assert irv.returncode == 0, irv.stderr
    assert irv.stdout.split() == [str(reference["irv_winner"])]
    stv = tally(dublin_west, "--rule", "stv", "--seats", reference["seats"], "--json")
    assert stv.returncode == 0, stv.stderr
    document = json.loads(stv.stdout)
    assert set(document) == {"rule", "winners", "rounds"} and document["rule"] == "stv"
    assert sorted(map(int, document["winners"])) == reference["stv_winners"]
    assert document["rounds"] and all("kind" in step for step in document["rounds"])


def test_budget_rules_on_a_real_instance(shared_data):
    assen = shared_data / "pabulib" / "Netherlands_Assen_2024.pb"
    results = expected(assen)["results"]
    for rule, key in (("greedy", "greedy"), ("mes-add1", "mes_add1"), ("mes-add1-greedy", "mes_add1_greedy")):
        result = tally(assen, "--rule", rule)
        assert result.returncode == 0, result.stderr
        assert sorted(result.stdout.split()) == sorted(results[key]), rule


@pytest.mark.parametrize(("args", "message"), [
    (["stv"], "needs --seats"),
    (["irv", "--seats", "2"], "one winner"),
    (["stv", "--seats", "99"], "only 9 candidates"),
    (["greedy"], "budgeting rule"),
])
def test_wrong_rule_or_seats_for_a_ranked_file(shared_data, args, message):
    result = tally(shared_data / "preflib" / "irish" / "00001-00000002.soi", "--rule", *args)
    assert result.returncode == 2 and message in result.stderr


def test_bad_files(tmp_path, shared_data):
    assert "no such file" in tally(tmp_path / "missing.soi", "--rule", "irv").stderr
    other = tmp_path / "votes.csv"
    other.write_text("a,b\n")
    assert "unknown kind of file" in tally(other, "--rule", "irv").stderr
    broken = tmp_path / "broken.soi"
    broken.write_text("# NUMBER ALTERNATIVES: 2\n# NUMBER VOTERS: 3\n# NUMBER UNIQUE ORDERS: 1\n"
                      "# ALTERNATIVE NAME 1: Ana\n# ALTERNATIVE NAME 2: Bilal\n3: 1,7\n")
    result = tally(broken, "--rule", "irv")
    assert result.returncode == 2 and "line 6" in result.stderr, result.stderr
    assert tally(shared_data / "pabulib" / "Netherlands_Assen_2024.pb", "--rule", "irv").returncode == 2
    assert "--seats applies to stv only" in tally(shared_data / "pabulib" / "Netherlands_Assen_2024.pb",
                                                  "--rule", "greedy", "--seats", "2").stderr
