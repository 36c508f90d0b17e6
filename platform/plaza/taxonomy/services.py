"""Rules for human-rights tags: seeding the taxonomies, tagging processes and proposals, reading tags for lists."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from plaza.audit import services as audit
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.numbers import MAX_ID, whole_number
from plaza.permissions import Forbidden, authorize, can
from plaza.processes.models import Process
from plaza.proposals.models import Proposal
from plaza.taxonomy.data import SCHEME_ORDER, TAXONOMIES, TagScheme
from plaza.taxonomy.models import ProcessTag, ProposalTag, Tag

# Which association table tags which model, and the column naming the tagged row.
_LINKS = {
    Process: (ProcessTag, ProcessTag.process_id),
    Proposal: (ProposalTag, ProposalTag.proposal_id),
}


def seed_tags() -> int:
    """Insert the UDHR articles and SDGs that are missing; return how many were created.

    Running it again creates nothing. The English titles of existing tags are brought in step with
    `plaza.taxonomy.data` as well, so a corrected title reaches the database with the next seeding.
    """
    existing = {(tag.scheme, tag.code): tag for tag in db.session.scalars(sa.select(Tag))}
    created = 0
    with force_locale("en"):  # the database keeps the English title, whatever language the caller reads
        for scheme in SCHEME_ORDER:
            for code, title in TAXONOMIES[scheme].items():
                english = str(title)
                tag = existing.get((scheme, code))
                if tag is None:
                    db.session.add(Tag(scheme=scheme, code=code, short_title=english))
                    created += 1
                elif tag.short_title != english:
                    tag.short_title = english
    db.session.commit()
    return created


def all_tags() -> list[Tag]:
    return sorted(db.session.scalars(sa.select(Tag)), key=lambda tag: tag.sort_key)


def all_tags_with_labels() -> list[tuple[Tag, str]]:
    """Every tag with its label in the reader's language, UDHR first: the choices of a tag filter or field."""
    return [(tag, tag.label) for tag in all_tags()]


def get_tag(scheme: str, code: str) -> Tag | None:
    """The tag at /tags/<scheme>/<code>, with the scheme as URLs write it ("udhr", "sdg"); None if unknown."""
    try:
        found = TagScheme(scheme)
    except ValueError:
        return None
    return db.session.scalar(sa.select(Tag).where(Tag.scheme == found, Tag.code == code))


def _known_tags(tag_ids: Iterable[int | str]) -> list[Tag]:
    """The tags with these ids, or RuleBroken naming the first id that is not a tag."""
    wanted: set[int] = set()
    for tag_id in tag_ids:
        number = tag_id if isinstance(tag_id, int) else whole_number(tag_id)
        if number is None or not 1 <= number <= MAX_ID:
            raise RuleBroken(_("There is no tag with the number %(id)s. Choose tags from the list.", id=tag_id),
                             field="tags")
        wanted.add(number)
    tags = db.session.scalars(sa.select(Tag).where(Tag.id.in_(wanted))).all() if wanted else []
    missing = sorted(wanted - {tag.id for tag in tags})
    if missing:
        raise RuleBroken(_("There is no tag with the number %(id)s. Choose tags from the list.", id=missing[0]),
                         field="tags")
    return sorted(tags, key=lambda tag: tag.sort_key)


def _replace_tags(link, column, row_id: int, tags: list[Tag]) -> None:
    wanted = {tag.id for tag in tags}
    current = set(db.session.scalars(sa.select(link.tag_id).where(column == row_id)))
    if current - wanted:
        db.session.execute(sa.delete(link).where(column == row_id, link.tag_id.in_(current - wanted)))
    for tag_id in sorted(wanted - current):
        db.session.add(link(**{column.key: row_id, "tag_id": tag_id}))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleBroken(_("Someone changed these tags at the same moment. Reload the page and try again."),
                         field="tags") from None


def tag_process(organiser, process: Process, tag_ids: Iterable[int | str]) -> list[Tag]:
    """Set the tags of a process to exactly these. `organiser` None is the system (demo seeding)."""
    if organiser is not None:
        authorize(organiser, "process.manage", process)
    tags = _known_tags(tag_ids)
    _replace_tags(ProcessTag, ProcessTag.process_id, process.id, tags)
    audit.record("process.tagged", organiser, process_id=process.id,
                 tags=[f"{tag.scheme.value}:{tag.code}" for tag in tags])
    db.session.commit()
    return tags


def may_tag(user, proposal: Proposal) -> bool:
    """Its author (the "proposal.tag" rule) or the organisers of its process may tag a proposal."""
    return can(user, "proposal.tag", target=proposal) or can(user, "process.manage", proposal.process)


def tag_proposal(user, proposal: Proposal, tag_ids: Iterable[int | str]) -> list[Tag]:
    """Set the tags of a proposal to exactly these: its author or the organisers may. `user` None is the system."""
    if user is not None:
        if not user.is_authenticated:
            raise Forbidden(_("Sign in to take part."))
        if not may_tag(user, proposal):
            raise Forbidden(_("Only the author of a proposal or the organisers can change its tags."))
    tags = _known_tags(tag_ids)
    _replace_tags(ProposalTag, ProposalTag.proposal_id, proposal.id, tags)
    audit.record("proposal.tagged", user, proposal_id=proposal.id,
                 tags=[f"{tag.scheme.value}:{tag.code}" for tag in tags])
    db.session.commit()
    return tags


def _tags_for(model, ids: Iterable[int]) -> dict[int, list[Tag]]:
    wanted = set(ids)
    if not wanted:
        return {}
    link, column = _LINKS[model]
    found: dict[int, list[Tag]] = {row_id: [] for row_id in wanted}
    rows = db.session.execute(sa.select(column, Tag).join(Tag, Tag.id == link.tag_id).where(column.in_(wanted)))
    for row_id, tag in rows:
        found[row_id].append(tag)
    for tags in found.values():
        tags.sort(key=lambda tag: tag.sort_key)
    return found


def tags_for_processes(process_ids: Iterable[int]) -> dict[int, list[Tag]]:
    """Process id -> its tags (UDHR first, by number), for every id asked about; one query for the lot."""
    return _tags_for(Process, process_ids)


def tags_for_proposals(proposal_ids: Iterable[int]) -> dict[int, list[Tag]]:
    """Proposal id -> its tags (UDHR first, by number), for every id asked about; one query for the lot."""
    return _tags_for(Proposal, proposal_ids)


def filter_by_tag(select_stmt: sa.Select, model, tag: Tag | int) -> sa.Select:
    """Narrow a select of processes or proposals to those carrying `tag`.

    `model` is `Process` or `Proposal` (or an alias of one) as it appears in the select:
    `filter_by_tag(sa.select(Proposal).where(...), Proposal, tag)`.
    """
    model_class = sa.inspect(model).mapper.class_
    if model_class not in _LINKS:
        raise TypeError(f"only processes and proposals carry tags, not {model_class.__name__}")
    link, column = _LINKS[model_class]
    tag_id = tag.id if isinstance(tag, Tag) else tag
    return select_stmt.where(sa.exists().where(column == model.id, link.tag_id == tag_id))


def processes_with_tag(tag: Tag) -> list[Process]:
    """The processes carrying a tag, the most recently closing first (as the list of consultations)."""
    stmt = filter_by_tag(sa.select(Process), Process, tag).order_by(Process.closes_at.desc(), Process.id)
    return list(db.session.scalars(stmt))
