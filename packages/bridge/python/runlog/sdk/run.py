"""The Python `Run`: every member of W&B's `wandb.Run`, on a run the bridge hosts. Logging only
packs and queues (sdk/connection.py sends); reads come from the client's mirror (sdk/history.py)."""
import datetime
import enum
import numbers
import time
import warnings

from .. import wire
from ..errors import Error, UsageError
from . import exit_hooks
from .config import Config, ConfigStatic
from .history import History, parse_summary
from .run_artifacts import ArtifactMethods
from .run_files import FileMethods
from .summary import Summary


class AlertLevel(str, enum.Enum):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


class RunStatus:
    """What `run.status()` answers (W&B's `RunStatus`)."""

    def __init__(self, sync_items_total=0, sync_items_pending=0, sync_time=None, state="running"):
        self.sync_items_total, self.sync_items_pending, self.sync_time, self.state = sync_items_total, sync_items_pending, sync_time, state

    def __repr__(self):
        return f"RunStatus(sync_items_total={self.sync_items_total}, sync_items_pending={self.sync_items_pending}, sync_time={self.sync_time})"


def _check_step(step):
    if step is None:
        return None
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"'{type(step).__name__}' object cannot be interpreted as an integer")
    return int(step)


def _read_only(attribute, doc):
    """A property as W&B's `Run` has: readable, not settable."""
    return property(lambda self: getattr(self, attribute), doc=doc)


