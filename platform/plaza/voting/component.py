"""Voting: ballots, the secret ballot with receipts, the bulletin board and verified counting."""

from plaza.components import Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE, STAFF
from plaza.phases import Component

manifest = Manifest(
    key="voting",
    mounts=(Mount("plaza.voting.views:bp"),),
    models=("plaza.voting.models",),
    now="plaza.voting.now:actions",
    permissions={
        "ballot.cast": Rule(EVERYONE, Component.VOTING),
        "ballot.manage": Rule(STAFF),
    },
    panels={"process": Panel("voting/_process_panel.html", "plaza.voting.views:process_panel", order=30),
            "organiser": Panel("voting/_organiser_panel.html", "plaza.voting.now:organiser_panel", order=30)},
    # No outbox events yet: opening, closing and counting a ballot go to the audit log.
    translatable=("ballot.title", "ballot.description", "ballot_option.label", "ballot_option.description"),
)
