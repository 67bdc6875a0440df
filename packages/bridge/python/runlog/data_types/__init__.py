"""W&B's data types for the Python client: they travel to the bridge as maps tagged "__runlog__"
(PROTOCOL.md) and become the Runlog core's types there."""
from .histogram import Histogram
from .image import Image
from .media import Audio, Html, Object3D, Video
from .table import Table

__all__ = ["Audio", "Histogram", "Html", "Image", "Object3D", "Table", "Video"]
