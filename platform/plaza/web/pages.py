"""The two shapes of a page that changes something, written once.

`form_page`: show a form; on a valid POST call the service through `save`; a `RuleBroken` it raises goes
onto the form; a POST that saved nothing answers 400 (or the rule's own status).
`button`: a POST button (support, follow, close …), with an optional confirmation page on GET; the
outcome is flashed and the visitor goes back where they came from.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from plaza.errors import RuleBroken
from plaza.web.forms import ButtonForm


def refused_status(error: RuleBroken | None = None) -> int:
    """A form that was sent and refused answers 400 (or the rule's own status); a form just shown, 200."""
    if error is not None:
        return error.status
    return 400 if request.method == "POST" else 200


def form_page(template: str, form, save: Callable[[], Response], *,
              refused: Callable[[RuleBroken], Response | None] | None = None, **context):
    """GET shows `template`; a valid POST returns `save()` (usually a redirect). `refused(error)` may answer
    a refusal itself (a redirect, an abort); otherwise the message goes onto the form."""
    error = None
    if form.validate_on_submit():
        try:
            return save()
        except RuleBroken as broken:
            error = broken
            answer = refused(error) if refused else None
            if answer is not None:
                return answer
            error.show_on(form)
    return render_template(template, form=form, **context), refused_status(error)


def sign_in_first() -> Response:
    return redirect(url_for("accounts.login", next=request.path))


def button(action: Callable[[], object], success: str | None, back: str, *, confirm: str | None = None,
           **context) -> Response | tuple[Response, int]:
    """Run a POST button's `action`, flash `success` and go to `back`. On GET, show the `confirm` page (with
    `form` and `context`). A refusal is flashed and answers 303 back; visitors who are not signed in are
    sent to sign in first."""
    form = ButtonForm()
    if request.method == "GET" and confirm:
        return render_template(confirm, form=form, **context)
    if not form.validate_on_submit():
        abort(400)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=back))
    try:
        action()
    except RuleBroken as error:
        flash(error.message, "error")
        return redirect(back), 303
    if success:
        flash(success, "success")
    return redirect(back)
