import { describe, expect, it } from "vitest";
import type { DecodedRecord } from "../pipeline/records.js";
import type { RunWriter } from "../store/run-writer.js";
import { contractRun } from "./contract-records.js";
import { present } from "./scratch.js";

/**
 * The contract every `RunWriter` meets (the server's embedded SQLite writer and its PostgreSQL
 * writer). `open` gives a writer over an empty store; the suite closes it.
 */
export function describeRunWriterContract(name: string, open: () => Promise<RunWriter>): void {
  describe(`RunWriter contract: ${name}`, () => {
    const address = { entity: "lab", project: "contract", id: "w1" };

    it("applies a run's records and describes the run from them", async () => {
      const writer = await open();
      try {
        expect(await writer.describeRun(address)).toEqual({ projectRunCount: 0 });
        expect(await writer.apply(address, contractRun(address))).toBe(5);
        const described = await writer.describeRun(address);
        expect(described.projectRunCount).toBe(1);
        expect(present(described.run, "the run")).toMatchObject({
          ...address,
          name: "w1-name",
          tags: ["contract"],
          state: "finished",
          config: { lr: 0.5, layers: [8, 4] },
          summary: { best: 0.25 },
          lastStep: 7,
          appliedSeq: 5,
        });
      } finally {
        await writer.close();
      }
    });

    it("applies a retried or overlapping batch once", async () => {
      const writer = await open();
      try {
        const records = contractRun(address);
        expect(await writer.apply(address, records.slice(0, 3))).toBe(3);
        expect(await writer.apply(address, records.slice(0, 3))).toBe(3);
        // Overlap: 2 and 3 again, then 4 and 5 new. The config must not be re-applied over a later one.
        const later: DecodedRecord = { kind: "config", header: { seq: 6, t: 2, config: { lr: 0.1 } } };
        expect(await writer.apply(address, [...records.slice(1), later])).toBe(6);
        expect(await writer.apply(address, records.slice(1, 3))).toBe(6);
        const run = present((await writer.describeRun(address)).run, "the run");
        expect(run).toMatchObject({ appliedSeq: 6, config: { lr: 0.1 }, summary: { best: 0.25 }, state: "finished" });
        expect((await writer.describeRun(address)).projectRunCount).toBe(1);
      } finally {
        await writer.close();
      }
    });

    it("refuses records for a run no batch opened (RUN_NOT_FOUND) and a batch past a gap (SEQ_GAP)", async () => {
      const writer = await open();
      try {
        const records = contractRun(address);
        await expect(writer.apply(address, records.slice(1))).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
        expect(await writer.describeRun(address)).toEqual({ projectRunCount: 0 });
        expect(await writer.apply(address, records.slice(0, 2))).toBe(2);
        await expect(writer.apply(address, records.slice(3))).rejects.toMatchObject({ code: "SEQ_GAP" });
        expect(present((await writer.describeRun(address)).run, "the run")).toMatchObject({ appliedSeq: 2, state: "running" });
        expect(await writer.apply(address, records.slice(2))).toBe(5);
      } finally {
        await writer.close();
      }
    });

    it("keeps runs apart and counts a project's runs; a heartbeat for an unknown run is ignored", async () => {
      const writer = await open();
      try {
        const other = { ...address, id: "w2" };
        const elsewhere = { ...address, project: "elsewhere" };
        await writer.apply(address, contractRun(address));
        await writer.apply(other, contractRun(other).slice(0, 2));
        await writer.apply(elsewhere, contractRun(elsewhere).slice(0, 1));
        await writer.heartbeat({ ...address, id: "nobody" });
        await writer.heartbeat(other);
        expect((await writer.describeRun(address)).projectRunCount).toBe(2);
        expect(present((await writer.describeRun(other)).run, "the second run")).toMatchObject({
          name: "w2-name",
          appliedSeq: 2,
          state: "running",
          summary: {},
        });
        expect(present((await writer.describeRun(address)).run, "the first run").appliedSeq).toBe(5);
        expect(await writer.describeRun({ ...address, id: "nobody" })).toEqual({ projectRunCount: 2 });
        expect((await writer.describeRun(elsewhere)).projectRunCount).toBe(1);
      } finally {
        await writer.close();
      }
    });
  });
}
