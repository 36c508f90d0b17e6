"""Comments: threaded discussion of proposals, and its moderation."""

from flask_babel import lazy_gettext as _l

from plaza.components import Link, Manifest, Mount, Panel, Rule
from plaza.permissions import EVERYONE, MODERATORS
from plaza.phases import Component

manifest = Manifest(
    key="comments",
    mounts=(Mount("plaza.comments.views:bp"), Mount("plaza.comments.views:moderation_bp", "/processes/moderation")),
    models=("plaza.comments.models",),
    now="plaza.comments.now:actions",
    permissions={
        "comment.create": Rule(EVERYONE, Component.COMMENTS),
        "comment.edit": Rule(EVERYONE, owner="author_id"),  # within the window, while comments are open
        "comment.vote": Rule(EVERYONE, Component.COMMENTS),
        "comment.report": Rule(EVERYONE),
        "moderation.act": Rule(MODERATORS),
    },
    panels={"proposal": Panel("comments/_proposal_panel.html", "plaza.comments.views:proposal_panel", order=50),
            "organiser": Panel("comments/_organiser_panel.html", "plaza.comments.organiser:organiser_panel",
                               order=50)},
    organiser_links=(Link(_l("Moderation"), "moderation.queue", "moderation.act"),),
    events=("comment.replied",),  # hiding, showing again and dismissing go to the audit log, not the outbox
    translatable=("comment.body", "comment.hidden_reason"),
)
