"""Human-rights and SDG tags on consultations and proposals, and a page per tag."""

from plaza.components import Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE

manifest = Manifest(
    key="taxonomy",
    mounts=(Mount("plaza.taxonomy.views:bp", "/tags"),),
    models=("plaza.taxonomy.models",),
    # The organisers may tag any proposal of their process too ("process.manage"): see services.may_tag.
    permissions={"proposal.tag": Rule(EVERYONE, owner="author_id")},
    panels={"process": Panel("taxonomy/_process_panel.html", "plaza.taxonomy.views:process_panel", order=10,
                             slot="header"),
            "proposal": Panel("taxonomy/_proposal_panel.html", "plaza.taxonomy.views:proposal_panel", order=10,
                              slot="header")},
)
