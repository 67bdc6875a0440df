"""W&B's public read API (`wandb.Api()`), reading the bridge's store."""
from .public import Api, File, Run, Runs

__all__ = ["Api", "File", "Run", "Runs"]
