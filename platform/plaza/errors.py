"""Errors a person can act on. Services raise them with a translated message; views show it."""


class RuleBroken(Exception):
    """A rule of Plaza refused the action. `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def show_on(self, form) -> None:
        """Put the message on the form field at fault, or at the top of the form. A form that groups
        errors its own way defines `add_rule_error(field, message) -> bool` (True: it kept the message)."""
        keep = getattr(form, "add_rule_error", None)
        if keep is not None and keep(self.field, self.message):
            return
        field = getattr(form, self.field, None) if self.field else None
        if field is not None:
            field.errors = [*field.errors, self.message]
        else:
            form.form_errors.append(self.message)
