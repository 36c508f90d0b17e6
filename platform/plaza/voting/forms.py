from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from plaza.numbers import whole_number
from plaza.voting.models import BallotKind, BudgetInput, CountingRule
from plaza.web.fields import WholeNumberField, strip_text

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
# Translated names of the counting rules (declared in `plaza.voting.methods.rules`), in the order the form lists them.
RULE_NAMES = {
    CountingRule.MAJORITY: _l("Majority of yes and no votes"),
    CountingRule.PLURALITY: _l("Most votes"),
    CountingRule.APPROVAL: _l("Most approvals"),
    CountingRule.SCORE: _l("Highest total score"),
    CountingRule.IRV: _l("Instant-runoff voting (one winner)"),
    CountingRule.STV: _l("Single transferable vote (several winners)"),
    CountingRule.GREEDY: _l("Most votes first, while money lasts (greedy)"),
    CountingRule.MES: _l("Method of Equal Shares, without completion"),
    CountingRule.MES_ADD1: _l("Method of Equal Shares with Add1 completion"),
    CountingRule.MES_ADD1_GREEDY: _l("Method of Equal Shares with Add1, then greedy"),
}
METHOD_NAMES = {rule.value: name for rule, name in RULE_NAMES.items()}  # by `Ballot.method`
BUDGET_INPUT_NAMES = {
    BudgetInput.APPROVAL: _l("Choose projects within the budget"),
    BudgetInput.CUMULATIVE: _l("Spread points over projects"),
    BudgetInput.RANKED: _l("Put projects in order of preference"),
}


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
    title = StringField(_l("Title"), filters=[strip_text],
                        validators=[InputRequired(message=_l("Enter a title for the ballot.")), Length(max=200)])
    description = TextAreaField(_l("What residents decide"), filters=[strip_text], validators=[Length(max=5000)])
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
        if field.data not in {rule.value for rule in CountingRule.for_kind(BallotKind(self.kind.data))}:
            raise ValidationError(_l("This counting method does not fit this kind of ballot."))

    def validate_options(self, field):
        if self.kind.data == BallotKind.REFERENDUM.value:
            return
        try:
            self.parsed_options = read_option_lines(field.data, self.kind.data == BallotKind.BUDGET.value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ProjectForm(FlaskForm):
    """What residents see of one budget project beyond its name and cost."""

    description = TextAreaField(_l("Description"), filters=[strip_text], validators=[Length(max=2000)],
                                description=_l("A few plain sentences: what will be built or done, and where."))
    district = SelectField(_l("District"), coerce=int)
    picture = FileField(_l("Picture (optional)"), description=_l("A PNG or JPEG file, at most 2 MB."))
    picture_alt = StringField(_l("What the picture shows"), filters=[strip_text], validators=[Length(max=300)],
                              description=_l("Needed with a picture: people who cannot see it hear or read "
                                             "this instead, like “A wooden ramp with a handrail down to the "
                                             "river path”."))
    remove_picture = BooleanField(_l("Remove the picture"))
    submit = SubmitField(_l("Save the project"))

    def validate_picture_alt(self, field):
        has_picture = bool(self.picture.data and getattr(self.picture.data, "filename", ""))
        if has_picture and not field.data:
            raise ValidationError(_l("Describe what the picture shows, for people who cannot see it."))


class ReceiptForm(FlaskForm):
    code = StringField(_l("Receipt code"), filters=[strip_text],
                       validators=[InputRequired(message=_l("Enter the receipt code you were given."))],
                       description=_l("20 letters and digits in groups of four, like 7K2D-QX9M-4TPA-HV3C-8NWE."))
    submit = SubmitField(_l("Check my vote"))
