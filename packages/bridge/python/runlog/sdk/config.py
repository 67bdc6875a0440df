"""`run.config` and `run.config_static` with W&B's rules: a key keeps its value unless
`allow_val_change`, `setdefaults` only adds, and values come from dicts, argparse Namespaces,
absl flags or any object with attributes."""
import warnings

from ..errors import ConfigError


def config_values(values):
    """W&B's accepted config sources as a plain dict (TypeError for anything else)."""
    if values is None:
        return {}
    if isinstance(values, dict):
        return dict(values)
    if isinstance(values, str):
        return _yaml_file(values)
    flag_values = getattr(values, "flag_values_dict", None)  # absl.flags.FLAGS
    if callable(flag_values):
        return dict(flag_values())
    if hasattr(values, "__dict__"):
        return {k: v for k, v in vars(values).items() if not k.startswith("_") and not callable(v)}
    raise TypeError(f"config must be a dict, an argparse.Namespace, an object with attributes or a YAML path, got {type(values).__name__}")


def _yaml_file(path):
    import yaml

    with open(path, encoding="utf-8") as f:
        loaded = yaml.safe_load(f) or {}
    if not isinstance(loaded, dict):
        raise TypeError(f"config file {path!r} must hold a mapping")
    # W&B's config-defaults.yaml form: {key: {value: v, desc: ...}}
    return {k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in loaded.items() if k != "wandb_version"}


class Config:
    """Attribute and item access; every change goes to the bridge as one record."""

    def __init__(self, send, initial=None, allow_val_change=False):
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_items", dict(initial or {}))
        object.__setattr__(self, "_allow_val_change", bool(allow_val_change))
        object.__setattr__(self, "_locked", {})

    def _lock(self, keys, by):
        """Keys a sweep set: the user's updates to them are ignored with W&B's warning."""
        self._locked.update({key: by for key in keys})

    def update(self, values, allow_val_change=None):
        values = config_values(values)
        for key in [key for key in values if key in self._locked]:
            warnings.warn(f"Config item '{key}' was locked by '{self._locked[key]}' (ignored update).", stacklevel=3)
            del values[key]
        allow = self._allow_val_change if allow_val_change is None else allow_val_change
        if not allow:
            for key, value in values.items():
                if key in self._items and self._items[key] != value:
                    raise ConfigError(
                        f'Attempted to change value of key "{key}" from {self._items[key]} to {value}\n'
                        "If you really want to do this, pass allow_val_change=True to config.update()"
                    )
        self._items.update(values)
        if values:
            self._send(["config", values, {"allow_val_change": True}])

    def setdefaults(self, values):
        missing = {k: v for k, v in config_values(values).items() if k not in self._items}
        self.update(missing)

    def __setitem__(self, key, value):
        self.update({key: value})

    __setattr__ = __setitem__

    def __getitem__(self, key):
        return self._items[key]

    def __getattr__(self, key):
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"'Config' has no attribute {key!r}") from None

    def __delitem__(self, key):
        raise ConfigError(f"config key {key!r} cannot be deleted (W&B keeps every config key of a run)")

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self):
        return dict(self._items)

    def __repr__(self):
        return f"Config({self._items!r})"


class ConfigStatic:
    """`run.config_static`: a read-only snapshot with attribute access."""

    def __init__(self, items):
        object.__setattr__(self, "_items", dict(items))

    def __getattr__(self, key):
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key):
        return self._items[key]

    def __setattr__(self, key, value):
        raise AttributeError("Error: run.config_static is a readonly object")

    __setitem__ = __setattr__

    def keys(self):
        return self._items.keys()

    def __repr__(self):
        return f"ConfigStatic({self._items!r})"
