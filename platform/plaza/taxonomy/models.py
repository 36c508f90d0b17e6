"""Human-rights tags (UDHR articles, SDGs) and which processes and proposals carry them."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from plaza.extensions import db
from plaza.taxonomy.data import SCHEME_NAMES, SCHEME_ORDER, TAXONOMIES, TagScheme


class Tag(db.Model):
    """One article or goal of a taxonomy: (scheme, code) is unique, e.g. (UDHR, "25") or (SDG, "11")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[TagScheme]
    code: Mapped[str] = mapped_column(sa.String(8))
    short_title: Mapped[str] = mapped_column(sa.String(200))  # English, as seeded; pages show `title`

    __table_args__ = (
        sa.UniqueConstraint("scheme", "code", name="uq_tag_scheme_code"),
        sa.CheckConstraint("code <> ''", name="code_not_empty"),
    )

    @property
    def title(self) -> str:
        """The short title in the reader's language."""
        lazy = TAXONOMIES.get(self.scheme, {}).get(self.code)
        return str(lazy) if lazy is not None else self.short_title

    @property
    def number(self) -> str:
        """The number as readers know it (Article 25, Goal 11), in their language."""
        if self.scheme is TagScheme.UDHR:
            return _("Article %(code)s", code=self.code)
        return _("Goal %(code)s", code=self.code)

    @property
    def label(self) -> str:
        """"Article 25: Right to adequate standard of living", in the reader's language (for choices)."""
        return _("%(number)s: %(title)s", number=self.number, title=self.title)

    @property
    def scheme_name(self) -> str:
        return str(SCHEME_NAMES[self.scheme])

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (SCHEME_ORDER.index(self.scheme), int(self.code) if self.code.isdigit() else 0, self.code)

    def __repr__(self) -> str:
        return f"<Tag {self.scheme.value} {self.code}>"


class ProcessTag(db.Model):
    """A process carries a tag; the primary key makes each pair appear once."""

    __tablename__ = "process_tag"

    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)


class ProposalTag(db.Model):
    """A proposal carries a tag; the primary key makes each pair appear once."""

    __tablename__ = "proposal_tag"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)
