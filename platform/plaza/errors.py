"""Errors a person can act on. Services raise them with a translated message; views show it."""


class RuleBroken(Exception):
    """A rule of Plaza refused the action. `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
