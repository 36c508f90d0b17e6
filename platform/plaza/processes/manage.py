"""Organiser pages for consultations: create, edit, phases, exports."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.i18n import current_language
from plaza.permissions import can
from plaza.phases import COMPONENT_NAMES, PHASE_NAMES
from plaza.processes import bp, exports, services
from plaza.processes.forms import RESERVED_SLUGS, ProcessForm, form_data, hidden_phases
from plaza.processes.models import Process

# Fields of a process the edit form changes through services.update_process.
EDITABLE = ("title", "summary", "body", "language", "slug", "support_threshold", "supports_per_resident",
            "edit_window_minutes")


def _require(action: str, process: Process | None = None) -> None:
    if not can(current_user, action, process):
        abort(403)


def _form_error(form: ProcessForm, error: RuleBroken) -> None:
    if error.status == 403:
        abort(403)
    if error.field == "phases":
        form.phase_errors.append(error.message)
        return
    error.show_on(form)


def _render_form(template: str, form: ProcessForm, **context):
    """Show the form; a POST that did not save anything is a 400 for clients and tests."""
    page = render_template(template, form=form, timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"], **context)
    return page, 400 if request.method == "POST" else 200


def _phases_unchanged(process: Process, plans: list[services.PhasePlan]) -> bool:
    def key(kind, title, starts_at, ends_at, components):
        return starts_at, ends_at, kind.value, title, sorted(component.value for component in components)

    current = sorted(key(p.kind, p.title, p.starts_at, p.ends_at, p.components) for p in process.phases)
    wanted = sorted(key(p.kind, p.title, p.starts_at, p.ends_at, p.components or ()) for p in plans)
    return current == wanted


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _require("process.manage")
    form = ProcessForm()
    if request.method == "GET" and current_language() in current_app.config["PLAZA_LANGUAGES"]:
        form.language.data = current_language()
    if form.validate_on_submit():
        slug = form.slug.data or None
        if slug is None and services.slugify(form.title.data) in RESERVED_SLUGS:
            slug = f"{services.slugify(form.title.data)}-consultation"
        try:
            process = services.create_process(
                current_user, form.title.data, form.summary.data, form.body.data or "", form.phase_plans(),
                language=form.language.data, slug=slug, **form.settings(),
            )
        except RuleBroken as error:
            _form_error(form, error)
        else:
            flash(_("The consultation “%(title)s” is created.", title=process.title), "success")
            return redirect(url_for("processes.show", slug=process.slug))
    return _render_form("processes/manage_new.html", form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    process = services.get_by_slug_or_404(slug)
    _require("process.manage", process)
    form = ProcessForm(data=form_data(process), process=process)
    form.slug.description = _("The end of the address of the consultation's page. Changing it breaks links "
                              "people have already shared. Leave it empty to keep %(slug)s.", slug=process.slug)
    form.submit.label.text = _("Save changes")
    if form.validate_on_submit():
        values = {"body": form.body.data or "", "slug": form.slug.data or process.slug}
        values.update({name: getattr(form, name).data for name in ("title", "summary", "language")})
        values.update(form.settings())
        changed = {name: value for name, value in values.items() if getattr(process, name) != value}
        plans = form.phase_plans()
        try:
            # Phases first: if they break a rule, nothing at all is saved.
            if not _phases_unchanged(process, plans):
                services.replace_phases(current_user, process, plans)
            if changed:
                services.update_process(current_user, process, **changed)
        except RuleBroken as error:
            db.session.rollback()
            _form_error(form, error)
        except IntegrityError:  # another consultation took the address a moment ago
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, _("Another consultation already uses this web address. "
                                                     "Choose another.")]
        else:
            flash(_("Your changes to the consultation are saved."), "success")
            return redirect(url_for("processes.manage", slug=process.slug))
    return _render_form("processes/manage_edit.html", form, process=process, hidden=hidden_phases(process))


def _optional_url(endpoint: str, **values) -> str | None:
    """The address of a page another part of Plaza may or may not have yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _moderation_url() -> str | None:
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/processes/moderation" and "GET" in (rule.methods or ()):
            return url_for(rule.endpoint)
    return None


@bp.route("/<slug>/manage")
@login_required
def manage(slug: str):
    process = services.get_by_slug_or_404(slug)
    may_manage = can(current_user, "process.manage", process)
    may_export = can(current_user, "process.export", process)
    if not (may_manage or may_export):
        abort(403)
    links = {
        "meetings": _optional_url("meetings.index", slug=process.slug),
        "questionnaire": _optional_url("questionnaires.manage", slug=process.slug) if may_manage else None,
        "moderation": _moderation_url() if can(current_user, "moderation.act", process) else None,
    }
    return render_template(
        "processes/manage_process.html", process=process, may_manage=may_manage, may_export=may_export,
        links=links, PHASE_NAMES=PHASE_NAMES, COMPONENT_NAMES=COMPONENT_NAMES, format_datetime=format_datetime,
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )


def _absolute(path: str) -> str:
    return current_app.config["PLAZA_BASE_URL"].rstrip("/") + path


def _export_rows(process: Process) -> list[dict]:
    def proposal_url(proposal) -> str:
        return _absolute(url_for("proposals.show", slug=process.slug, proposal_id=proposal.id))

    return exports.proposal_rows(exports.proposals_for_export(process), proposal_url)


def _download(body: str, content_type: str, filename: str) -> Response:
    response = Response(body.encode("utf-8"), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<slug>/export.csv")
@login_required
def export_csv(slug: str):
    process = services.get_by_slug_or_404(slug)
    _require("process.export", process)
    return _download(exports.csv_document(_export_rows(process)), "text/csv; charset=utf-8",
                     f"{process.slug}-proposals.csv")


@bp.route("/<slug>/export.json")
@login_required
def export_json(slug: str):
    process = services.get_by_slug_or_404(slug)
    _require("process.export", process)
    record = exports.process_record(process, _absolute(url_for("processes.show", slug=process.slug)))
    return _download(exports.json_document(record, _export_rows(process)), "application/json; charset=utf-8",
                     f"{process.slug}-proposals.json")
