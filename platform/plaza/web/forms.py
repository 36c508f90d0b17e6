"""Forms every area shares."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A button or a confirmation page: nothing but the CSRF token."""
