"""Administration: site status, background tasks, invitation letters."""

from plaza.components import Manifest, Mount, Rule
from plaza.permissions import ADMINS, ANSWERERS

manifest = Manifest(
    key="admin",
    mounts=(Mount("plaza.admin.views:bp", "/admin"),),
    permissions={
        "admin.status": Rule(ADMINS),
        "admin.tasks": Rule(ANSWERERS),  # people who start long tasks follow them
        "admin.invitations": Rule(ANSWERERS),
    },
)
