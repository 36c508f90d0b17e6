from flask import abort, render_template

from plaza.taxonomy import bp, services
from plaza.taxonomy.data import SCHEME_NAMES, SCHEME_ORDER


@bp.route("/")
def index():
    tags = services.all_tags()
    schemes = [(scheme, SCHEME_NAMES[scheme], [tag for tag in tags if tag.scheme is scheme])
               for scheme in SCHEME_ORDER]
    return render_template("taxonomy/index.html", schemes=schemes)


@bp.route("/<scheme>/<code>")
def show(scheme: str, code: str):
    tag = services.get_tag(scheme, code)
    if tag is None:
        abort(404)
    return render_template("taxonomy/show.html", tag=tag, processes=services.processes_with_tag(tag))
