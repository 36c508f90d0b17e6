"""Notifications: who follows what, and (issue 12) the inbox, e-mail, digests and gateways."""

from plaza.components import Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE

manifest = Manifest(
    key="notifications",
    mounts=(Mount("plaza.notifications.views:bp"),),
    models=("plaza.notifications.models",),
    permissions={"process.follow": Rule(EVERYONE)},
    panels={"process": Panel("notifications/_process_panel.html", "plaza.notifications.views:process_panel",
                             order=20, slot="header")},
)
