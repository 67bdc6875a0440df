"""`Image` as W&B 0.31 builds it: numpy arrays are squeezed and cast to uint8 (W&B 0.31 expects
0–255 and no longer rescales), torch tensors are CHW (mode from the first axis), PIL images and
files are taken as they are; `mode`, `caption`, `boxes`, `masks`."""
import io
import os

_FILE_TYPES = ("png", "jpg", "jpeg", "bmp")


def _guess_mode(array, channels_first):
    channels = array.shape[0] if channels_first else array.shape[-1]
    if array.ndim == 2 or channels == 1:
        return "L"
    if channels == 3:
        return "RGB"
    if channels == 4:
        return "RGBA"
    raise ValueError(f"Un-supported shape for image conversion {list(array.shape)}")


class Image:
    _log_type = "image-file"

    def __init__(self, data_or_path, mode=None, caption=None, grouping=None, classes=None, boxes=None, masks=None, file_type=None):
        if file_type is not None and file_type not in _FILE_TYPES:
            raise ValueError(f"file_type must be one of {list(_FILE_TYPES)}")
        if mode is not None and mode not in ("L", "RGB", "RGBA", "P", "1", "I", "F", "LA", "CMYK"):
            raise ValueError(f"unknown image mode {mode!r}")
        self.caption = caption
        self.mode = mode
        self._boxes = _plain_groups(boxes, "boxes")
        self._masks = _plain_groups(masks, "masks")
        self._png, self._pixels, self._shape = None, None, None
        if isinstance(data_or_path, Image):
            self._png, self._pixels, self._shape, self.mode = data_or_path._png, data_or_path._pixels, data_or_path._shape, data_or_path.mode
        elif isinstance(data_or_path, (str, os.PathLike)):
            self._from_path(os.fspath(data_or_path))
        elif hasattr(data_or_path, "convert") and hasattr(data_or_path, "size"):
            self._from_pil(data_or_path)
        else:
            self._from_array(data_or_path)

    def _from_path(self, path):
        if not os.path.isfile(path):
            raise ValueError(f"Image file not found: {path!r}")
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8"):
            self._png = data
            return
        from PIL import Image as PILImage

        self._from_pil(PILImage.open(io.BytesIO(data)))

    def _from_pil(self, image):
        if self.mode is not None and image.mode != self.mode:
            image = image.convert(self.mode)
        self.mode = image.mode
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        self._png = buffer.getvalue()

    def _from_array(self, data):
        import numpy as np

        channels_first = hasattr(data, "permute") and hasattr(data, "detach")
        if channels_first:  # a torch tensor: CHW, as W&B reads it
            tensor = data.detach()
            if str(tensor.dtype) == "torch.uint8":
                tensor = tensor.to(float)
            if tensor.ndim != 3:
                raise ValueError(f"Un-supported shape for image conversion {list(tensor.shape)}")
            mode = self.mode or _guess_mode(tensor, True)
            array = tensor.permute(1, 2, 0).cpu().numpy().astype(np.uint8)
            if array.ndim > 2:
                array = array.squeeze()
        else:
            array = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
            if array.ndim > 2:
                array = array.squeeze()
            if array.ndim not in (2, 3):
                raise TypeError(f"Un-supported shape for image conversion {list(array.shape)}")
            mode = self.mode or _guess_mode(array, False)
            array = array.astype(np.uint8)
        self.mode = mode
        natural = {2: "L"}.get(array.ndim) or {1: "L", 3: "RGB", 4: "RGBA"}.get(array.shape[-1])
        if natural != mode:  # PIL's convert, as W&B does
            from PIL import Image as PILImage

            self._from_pil(PILImage.fromarray(array).convert(mode))
            return
        self._pixels = array.tobytes()
        self._shape = list(array.shape) if array.ndim == 3 else [array.shape[0], array.shape[1], 1]

    @property
    def image(self):
        """The picture as a PIL image (needs Pillow), as W&B's `Image.image`."""
        from PIL import Image as PILImage

        if self._png is not None:
            return PILImage.open(io.BytesIO(self._png))
        import numpy as np

        array = np.frombuffer(self._pixels, dtype=np.uint8).reshape(self._shape)
        return PILImage.fromarray(array[:, :, 0] if self._shape[2] == 1 else array)

    def _to_wire(self):
        wire = {"__runlog__": "image", "data": self._png if self._png is not None else self._pixels}
        if self._png is None:
            wire["shape"] = self._shape
        if self.caption is not None:
            wire["caption"] = str(self.caption)
        if self._boxes:
            wire["boxes"] = self._boxes
        if self._masks:
            wire["masks"] = self._masks
        return wire


def _plain_groups(groups, what):
    """boxes / masks: {group: {box_data | mask_data, class_labels}}, numpy turned into lists."""
    if groups is None:
        return None
    if not isinstance(groups, dict):
        raise TypeError(f"{what} must be a dict of named groups, got {type(groups).__name__}")
    plain = {}
    for name, group in groups.items():
        if not isinstance(group, dict):
            raise TypeError(f"{what}[{name!r}] must be a dict")
        group = dict(group)
        if "mask_data" in group and hasattr(group["mask_data"], "tolist"):
            group["mask_data"] = group["mask_data"].tolist()
        if "class_labels" in group:
            group["class_labels"] = {str(k): str(v) for k, v in group["class_labels"].items()}
        plain[name] = group
    return plain
