"""Page guards and loaders: one 404 path for a missing object, one 403 path for a refused rule.

The rules themselves live in `plaza.permissions`; these helpers only turn their answer into a status.
The process of a page under /processes/<slug>/ is `g.process` (loaded once by the process-scoped
blueprint), so a guard checks phase-bound rules against it without naming the processes area.
"""

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from plaza.extensions import db
from plaza.numbers import MAX_ID
from plaza.permissions import can


def allowed(action: str):
    """View decorator: sign in first, then `action`'s rule in the page's process (if any), else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not can(current_user, action, g.get("process")):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def get_or_404(model, object_id: int, **belongs_to):
    """The `model` row with this id whose attributes match `belongs_to` (e.g. process_id=…), else 404."""
    found = db.session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    if found is None or any(getattr(found, name) != value for name, value in belongs_to.items()):
        abort(404)
    return found


def get_for(action: str, model, object_id: int, **belongs_to):
    """Like flaskr's get_post(id, check_author=True): 404 if missing, 403 if `action`'s rule (ownership
    included) refuses the current user."""
    found = get_or_404(model, object_id, **belongs_to)
    if not can(current_user, action, g.get("process"), target=found):
        abort(403)
    return found
