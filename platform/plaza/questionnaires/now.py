"""What a resident can do with the questionnaire now: answer it once, while the phase enables it."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from plaza.permissions import offer
from plaza.phases import Component
from plaza.questionnaires import services


def actions(process, phase, user) -> list:
    if Component.QUESTIONNAIRE not in phase.components:
        return []
    questionnaire = services.for_process(process)
    if questionnaire is None or services.has_answered(user, questionnaire):
        return []
    return offer(user, "questionnaire.answer", process, _l("Answer the questionnaire"),
                 url_for("process.questionnaires.answer", slug=process.slug),
                 signed_out=_l("Sign in to answer the questionnaire"), deadline=phase.ends_at, primary=True,
                 priority=20)
