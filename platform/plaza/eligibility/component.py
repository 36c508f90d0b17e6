"""Eligibility: where residents live and their age, declared on their account page or recorded by a desk
or a council roll, and the rule that decides which votes they may take part in."""

from plaza.components import Manifest, Mount, Panel

manifest = Manifest(
    key="eligibility",
    mounts=(Mount("plaza.eligibility.views:bp", "/account"),),
    models=("plaza.eligibility.models",),
    panels={"account": Panel("eligibility/_account_panel.html", "plaza.eligibility.views:account_panel",
                             order=10)},
    personal_data="plaza.eligibility.services:personal_data",
)
