"""E-mail in the recipient's language, sent by workers only (never during a web request)."""

from flask import render_template
from flask_babel import force_locale
from flask_mail import Message

from plaza.extensions import mail


def send(to: str, template: str, locale: str | None, **context) -> None:
    """Render templates/email/<template>.txt and .html in `locale` and send them over SMTP."""
    with force_locale(locale or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    mail.send(Message(subject=subject, recipients=[to], body=text, html=html))
