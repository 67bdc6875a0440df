"""`runlog.Settings` (W&B's `wandb.Settings`): keyword settings with attribute access. The ones the
bridge uses travel to it (crash_timeout, finish_timeout, flush_interval, init_timeout); the rest
(W&B's many UI/cloud settings) are kept and readable, so scripts that pass them run unchanged."""

_TO_BRIDGE = {"crash_timeout": "crashTimeout", "finish_timeout": "finishTimeout", "flush_interval": "flushInterval", "init_timeout": "initTimeout"}
MODES = ("online", "offline", "disabled", "shared", "dryrun", "run")


class Settings:
    def __init__(self, **settings):
        object.__setattr__(self, "_values", {})
        for key, value in settings.items():
            setattr(self, key, value)

    def __setattr__(self, key, value):
        if key == "mode" and value is not None and value not in MODES:
            raise ValueError(f"Settings field `mode`: {value!r} is not a valid mode; use one of {', '.join(MODES[:4])}")
        if key in _TO_BRIDGE and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"Settings field `{key}` must be a non-negative number of seconds, got {value!r}")
        self._values[key] = value

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            return None

    def get(self, key, default=None):
        value = self._values.get(key)
        return default if value is None else value

    def update(self, other=None, **settings):
        values = dict(other._values if isinstance(other, Settings) else other or {}, **settings)
        for key, value in values.items():
            setattr(self, key, value)

    def to_bridge(self):
        return {camel: self._values[key] for key, camel in _TO_BRIDGE.items() if self._values.get(key) is not None}

    def __repr__(self):
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"


def as_settings(settings):
    if settings is None:
        return Settings()
    if isinstance(settings, Settings):
        copy = Settings()
        copy.update(settings)
        return copy
    if isinstance(settings, dict):
        return Settings(**settings)
    raise TypeError(f"settings must be a runlog.Settings or a dict, got {type(settings).__name__}")
