from werkzeug.routing import BaseConverter

from plaza.numbers import MAX_ID


def numbers_up_to(limit: int) -> str:
    """A regular expression for the numbers 1 to `limit` in ASCII digits, with no leading zero.

    The bound is in the expression, not in a check after matching: Werkzeug answers 405 instead of 404
    when another route with the same shape (a GET page beside a POST action) matched first."""
    digits = str(limit)
    alternatives = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            alternatives.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


class IdConverter(BaseConverter):
    """`<id:name>`: a row id as the database can hold it, 1 to MAX_ID. Anything else (a larger number,
    a leading zero, other scripts' digits) matches no route: the visitor gets a 404, not a server error."""

    regex = numbers_up_to(MAX_ID)
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
