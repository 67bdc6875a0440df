"""`Audio`, `Video`, `Html` and `Object3D` with W&B's constructors; files are read by the bridge
(same host), raw data travels as numbers."""
import os


def _numbers(data):
    return data.tolist() if hasattr(data, "tolist") else list(data)


class Audio:
    _log_type = "audio-file"

    def __init__(self, data_or_path, sample_rate=None, caption=None):
        self.caption, self.sample_rate = caption, sample_rate
        if isinstance(data_or_path, (str, os.PathLike)):
            self._wire = {"path": os.path.abspath(os.fspath(data_or_path))}
            if not os.path.isfile(self._wire["path"]):
                raise ValueError(f"Audio file not found: {data_or_path!r}")
            return
        if sample_rate is None:
            raise ValueError('Argument "sample_rate" is required when instantiating wandb.Audio with raw data.')
        samples = _numbers(data_or_path)
        if samples and isinstance(samples[0], list):
            raise ValueError("Audio takes mono samples (a 1-D array)")
        self._wire = {"data": [float(s) for s in samples], "sample_rate": int(sample_rate)}

    def _to_wire(self):
        return {"__runlog__": "audio", **self._wire, **({"caption": str(self.caption)} if self.caption is not None else {})}


class Video:
    """A file (mp4, webm, gif, ogg) or frames as numpy (time, channel, height, width), as W&B."""

    _log_type = "video-file"

    def __init__(self, data_or_path, caption=None, fps=None, format=None):
        self.caption, self.fps, self.format = caption, fps, format
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.path.abspath(os.fspath(data_or_path))
            if not os.path.isfile(path):
                raise ValueError(f"Video file not found: {data_or_path!r}")
            self._wire = {"path": path}
            return
        import numpy as np

        frames = np.asarray(data_or_path)
        if frames.ndim == 5:  # (batch, time, channel, height, width): W&B tiles the batch; we take the first
            frames = frames[0]
        if frames.ndim != 4:
            raise ValueError("wandb.Video accepts a filepath or numpy array of shape (time, channel, height, width)")
        frames = frames.transpose(0, 2, 3, 1).astype(np.uint8)
        self._wire = {"data": frames.ravel().tolist(), "shape": list(frames.shape)}

    def _to_wire(self):
        wire = {"__runlog__": "video", **self._wire}
        if self.fps is not None:
            wire["fps"] = float(self.fps)
        if self.caption is not None:
            wire["caption"] = str(self.caption)
        return wire


class Html:
    _log_type = "html-file"

    def __init__(self, data, inject=True, data_is_not_path=False):
        if hasattr(data, "read"):
            data = data.read()
        elif isinstance(data, (str, os.PathLike)) and not data_is_not_path and os.path.isfile(os.fspath(data)):
            with open(os.fspath(data), encoding="utf-8") as f:
                data = f.read()
        if not isinstance(data, str):
            raise ValueError("data must be a string or an io object")
        self.html = data

    def _to_wire(self):
        return {"__runlog__": "html", "html": self.html}


class Object3D:
    _log_type = "object3D-file"
    SUPPORTED_TYPES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")

    def __init__(self, data_or_path, caption=None, **kwargs):
        self.caption = caption
        if isinstance(data_or_path, dict) and "points" in data_or_path:
            data_or_path = data_or_path["points"]
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.path.abspath(os.fspath(data_or_path))
            if not path.lower().endswith(self.SUPPORTED_TYPES):
                raise ValueError(f"Object3D files must be one of {', '.join(self.SUPPORTED_TYPES)}")
            self._wire = {"path": path}
            return
        points = _numbers(data_or_path)
        if not points or not isinstance(points[0], list) or len(points[0]) not in (3, 4, 6):
            raise ValueError("Object3D points must be an (N, 3), (N, 4) or (N, 6) array")
        self._wire = {"points": points}

    @classmethod
    def from_numpy(cls, data):
        return cls(data)

    @classmethod
    def from_file(cls, data_or_path, file_type=None):
        return cls(data_or_path)

    def _to_wire(self):
        return {"__runlog__": "object3d", **self._wire, **({"caption": str(self.caption)} if self.caption is not None else {})}
