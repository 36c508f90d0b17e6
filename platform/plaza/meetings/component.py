"""Meetings: in person or online, with registration, a waiting list and calendar files."""

from flask_babel import lazy_gettext as _l

from plaza.components import Link, Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE, STAFF
from plaza.phases import Component

manifest = Manifest(
    key="meetings",
    mounts=(Mount("plaza.meetings.views:bp"),),
    models=("plaza.meetings.models",),
    now="plaza.meetings.now:actions",
    permissions={
        "meeting.register": Rule(EVERYONE, Component.MEETINGS),
        "meeting.manage": Rule(STAFF),
    },
    panels={"process": Panel("meetings/_process_panel.html", "plaza.meetings.views:process_panel", order=45)},
    # Everyone who may open the organiser's page (managers and those who may export) sees the meetings.
    organiser_links=(Link(_l("Meetings"), "process.meetings.index", "process.export"),),
    # A change and a cancellation are both "meeting.changed" (payload "change": "updated" or "cancelled"):
    # the people registered hear about either in the same way.
    events=("meeting.changed",),
    translatable=("meeting.title", "meeting.description", "meeting.accessibility_notes"),
)
