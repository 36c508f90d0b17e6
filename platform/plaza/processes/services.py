"""Rules for consultations and their phases."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from plaza import outbox
from plaza.audit import services as audit
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.permissions import authorize
from plaza.phases import DEFAULT_COMPONENTS, Component, PhaseKind
from plaza.processes.models import Phase, PhaseComponent, Process


@dataclass
class PhasePlan:
    kind: PhaseKind
    title: str
    starts_at: datetime
    ends_at: datetime
    components: frozenset[Component] | None = None  # None: the kind's defaults


# Words used by pages under /processes/: a consultation cannot take them as its address.
RESERVED_SLUGS = frozenset({"new", "moderation"})


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "consultation"
    return f"{slug}-1" if slug in RESERVED_SLUGS else slug


def _check_phases(plans: list[PhasePlan]) -> None:
    ordered = sorted(plans, key=lambda plan: plan.starts_at)
    for plan in ordered:
        if plan.ends_at <= plan.starts_at:
            raise RuleBroken(_("Each phase must end after it starts."), field="phases")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            raise RuleBroken(_("Phases must not overlap: %(first)s ends after %(second)s starts.",
                               first=earlier.title, second=later.title), field="phases")


def _phase_rows(plans: list[PhasePlan]) -> list[Phase]:
    rows = []
    for position, plan in enumerate(sorted(plans, key=lambda p: p.starts_at), start=1):
        components = plan.components if plan.components is not None else DEFAULT_COMPONENTS[plan.kind]
        rows.append(Phase(position=position, kind=plan.kind, title=plan.title, starts_at=plan.starts_at,
                          ends_at=plan.ends_at,
                          enabled=[PhaseComponent(component=component) for component in sorted(
                              components, key=lambda c: c.value)]))
    return rows


def create_process(organiser, title: str, summary: str, body: str, phases: list[PhasePlan],
                   language: str = "en", slug: str | None = None, **settings) -> Process:
    if organiser is not None:
        authorize(organiser, "process.manage", None)
    if not phases:
        raise RuleBroken(_("A consultation needs at least one phase."), field="phases")
    _check_phases(phases)
    if slug is not None and (slug in RESERVED_SLUGS or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)):
        raise RuleBroken(_("Use small letters, digits and dashes for the address, and not “new” or “moderation”."),
                         field="slug")
    process = Process(
        slug=slug or slugify(title), title=title.strip(), summary=summary.strip(), body=body, language=language,
        opens_at=min(p.starts_at for p in phases), closes_at=max(p.ends_at for p in phases),
        created_by_id=organiser.id if organiser else None, phases=_phase_rows(phases), **settings,
    )
    db.session.add(process)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("Another consultation already uses this web address. Change the title or the "
                           "address."), field="slug") from None
    audit.record("process.created", organiser, process_id=process.id, title=process.title)
    db.session.commit()
    return process


def replace_phases(organiser, process: Process, phases: list[PhasePlan]) -> Process:
    """Set the phases of a process; followers hear about it if the active phase changes."""
    authorize(organiser, "process.manage", process)
    if not phases:
        raise RuleBroken(_("A consultation needs at least one phase."), field="phases")
    _check_phases(phases)
    before = process.active_phase()
    before_kind = before.kind if before else None
    process.phases.clear()
    db.session.flush()
    process.phases.extend(_phase_rows(phases))
    process.opens_at = min(p.starts_at for p in phases)
    process.closes_at = max(p.ends_at for p in phases)
    db.session.flush()
    after = process.active_phase()
    if (after.kind if after else None) != before_kind:
        outbox.record("process.phase_changed", process_id=process.id, phase=after.kind.value if after else None)
    audit.record("process.phases_changed", organiser, process_id=process.id, phases=len(phases))
    db.session.commit()
    return process


def update_process(organiser, process: Process, **fields) -> Process:
    authorize(organiser, "process.manage", process)
    for name, value in fields.items():
        setattr(process, name, value)
    audit.record("process.updated", organiser, process_id=process.id, fields=sorted(fields))
    db.session.commit()
    return process


def get_by_slug(slug: str) -> Process | None:
    return db.session.scalar(sa.select(Process).where(Process.slug == slug))
