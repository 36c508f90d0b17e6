from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from plaza.accounts.models import Role


def require_role(*roles: Role):
    """View decorator: sign-in required, then one of `roles` (admins may do everything)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
