"""The client side of the bridge protocol (PROTOCOL.md): one background thread owns a DEALER
socket, batches records per run, keeps every batch until the bridge acks it, and resends after a
reconnect. The training thread packs a record and appends the bytes to its run's list, so log()
never waits on the network and never takes a lock."""
import collections
import itertools
import os
import queue
import re
import tempfile
import threading
import time
import uuid

import zmq

from . import _wire

PROTOCOL_VERSION = 1
BATCH_ITEMS = 5000
BATCH_SECONDS = 0.02
# One records message carries at most this much; the bridge refuses messages over 64 MiB.
MAX_BATCH_ITEMS = 20000
MAX_BATCH_BYTES = 8 * 1024 * 1024
ACK_TIMEOUT = 3.0
HEARTBEAT_SECONDS = 1.0
# Unacked bytes kept in memory; beyond that batches spill to a temporary file until acked.
MEMORY_LIMIT = int(os.environ.get("RUNLOG_MEMORY_LIMIT", 64 * 1024 * 1024))


class BridgeError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{message} [{code}]")
        self.code = code


class _Waiter:
    __slots__ = ("event", "ok", "result", "code", "message")

    def __init__(self):
        self.event = threading.Event()
        self.ok, self.result, self.code, self.message = False, None, None, None


class _RunState:
    """Per run: packed records not yet batched, and the batches sent but not yet acked (seq → frame).

    `queued` is shared with user threads without a lock: they only append (atomic in CPython), and
    the sender takes a prefix with a slice copy and a slice delete, each one atomic, so an append
    racing the take lands behind the prefix and goes out with the next batch."""

    def __init__(self, init_options):
        self.init_options = init_options
        self.queued = []
        self.queued_since = 0.0
        self.next_seq = 1
        self.unacked = collections.OrderedDict()
        self.sent_at = {}
        self.item_counts = {}
        self.reiniting = False


class _Spill:
    """Frames beyond the memory limit, kept in a temp file until acked (the bridge may be gone for minutes)."""

    def __init__(self):
        self.file = None
        self.index = {}

    def put(self, key, frame):
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix="runlog-spill-")
        self.file.seek(0, os.SEEK_END)
        self.index[key] = (self.file.tell(), len(frame))
        self.file.write(frame)

    def get(self, key):
        offset, length = self.index[key]
        self.file.seek(offset)
        return self.file.read(length)

    def drop(self, key):
        self.index.pop(key, None)


