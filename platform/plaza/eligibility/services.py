"""Eligibility rules: what a resident declares, and whether residence and age let them take part.

Other areas ask `refusal(user, min_age=…, district=…)` (voting does, for each ballot); they never read the
table themselves.
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from plaza.clock import utcnow
from plaza.districts import District
from plaza.eligibility.models import Eligibility, EligibilitySource
from plaza.errors import RuleBroken
from plaza.extensions import db


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def eligibility_of(user) -> Eligibility | None:
    return db.session.get(Eligibility, user.id)


def declare(user, district_id: int | None, birth_date: date | None) -> Eligibility:
    """A resident says where they live and when they were born. What a desk or a council roll recorded
    is not overwritten by the resident's own word."""
    record = eligibility_of(user)
    if record is not None and record.source is not EligibilitySource.SELF:
        raise RuleBroken(_("A participation desk or the council's roll recorded these details. Ask a "
                           "participation desk to change them."))
    if record is None:
        record = Eligibility(user_id=user.id, source=EligibilitySource.SELF)
        db.session.add(record)
    record.district_id, record.birth_date = district_id, birth_date
    db.session.commit()
    return record


def refusal(user, *, min_age: int | None, district: District | None, today: date | None = None) -> str | None:
    """Why `user` may not vote where residents must be `min_age` or older and live in `district` (None:
    anywhere), or None if they may. Residence and age only, never citizenship."""
    if not min_age and district is None:
        return None
    today = today or utcnow().date()
    record = eligibility_of(user)
    birth_date = record.birth_date if record else None
    district_id = record.district_id if record else None
    if min_age:
        if birth_date is None:
            return _("This vote is open to residents aged %(age)d or over. Add your date of birth on your "
                     "account page, or ask at a participation desk.", age=min_age)
        if age_on(birth_date, today) < min_age:
            return ngettext("This vote is open to residents aged %(num)d or over.",
                            "This vote is open to residents aged %(num)d or over.", min_age)
    if district is not None and district_id != district.id:
        if district_id is None:
            return _("This vote is open to residents of %(district)s. Add where you live on your account "
                     "page, or ask at a participation desk.", district=district.name)
        return _("This vote is open to residents of %(district)s.", district=district.name)
    return None


def personal_data(user) -> dict | None:
    """What a resident's data export holds from this area."""
    record = eligibility_of(user)
    if record is None:
        return None
    return {"district": record.district.name if record.district else None,
            "birth_date": record.birth_date.isoformat() if record.birth_date else None,
            "source": record.source.value, "updated_at": record.updated_at.isoformat()}
