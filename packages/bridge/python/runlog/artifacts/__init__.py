"""W&B's `Artifact` for the Python client."""
from .artifact import Artifact, ArtifactFile, ArtifactNotLoggedError, UsedArtifact
from .transfer import download_dir, upload_file

__all__ = ["Artifact", "ArtifactFile", "ArtifactNotLoggedError", "UsedArtifact", "download_dir", "upload_file"]
