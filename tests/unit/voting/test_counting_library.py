"""Counting is a library of its own: one declaration of the rules, and no web stack behind its imports."""

import json
import subprocess
import sys

import pytest

from plaza.voting import counting, tally
from plaza.voting.forms import METHOD_NAMES, RULE_NAMES, BallotForm
from plaza.voting.methods.rules import BallotKind, CountingRule
from plaza.voting.models import METHODS

WEB_STACK = ("flask", "flask_babel", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "werkzeug", "alembic", "wtforms")
PURE_MODULES = ("plaza.voting.methods", "plaza.voting.methods.rules", "plaza.voting.methods.budgeting",
                "plaza.voting.methods.equal_shares", "plaza.voting.methods.ranked", "plaza.voting.methods.tallies",
                "plaza.voting.formats.pabulib", "plaza.voting.formats.preflib", "plaza.voting.tally",
                "plaza.voting.counting")


def test_counting_code_loads_no_web_stack():
    """Importing the counting code, and counting a ballot with every rule, loads neither Flask nor SQLAlchemy."""
    script = (
        "import json, sys\n"
        + "".join(f"import {module}\n" for module in PURE_MODULES)
        + "from plaza.voting.methods.rules import CountingRule\n"
        "[rule.function for rule in CountingRule]\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert not loaded & set(WEB_STACK), sorted(loaded & set(WEB_STACK))


def test_plaza_tally_process_loads_no_web_stack(shared_data):
    """The console script as it runs: the whole process, reading and counting a file."""
    path = shared_data / "pabulib" / "Netherlands_Assen_2024.pb"
    script = ("import json, sys\nfrom plaza.voting.tally import main\n"
              f"assert main([{str(path)!r}, '--rule', 'mes-add1-greedy']) == 0\n"
              "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert not loaded & set(WEB_STACK), sorted(loaded & set(WEB_STACK))


def test_every_rule_offered_is_declared_and_every_declared_rule_is_offered():
    declared = {rule.value for rule in CountingRule}
    # models: the methods each kind of ballot offers
    assert set(METHODS) == set(BallotKind)
    assert {name for names in METHODS.values() for name in names} == declared
    for kind, names in METHODS.items():
        assert names and names[0] == CountingRule.default(kind).value
        assert all(CountingRule(name).kind is kind for name in names)
    # forms: the choices and their translated names
    assert set(RULE_NAMES) == set(CountingRule)
    assert set(METHOD_NAMES) == declared
    choices = {value for value, _label in BallotForm.method.kwargs["choices"]}
    assert choices == declared
    # the command line: every rule that counts a file (budgets and rankings), and only those
    file_rules = {rule.value for rule in CountingRule if rule.kind in (BallotKind.BUDGET, BallotKind.RANKED)}
    assert set(tally.FILE_RULES) == file_rules
    for name in tally.FILE_RULES:
        assert tally._arguments(["election.pb", "--rule", name]).rule == name
    for name in declared - file_rules:
        with pytest.raises(SystemExit):
            tally._arguments(["election.pb", "--rule", name])
    # every rule runs a pure function
    assert all(callable(rule.function) for rule in CountingRule)


def test_count_refuses_a_rule_of_another_kind_of_ballot():
    spec = {"kind": "ranked", "method": "greedy", "seats": 1, "options": [{"id": 1}, {"id": 2}]}
    with pytest.raises(ValueError, match="does not count ranked ballots"):
        counting.count(spec, [[1, 2]])
    spec["method"] = "irv"
    assert counting.count(spec, [[1, 2], [2, 1], [1]]).winners == ["1"]
