import sqlalchemy as sa
from flask import render_template

from plaza.extensions import db
from plaza.processes import bp
from plaza.processes.models import Process


@bp.route("/")
def index():
    processes = db.session.scalars(sa.select(Process).order_by(Process.closes_at.desc())).all()
    return render_template("processes/index.html", processes=processes)


@bp.route("/<slug>")
def show(slug: str):
    process = db.first_or_404(sa.select(Process).where(Process.slug == slug))
    return render_template("processes/show.html", process=process)
