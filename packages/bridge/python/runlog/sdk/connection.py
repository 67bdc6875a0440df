"""The client side of the bridge protocol (PROTOCOL.md): one background thread owns a DEALER
socket, batches records per run, keeps every batch until the bridge acks it, and resends after a
reconnect. The training thread packs a record and appends the bytes to its run's buffer, so log()
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

from .. import wire as _wire
from ..errors import BridgeError

PROTOCOL_VERSION = 1
# A batch leaves when this much is queued or its oldest record is this old.
BATCH_BYTES = 512 * 1024
BATCH_SECONDS = 0.02
# One records message carries at most this much (the bridge refuses messages over 64 MiB).
MAX_BATCH_BYTES = 8 * 1024 * 1024
ACK_TIMEOUT = 3.0
HEARTBEAT_SECONDS = 1.0
# Unacked bytes kept in memory; beyond that batches spill to a temporary file until acked.
MEMORY_LIMIT = int(os.environ.get("RUNLOG_MEMORY_LIMIT", 64 * 1024 * 1024))




class _Waiter:
    __slots__ = ("event", "ok", "result", "code", "message")

    def __init__(self):
        self.event = threading.Event()
        self.ok, self.result, self.code, self.message = False, None, None, None


class _RunState:
    """Per run: records packed back to back and not yet batched, and the batches sent but not yet
    acked (seq → frame).

    `queued` is shared with user threads without a lock: they only extend it (one C call, atomic
    in CPython), and the sender takes a prefix with a copy and a delete, each one atomic, so a
    record racing the take lands behind the prefix and goes out with the next batch. Packing into
    one buffer, not a list of bytes objects, leaves the sender one copy per batch instead of
    thousands of objects to join and free while holding the GIL the training loop needs."""

    def __init__(self, init_options):
        self.init_options = init_options
        self.queued = bytearray()
        self.queued_since = 0.0
        self.next_seq = 1
        self.unacked = collections.OrderedDict()
        self.sent_at = {}
        self.reiniting = False
        # What the bridge refused ("CODE: message"); the run raises it at its next call.
        self.rejected = []


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

    def rejected_of(self, run_id):
        """The list the sender appends the bridge's refusals of this run's records to."""
        return self._runs[run_id].rejected

    def queue_of(self, run_id):
        """The buffer a registered run extends with records packed by `_wire.pack_record` (see _RunState)."""
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

    def _ask(self, kind, run_id):
        done = threading.Event()
        box = {}
        self._inbox.put((kind, run_id, (box, done)))
        done.wait(5)
        return box.get("count", -1)

    def undelivered(self, run_id):
        """Records queued, or sent but not acked, for the run (0 once everything is in the store)."""
        return self._ask("records", run_id)

    def drain(self, run_id, timeout):
        """Waits until every record of the run is acked; returns how many were not."""
        deadline = time.monotonic() + timeout
        while self._ask("pending", run_id) != 0:
            if time.monotonic() >= deadline:
                return self.undelivered(run_id)
            time.sleep(0.002)
        return 0

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
                    if len(state.queued) >= BATCH_BYTES or now - state.queued_since >= BATCH_SECONDS:
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
            elif kind in ("pending", "records"):
                state = self._runs.get(a)
                box, done = b
                if state is None:
                    box["count"] = 0
                elif kind == "pending":
                    self._flush(a, state)  # someone waits for these records: no batching delay
                    box["count"] = len(state.unacked)  # batches (0: everything is in the store)
                else:
                    box["count"] = self._records_left(a, state)
                done.set()

    def _flush(self, run_id, state):
        packed = bytes(state.queued)
        if not packed:
            return
        del state.queued[: len(packed)]
        state.queued_since = 0.0
        for part in _wire.split_records(packed, MAX_BATCH_BYTES):
            self._send_batch(run_id, state, part)

    def _records_left(self, run_id, state):
        """Records not yet in the store (counted only when finish() must report a loss)."""
        left = _wire.count_records(bytes(state.queued))
        for seq in state.unacked:
            left += _wire.count_records(_wire.unpack(self._frame(run_id, state, seq)).get("packed", b""))
        return left

    def _send_batch(self, run_id, state, packed):
        seq = state.next_seq
        state.next_seq += 1
        frame = _wire.pack_records({"v": PROTOCOL_VERSION, "t": "records", "run": run_id, "seq": seq}, packed)
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
            if code == "RECORD_REJECTED" and run_id in self._runs:
                self._runs[run_id].rejected.append(str(message.get("message")))
            if code == "UNKNOWN_RUN" and run_id in self._runs:
                self._reinit(run_id, self._runs[run_id])

    def _ack(self, run_id, state, seq):
        for done in [s for s in state.unacked if s <= seq]:
            frame = state.unacked.pop(done)
            state.sent_at.pop(done, None)
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
