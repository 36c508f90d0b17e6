"""The home page, the language switcher and the health check."""

from plaza.components import Manifest, Mount

manifest = Manifest(key="core", mounts=(Mount("plaza.core.views:bp", ""),))
