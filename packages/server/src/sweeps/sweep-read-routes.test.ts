import { parseSweepConfig } from "@runlog/core";
import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { seededServer } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

const json = { "content-type": "application/json" };
const config = parseSweepConfig({
  method: "grid",
  metric: { name: "loss", goal: "minimize" },
  parameters: { lr: { values: [0.1, 0.01] }, opt: { parameters: { name: { value: "adam" } } } },
});

function client(url: string) {
  return (key: string, method: "GET" | "PUT", path: string, body?: string) =>
    rawRequest(url, {
      method,
      path,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : json) },
      ...(body === undefined ? {} : { body }),
    });
}

describe.each(serverKinds())("sweep read and state routes on a %s server", (_kind, start) => {
  it("lists a project's sweeps newest first and reads one with its trials, for the entity's keys only", async () => {
    const { server, keys } = await seededServer(start);
    const sweeps = server.store.sweeps;
    const older = await sweeps.createSweep({ entity: "lab", project: "p", config, id: "older" });
    const newer = await sweeps.createSweep({ entity: "lab", project: "p", config, id: "shared" });
    await sweeps.createSweep({ entity: "other", project: "p", config, id: "shared" });
    const taken = await sweeps.takeTrial(newer, { agentId: "agent-1", leaseSeconds: 60 });
    if (taken.kind !== "trial") throw new Error(`expected a trial, got ${taken.kind}`);
    const as = client(server.url);

    const listed = await as(keys.labRead, "GET", "/api/v1/projects/lab/p/sweeps");
    expect(listed.status).toBe(200);
    expect((listed.json() as { sweeps: { id: string }[] }).sweeps).toEqual([newer, older]);

    const one = await as(keys.labRead, "GET", "/api/v1/projects/lab/p/sweeps/shared");
    expect(one.status).toBe(200);
    const body = one.json() as { sweep: unknown; trials: { runId: string; params: unknown; state: string }[] };
    expect(body.sweep).toEqual(newer);
    expect(body.trials).toEqual([expect.objectContaining({ runId: taken.trial.runId, params: taken.trial.params, state: "pending" })]);

    // Another entity's keys see nothing of lab's; its own sweep of the same id is its own.
    expect((await as(keys.otherRead, "GET", "/api/v1/projects/lab/p/sweeps")).status).toBe(403);
    expect((await as(keys.otherRead, "GET", "/api/v1/projects/lab/p/sweeps/shared")).status).toBe(403);
    const theirs = (await as(keys.otherRead, "GET", "/api/v1/projects/other/p/sweeps/shared")).json() as { trials: unknown[] };
    expect(theirs.trials).toEqual([]);
    expect(((await as(keys.otherRead, "GET", "/api/v1/projects/other/p/sweeps")).json() as { sweeps: unknown[] }).sweeps).toHaveLength(1);
    expect((await as(keys.labRead, "GET", "/api/v1/projects/lab/empty/sweeps")).json()).toEqual({ sweeps: [] });

    const missing = await as(keys.labRead, "GET", "/api/v1/projects/lab/p/sweeps/nosuch");
    expect([missing.status, errorBody(missing)?.code]).toEqual([404, "SWEEP_NOT_FOUND"]);
    // The answer names the sweep, never the store's place on the server's disk.
    expect(errorBody(missing)?.message).not.toContain(server.store.root ?? "/var/lib/postgresql");
  });

  it("pauses, resumes, stops and cancels with a write key, refusing bad states and other entities", async () => {
    const { server, keys } = await seededServer(start);
    const sweeps = server.store.sweeps;
    const lab = await sweeps.createSweep({ entity: "lab", project: "p", config, id: "shared" });
    const other = await sweeps.createSweep({ entity: "other", project: "p", config, id: "shared" });
    const as = client(server.url);
    const path = "/api/v1/projects/lab/p/sweeps/shared/state";
    const put = (key: string, state: unknown) => as(key, "PUT", path, JSON.stringify({ state }));

    expect((await put(keys.labRead, "paused")).status).toBe(403);
    expect((await put(keys.otherWrite, "paused")).status).toBe(403);
    expect((await sweeps.getSweep(lab))?.state).toBe("running");

    const paused = await put(keys.labWrite, "paused");
    expect([paused.status, (paused.json() as { sweep: { state: string } }).sweep.state]).toEqual([200, "paused"]);
    expect((await sweeps.getSweep(lab))?.state).toBe("paused");
    expect(await sweeps.takeTrial(lab, { agentId: "a", leaseSeconds: 60 })).toMatchObject({ kind: "wait" });
    // The other entity's sweep of the same id is untouched.
    expect((await sweeps.getSweep(other))?.state).toBe("running");

    expect((await put(keys.labWrite, "running")).status).toBe(200);
    expect((await sweeps.getSweep(lab))?.state).toBe("running");

    const refused = [
      "[]",
      "null",
      "{}",
      JSON.stringify({ state: "finished" }),
      JSON.stringify({ state: "PAUSED" }),
      JSON.stringify({ state: 1 }),
      JSON.stringify({ state: ["paused"] }),
      JSON.stringify({ status: "paused" }),
    ];
    for (const body of refused) {
      const answer = await as(keys.labWrite, "PUT", path, body);
      expect([body, answer.status, errorBody(answer)?.code]).toEqual([body, 400, "INVALID_ARGUMENT"]);
    }
    expect((await as(keys.labWrite, "PUT", path, JSON.stringify({ state: "x".repeat(4096) }))).status).toBe(413);
    expect((await sweeps.getSweep(lab))?.state).toBe("running");

    expect((await put(keys.labWrite, "stopped")).status).toBe(200);
    const backwards = await put(keys.labWrite, "running");
    expect([backwards.status, errorBody(backwards)?.code]).toEqual([409, "SWEEP_STATE_INVALID"]);
    expect((await put(keys.labWrite, "cancelled")).status).toBe(200);
    expect((await sweeps.getSweep(lab))?.state).toBe("cancelled");

    const missing = await as(keys.labWrite, "PUT", "/api/v1/projects/lab/p/sweeps/nosuch/state", JSON.stringify({ state: "paused" }));
    expect([missing.status, errorBody(missing)?.code]).toEqual([404, "SWEEP_NOT_FOUND"]);
    expect(errorBody(missing)?.message).not.toContain(server.store.root ?? "/var/lib/postgresql");
    // Names a write could never have made are refused before any lookup.
    const badName = await as(keys.labWrite, "PUT", "/api/v1/projects/lab/p/sweeps/..%2f..%2fx/state", JSON.stringify({ state: "paused" }));
    expect(badName.status).toBe(400);
  });
});