class Run(FileMethods, ArtifactMethods):
    def __init__(self, connection, described, init_options, settings):
        self._connection = connection
        self._finished = False
        self._exit_code = None
        self._init_options = init_options
        self._settings = settings
        self._id = described["id"]
        self._enqueue = connection.queue_of(self._id).extend
        self._rejected = connection.rejected_of(self._id)
        self._name = described["name"]
        self._entity = described["entity"]
        self._project = described["project"]
        self._path = described["path"]
        self._dir = described["dir"]
        self._notes = described.get("notes")
        self._tags = tuple(described.get("tags") or ())
        self._group = described.get("group") or ""
        self._job_type = described.get("job_type") or ""
        self._sweep_id = described.get("sweep_id")
        self._sweep_url = described.get("sweep_url")
        self._url = described.get("url")
        self._project_url = described.get("project_url")
        self._start_time = described.get("start_time")
        self._offline = bool(described.get("offline"))
        # An online run through a bridge logs to the team server the bridge names (None otherwise).
        self._server = described.get("server") if described.get("mode") == "online" else None
        self._disabled = bool(described.get("disabled"))
        self._resumed = described.get("resumed", False)
        self._starting_step = described.get("step", 0)
        self._history = History(self._starting_step)
        self._history.summary.update(described.get("summary") or {})
        # W&B's init(allow_val_change=) does not loosen later config changes: each update() says so itself.
        self.config = Config(self._record, described.get("config", init_options.get("config")))
        self.summary = Summary(self._record, self._history.summary, self)
        self._watches = []
        self._watched_models = 0
        self._preempting = False
        exit_hooks.track(self)

    # -- W&B's read-only and settable properties ---------------------------------------------------

    settings = _read_only("_settings", "The run's Settings.")
    id = _read_only("_id", "The run's id.")
    entity = _read_only("_entity", "The entity the run belongs to.")
    project = _read_only("_project", "The run's project.")
    path = _read_only("_path", "entity/project/id.")
    dir = _read_only("_dir", "The folder of the run's files (kept at finish).")
    group = _read_only("_group", "The run's group.")
    job_type = _read_only("_job_type", "The run's job type.")
    sweep_id = _read_only("_sweep_id", "The sweep the run is a trial of, or None.")
    sweep_url = _read_only("_sweep_url", "The sweep's page, or None.")
    url = _read_only("_url", "The run's page, when a dashboard or server serves it.")
    project_url = _read_only("_project_url", "The project's page.")
    start_time = _read_only("_start_time", "When the run started (seconds since the epoch).")
    offline = _read_only("_offline", "True for an offline run (synced later).")
    disabled = _read_only("_disabled", "True for mode='disabled'.")
    resumed = _read_only("_resumed", "True when the run continues an earlier one.")
    starting_step = _read_only("_starting_step", "The first step of this process's part of the run.")

    @property
    def step(self):
        return self._history.step

    @property
    def config_static(self):
        return ConfigStatic(self.config.as_dict())

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._call("set_name", value=str(value))
        self._name = str(value)

    @property
    def notes(self):
        return self._notes

    @notes.setter
    def notes(self, value):
        self._call("set_notes", value=value)
        self._notes = value

    @property
    def tags(self):
        return self._tags

    @tags.setter
    def tags(self, value):
        tags = (value,) if isinstance(value, str) else tuple(str(tag) for tag in value)
        self._call("set_tags", value=list(tags))
        self._tags = tags

    def get_url(self):
        return self.url

    def get_project_url(self):
        return self.project_url

    def get_sweep_url(self):
        return self.sweep_url

    # -- talking to the bridge ----------------------------------------------------------------------

    def _check_open(self, what):
        if self._finished:
            raise UsageError(f"Run ({self.id}) is finished. The call to `{what}` will be ignored. Please make sure that you are using an active run.", code="RUN_FINISHED")
        if self._rejected:
            refused = list(self._rejected)
            del self._rejected[:]
            code, _, message = refused[0].partition(": ")
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise Error(f"The bridge refused an earlier record of run {self.id}: {message or code}{more}", code=code if message else "INVALID_VALUE")

    def _record(self, item):
        self._check_open(item[0])
        self._enqueue(wire.pack_record(item))

    def _call(self, method, **args):
        self._check_open(method)
        answer = self._connection.request({"t": "call", "run": self.id, "method": method, "args": args})
        # The bridge answers after it reported any refusal of the records before this call.
        self._check_open(method)
        return answer

    # -- logging ------------------------------------------------------------------------------------

    def log(self, data, step=None, commit=None):
        """Queues a row (never waits on the network). W&B's step/commit rules."""
        if not isinstance(data, dict):
            raise TypeError("wandb.log must be passed a dictionary")
        step = _check_step(step)
        if commit is not None and not isinstance(commit, bool):
            raise TypeError(f"'{type(commit).__name__}' object cannot be interpreted as an integer")
        for key in data:
            if not isinstance(key, str):
                raise TypeError("Key values passed to `wandb.log` must be strings.")
        self._check_open("log")
        if not self._history.log(data, step, commit):
            return
        if step is None and commit is None:
            self._enqueue(wire.pack_record(("log", data)))  # the training loop's call: the bridge's fast path
            return
        options = {"step": step} if step is not None else {}
        if commit is not None:
            options["commit"] = commit
        self._enqueue(wire.pack_record(["log", data, options]))

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, overwrite=None, goal=None):
        """W&B's define_metric; `goal` ("minimize"/"maximize", after W&B's parameters) is Runlog's best-value summary."""
        if not name:
            raise Error("define_metric() requires non-empty name argument", code="INVALID_ARGUMENT")
        step_metric = getattr(step_metric, "name", step_metric)
        for arg, value, kind in (("name", name, str), ("step_metric", step_metric, str), ("step_sync", step_sync, bool),
                                 ("hidden", hidden, bool), ("summary", summary, str), ("overwrite", overwrite, bool)):
            if value is not None and not isinstance(value, kind):
                raise Error(f"Unhandled define_metric() arg: {arg} type: {type(value).__name__}", code="INVALID_ARGUMENT")
        if "*" in (name[:-1] if name.endswith("*") else name):
            raise Error(f"Unhandled define_metric() arg: name (glob suffixes only): {name}", code="INVALID_ARGUMENT")
        ops = parse_summary(summary)
        self._check_open("define_metric")
        self._history.define(name, ops)
        options = {k: v for k, v in dict(step_metric=step_metric, step_sync=step_sync, hidden=hidden, summary=",".join(ops) if ops else None, goal=goal, overwrite=overwrite).items() if v is not None}
        self._record(["define_metric", name, options])
        return Metric(name, step_metric, step_sync, hidden, ops, goal)

    def alert(self, title, text, level=None, wait_duration=None):
        level = getattr(level, "value", level) or "INFO"
        if level not in ("INFO", "WARN", "ERROR"):
            raise ValueError("level must be one of 'INFO', 'WARN', or 'ERROR'")
        if isinstance(wait_duration, datetime.timedelta):
            wait_duration = wait_duration.total_seconds()
        if wait_duration is not None and (isinstance(wait_duration, bool) or not isinstance(wait_duration, (int, float)) or wait_duration < 0):
            raise TypeError("wait_duration must be an int, float, or datetime.timedelta")
        alert = {"title": str(title), "text": str(text), "level": level}
        if wait_duration is not None:
            alert["wait_duration"] = float(wait_duration)
        self._record(["alert", alert])

    def mark_preempting(self):
        self._call("mark_preempting")
        self._preempting = True

    def status(self):
        self._flush_records()
        answer = self._call("status")
        sync_time = answer.get("sync_time")
        return RunStatus(answer.get("sync_items_total", 0), answer.get("sync_items_pending", 0),
                         datetime.datetime.fromtimestamp(sync_time) if sync_time else None, answer.get("state", "running"))

    def _flush_records(self):
        self._connection.drain(self.id, float(self.settings.get("finish_timeout", 60)))

    def watch(self, models, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False, filter=None):
        """W&B's watch; `filter` (after W&B's parameters: names, a regex or a callable) picks the parameters to watch."""
        from .watch import watch

        self._check_open("watch")
        count = len(models) if isinstance(models, (list, tuple)) else 1
        first_idx = idx if idx is not None else self._watched_models  # W&B: graph_<n>, counting every model watched
        self._watches.append(watch(self, models, log=log, log_freq=log_freq, filter=filter, log_graph=log_graph, first_idx=first_idx, criterion=criterion))
        self._watched_models += count

    def unwatch(self, models=None):
        for handle in self._watches:
            handle.remove()
        self._watches = []

    def to_html(self, height=420, hidden=False):
        style = f"border:none;width:100%;height:{int(height)}px;" + ("display:none;" if hidden else "")
        return f"<iframe src='{self.url or ''}?jupyter=true' style='{style}'></iframe>"

    def display(self, height=420, hidden=False):
        """Shows the run page in a notebook (IPython); elsewhere returns False, as W&B."""
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:
            return False
        if get_ipython() is None:
            return False
        display(HTML(self.to_html(height, hidden)))
        return True

    def _repr_html_(self):
        return self.to_html()

    # -- ending -------------------------------------------------------------------------------------

    def finish(self, exit_code=None):
        """Sends what is queued, waits for the bridge to have it (finish_timeout, default 60 s), then closes the run."""
        if self._finished:
            return
        self.unwatch()
        if exit_code is None:
            exit_code = exit_hooks.exit_code()
        timeout = float(self.settings.get("finish_timeout", 60))
        left = self._connection.drain(self.id, timeout)
        if left:
            warnings.warn(f"runlog: {left} records of run {self.id} were not delivered to the bridge within {timeout:.0f} s; they are lost.", stacklevel=2)
        finished = True
        try:
            self._connection.request({"t": "finish", "run": self.id, "exit_code": int(exit_code or 0)}, timeout=timeout)
        except Error as error:  # the bridge is gone: the warning is all that can be done from here
            finished = False
            warnings.warn(f"runlog: finishing run {self.id} failed: {error}", stacklevel=2)
        self._finished = True
        self._exit_code = int(exit_code or 0)
        from . import banner

        if finished and not banner.silenced(self._settings):  # a failed finish has said so in its warning
            seconds = max(0.0, time.time() - self._start_time) if self._start_time else 0.0
            state_name = "finished" if self._exit_code == 0 else "failed"
            banner.write(banner.finish_lines(self, state_name, seconds, self.step, dict(self._history.summary)))
        from . import state

        if state.run is self:
            state.clear()
        if self._rejected:  # the last records' refusals: raised here, the run's last call
            self._finished = False
            try:
                self._check_open("finish")
            finally:
                self._finished = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=exit_hooks.code_of(exc) if exc_type is not None else 0)
        return False

    def __repr__(self):
        return f"<runlog Run {self.path} ({self.name})>"


class Metric:
    """What define_metric returns (W&B's `wandb.Metric`)."""

    def __init__(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None):
        self.name, self.step_metric, self.step_sync, self.hidden, self.summary, self.goal = name, step_metric, step_sync, hidden, summary, goal

    def __repr__(self):
        return f"<Metric {self.name}>"
