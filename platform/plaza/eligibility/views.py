"""The resident's own page about where they live and their age (under /account/), and its part of the
account page."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from plaza.districts import all_districts
from plaza.eligibility import services
from plaza.eligibility.forms import EligibilityForm
from plaza.web.pages import form_page
from plaza.web.responses import no_store

bp = Blueprint("eligibility", __name__, template_folder="templates")


@bp.after_request
def never_cache(response):
    """Where a resident lives and their age are personal data: keep them out of shared caches."""
    return no_store(response)


@bp.route("/eligibility", methods=["GET", "POST"])
@login_required
def page():
    """Where the resident lives and their date of birth: what decides which votes they may cast."""
    record = services.eligibility_of(current_user)
    form = EligibilityForm(data={"district": record.district_id or 0, "birth_date": record.birth_date}
                           if record and request.method == "GET" else None)
    form.district.choices = [(0, _("Not given"))] + [(d.id, d.name) for d in all_districts()]

    def save():
        services.declare(current_user, form.district.data or None, form.birth_date.data)
        flash(_("Saved. Votes open to you now show a ballot."), "success")
        return redirect(url_for("accounts.profile"))

    return form_page("eligibility/page.html", form, save, record=record)


def account_panel(user, _viewer) -> dict:
    """The account page's summary of where the resident lives and their age."""
    return {"eligibility": services.eligibility_of(user)}
