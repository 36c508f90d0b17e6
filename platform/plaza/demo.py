"""Demo data for a sample city, Riverside. `seed()` is idempotent: it only adds what is missing."""

from datetime import timedelta

import sqlalchemy as sa

from plaza.accounts.models import Role, User
from plaza.clock import utcnow
from plaza.comments.models import Stance
from plaza.comments.services import add_comment
from plaza.districts import District
from plaza.extensions import db
from plaza.meetings.models import Meeting, MeetingKind
from plaza.meetings.services import create_meeting
from plaza.phases import PhaseKind
from plaza.processes.models import Process
from plaza.processes.services import PhasePlan, create_process
from plaza.proposals import services as proposals
from plaza.proposals.models import AnswerState, Category, Proposal
from plaza.proposals.services import ProposalDraft
from plaza.taxonomy.services import get_tag, seed_tags, tag_process, tag_proposal, tags_for_processes

PASSWORD = "riverside-demo-2026"
ORGANISER_EMAIL = "organiser@riverside.example"
RESIDENT_EMAIL = "amina@riverside.example"

PEOPLE = [
    (ORGANISER_EMAIL, None, "Marta (Riverside Council)", Role.ORGANISER, "es"),
    ("moderator@riverside.example", None, "Jonas", Role.MODERATOR, "sv"),
    ("officer@riverside.example", None, "Council officer Lee", Role.COUNCIL_OFFICER, "ko"),
    (RESIDENT_EMAIL, None, "Amina", Role.RESIDENT, "ar"),
    ("jordi@riverside.example", None, "Jordi", Role.RESIDENT, "ca"),
    (None, "sari", "Sari", Role.RESIDENT, "id"),
]
CATEGORIES = ["Streets and mobility", "Parks and green spaces", "Housing", "Culture and libraries"]
DISTRICTS = ["Old Town", "Riverside North", "Station Quarter", "Hillside"]

PROPOSALS = [
    ("amina@riverside.example", "A safe crossing at Al-Noor school",
     "Children cross four lanes on River Street to reach the school. A zebra crossing with a traffic light "
     "and a school patrol in the morning would keep them safe.", "Streets and mobility", "Riverside North"),
    ("jordi@riverside.example", "Step-free access to the riverside path",
     "The only way down to the riverside path is a staircase. A ramp would let wheelchair users, people with "
     "buggies and older residents enjoy the river too.", "Parks and green spaces", "Old Town"),
    ("sari", "More benches and shade on Market Street",
     "Older people and pregnant women have nowhere to rest between the bus stop and the market. Benches under "
     "trees every hundred metres would help.", "Streets and mobility", "Station Quarter"),
]


def _user(login: str) -> User:
    column = User.email if "@" in login else User.username
    return db.session.scalar(sa.select(User).where(column == login))


def _by_name(model, name: str):
    return db.session.scalar(sa.select(model).where(model.name == name))


def seed() -> int:
    created = 0
    for email, username, name, role, locale in PEOPLE:
        if _user(email or username) is None:
            user = User(email=email, username=username, display_name=name, role=role, locale=locale)
            user.set_password(PASSWORD)
            db.session.add(user)
            created += 1
    for model, names in ((Category, CATEGORIES), (District, DISTRICTS)):
        for name in names:
            if _by_name(model, name) is None:
                db.session.add(model(name=name))
                created += 1
    db.session.commit()
    organiser = _user(ORGANISER_EMAIL)
    now = utcnow()

    streets = db.session.scalar(sa.select(Process).where(Process.slug == "safer-streets-2027"))
    if streets is None:
        day = timedelta(days=1)
        streets = create_process(
            organiser, "Safer streets for walking and wheeling",
            "Where should Riverside make crossings, pavements and lighting safer in 2027? Tell us the places "
            "that feel unsafe and propose changes.",
            "Riverside has set aside money to make streets safer for people who walk, use a wheelchair or push "
            "a buggy. Everyone who lives here may take part, whatever their nationality.",
            [PhasePlan(PhaseKind.INFORMATION, "Walks and listening", now - 20 * day, now - 7 * day),
             PhasePlan(PhaseKind.PROPOSALS, "Your proposals", now - 7 * day, now + 21 * day),
             PhasePlan(PhaseKind.DELIBERATION, "Discussing together", now + 21 * day, now + 35 * day),
             PhasePlan(PhaseKind.VOTING, "Vote", now + 35 * day, now + 49 * day),
             PhasePlan(PhaseKind.IMPLEMENTATION, "What happens next", now + 49 * day, now + 400 * day)],
            slug="safer-streets-2027", support_threshold=3, supports_per_resident=10, edit_window_minutes=60,
        )
        created += 1
    for login, title, body, category, district in PROPOSALS:
        if db.session.scalar(sa.select(Proposal.id).where(Proposal.title == title)) is None:
            proposal = proposals.create_proposal(
                _user(login), streets,
                ProposalDraft(title, body, _by_name(Category, category).id, _by_name(District, district).id,
                              language="en"),
                submission_key=f"demo-{title}")
            created += 1
            for supporter in ("jordi@riverside.example", "sari", RESIDENT_EMAIL):
                if _user(supporter).id != proposal.author_id:
                    proposals.support(_user(supporter), proposal)
    first = db.session.scalar(sa.select(Proposal).where(Proposal.title == PROPOSALS[0][1]))
    if first.answer_state is None:
        proposals.answer(_user("officer@riverside.example"), first, AnswerState.EVALUATING,
                         "The mobility team will measure traffic at the school in the next two weeks.")

    if first.comments_count == 0:
        opening = add_comment(_user("jordi@riverside.example"), first,
                              "My daughter crosses there too. In winter it is dark at 8 o'clock, so a light matters "
                              "as much as the stripes.", Stance.FOR, submission_key="demo-comment-1")
        reply = add_comment(_user(RESIDENT_EMAIL), first,
                            "Yes, and the patrol could be parents taking turns. I can ask at the school meeting.",
                            Stance.FOR, parent=opening, submission_key="demo-comment-2")
        add_comment(_user("sari"), first, "Could the bus stop move a little, so buses do not block the view?",
                    Stance.NEUTRAL, parent=reply, submission_key="demo-comment-3")
        add_comment(_user("moderator@riverside.example"), first,
                    "A traffic light slows the buses on line 4. Maybe a raised crossing is enough?",
                    Stance.AGAINST, submission_key="demo-comment-4")
        created += 4
    created += seed_tags()
    if not tags_for_processes([streets.id])[streets.id]:
        tag_process(None, streets, [get_tag("udhr", "3").id, get_tag("udhr", "25").id, get_tag("sdg", "11").id])
        tag_proposal(None, first, [get_tag("udhr", "26").id, get_tag("sdg", "3").id])

    if db.session.scalar(sa.select(Meeting.id).where(Meeting.process_id == streets.id)) is None:
        evening = (now + timedelta(days=6)).replace(hour=17, minute=30, second=0, microsecond=0)
        create_meeting(
            organiser, streets, title="Walk and talk: River Street at school time",
            description="We meet at the school gate and walk the route together, then talk over tea at the "
                        "community centre.",
            kind=MeetingKind.IN_PERSON, address="Riverside Community Centre, 12 River Street",
            starts_at=evening, ends_at=evening + timedelta(hours=2), capacity=25, step_free_access=True,
            sign_language=True, hearing_loop=True, childcare=True, languages_spoken="en, es, ar",
            accessibility_notes="Accessible toilet on the ground floor. Tell us if you need a taxi.",
        )
        created += 1

    if db.session.scalar(sa.select(Process.id).where(Process.slug == "library-opening-hours")) is None:
        create_process(
            organiser, "Library opening hours",
            "The consultation on the central library's evening and weekend hours has ended.",
            "Thank you to the 412 residents who took part.",
            [PhasePlan(PhaseKind.PROPOSALS, "Proposals", now - timedelta(days=90), now - timedelta(days=30))],
            slug="library-opening-hours",
        )
        created += 1
    created += _seed_budget_vote(organiser, now)
    return created


