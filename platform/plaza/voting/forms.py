from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from plaza.numbers import whole_number
from plaza.voting.models import METHODS, BallotKind, BudgetInput
from plaza.web.fields import WholeNumberField

MAX_AMOUNT = 1_000_000_000  # a budget or a project's cost, in whole units of money
MAX_OPTIONS = 1000

KIND_NAMES = {
    BallotKind.REFERENDUM: _l("Referendum: yes, no or abstain"),
    BallotKind.SINGLE: _l("Single choice"),
    BallotKind.APPROVAL: _l("Approval: choose several options"),
    BallotKind.SCORE: _l("Score: give each option points"),
    BallotKind.RANKED: _l("Ranked choice: put options in order"),
    BallotKind.BUDGET: _l("Participatory budget: projects with costs"),
}
METHOD_NAMES = {
    "majority": _l("Majority of yes and no votes"),
    "plurality": _l("Most votes"),
    "approval": _l("Most approvals"),
    "score": _l("Highest total score"),
    "irv": _l("Instant-runoff voting (one winner)"),
    "stv": _l("Single transferable vote (several winners)"),
    "greedy": _l("Most votes first, while money lasts (greedy)"),
    "mes": _l("Method of Equal Shares, without completion"),
    "mes-add1": _l("Method of Equal Shares with Add1 completion"),
    "mes-add1-greedy": _l("Method of Equal Shares with Add1, then greedy"),
}
BUDGET_INPUT_NAMES = {
    BudgetInput.APPROVAL: _l("Choose projects within the budget"),
    BudgetInput.CUMULATIVE: _l("Spread points over projects"),
    BudgetInput.RANKED: _l("Put projects in order of preference"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def read_option_lines(text: str, with_costs: bool) -> list[dict]:
    """One option per line; on budget ballots "Project name | cost". Raises ValueError with a message."""
    options = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, separator, cost_text = line.rpartition("|") if with_costs else (line, "", "")
        if with_costs:
            if not separator:
                raise ValueError(_l("Line %(num)d: write the project, a bar and its cost, like "
                                    "“Bench by the river | 4500”.", num=number))
            cost = whole_number(cost_text.strip().replace(",", "").replace(" ", ""))
            if cost is None or not 1 <= cost <= MAX_AMOUNT:
                raise ValueError(_l("Line %(num)d: the cost must be a whole number from 1 to %(max)d.",
                                    num=number, max=MAX_AMOUNT))
        label = label.strip()
        if len(label) > 200:
            raise ValueError(_l("Line %(num)d: an option's name can be at most 200 characters.", num=number))
        options.append({"label": label, **({"cost": cost} if with_costs else {})})
    return options


class BallotForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[InputRequired(message=_l("Enter a title for the ballot.")), Length(max=200)])
    description = TextAreaField(_l("What residents decide"), filters=[_strip], validators=[Length(max=5000)])
    kind = SelectField(_l("Kind of ballot"), choices=[(kind.value, name) for kind, name in KIND_NAMES.items()])
    method = SelectField(_l("Counting method"), choices=[(name, label) for name, label in METHOD_NAMES.items()],
                         description=_l("It must fit the kind of ballot: ranked ballots use instant-runoff or "
                                        "single transferable vote, budgets a budgeting method."))
    options = TextAreaField(
        _l("Options"), validators=[InputRequired(message=_l("Enter the options, one per line."))],
        description=_l("One per line, in the order the ballot shows them. On a participatory budget write "
                       "each project with a bar and its cost: “Bench by the river | 4500”. A referendum "
                       "gets yes, no and abstain by itself; write anything here."))
    seats = WholeNumberField(_l("Number of winners"), default=1, minimum=1, maximum=100)
    min_choices = WholeNumberField(_l("Fewest choices (approval)"), default=1, minimum=0, maximum=MAX_OPTIONS)
    max_choices = WholeNumberField(_l("Most choices (approval)"), validators=[Optional()], minimum=1,
                                   maximum=MAX_OPTIONS, description=_l("Leave empty for no limit."))
    max_score = WholeNumberField(_l("Highest score (score ballots)"), default=5, minimum=1, maximum=100)
    budget = WholeNumberField(_l("Budget (participatory budget)"), validators=[Optional()], minimum=1,
                              maximum=MAX_AMOUNT)
    budget_input = SelectField(_l("How residents choose projects"),
                               choices=[(item.value, name) for item, name in BUDGET_INPUT_NAMES.items()])
    points = WholeNumberField(_l("Points each voter spreads"), validators=[Optional()], minimum=1, maximum=1000)
    min_age = WholeNumberField(_l("Minimum age to vote"), validators=[Optional()], minimum=0, maximum=120,
                               description=_l("Leave empty if there is none. Nationality never matters."))
    district = SelectField(_l("Only residents of"), coerce=int)
    submit = SubmitField(_l("Save as a draft"))

    def validate_method(self, field):
        if field.data not in METHODS[BallotKind(self.kind.data)]:
            raise ValidationError(_l("This counting method does not fit this kind of ballot."))

    def validate_options(self, field):
        if self.kind.data == BallotKind.REFERENDUM.value:
            return
        try:
            self.parsed_options = read_option_lines(field.data, self.kind.data == BallotKind.BUDGET.value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the choices travel as plain fields the ballot reads itself."""

    submit = SubmitField(_l("Confirm"))


class ReceiptForm(FlaskForm):
    code = StringField(_l("Receipt code"), filters=[_strip],
                       validators=[InputRequired(message=_l("Enter the receipt code you were given."))],
                       description=_l("20 letters and digits in groups of four, like 7K2D-QX9M-4TPA-HV3C-8NWE."))
    submit = SubmitField(_l("Check my vote"))


class EligibilityForm(FlaskForm):
    district = SelectField(_l("Where you live"), coerce=int,
                           description=_l("Some votes are only for residents of one district."))
    birth_date = DateField(_l("Date of birth"), validators=[Optional()],
                           description=_l("Some votes have a minimum age. For example, 2009-03-27."))
    submit = SubmitField(_l("Save"))

    def validate_birth_date(self, field):
        from plaza.clock import utcnow

        if field.data and not (field.data.year >= 1900 and field.data <= utcnow().date()):
            raise ValidationError(_l("Enter a real date of birth, in the past."))
