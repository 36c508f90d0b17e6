"""Follow buttons: on the process page (a panel) and their POST route."""

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from plaza.notifications import services
from plaza.processes.scope import current_process
from plaza.web.forms import ButtonForm
from plaza.web.pages import button

bp = Blueprint("notifications", __name__, template_folder="templates")


# Not @login_required: `button` sends a visitor to sign in and back to the process page, not to this
# POST-only address.
@bp.post("/<any(follow, unfollow):choice>")
def follow(choice: str):
    process = current_process()
    if choice == "follow":
        return button(lambda: services.follow(current_user, process=process), _("You follow this consultation."),
                      url_for("process.show"))
    return button(lambda: services.unfollow(current_user, process=process),
                  _("You no longer follow this consultation."), url_for("process.show"))


def process_panel(process, user) -> dict | None:
    """The follow button under the title, for people who are signed in."""
    if user is None:
        return None
    return {"following": services.is_following(user, process=process), "form": ButtonForm()}
