"""Demo data for a sample city, Riverside. `seed()` is idempotent: it only adds what is missing."""

from datetime import timedelta

import sqlalchemy as sa

from plaza.accounts.models import Role, User
from plaza.clock import utcnow
from plaza.extensions import db
from plaza.processes.models import Process

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

PROCESSES = [
    {
        "slug": "safer-streets-2027",
        "title": "Safer streets for walking and wheeling",
        "summary": "Where should Riverside make crossings, pavements and lighting safer in 2027? "
                   "Tell us the places that feel unsafe and propose changes.",
        "body": "Riverside has set aside money to make streets safer for people who walk, use a "
                "wheelchair or push a buggy. Everyone who lives here may take part, whatever their "
                "nationality.",
        "opens": timedelta(days=-7),
        "closes": timedelta(days=30),
    },
    {
        "slug": "library-opening-hours",
        "title": "Library opening hours",
        "summary": "The consultation on the central library's evening and weekend hours has ended.",
        "body": "Thank you to the 412 residents who took part.",
        "opens": timedelta(days=-90),
        "closes": timedelta(days=-30),
    },
]


def seed() -> int:
    created = 0
    organiser = None
    for email, username, name, role, locale in PEOPLE:
        column, value = (User.email, email) if email else (User.username, username)
        user = db.session.scalar(sa.select(User).where(column == value))
        if user is None:
            user = User(email=email, username=username, display_name=name, role=role, locale=locale)
            user.set_password(PASSWORD)
            db.session.add(user)
            created += 1
        if role is Role.ORGANISER:
            organiser = user
    db.session.flush()
    now = utcnow()
    for data in PROCESSES:
        if db.session.scalar(sa.select(Process.id).where(Process.slug == data["slug"])) is None:
            db.session.add(Process(
                slug=data["slug"], title=data["title"], summary=data["summary"], body=data["body"],
                opens_at=now + data["opens"], closes_at=now + data["closes"], created_by_id=organiser.id,
            ))
            created += 1
    db.session.commit()
    return created
