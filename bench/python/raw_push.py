"""The raw baseline: pyzmq PUSH sending the same rows msgpack-encoded in batches of 100 to a
zeromq.js PULL. argv: endpoint, records."""
import sys

import msgpack
import zmq

endpoint, records = sys.argv[1], int(sys.argv[2])
socket = zmq.Context.instance().socket(zmq.PUSH)
socket.setsockopt(zmq.SNDHWM, 100000)
socket.connect(endpoint)
batch = []
for i in range(records):
    batch.append({f"m{k}": i * 0.5 + k for k in range(10)})
    if len(batch) == 100:
        socket.send(msgpack.packb(batch))
        batch = []
if batch:
    socket.send(msgpack.packb(batch))
socket.send(b"")
socket.close(linger=-1)
