import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { seededServer } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

const json = { "content-type": "application/json" };
const GRID = { method: "grid", parameters: { a: { values: [1, 2] } } };

function client(url: string) {
  return async (key: string, method: "GET" | "POST", path: string, body?: unknown) => {
    const answer = await rawRequest(url, {
      method,
      path,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : json) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return {
      status: answer.status,
      body: answer.body.length > 0 ? (answer.json() as Record<string, unknown>) : {},
      code: errorBody(answer)?.code,
    };
  };
}

describe.each(serverKinds())("sweep coordination routes on a %s server", (_kind, start) => {
  it("create, take and report with the entity's write key; others' keys and read keys are refused", async () => {
    const { server, keys } = await seededServer(start);
    const as = client(server.url);
    const created = await as(keys.labWrite, "POST", "/api/v1/projects/lab/p/sweeps", { config: GRID, id: "s1" });
    expect([created.status, created.body.sweep]).toEqual([201, expect.objectContaining({ entity: "lab", project: "p", id: "s1" })]);
    // The same id in another entity is another sweep; a key of one entity never reaches the other's.
    expect(
      (
        await as(keys.otherWrite, "POST", "/api/v1/projects/other/p/sweeps", {
          config: "method: random\nparameters: {x: {min: 0, max: 1}}",
          id: "s1",
        })
      ).status,
    ).toBe(201);
    expect((await as(keys.otherWrite, "POST", "/api/v1/projects/lab/p/sweeps", { config: GRID })).status).toBe(403);
    expect((await as(keys.labRead, "POST", "/api/v1/projects/lab/p/sweeps", { config: GRID })).status).toBe(403);
    expect((await as(keys.otherWrite, "POST", "/api/v1/projects/lab/p/sweeps/s1/take", { agentId: "x", leaseSeconds: 60 })).status).toBe(
      403,
    );
    expect((await as(keys.labRead, "POST", "/api/v1/projects/lab/p/sweeps/s1/take", { agentId: "x", leaseSeconds: 60 })).status).toBe(403);

    const taken = await as(keys.labWrite, "POST", "/api/v1/projects/lab/p/sweeps/s1/take", { agentId: "agent-1", leaseSeconds: 60 });
    expect(taken.body).toMatchObject({ kind: "trial", trial: { params: { a: 1 }, state: "pending", agentId: "agent-1" } });
    const runId = (taken.body.trial as { runId: string }).runId;
    const report = `/api/v1/projects/lab/p/sweeps/s1/trials/${runId}/report`;
    expect((await as(keys.otherWrite, "POST", report, { agentId: "x", leaseSeconds: 60, state: "finished" })).status).toBe(403);
    expect((await as(keys.labWrite, "POST", report, { agentId: "agent-1", leaseSeconds: 60, state: "running" })).body).toEqual({
      stop: false,
    });
    expect((await as(keys.labWrite, "POST", report, { agentId: "agent-1", leaseSeconds: 60, state: "finished" })).body).toEqual({
      stop: false,
    });
    const trials = await server.store.sweeps.listTrials({ entity: "lab", project: "p", id: "s1" });
    expect(trials.map((t) => [t.runId, t.state])).toEqual([[runId, "finished"]]);
    // The other entity's sweep of the same id was not touched.
    expect(await server.store.sweeps.listTrials({ entity: "other", project: "p", id: "s1" })).toEqual([]);

    // A bare id finds only the sweeps the key may see.
    expect((await as(keys.labRead, "GET", "/api/v1/sweeps/s1")).body).toEqual({ sweeps: [{ entity: "lab", project: "p", id: "s1" }] });
    expect((await as(keys.otherRead, "GET", "/api/v1/sweeps/s1")).body).toEqual({ sweeps: [{ entity: "other", project: "p", id: "s1" }] });
    expect((await as(keys.labRead, "GET", "/api/v1/sweeps/nosuch")).body).toEqual({ sweeps: [] });

    const missing = await as(keys.labWrite, "POST", "/api/v1/projects/lab/p/sweeps/nosuch/take", { agentId: "a", leaseSeconds: 5 });
    expect([missing.status, missing.code]).toEqual([404, "SWEEP_NOT_FOUND"]);
    const noTrial = await as(keys.labWrite, "POST", "/api/v1/projects/lab/p/sweeps/s1/trials/nosuch/report", {
      agentId: "a",
      leaseSeconds: 5,
    });
    expect([noTrial.status, noTrial.code]).toEqual([404, "RUN_NOT_FOUND"]);
    const again = await as(keys.labWrite, "POST", "/api/v1/projects/lab/p/sweeps", { config: GRID, id: "s1" });
    expect([again.status, again.code]).toEqual([400, "INVALID_ARGUMENT"]);
  });

  it("answers every malformed body and bad sweep config with one RunlogError naming what to fix", async () => {
    const { server, keys } = await seededServer(start);
    const as = client(server.url);
    const create = "/api/v1/projects/lab/p/sweeps";
    expect((await as(keys.labWrite, "POST", create, { config: GRID, id: "s1" })).status).toBe(201);
    const cases: [string, unknown, string, RegExp][] = [
      [create, "[]", "INVALID_ARGUMENT", /JSON object/],
      [create, "null", "INVALID_ARGUMENT", /JSON object/],
      [create, {}, "INVALID_ARGUMENT", /"config"/],
      [create, { config: GRID, id: "../x" }, "INVALID_ARGUMENT", /"id"/],
      [create, { config: GRID, id: 7 }, "INVALID_ARGUMENT", /"id"/],
      [create, { config: 12 }, "SWEEP_CONFIG_INVALID", /./],
      [create, { config: "method: [grid" }, "SWEEP_CONFIG_INVALID", /./],
      // The bad configs, one clear error each.
      [create, { config: { ...GRID, colour: "blue" } }, "SWEEP_CONFIG_INVALID", /colour/],
      [create, { config: { method: "random", parameters: { lr: { min: 1, max: 0.1 } } } }, "SWEEP_CONFIG_INVALID", /lr/],
      [
        create,
        { config: { method: "grid", parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } } },
        "SWEEP_CONFIG_INVALID",
        /lr/,
      ],
      [create, { config: { method: "bayes", parameters: { lr: { min: 0, max: 1 } } } }, "SWEEP_CONFIG_INVALID", /metric/],
    ];
    const take = "/api/v1/projects/lab/p/sweeps/s1/take";
    for (const body of [
      {},
      { agentId: "" },
      { agentId: "a" },
      { agentId: "a", leaseSeconds: "5" },
      { agentId: "a", leaseSeconds: 1e9 },
      { agentId: 5, leaseSeconds: 5 },
      { agentId: "x".repeat(257), leaseSeconds: 5 },
    ]) {
      cases.push([take, body, "INVALID_ARGUMENT", /agentId|leaseSeconds/]);
    }
    const report = "/api/v1/projects/lab/p/sweeps/s1/trials/r1/report";
    cases.push([report, { agentId: "a", leaseSeconds: 5, state: "done" }, "INVALID_ARGUMENT", /"state"/]);
    cases.push([report, { agentId: "a", leaseSeconds: 5, state: "queued" }, "INVALID_ARGUMENT", /"state"/]);
    cases.push(["/api/v1/projects/lab/p/sweeps/s1/trials/..%2fx/report", { agentId: "a", leaseSeconds: 5 }, "INVALID_ARGUMENT", /"runId"/]);
    for (const [path, body, code, message] of cases) {
      const answer = await as(keys.labWrite, "POST", path, body);
      expect([path, JSON.stringify(body).slice(0, 60), answer.status, answer.code]).toEqual([
        path,
        JSON.stringify(body).slice(0, 60),
        400,
        code,
      ]);
      expect(answer.body.message).toMatch(message);
    }
    const huge = await as(keys.labWrite, "POST", create, {
      config: { method: "grid", parameters: { a: { values: Array(200_000).fill(1) } } },
    });
    expect(huge.status).toBe(413);
    // Nothing was created or handed out by any of them.
    expect((await server.store.sweeps.listSweeps("lab", "p")).map((s) => s.id)).toEqual(["s1"]);
    expect(await server.store.sweeps.listTrials({ entity: "lab", project: "p", id: "s1" })).toEqual([]);
  });
});
