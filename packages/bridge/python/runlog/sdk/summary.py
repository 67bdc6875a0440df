"""`run.summary`: what the committed rows left (last values, or define_metric's ops), plus what the
script set itself; changes go to the bridge, reads come from the client's mirror (sdk/history.py)."""


class Summary:
    def __init__(self, send, values, run=None):
        object.__setattr__(self, "_send", send)
        object.__setattr__(self, "_values", values)  # the History's dict: log() updates it in place
        object.__setattr__(self, "_run", run)

    def update(self, values):
        values = dict(values)
        for key, value in values.items():
            bind = getattr(value, "_bind_to_run", None)
            if bind is not None and self._run is not None:  # a Graph: its file is kept, the summary holds the entry
                values[key] = bind(self._run, key)
        self._values.update(values)
        if values:
            self._send(["summary", values])

    def __setitem__(self, key, value):
        self.update({key: value})

    __setattr__ = __setitem__

    def __getitem__(self, key):
        return self._values[key]

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __delitem__(self, key):
        del self._values[key]
        self._send(["summary_delete", key])

    __delattr__ = __delitem__

    def __contains__(self, key):
        return key in self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def get(self, key, default=None):
        return self._values.get(key, default)

    def keys(self):
        return self._values.keys()

    def items(self):
        return self._values.items()

    def values(self):
        return self._values.values()

    def as_dict(self):
        return dict(self._values)

    def __repr__(self):
        return f"Summary({self._values!r})"
