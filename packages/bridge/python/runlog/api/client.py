"""The read API's requests: `{t: "api", method, args}` to the bridge (the current run's connection,
or one of its own when no run is open)."""
from ..sdk import state


def api_request(method, timeout=60, **args):
    from .._launcher import bridge_endpoint
    from ..sdk.connection import Connection

    if state.connection is None:
        state.connection = Connection(bridge_endpoint())
    return state.connection.request({"t": "api", "method": method, "args": {k: v for k, v in args.items() if v is not None}}, timeout=timeout)
