import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryFileLayer } from "../test-support/fault-file-layer.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Sender } from "./sender.js";
import type { Sink } from "./sink.js";
import { TransactionLogWriter } from "./transaction-log.js";

/** A sink that records deliveries and acknowledges only when told (the real one is a worker thread). */
class RecordingSink implements Sink {
  resumed = 0;
  resume?: () => void;
  appliedSeq?: () => number;
  onAck: (lastSeq: number) => void = () => {};
  onError: (error: Error) => void = () => {};
  readonly delivered: { lastSeq: number; bytes: Uint8Array; fromDisk: boolean }[] = [];
  async describeRun() {
    return { projectRunCount: 0 };
  }
  deliver(lastSeq: number, bytes: Uint8Array, fromDisk: boolean): void {
    this.delivered.push({ lastSeq, bytes: new Uint8Array(bytes), fromDisk });
  }
  async close(): Promise<void> {}
}

function segment(seq: number, size: number): Buffer {
  return Buffer.alloc(size, seq % 256);
}

describe("Sender", () => {
  it("bounds memory: beyond the caps, segments are re-read from the log and still delivered in order", async () => {
    const log = new TransactionLogWriter(join(tempRoot(), "s.rlog"));
    const sink = new RecordingSink();
    const sender = new Sender(log, sink);
    const size = 1024 * 1024;
    for (let seq = 1; seq <= 20; seq++) {
      const bytes = segment(seq, size);
      sender.enqueue(seq, log.append(bytes), bytes, 100);
    }
    // 4 MB in flight: the first four went out; the rest wait, most of them spilled to the log.
    expect(sink.delivered.map((d) => d.lastSeq)).toEqual([1, 2, 3, 4]);
    expect(sender.pendingItems).toBe(20);
    for (let acked = 4; acked <= 20; acked += 4) sink.onAck(acked);
    expect(sink.delivered.map((d) => d.lastSeq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(sink.delivered.some((d) => d.fromDisk)).toBe(true);
    for (const d of sink.delivered) expect(d.bytes.every((b) => b === d.lastSeq % 256)).toBe(true);
    expect(await sender.idle(10)).toBe(true);
    expect(sender.pendingPoints).toBe(0);
    log.close();
  });

  it("reads what the sink applied without an event-loop turn, so a loop that never yields keeps the sink fed", async () => {
    const log = new TransactionLogWriter(join(tempRoot(), "a.rlog"));
    const sink = new RecordingSink();
    let applied = 0;
    sink.appliedSeq = () => applied;
    const sender = new Sender(log, sink);
    const size = 1024 * 1024;
    // No onAck at all (its messages would wait for the event loop): the applied counter alone frees room.
    for (let seq = 1; seq <= 20; seq++) {
      const bytes = segment(seq, size);
      sender.enqueue(seq, log.append(bytes), bytes, 100);
      applied = Math.max(0, seq - 2); // the worker runs two segments behind
    }
    expect(sink.delivered.map((d) => d.lastSeq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(sink.delivered.some((d) => d.fromDisk)).toBe(false);
    expect(sender.ackedSeq).toBe(17);
    expect(sender.pendingItems).toBe(3);
    // A counter that runs ahead of what was delivered, or goes back, changes nothing.
    applied = 3;
    const bytes = segment(21, 10);
    sender.enqueue(21, log.append(bytes), bytes, 1);
    expect(sender.ackedSeq).toBe(17);
    sink.onAck(21);
    expect(await sender.idle(10)).toBe(true);
    expect(sender.pendingPoints).toBe(0);
    log.close();
  });

  it("stops waiting at once when the sink fails", async () => {
    const log = new TransactionLogWriter(join(tempRoot(), "f.rlog"));
    const sink = new RecordingSink();
    const sender = new Sender(log, sink);
    const bytes = segment(1, 10);
    sender.enqueue(1, log.append(bytes), bytes, 1);
    const waiting = sender.idle(60_000);
    sender.fail();
    expect(await waiting).toBe(false);
    expect(await sender.idle(60_000)).toBe(false);
    log.close();
  });

  it("offline (no sink): the log is the destination, nothing is pending", async () => {
    const log = new TransactionLogWriter(join(tempRoot(), "o.rlog"));
    const sender = new Sender(log, undefined);
    const bytes = segment(1, 10);
    sender.enqueue(7, log.append(bytes), bytes, 1);
    expect(sender.ackedSeq).toBe(7);
    expect(await sender.idle(1)).toBe(true);
    log.close();
  });

  it("after a passing sink failure, redelivers everything unacknowledged from the log, in order, once resumed", async () => {
    const log = new TransactionLogWriter(join(tempRoot(), "r.rlog"));
    const sink = new RecordingSink();
    sink.resume = () => {
      sink.resumed++;
    };
    const sender = new Sender(log, sink);
    for (let seq = 1; seq <= 3; seq++) {
      const bytes = segment(seq, 100);
      sender.enqueue(seq, log.append(bytes), bytes, 10);
    }
    sink.onAck(1); // seq 1 stored; 2 failed (a full disk), so 3 was not applied either
    expect(sender.retryLater()).toBe(true);
    const bytes = segment(4, 100);
    sender.enqueue(4, log.append(bytes), bytes, 10); // held back while suspended
    expect(sink.delivered.map((d) => d.lastSeq)).toEqual([1, 2, 3]);
    await expect.poll(() => sink.resumed, { timeout: 5_000 }).toBe(1);
    expect(sink.delivered.map((d) => [d.lastSeq, d.fromDisk])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [2, true],
      [3, true],
      [4, false],
    ]);
    sink.onAck(4);
    expect(await sender.idle(10)).toBe(true);
    expect(sender.pendingPoints).toBe(0);
    log.close();
  });

  it("a sink without resume is given up on its first failure", () => {
    const log = new TransactionLogWriter(join(tempRoot(), "g.rlog"));
    const sender = new Sender(log, new RecordingSink());
    expect(sender.retryLater()).toBe(false);
    log.close();
  });

  it("a log that cannot be read back (EIO) is retried later, not thrown into the caller", async () => {
    let failReads = 1;
    const layer = new MemoryFileLayer((site) => (site === "read" && failReads-- > 0 ? "EIO" : undefined));
    const log = new TransactionLogWriter("/virtual/eio.rlog", layer);
    const sink = new RecordingSink();
    sink.resume = () => {
      sink.resumed++;
    };
    const sender = new Sender(log, sink);
    const size = 1024 * 1024;
    for (let seq = 1; seq <= 10; seq++) {
      const bytes = segment(seq, size);
      sender.enqueue(seq, log.append(bytes), bytes, 1);
    }
    // 1–4 in flight, 5–8 kept in memory, 9–10 spilled: the ack of 5 makes room, and re-reading 9 fails with EIO.
    sink.onAck(4);
    expect(() => sink.onAck(5)).not.toThrow();
    await expect.poll(() => sink.resumed, { timeout: 5_000 }).toBe(1);
    sink.onAck(10); // 6–9 were redelivered; 10 follows once they are acknowledged
    sink.onAck(10);
    expect(new Set(sink.delivered.map((d) => d.lastSeq))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => i + 1)));
    for (const d of sink.delivered) expect(d.bytes.every((b) => b === d.lastSeq % 256)).toBe(true);
    expect(await sender.idle(10)).toBe(true);
    log.close();
  });
});
