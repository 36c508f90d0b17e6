"""Proposals: residents propose, support, amend and follow; organisers answer and merge."""

from flask_babel import lazy_gettext as _l

from plaza.components import Manifest, Mount, OpenData, Panel, Rule
from plaza.permissions import ANSWERERS, EVERYONE, STAFF
from plaza.phases import Component

manifest = Manifest(
    key="proposals",
    mounts=(Mount("plaza.proposals.views:bp"),),
    models=("plaza.proposals.models",),
    now="plaza.proposals.now:actions",
    permissions={
        "proposal.create": Rule(EVERYONE, Component.PROPOSALS),
        "proposal.edit": Rule(EVERYONE, Component.PROPOSALS),
        # Only its author changes a proposal (edits it, withdraws it, decides its amendments), in the
        # phases "proposal.edit" and the others allow.
        "proposal.revise": Rule(EVERYONE, owner="author_id"),
        "proposal.withdraw": Rule(EVERYONE),
        "proposal.support": Rule(EVERYONE, Component.SUPPORTS),
        "proposal.amend": Rule(EVERYONE, Component.PROPOSALS),
        "proposal.answer": Rule(ANSWERERS),
        "proposal.merge": Rule(STAFF),
    },
    panels={"process": Panel("proposals/_process_panel.html", "plaza.proposals.views:process_panel", order=80),
            "organiser": Panel("proposals/_organiser_panel.html", "plaza.proposals.organiser:organiser_panel",
                               order=40)},
    events=("proposal.created", "proposal.answered", "proposal.amended"),  # a merge goes to the audit log
    translatable=("proposal.title", "proposal.body", "proposal.answer_text", "amendment.title", "amendment.body",
                  "category.name"),
    open_data=(OpenData(_l("Download the proposals as CSV (for spreadsheets)"), "process.proposals.export_csv"),
               OpenData(_l("Download the proposals as JSON"), "process.proposals.export_json")),
)
