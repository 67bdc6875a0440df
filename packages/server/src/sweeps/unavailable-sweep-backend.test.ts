import { parseSweepConfig } from "@runlog/core";
import type { SweepBackend } from "@runlog/core/store-kit";
import { describe, expect, it } from "vitest";
import { UnavailableSweepBackend } from "./unavailable-sweep-backend.js";

describe("the team store's sweeps until its PostgreSQL backend lands", () => {
  it("answers every call with MODE_UNAVAILABLE, never an empty answer an agent could take for a finished sweep", async () => {
    const backend: SweepBackend = new UnavailableSweepBackend();
    const address = { entity: "lab", project: "p", id: "s1" };
    const lease = { agentId: "a", leaseSeconds: 60 };
    const calls = [
      backend.createSweep({
        entity: "lab",
        project: "p",
        config: parseSweepConfig({ method: "random", parameters: { x: { values: [1] } } }),
      }),
      backend.getSweep(address),
      backend.listSweeps("lab", "p"),
      backend.findSweeps("s1"),
      backend.setSweepState(address, "paused"),
      backend.takeTrial(address, lease),
      backend.reportTrial(address, "r1", lease),
      backend.listTrials(address),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: "MODE_UNAVAILABLE" });
    backend.close();
  });
});
