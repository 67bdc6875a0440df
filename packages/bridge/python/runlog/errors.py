"""The client's errors: one base class, `runlog.Error`, with a stable `code` (the Runlog core's codes,
packages/core/src/errors.ts), as W&B's `wandb.Error`. Subclasses keep W&B's names so that
`except wandb.errors.CommError` style code works with `import runlog as wandb`."""


class Error(Exception):
    """Every error the client raises on purpose (besides ValueError/TypeError where W&B raises those)."""

    code = "INTERNAL"

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self):
        return self.message


class UsageError(Error):
    """The API was called in a way it cannot serve (W&B's `wandb.errors.UsageError`)."""

    code = "INVALID_ARGUMENT"


class ValidationError(UsageError, ValueError):
    """An init() argument W&B's settings refuse (W&B raises pydantic's ValidationError, a ValueError)."""


class ConfigError(Error):
    """A config key changed without allow_val_change (W&B's `wandb.sdk.lib.config_util.ConfigError`)."""

    code = "CONFIG_VALUE_CHANGE"


class CommError(Error):
    """The bridge could not be reached or answered with a failure (W&B's `wandb.errors.CommError`)."""

    code = "SERVER_UNAVAILABLE"


class BridgeError(CommError):
    """The bridge rejected a request or a record; `code` is the bridge's (core's) error code."""

    def __init__(self, code, message):
        super().__init__(f"{message} [{code}]", code=code)
