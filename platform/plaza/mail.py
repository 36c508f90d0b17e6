"""E-mail in the recipient's language, sent by workers only (never during a web request)."""

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from plaza.extensions import mail

log = logging.getLogger(__name__)


def send(to: str, template: str, locale: str | None, **context) -> None:
    """Render templates/email/<template>.txt and .html in `locale` and send them over SMTP."""
    with force_locale(locale or "en"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    if current_app.config["MAIL_SUPPRESS_SEND"]:
        log.info("e-mail not sent (MAIL_SUPPRESS_SEND) to %s: %s\n%s", to, subject, text)
        return
    mail.send(Message(subject=subject, recipients=[to], body=text, html=html))
