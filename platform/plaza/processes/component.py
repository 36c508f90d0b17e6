"""Consultations (participatory processes): the page every component of a process hangs from."""

from plaza.components import Manifest, Mount, Rule
from plaza.permissions import ANSWERERS, EVERYONE, STAFF

manifest = Manifest(
    key="processes",
    mounts=(Mount("plaza.processes.views:bp", "/processes"),),
    models=("plaza.processes.models",),
    permissions={
        "process.view": Rule(EVERYONE, anonymous=True),
        "process.manage": Rule(STAFF),
        "process.export": Rule(ANSWERERS),
    },
    events=("process.phase_changed",),
    translatable=("process.title", "process.summary", "process.body", "phase.title"),
)
