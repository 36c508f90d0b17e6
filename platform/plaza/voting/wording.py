"""Plain words for residents: what they do on each kind of ballot, and how each counting rule decides, in a
sentence or two (the technical names in `plaza.voting.forms.RULE_NAMES` stay for experts and organisers)."""

from flask_babel import lazy_gettext as _l

from plaza.voting.models import Ballot, BallotKind, BudgetInput, CountingRule

TASKS = {
    BallotKind.REFERENDUM: _l("Answer yes or no, or abstain"),
    BallotKind.SINGLE: _l("Choose one answer"),
    BallotKind.APPROVAL: _l("Choose the options you approve of"),
    BallotKind.SCORE: _l("Give each option a score"),
    BallotKind.RANKED: _l("Put the options in your order of preference"),
    BudgetInput.APPROVAL: _l("Choose the projects you want, within the budget"),
    BudgetInput.CUMULATIVE: _l("Spread your points over the projects"),
    BudgetInput.RANKED: _l("Put the projects in your order of preference"),
}

# (short plain name, how it decides) for each counting rule.
_EQUAL_SHARES = _l("Each voter gets an equal share of the budget, and projects are paid for by the voters who "
                   "chose them. A project is funded when its supporters together have enough money for it, so "
                   "every group of residents gets projects in proportion to its size, not only the largest group.")
_MONEY_LEFT = _l("Money left over then goes to the projects with the most votes that still fit.")
METHODS = {
    CountingRule.MAJORITY: (_l("Majority"), _l("The answer wins if more people vote yes than no. Abstentions are "
                                               "counted but do not decide.")),
    CountingRule.PLURALITY: (_l("Most votes"), _l("The option with the most votes wins.")),
    CountingRule.APPROVAL: (_l("Most approvals"), _l("The options chosen by the most voters win.")),
    CountingRule.SCORE: (_l("Highest total score"), _l("Each option's scores are added up; the highest totals "
                                                       "win.")),
    CountingRule.IRV: (_l("Ranked choice, one winner"),
                       _l("First choices are counted. While no option has more than half, the option with the "
                          "fewest is dropped and its votes go to each voter's next choice.")),
    CountingRule.STV: (_l("Ranked choice, several winners"),
                       _l("An option that gets enough votes wins a seat; votes it does not need, and votes for "
                          "options dropped for having the fewest, go to each voter's next choice.")),
    CountingRule.GREEDY: (_l("Most votes first"),
                          _l("Projects with the most votes are funded first, until the money runs out. A project "
                             "that no longer fits is skipped and the next one is tried.")),
    CountingRule.MES: (_l("Equal shares"), _EQUAL_SHARES),
    CountingRule.MES_ADD1: (_l("Equal shares"), _EQUAL_SHARES),
    CountingRule.MES_ADD1_GREEDY: (_l("Equal shares, then most votes"), _EQUAL_SHARES),
}
_COMPLETED = {CountingRule.MES_ADD1_GREEDY}


def task(ballot: Ballot) -> str:
    return str(TASKS[ballot.budget_input if ballot.kind is BallotKind.BUDGET else ballot.kind])


def method_name(ballot: Ballot) -> str:
    return str(METHODS[ballot.rule][0])


def method_explanation(ballot: Ballot) -> list[str]:
    """The paragraphs under "How are votes counted?"."""
    paragraphs = [str(METHODS[ballot.rule][1])]
    if ballot.rule in _COMPLETED:
        paragraphs.append(str(_MONEY_LEFT))
    return paragraphs
