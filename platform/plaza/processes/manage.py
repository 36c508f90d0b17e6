"""Organiser pages for consultations: create, edit, phases, exports."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from plaza import components
from plaza.errors import RuleBroken
from plaza.extensions import db
from plaza.i18n import current_language
from plaza.permissions import can
from plaza.phases import COMPONENT_NAMES, PHASE_NAMES
from plaza.processes import services
from plaza.processes.forms import RESERVED_SLUGS, ProcessForm, form_data, hidden_phases
from plaza.processes.models import Process
from plaza.processes.scope import bp as process_bp
from plaza.processes.scope import current_process, processes_bp
from plaza.web.access import allowed
from plaza.web.pages import form_page


def _forbidden(error: RuleBroken) -> None:
    if error.status == 403:
        abort(403)


def _form_page(template: str, form: ProcessForm, save, **context):
    return form_page(template, form, save, refused=_forbidden,
                     timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"], **context)


def _phases_unchanged(process: Process, plans: list[services.PhasePlan]) -> bool:
    def key(kind, title, starts_at, ends_at, components):
        return starts_at, ends_at, kind.value, title, sorted(component.value for component in components)

    current = sorted(key(p.kind, p.title, p.starts_at, p.ends_at, p.components) for p in process.phases)
    wanted = sorted(key(p.kind, p.title, p.starts_at, p.ends_at, p.components or ()) for p in plans)
    return current == wanted


@processes_bp.route("/new", methods=["GET", "POST"])
@allowed("process.manage")
def new():
    form = ProcessForm()
    if request.method == "GET" and current_language() in current_app.config["PLAZA_LANGUAGES"]:
        form.language.data = current_language()

    def save():
        slug = form.slug.data or None
        if slug is None and services.slugify(form.title.data) in RESERVED_SLUGS:
            slug = f"{services.slugify(form.title.data)}-consultation"
        process = services.create_process(
            current_user, form.title.data, form.summary.data, form.body.data or "", form.phase_plans(),
            language=form.language.data, slug=slug, **form.settings(),
        )
        flash(_("The consultation “%(title)s” is created.", title=process.title), "success")
        return redirect(url_for("process.show", slug=process.slug))

    return _form_page("processes/manage_new.html", form, save)


@process_bp.route("/edit", methods=["GET", "POST"])
@allowed("process.manage")
def edit():
    process = current_process()
    form = ProcessForm(data=form_data(process), process=process)
    form.slug.description = _("The end of the address of the consultation's page. Changing it breaks links "
                              "people have already shared. Leave it empty to keep %(slug)s.", slug=process.slug)
    form.submit.label.text = _("Save changes")

    def save():
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
        except RuleBroken:
            db.session.rollback()
            raise
        except IntegrityError:  # another consultation took the address a moment ago
            db.session.rollback()
            raise RuleBroken(_("Another consultation already uses this web address. Choose another."),
                             field="slug") from None
        flash(_("Your changes to the consultation are saved."), "success")
        return redirect(url_for("process.manage", slug=process.slug))

    return _form_page("processes/manage_edit.html", form, save, process=process, hidden=hidden_phases(process))


@process_bp.route("/manage")
@login_required
def manage():
    process = current_process()
    may_manage = can(current_user, "process.manage", process)
    may_export = can(current_user, "process.export", process)
    if not (may_manage or may_export):
        abort(403)
    links = [(link.label, url_for(link.endpoint)) for link in components.organiser_links()
             if can(current_user, link.action, process)]
    downloads = [(export.label, url_for(export.endpoint)) for export in components.open_data()
                 if can(current_user, export.action, process)]
    panels, _status = components.render_panels("organiser", process, current_user)
    return render_template(
        "processes/manage_process.html", process=process, may_manage=may_manage, may_export=may_export,
        links=links, downloads=downloads, panels=panels, PHASE_NAMES=PHASE_NAMES, COMPONENT_NAMES=COMPONENT_NAMES,
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
