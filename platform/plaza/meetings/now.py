"""What a resident can do with meetings now: register for one that is still to come."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from plaza.meetings import services
from plaza.permissions import offer
from plaza.phases import Component


def actions(process, phase, user) -> list:
    if Component.MEETINGS not in phase.components:
        return []
    upcoming, _past = services.meetings_of(process)
    if not any(not meeting.is_cancelled and not meeting.has_started() for meeting in upcoming):
        return []
    return offer(user, "meeting.register", process, _l("Register for a meeting"),
                 url_for("process.meetings.index", slug=process.slug),
                 signed_out=_l("Sign in to register for a meeting"), deadline=phase.ends_at, priority=60)
