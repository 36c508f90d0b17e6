"""The city's districts: where a proposal is, where a resident lives, which residents a ballot is for."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from plaza.extensions import db


class District(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


def all_districts() -> list[District]:
    return db.session.scalars(sa.select(District).order_by(District.name)).all()
