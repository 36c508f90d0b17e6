"""The component registry: every area of Plaza plugs in through the manifest in its `component.py`.

A manifest says, in one place, what an area adds to the house: its blueprints (nested under the
process-scoped blueprint when their pages live under ``/processes/<slug>/``), the models to register, its
permission rules, the panels it adds to shared pages (the process page, the organiser's page, a
proposal page, the resident's account page), its notification event kinds, its translatable fields and
its open-data exports.

`create_app`, the shared pages and `plaza.permissions` loop over `manifests()`; nothing else names a
component. Parts that belong to the web layer (blueprints, panel contexts) are given as dotted names
("package.module:attribute") and imported when the app is built, so reading a manifest is cheap and
creates no import cycle.
"""

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app

# Installed areas, in the order their panels appear when they share an `order`. A new area adds itself
# here (or in the PLAZA_COMPONENTS setting) and nowhere else.
INSTALLED = (
    "plaza.core",
    "plaza.accounts",
    "plaza.eligibility",
    "plaza.admin",
    "plaza.processes",
    "plaza.notifications",
    "plaza.questionnaires",
    "plaza.meetings",
    "plaza.voting",
    "plaza.proposals",
    "plaza.comments",
    "plaza.taxonomy",
)

PAGES = ("process", "organiser", "proposal", "account")  # the shared pages components add panels to


def resolve(dotted: str) -> Any:
    """"package.module:attribute" -> the attribute, imported now."""
    module, _, attribute = dotted.partition(":")
    value = importlib.import_module(module)
    return getattr(value, attribute) if attribute else value


@dataclass(frozen=True)
class Mount:
    """Where a blueprint's pages live: nested under /processes/<slug>/ (url_prefix None), or at a prefix."""

    blueprint: str  # "plaza.proposals.views:bp"
    url_prefix: str | None = None


@dataclass(frozen=True)
class Panel:
    """A part of a shared page. `context` ("module:function") gets (the page's object, the user or None)
    and returns the template's variables, or None to show nothing; a "status" key sets the page's
    status (a refused filter on the process page answers 400)."""

    template: str
    context: str
    order: int = 50
    slot: str = "main"  # where on the page: "header" (under the title) or "main"


@dataclass(frozen=True)
class Rule:
    """Who may do an action: signed-in roles, the component the active phase must enable (if any),
    whether anonymous visitors may, and whether only the object's owner may (`owner` names the
    attribute holding the owner's user id, e.g. "author_id")."""

    roles: frozenset
    component: Any = None
    anonymous: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class Link:
    """A link on the organiser's page to one of the area's pages, shown to holders of `action`."""

    label: Any
    endpoint: str  # a process-scoped endpoint; the page's process fills in the slug
    action: str


@dataclass(frozen=True)
class OpenData:
    """A file anyone (or `action`'s holders) may download, listed on the organiser's page."""

    label: Any
    endpoint: str
    action: str = "process.export"


@dataclass(frozen=True)
class Action:
    """Something a resident can do in a consultation now, in plain verbs: `label` says what ("Vote"),
    `button` the words on its button ("Vote now"; the label when None). `needs_sign_in`: the visitor is
    signed out and `url` leads through the sign-in page. `deadline`: until when (the current phase's end,
    or a ballot's own closing time). The consultation's main button is its first `primary` action;
    `priority` orders actions (lower first)."""

    label: Any
    url: str
    button: Any = None
    needs_sign_in: bool = False
    deadline: datetime | None = None
    primary: bool = False
    priority: int = 50

    @property
    def button_text(self):
        return self.button if self.button is not None else self.label


@dataclass(frozen=True)
class Manifest:
    key: str
    mounts: tuple[Mount, ...] = ()
    models: tuple[str, ...] = ()  # modules whose tables go on db.metadata
    permissions: Mapping[str, Rule] = field(default_factory=dict)
    panels: Mapping[str, Panel] = field(default_factory=dict)  # page name (see PAGES) -> panel
    events: tuple[str, ...] = ()  # outbox event kinds this area records
    translatable: tuple[str, ...] = ()  # "model.field" texts residents read
    organiser_links: tuple[Link, ...] = ()
    open_data: tuple[OpenData, ...] = ()
    personal_data: str | None = None  # "module:function(user) -> dict" for a resident's data export
    setup: str | None = None  # "module:function(app)": hooks the area installs on the app
    now: str | None = None  # "module:function(process, phase, user) -> list[Action]": what a resident can do now


@cache
def _load(packages: tuple[str, ...]) -> tuple[Manifest, ...]:
    manifests = tuple(resolve(f"{package}.component:manifest") for package in packages)
    keys = [manifest.key for manifest in manifests]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise RuntimeError(f"two components share the key(s) {', '.join(sorted(duplicates))}")
    return manifests


def installed_packages() -> tuple[str, ...]:
    try:
        return tuple(current_app.config.get("PLAZA_COMPONENTS") or INSTALLED)
    except RuntimeError:  # outside an app context (a script, a pure test)
        return INSTALLED


def manifests() -> tuple[Manifest, ...]:
    return _load(installed_packages())


def panels(page: str) -> list[tuple[Manifest, Panel]]:
    if page not in PAGES:
        raise KeyError(f"no shared page {page!r}: choose one of {', '.join(PAGES)}")
    found = [(manifest, manifest.panels[page]) for manifest in manifests() if page in manifest.panels]
    return sorted(found, key=lambda pair: pair[1].order)


def organiser_links() -> list[Link]:
    return [link for manifest in manifests() for link in manifest.organiser_links]


def open_data() -> list[OpenData]:
    return [export for manifest in manifests() for export in manifest.open_data]


def render_panels(page: str, subject, user) -> tuple[list[tuple[str, str, dict]], int]:
    """The panels of a shared page, as (slot, template, context), and the status the page answers."""
    rendered, status = [], 200
    for manifest, panel in panels(page):
        context: Callable | None = resolve(panel.context)
        values = context(subject, user) if context else None
        if values is None:
            continue
        status = max(status, values.pop("status", 200))
        rendered.append((panel.slot, panel.template, {"component": manifest.key, **values}))
    return rendered, status


def actions_now(process, user, now: datetime | None = None) -> list[Action]:
    """What `user` (None when signed out) can do in `process` now, from every component's `now` function:
    primary actions first, then by priority. Nothing outside a phase."""
    phase = process.active_phase(now)
    if phase is None:
        return []
    found = [action for manifest in manifests() if manifest.now
             for action in resolve(manifest.now)(process, phase, user)]
    return sorted(found, key=lambda action: (not action.primary, action.priority))