BUDGET_PROJECTS = [  # (name, cost, district, description)
    ("Ramp down to the riverside path", 42_000, "Riverside North",
     "A gentle ramp with handrails from Bridge Street to the path along the river, so that wheelchairs, "
     "prams and bicycles no longer need the steep steps."),
    ("Shade trees and benches on Market Street", 18_000, "Old Town",
     "Twelve young plane trees and eight benches along Market Street, for shade on market days."),
    ("Lit footpath through Hillside park", 35_000, "Hillside",
     "Low lamps along the footpath that crosses Hillside park, so it is safe to walk home after dark."),
    ("Free language cafe at the library, one year", 9_000, None,
     "Two evenings a week at the central library: practise a language with neighbours, with a host and "
     "tea. Open to everyone in the city."),
    ("Repair the Station Quarter playground", 27_000, "Station Quarter",
     "New swings, a soft floor under the climbing frame and a fence along the road."),
    ("Public toilets by the market, step-free", 31_000, "Old Town",
     "Two step-free toilets, one with a changing bench, open from 7 in the morning to 10 at night."),
]


def _seed_budget_vote(organiser: User, now) -> int:
    """A participatory budget open for voting now, with a few votes already cast (not by Amina, so that
    the demo resident can vote)."""
    from plaza.voting import casting
    from plaza.voting import services as voting
    from plaza.voting.models import BallotKind, BudgetInput

    if db.session.scalar(sa.select(Process.id).where(Process.slug == "riverside-budget-2027")) is not None:
        return 0
    day = timedelta(days=1)
    process = create_process(
        organiser, "Riverside participatory budget 2027",
        "Residents decide how to spend 100,000 on their neighbourhoods. Vote for the projects you want.",
        "Every resident may vote, whatever their nationality. You can vote online or at the "
        "participation desk in the library. The count uses the Method of Equal Shares, so that every group "
        "of residents gets projects in proportion to its size.",
        [PhasePlan(PhaseKind.PROPOSALS, "Project ideas", now - 60 * day, now - 20 * day),
         PhasePlan(PhaseKind.VOTING, "Vote", now - 20 * day, now + 20 * day),
         PhasePlan(PhaseKind.IMPLEMENTATION, "Building the projects", now + 20 * day, now + 400 * day)],
        slug="riverside-budget-2027",
    )
    ballot = voting.create_ballot(
        organiser, process, title="Which projects should Riverside fund in 2027?", kind=BallotKind.BUDGET,
        description="Choose the projects you want. Their costs together may not pass the budget of 100,000.",
        method="mes-add1-greedy", budget=100_000, budget_input=BudgetInput.APPROVAL,
        options=[{"label": label, "cost": cost} for label, cost, _district, _text in BUDGET_PROJECTS])
    for option, (_label, _cost, district, text) in zip(ballot.options, BUDGET_PROJECTS, strict=True):
        voting.describe_project(organiser, option, description=text,
                                district_id=_by_name(District, district).id if district else None)
    voting.open_ballot(organiser, ballot)
    ids = [option.id for option in ballot.options]
    for login, picks in (("jordi@riverside.example", [0, 1, 3]), ("sari", [1, 3, 5]),
                         ("officer@riverside.example", [2, 4])):
        casting.cast(_user(login), ballot, sorted(ids[i] for i in picks))
    return 2 + 3
