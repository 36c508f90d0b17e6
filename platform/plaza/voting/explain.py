"""The rounds of a published count, told in sentences in the reader's language, with option names.

The counting methods describe each step as data (`Round(kind, detail)`); this turns the kinds they use
into sentences. A kind it does not know is shown by name with its plain values, so nothing is hidden.
"""

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from plaza.i18n import format_list, format_money
from plaza.voting.models import Ballot


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(round(value, 2))
    return format_decimal(int(value)) if isinstance(value, int | float) else str(value)


def _money(value) -> str:
    return format_money(value) if isinstance(value, int | float) else str(value)


def steps(ballot: Ballot) -> list[str]:
    labels = {str(option.id): option.label for option in ballot.options}

    def name(option_id) -> str:
        return labels.get(str(option_id), str(option_id))

    sentences = []
    for step in (ballot.result or {}).get("rounds", []):
        kind, detail = step.get("kind"), step.get("detail", {})
        sentences.append(_sentence(kind, detail, name) or _fallback(kind, detail))
    return sentences


def _sentence(kind: str, detail: dict, name) -> str | None:
    if kind == "count":
        totals = format_list([f"{name(option)}: {_number(total)}"
                              for option, total in detail.get("totals", {}).items()])
        return _("Votes counted. %(totals)s.", totals=totals)
    if kind == "elect" and "round" in detail:
        elected = detail.get("elected", [])
        people = format_list([name(item["candidate"] if isinstance(item, dict) else item) for item in elected])
        if "quota" in detail and detail.get("reason") != "as many continuing candidates as seats left":
            return _("Round %(round)d: %(names)s elected, reaching %(quota)s votes.", round=detail["round"],
                     names=people, quota=_number(detail["quota"]))
        return _("Round %(round)d: %(names)s elected.", round=detail["round"], names=people)
    if kind == "eliminate":
        sentence = _("Round %(round)d: %(name)s has the fewest votes (%(votes)s) and is out; those ballots go "
                     "to their next choice.", round=detail["round"], name=name(detail["eliminated"]),
                     votes=_number(detail["votes"]))
        if "tie" in detail:
            sentence += " " + _("There was a tie for the fewest votes; it was broken as the counting method "
                                "says (first preferences, then earlier rounds, then ballot order).")
        return sentence
    if kind == "select" and "rho" in detail:
        return ngettext("%(name)s is funded (%(cost)s), paid for by its %(num)d supporter.",
                        "%(name)s is funded (%(cost)s), paid for in equal shares by %(num)d supporters.",
                        detail["supporters"], name=name(detail["project"]), cost=_money(detail["cost"]))
    if kind == "select":
        return _("%(name)s is funded (%(cost)s, %(support)s votes); %(left)s left.", name=name(detail["project"]),
                 cost=_money(detail["cost"]), support=_number(detail["support"]),
                 left=_money(detail["money_left"]))
    if kind == "skip":
        return _("%(name)s is not funded: it costs %(cost)s and only %(left)s is left.",
                 name=name(detail["project"]), cost=_money(detail["cost"]), left=_money(detail["money_left"]))
    if kind == "budget" and detail.get("endowment_per_voter") is not None:
        return _("Equal shares with Add1: each voter's share was raised step by step to %(each)s, the most "
                 "that still kept the chosen projects within the budget.",
                 each=_number(detail["endowment_per_voter"]))
    if kind == "completion":
        return _("The money left went to the most voted projects that still fit.")
    return None


def _fallback(kind, detail: dict) -> str:
    plain = "; ".join(f"{key}: {value}" for key, value in detail.items() if not isinstance(value, dict | list))
    return f"{kind}: {plain}" if plain else str(kind)
