import { describe, expect, it } from "vitest";
import { encodeFrames } from "../pipeline/frame.js";
import type { Sink } from "../pipeline/sink.js";
import type { RunAddress } from "../store/online/ingest-client.js";
import { contractRun, framesOf } from "./contract-records.js";
import { present, until } from "./scratch.js";

/** A sink under test: `open` gives a fresh sink for `address` over a store that may already hold runs. */
export interface SinkUnderTest {
  open(address: RunAddress): Promise<Sink>;
}

/**
 * The contract every `Sink` meets (the embedded store's worker sink, the online HTTP sink):
 * what `init` asks of it, acks after delivery, idempotent redelivery, and a clean close.
 * `fresh` gives a store with no runs for each test.
 */
export function describeSinkContract(name: string, fresh: () => Promise<SinkUnderTest>): void {
  describe(`Sink contract: ${name}`, () => {
    const address = { entity: "lab", project: "contract", id: "s1" };
    const records = contractRun(address);
    const segment = (from: number, to: number) => new Uint8Array(encodeFrames(framesOf(records.slice(from - 1, to))));

    const opened = async (store: SinkUnderTest, at: RunAddress = address) => {
      const sink = await store.open(at);
      const acks: number[] = [];
      const errors: Error[] = [];
      sink.onAck = (lastSeq) => acks.push(lastSeq);
      sink.onError = (error) => errors.push(error);
      return { sink, acks, errors };
    };

    it("describes a run it has never seen as absent, in an empty project", async () => {
      const { sink } = await opened(await fresh());
      try {
        expect(await sink.describeRun(address)).toEqual({ projectRunCount: 0 });
      } finally {
        await sink.close();
      }
    });

    it("acknowledges each delivered segment, in order, and the store then describes the run", async () => {
      const store = await fresh();
      const { sink, acks, errors } = await opened(store);
      try {
        sink.deliver(2, segment(1, 2), false);
        sink.deliver(5, segment(3, 5), false);
        await until(() => acks.includes(5) || errors.length > 0, "the ack of record 5");
        expect(errors).toEqual([]);
        expect(acks).toEqual([...acks].sort((a, b) => a - b));
        expect(acks.every((seq) => seq >= 2 && seq <= 5)).toBe(true);
        const described = await sink.describeRun(address);
        expect(described.projectRunCount).toBe(1);
        expect(present(described.run, "the delivered run")).toMatchObject({
          name: "s1-name",
          state: "finished",
          config: { lr: 0.5, layers: [8, 4] },
          summary: { best: 0.25 },
          lastStep: 7,
          appliedSeq: 5,
        });
      } finally {
        await sink.close();
      }
    });

    it("applies redelivered bytes (after a retry, or re-read from the log) once", async () => {
      const store = await fresh();
      const { sink, acks, errors } = await opened(store);
      try {
        sink.deliver(3, segment(1, 3), false);
        await until(() => acks.includes(3) || errors.length > 0, "the first ack");
        sink.deliver(3, segment(1, 3), true);
        sink.deliver(5, segment(2, 5), true);
        await until(() => acks.includes(5) || errors.length > 0, "the ack after redelivery");
        expect(errors).toEqual([]);
        expect(present((await sink.describeRun(address)).run, "the run")).toMatchObject({
          appliedSeq: 5,
          lastStep: 7,
          summary: { best: 0.25 },
        });
      } finally {
        await sink.close();
      }
    });

    it("a second sink over the same store sees the first run: project counts and resume points", async () => {
      const store = await fresh();
      const first = await opened(store);
      first.sink.deliver(5, segment(1, 5), false);
      await until(() => first.acks.includes(5) || first.errors.length > 0, "the first run's ack");
      await first.sink.close();
      const second = await opened(store, { ...address, id: "s2" });
      try {
        expect(await second.sink.describeRun({ ...address, id: "s2" })).toEqual({ projectRunCount: 1 });
        expect(present((await second.sink.describeRun(address)).run, "the first run").appliedSeq).toBe(5);
      } finally {
        await second.sink.close();
      }
    });

    it("closes once, however often close() is called, with nothing delivered", async () => {
      const { sink, errors } = await opened(await fresh());
      await Promise.all([sink.close(), sink.close()]);
      await sink.close();
      expect(errors).toEqual([]);
    });
  });
}
