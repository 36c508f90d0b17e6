"""What a filled-in ballot form means, checked against the ballot's rules.

Forms post plain fields, so every ballot works without JavaScript:
- one answer (referendum, single choice): `option` = an option id;
- several (approval, budget approval): `option` repeated;
- points (score, cumulative budget): `points-<option id>` = a whole number;
- an order (ranked, ranked budget): `rank-1`, `rank-2`, … = option ids, first choice first.

`read_choices` returns the choices in their canonical form (stored with the vote and published on the
bulletin board): a list of option ids for one answer, several or an order; a dict {option id: points}
(ids as text, zeros left out) for points. Anything else is refused with a message naming the field.
"""

from flask_babel import gettext as _
from flask_babel import ngettext

from plaza.errors import RuleBroken
from plaza.i18n import format_money
from plaza.numbers import whole_number
from plaza.voting.models import Ballot, BallotKind, BudgetInput


def shape(ballot: Ballot) -> str:
    """'one', 'several', 'points' or 'order': the form a ballot takes."""
    if ballot.kind in (BallotKind.REFERENDUM, BallotKind.SINGLE):
        return "one"
    if ballot.kind is BallotKind.APPROVAL or ballot.budget_input is BudgetInput.APPROVAL:
        return "several"
    if ballot.kind is BallotKind.SCORE or ballot.budget_input is BudgetInput.CUMULATIVE:
        return "points"
    return "order"


def _option_id(ballot: Ballot, raw: str | None, field: str) -> int:
    number = whole_number(raw)
    option = ballot.option(number) if number is not None else None
    if option is None:
        raise RuleBroken(_("This choice is not on the ballot."), field=field)
    return option.id


def read_choices(ballot: Ballot, form) -> list[int] | dict[str, int]:
    kind = shape(ballot)
    if kind == "one":
        values = [v for v in form.getlist("option") if v]
        if not values:
            raise RuleBroken(_("Choose one answer."), field="option")
        if len(values) > 1:
            raise RuleBroken(_("Choose only one answer."), field="option")
        return [_option_id(ballot, values[0], "option")]
    if kind == "several":
        chosen = sorted({_option_id(ballot, v, "option") for v in form.getlist("option") if v})
        _check_count(ballot, chosen)
        _check_cost(ballot, chosen)
        return chosen
    if kind == "points":
        return _read_points(ballot, form)
    return _read_order(ballot, form)


def _check_count(ballot: Ballot, chosen: list[int]) -> None:
    if ballot.kind is not BallotKind.APPROVAL:
        if not chosen:
            raise RuleBroken(_("Choose at least one project."), field="option")
        return
    if len(chosen) < max(ballot.min_choices, 1):
        raise RuleBroken(ngettext("Choose at least %(num)d option.", "Choose at least %(num)d options.",
                                  max(ballot.min_choices, 1)), field="option")
    if ballot.max_choices is not None and len(chosen) > ballot.max_choices:
        raise RuleBroken(ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.",
                                  ballot.max_choices), field="option")


def budget_used(ballot: Ballot, chosen) -> int:
    """What the chosen projects cost together (ids that are not on the ballot count nothing)."""
    return sum(option.cost or 0 for option in map(ballot.option, chosen or ()) if option is not None)


def _check_cost(ballot: Ballot, chosen: list[int]) -> None:
    if ballot.kind is not BallotKind.BUDGET or ballot.budget is None:
        return
    total = budget_used(ballot, chosen)
    if total > ballot.budget:
        raise RuleBroken(_("The projects you chose cost %(total)s, more than the budget of %(budget)s. "
                           "Leave some out.", total=format_money(total), budget=format_money(ballot.budget)),
                         field="option")


def _read_points(ballot: Ballot, form) -> dict[str, int]:
    limit = ballot.max_score if ballot.kind is BallotKind.SCORE else ballot.points
    given: dict[str, int] = {}
    for option in ballot.options:
        field = f"points-{option.id}"
        value = whole_number((form.get(field) or "0").strip() or "0")
        if value is None:
            raise RuleBroken(_("Enter a whole number of points for “%(option)s”.", option=option.label),
                             field=field)
        if ballot.kind is BallotKind.SCORE and value > limit:
            raise RuleBroken(_("Give “%(option)s” at most %(num)d points.", option=option.label, num=limit),
                             field=field)
        if value:
            given[str(option.id)] = value
    unknown = [key for key in form if key.startswith("points-") and key[7:] not in {str(o.id) for o in ballot.options}]
    if unknown:
        raise RuleBroken(_("This choice is not on the ballot."), field=unknown[0])
    if not given:
        raise RuleBroken(_("Give points to at least one option."), field=f"points-{ballot.options[0].id}")
    if ballot.kind is BallotKind.BUDGET and limit is not None and sum(given.values()) > limit:
        raise RuleBroken(_("You gave %(total)d points; you have %(num)d to give.", total=sum(given.values()),
                           num=limit), field=f"points-{ballot.options[0].id}")
    return given


def _read_order(ballot: Ballot, form) -> list[int]:
    order: list[int] = []
    gap_at = None
    for rank in range(1, len(ballot.options) + 1):
        field = f"rank-{rank}"
        raw = form.get(field)
        if not raw:
            gap_at = gap_at or rank
            continue
        if gap_at is not None:
            raise RuleBroken(_("Fill in your choices in order: choice %(num)d is empty.", num=gap_at),
                             field=f"rank-{gap_at}")
        option_id = _option_id(ballot, raw, field)
        if option_id in order:
            raise RuleBroken(_("You chose the same option twice; choose each one once at most."), field=field)
        order.append(option_id)
    if not order:
        raise RuleBroken(_("Choose your first choice."), field="rank-1")
    return order


def as_submitted(ballot: Ballot, form) -> list[int] | dict[str, str]:
    """What the person filled in, as far as it names real options: to show the ballot again after an
    error without making them start over."""
    known = {option.id for option in ballot.options}

    def ids(values):
        return [number for number in map(whole_number, values) if number in known]

    kind = shape(ballot)
    if kind == "points":
        return {str(option.id): form.get(f"points-{option.id}", "") for option in ballot.options
                if form.get(f"points-{option.id}")}
    if kind == "order":
        return ids([form.get(f"rank-{rank}", "") for rank in range(1, len(ballot.options) + 1)])
    return ids(form.getlist("option"))


def describe(ballot: Ballot, choices) -> list[tuple[str, str | None]]:
    """(option label, what was given) pairs for the check page, the receipt and the bulletin board."""
    if isinstance(choices, dict):
        return [(option.label, str(choices[str(option.id)])) for option in ballot.options
                if str(option.id) in choices]
    if shape(ballot) == "order":
        return [(ballot.option(option_id).label, str(rank)) for rank, option_id in enumerate(choices, start=1)]
    return [(ballot.option(option_id).label, None) for option_id in choices]
