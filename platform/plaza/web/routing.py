from werkzeug.routing import BaseConverter, ValidationError

from plaza.numbers import MAX_ID


class IdConverter(BaseConverter):
    """`<id:name>`: a row id as the database can hold it, 1 to 2**63 - 1, written in ASCII digits with no
    leading zero. Anything else matches no route, so the visitor gets a 404 rather than a server error."""

    regex = r"[1-9][0-9]{0,18}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
