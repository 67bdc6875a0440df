"""W&B's data types for the Python client: they travel to the bridge as maps tagged "__runlog__"
(PROTOCOL.md) and become the Runlog core's types there."""
from .graph import Edge, Graph, Node
from .histogram import Histogram
from .image import Image
from .media import Audio, Html, Object3D, Video
from .table import Table

__all__ = ["Audio", "Edge", "Graph", "Node", "Histogram", "Html", "Image", "Object3D", "Table", "Video"]