class Connection:
    def __init__(self, endpoint, curve=None):
        if not re.match(r"^(tcp://(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}|ipc://.+)$", endpoint or ""):
            raise ValueError(f"Not a bridge endpoint: {endpoint!r}; use tcp://127.0.0.1:5555 or ipc:///path/to/socket")
        self.endpoint = endpoint
        self._dead = None
        self._curve = curve
        self._inbox = queue.SimpleQueue()
        self._runs = {}
        self._waiters = {}
        self._rids = itertools.count(1)
        self._memory = 0
        self._spill = _Spill()
        self.spilled = 0
        self._stop = threading.Event()
        self._errors = collections.deque(maxlen=20)
        self._context = zmq.Context.instance()
        self._socket = None
        self._last_send = 0.0
        self._thread = threading.Thread(target=self._loop, name="runlog-sender", daemon=True)
        self._thread.start()

    # ---- called from user threads -------------------------------------------------------------

    def queue_of(self, run_id):
        """The list a registered run appends records packed by `_wire.pack_record` to (see _RunState)."""
        return self._runs[run_id].queued

    def request(self, message, timeout=60.0):
        if self._dead is not None:
            raise BridgeError("SENDER_FAILED", f"The connection to {self.endpoint} failed: {self._dead}")
        waiter = _Waiter()
        self._inbox.put(("request", message, waiter))
        deadline = time.monotonic() + timeout
        while not waiter.event.wait(0.1):
            if self._dead is not None:
                raise BridgeError("SENDER_FAILED", f"The connection to {self.endpoint} failed: {self._dead}")
            if time.monotonic() >= deadline:
                break
        if not waiter.event.is_set():
            raise BridgeError("TIMEOUT", f"The bridge at {self.endpoint} did not answer {message.get('t')} within {timeout:.0f} s")
        if not waiter.ok:
            raise BridgeError(waiter.code, waiter.message)
        return waiter.result

    def register(self, run_id, init_options, last_seq=0):
        # Registered here, before the caller can log: the sender must know the run when its first record arrives.
        state = self._runs.get(run_id) or _RunState(init_options)
        state.next_seq = max(state.next_seq, last_seq + 1)
        self._runs[run_id] = state

    def undelivered(self, run_id):
        """Records queued, or sent but not acked, for the run (0 once everything is in the store)."""
        done = threading.Event()
        box = {}
        self._inbox.put(("count", run_id, (box, done)))
        done.wait(5)
        return box.get("count", -1)

    def drain(self, run_id, timeout):
        """Waits until every record of the run is acked; returns how many were not."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.undelivered(run_id)
            if left == 0 or time.monotonic() >= deadline:
                return left
            time.sleep(0.002)

    def errors(self):
        return list(self._errors)

    def close(self):
        self._stop.set()
        self._thread.join(5)

    # ---- the sender thread --------------------------------------------------------------------

    def _connect(self):
        if self._socket is not None:
            self._socket.close(linger=0)
        socket = self._context.socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.ROUTING_ID, uuid.uuid4().bytes)
        socket.setsockopt(zmq.SNDHWM, 100000)
        socket.setsockopt(zmq.HEARTBEAT_IVL, 1000)
        socket.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3000)
        if self._curve:
            socket.curve_serverkey = self._curve["server_key"].encode()
            socket.curve_publickey = self._curve["public_key"].encode()
            socket.curve_secretkey = self._curve["secret_key"].encode()
        socket.connect(self.endpoint)
        self._socket = socket
        self._send({"t": "hello", "client": {"lang": "python", "pid": os.getpid()}})

    def _send(self, message, frame=None):
        try:
            self._socket.send(frame if frame is not None else _wire.pack({"v": PROTOCOL_VERSION, **message}), zmq.NOBLOCK)
            self._last_send = time.monotonic()
            return True
        except zmq.Again:
            return False

    def _loop(self):
        try:
            self._run_loop()
        except Exception as error:  # never silently: requests and finish() report it
            self._dead = repr(error)

    def _run_loop(self):
        self._connect()
        poller = zmq.Poller()
        poller.register(self._socket, zmq.POLLIN)
        while not self._stop.is_set() or self._busy():
            self._take_inbox()
            now = time.monotonic()
            for run_id, state in list(self._runs.items()):
                if state.queued:
                    if not state.queued_since:
                        state.queued_since = now
                    if len(state.queued) >= BATCH_ITEMS or now - state.queued_since >= BATCH_SECONDS:
                        self._flush(run_id, state)
            if poller.poll(5):
                while True:
                    try:
                        frame = self._socket.recv(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self._handle(frame)
            now = time.monotonic()
            if any(state.unacked and now - state.sent_at.get(next(iter(state.unacked)), now) > ACK_TIMEOUT for state in list(self._runs.values())):
                # No ack for too long: the bridge restarted or the link broke. Reconnect and resend in order.
                poller.unregister(self._socket)
                self._connect()
                poller.register(self._socket, zmq.POLLIN)
                for run_id, state in list(self._runs.items()):
                    self._resend(run_id, state)
            elif now - self._last_send > HEARTBEAT_SECONDS:
                for run_id in list(self._runs) or [None]:
                    self._send({"t": "heartbeat", **({"run": run_id} if run_id else {})})
        if self._socket is not None:
            self._socket.close(linger=0)

    def _busy(self):
        return not self._inbox.empty() or any(state.queued or state.unacked for state in list(self._runs.values()))

    def _take_inbox(self):
        for _ in range(10000):
            try:
                kind, a, b = self._inbox.get(timeout=0.002) if not self._busy() else self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "request":
                run_id = a.get("run")
                if run_id in self._runs:
                    self._flush(run_id, self._runs[run_id])  # records logged before the request go first
                rid = next(self._rids)
                self._waiters[rid] = b
                self._send({**a, "rid": rid})
            elif kind == "resumed":
                state = self._runs.get(a)
                if state is not None:
                    self._ack(a, state, b)  # batches the old bridge made durable before it died
                    self._resend(a, state)
            elif kind == "count":
                state = self._runs.get(a)
                if state is not None:
                    self._flush(a, state)  # someone waits for these records: no batching delay
                box, done = b
                box["count"] = 0 if state is None else len(state.queued) + sum(state.item_counts.values())
                done.set()

    def _flush(self, run_id, state):
        items = state.queued[:]
        if not items:
            return
        del state.queued[: len(items)]
        state.queued_since = 0.0
        if len(items) <= MAX_BATCH_ITEMS and sum(map(len, items)) <= MAX_BATCH_BYTES:
            self._send_batch(run_id, state, items)
            return
        batch, size = [], 0
        for item in items:
            if batch and (len(batch) >= MAX_BATCH_ITEMS or size + len(item) > MAX_BATCH_BYTES):
                self._send_batch(run_id, state, batch)
                batch, size = [], 0
            batch.append(item)
            size += len(item)
        self._send_batch(run_id, state, batch)

    def _send_batch(self, run_id, state, items):
        seq = state.next_seq
        state.next_seq += 1
        frame = _wire.pack_records({"v": PROTOCOL_VERSION, "t": "records", "run": run_id, "seq": seq}, items)
        state.item_counts[seq] = len(items)
        if self._memory + len(frame) > MEMORY_LIMIT:
            self._spill.put((run_id, seq), frame)
            self.spilled += 1
            state.unacked[seq] = None
        else:
            state.unacked[seq] = frame
            self._memory += len(frame)
        state.sent_at[seq] = time.monotonic()
        if not state.reiniting:
            self._send(None, frame)

    def _frame(self, run_id, state, seq):
        frame = state.unacked[seq]
        return frame if frame is not None else self._spill.get((run_id, seq))

    def _resend(self, run_id, state):
        now = time.monotonic()
        for seq in list(state.unacked):
            state.sent_at[seq] = now
            if not self._send(None, self._frame(run_id, state, seq)):
                break

    def _handle(self, frame):
        try:
            message = _wire.unpack(frame)
        except (ValueError, TypeError):  # not msgpack; anything else is a bug and must reach _loop
            return
        kind = message.get("t")
        if kind == "ack":
            state = self._runs.get(message.get("run"))
            if state is None:
                return
            self._ack(message.get("run"), state, message.get("seq", 0))
        elif kind == "reply":
            waiter = self._waiters.pop(message.get("rid"), None)
            if waiter is not None:
                waiter.ok = bool(message.get("ok"))
                waiter.result = message.get("result")
                waiter.code = message.get("code")
                waiter.message = message.get("message")
                waiter.event.set()
        elif kind == "error":
            code = message.get("code")
            self._errors.append(f"{code}: {message.get('message')}")
            run_id = message.get("run")
            if code == "UNKNOWN_RUN" and run_id in self._runs:
                self._reinit(run_id, self._runs[run_id])

    def _ack(self, run_id, state, seq):
        for done in [s for s in state.unacked if s <= seq]:
            frame = state.unacked.pop(done)
            state.sent_at.pop(done, None)
            state.item_counts.pop(done, None)
            if frame is None:
                self._spill.drop((run_id, done))
            else:
                self._memory -= len(frame)

    def _reinit(self, run_id, state):
        """A restarted bridge does not host the run: open it again (same id, resume "must"), then resend."""
        if state.reiniting:
            return
        state.reiniting = True
        waiter = _Waiter()
        rid = next(self._rids)
        self._waiters[rid] = waiter

        def resume():
            if waiter.event.wait(30) and waiter.ok:
                last = (waiter.result or {}).get("last_seq", 0)
                self._inbox.put(("resumed", run_id, last))
            state.reiniting = False

        options = {**state.init_options, "id": run_id, "resume": "must"}
        self._send({"t": "init", "rid": rid, "options": options})
        threading.Thread(target=resume, daemon=True).start()
