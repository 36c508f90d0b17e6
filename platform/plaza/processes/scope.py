"""The blueprints of consultations, above all the process-scoped one: every page under /processes/<slug>/ hangs from it.

It loads the process once per request (one 404 path for an unknown address) into `g.process`, and fills
in the slug when a page builds a link to another page of the same process. Components' blueprints are
nested in it by `create_app` (see `plaza.components`), so their views take only their own ids.
"""

from flask import Blueprint, abort, g

from plaza.processes.models import Process
from plaza.processes.services import get_by_slug

# /processes/: the list of consultations and the page that creates one.
processes_bp = Blueprint("processes", __name__, template_folder="templates")
# /processes/<slug>/…: the process page, its organiser pages and every component's pages.
bp = Blueprint("process", __name__, url_prefix="/processes/<slug>", template_folder="templates")
_nested: set[str] = set()


@bp.url_value_preprocessor
def load_process(_endpoint, values) -> None:
    process = get_by_slug(values.pop("slug"))
    if process is None:
        abort(404)
    g.process = process


@bp.url_defaults
def keep_slug(_endpoint, values) -> None:
    if "slug" not in values and g.get("process") is not None:
        values["slug"] = g.process.slug


def current_process() -> Process:
    return g.process


def nest(child: Blueprint) -> None:
    """Hang a component's blueprint under /processes/<slug>/ (once: Flask refuses to nest after the
    parent is registered, and every app built in a process shares these blueprint objects)."""
    if child.name not in _nested:
        bp.register_blueprint(child)
        _nested.add(child.name)
