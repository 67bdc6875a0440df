import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeFrames } from "../../pipeline/frame.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { contractRun, framesOf } from "../../testing/contract-records.js";
import { until } from "../../testing/scratch.js";
import { describeSinkContract } from "../../testing/sink-contract.js";
import { DB_FILE } from "./database.js";
import { SqliteSink } from "./sqlite-sink.js";

// The embedded store's sink: records go to the store through its worker thread.
describeSinkContract("embedded SQLite (SqliteSink)", async () => {
  const dbPath = join(tempRoot(), DB_FILE);
  return { open: async () => new SqliteSink(dbPath, 30) };
});

describe("SqliteSink's worker, taking a backlog as one transaction", () => {
  const address = { entity: "lab", project: "worker", id: "w1" };
  const records = contractRun(address);
  const segment = (from: number, to: number) => new Uint8Array(encodeFrames(framesOf(records.slice(from - 1, to))));

  it("stores and acknowledges the segments before a damaged one, and applies nothing past it until resumed", async () => {
    const sink = new SqliteSink(join(tempRoot(), DB_FILE), 30);
    const acks: number[] = [];
    const errors: Error[] = [];
    sink.onAck = (seq) => acks.push(seq);
    sink.onError = (error) => errors.push(error);
    try {
      const damaged = segment(3, 3);
      damaged[damaged.length - 3] = (damaged[damaged.length - 3] as number) ^ 0xff;
      // Delivered back to back: the worker reads them in one go and tries them as one transaction.
      sink.deliver(1, segment(1, 1), false);
      sink.deliver(2, segment(2, 2), false);
      sink.deliver(3, damaged, true);
      sink.deliver(5, segment(4, 5), false);
      await until(() => errors.length > 0, "the damaged segment's error");
      await until(() => acks.includes(2), "the ack of the segments before it");
      expect(acks.every((seq) => seq <= 2)).toBe(true);
      expect(sink.appliedSeq()).toBe(2);
      expect(errors[0]?.message).toMatch(/damaged/);
      // Resumed with the whole segment again (as the sender redelivers from the log): everything lands.
      sink.resume();
      sink.deliver(5, segment(3, 5), true);
      await until(() => acks.includes(5), "the ack after resume");
      expect(sink.appliedSeq()).toBe(5);
      expect((await sink.describeRun(address)).run).toMatchObject({ appliedSeq: 5, lastStep: 7, state: "finished" });
    } finally {
      await sink.close();
    }
  });
});
