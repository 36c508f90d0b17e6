"""Questionnaires: one per consultation, answered once per resident, exported for the organisers."""

from flask_babel import lazy_gettext as _l

from plaza.components import Link, Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE, STAFF
from plaza.phases import Component

manifest = Manifest(
    key="questionnaires",
    mounts=(Mount("plaza.questionnaires.views:bp"),),
    models=("plaza.questionnaires.models",),
    now="plaza.questionnaires.now:actions",
    permissions={
        "questionnaire.answer": Rule(EVERYONE, Component.QUESTIONNAIRE),
        "questionnaire.export": Rule(STAFF),
    },
    panels={"process": Panel("questionnaires/_process_panel.html", "plaza.questionnaires.views:process_panel",
                             order=40)},
    # Creating and managing the questionnaire is part of managing the consultation.
    organiser_links=(Link(_l("Questionnaire"), "process.questionnaires.manage", "process.manage"),),
    # No events: answers are anonymous and nobody is told about them. No open data: the answers are
    # exported for the organisers only (questionnaire.export), from the questionnaire's own page.
    translatable=("questionnaire.title", "questionnaire.intro", "question.text", "question_option.text"),
)
