"""Phase kinds and components, registered as data.

A process runs through ordered phases. Each phase kind declares the components it enables by default;
organisers may switch components on or off per phase. What each role may do in each phase is decided in
`plaza.permissions`, from the component a rule needs.
"""

import enum

from flask_babel import lazy_gettext as _l


class Component(enum.Enum):
    PROPOSALS = "proposals"
    SUPPORTS = "supports"
    COMMENTS = "comments"
    QUESTIONNAIRE = "questionnaire"
    MEETINGS = "meetings"
    VOTING = "voting"


class PhaseKind(enum.Enum):
    INFORMATION = "information"
    PROPOSALS = "proposals"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    IMPLEMENTATION = "implementation"


DEFAULT_COMPONENTS: dict[PhaseKind, frozenset[Component]] = {
    PhaseKind.INFORMATION: frozenset({Component.COMMENTS, Component.MEETINGS}),
    PhaseKind.PROPOSALS: frozenset({Component.PROPOSALS, Component.SUPPORTS, Component.COMMENTS,
                                    Component.MEETINGS}),
    PhaseKind.DELIBERATION: frozenset({Component.SUPPORTS, Component.COMMENTS, Component.QUESTIONNAIRE,
                                       Component.MEETINGS}),
    PhaseKind.VOTING: frozenset({Component.VOTING}),
    PhaseKind.IMPLEMENTATION: frozenset({Component.COMMENTS}),
}

PHASE_NAMES = {
    PhaseKind.INFORMATION: _l("Information"),
    PhaseKind.PROPOSALS: _l("Proposals"),
    PhaseKind.DELIBERATION: _l("Deliberation"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.IMPLEMENTATION: _l("Implementation"),
}

COMPONENT_NAMES = {
    Component.PROPOSALS: _l("New proposals"),
    Component.SUPPORTS: _l("Supports"),
    Component.COMMENTS: _l("Comments"),
    Component.QUESTIONNAIRE: _l("Questionnaire"),
    Component.MEETINGS: _l("Meetings"),
    Component.VOTING: _l("Voting"),
}

# What a component lets residents do, in plain verbs that read in a list: "You can: comment, vote and make
# proposals" (joined with the language's own list format).
COMPONENT_VERBS = {
    Component.PROPOSALS: _l("make proposals"),
    Component.SUPPORTS: _l("support proposals"),
    Component.COMMENTS: _l("comment"),
    Component.QUESTIONNAIRE: _l("answer a questionnaire"),
    Component.MEETINGS: _l("come to meetings"),
    Component.VOTING: _l("vote"),
}
# The order the verbs are listed in: what matters most first.
VERB_ORDER = (Component.VOTING, Component.PROPOSALS, Component.SUPPORTS, Component.QUESTIONNAIRE,
              Component.COMMENTS, Component.MEETINGS)


def what_you_can_do(components) -> list:
    """The plain verbs for these components, in VERB_ORDER."""
    return [COMPONENT_VERBS[component] for component in VERB_ORDER if component in components]
