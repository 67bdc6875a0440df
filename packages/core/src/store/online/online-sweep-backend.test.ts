import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { OnlineSweepBackend } from "./online-sweep-backend.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server that answers each request with the next scripted answer (the last one repeats): outages and refusals on cue. */
async function scripted(answers: { status: number; body: unknown; headers?: Record<string, string> }[]) {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? "-"}`);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as (typeof answers)[number];
    response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    response.end(JSON.stringify(answer.body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`, seen };
}

const WHERE = { entity: "lab", project: "tune", id: "s1" };
const noJitter = () => 0;

describe("the online SweepBackend", () => {
  it("retries while the server is overloaded or restarting, then returns its answer", async () => {
    const server = await scripted([
      { status: 503, body: { code: "STORE_ERROR", message: "restarting" } },
      { status: 429, body: { code: "RATE_LIMITED", message: "slow down" }, headers: { "retry-after": "0" } },
      { status: 200, body: { sweeps: [{ entity: "lab", project: "tune", id: "s1" }] } },
    ]);
    const backend = new OnlineSweepBackend(server.url, "rlk_key", { random: noJitter });
    expect(await backend.findSweeps("s1")).toEqual([WHERE]);
    expect(server.seen).toEqual(Array(3).fill("GET /api/v1/sweeps/s1 Bearer rlk_key"));
  });

  it("passes the server's own error codes through, and retries none of them", async () => {
    const server = await scripted([
      { status: 409, body: { code: "SWEEP_STATE_INVALID", message: "Sweep s1 is finished; it cannot become running." } },
      { status: 400, body: { code: "SWEEP_CONFIG_INVALID", message: "parameters.lr: min must be below max" } },
      { status: 403, body: { code: "FORBIDDEN", message: "Key k1 belongs to entity other" } },
      { status: 404, body: { code: "SWEEP_NOT_FOUND", message: "No sweep s1" } },
    ]);
    const backend = new OnlineSweepBackend(server.url, undefined);
    await expect(backend.setSweepState(WHERE, "running")).rejects.toMatchObject({
      code: "SWEEP_STATE_INVALID",
      message: "Sweep s1 is finished; it cannot become running.",
    });
    await expect(backend.createSweep({ ...WHERE, config: { method: "grid", parameters: {} } })).rejects.toMatchObject({
      code: "SWEEP_CONFIG_INVALID",
    });
    // Not one of runlog's codes: the status decides.
    await expect(backend.takeTrial(WHERE, { agentId: "a", leaseSeconds: 5 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await backend.getSweep(WHERE)).toBeUndefined();
    await expect(backend.listTrials(WHERE)).rejects.toMatchObject({ code: "SWEEP_NOT_FOUND" });
    expect(server.seen.map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual([
      "PUT /api/v1/projects/lab/tune/sweeps/s1/state",
      expect.stringMatching(/^POST \/api\/v1\/projects\/lab\/tune\/sweeps$/),
      "POST /api/v1/projects/lab/tune/sweeps/s1/take",
      "GET /api/v1/projects/lab/tune/sweeps/s1",
      "GET /api/v1/projects/lab/tune/sweeps/s1",
    ]);
  });

  it("gives up with SERVER_UNAVAILABLE once its retry time is spent, on errors or with nobody listening", async () => {
    const server = await scripted([{ status: 500, body: { code: "INTERNAL", message: "The server failed to answer." } }]);
    const failing = new OnlineSweepBackend(server.url, undefined, { retryForMs: 600, random: noJitter });
    await expect(failing.findSweeps("s1")).rejects.toMatchObject({ code: "SERVER_UNAVAILABLE", message: expect.stringContaining("500") });
    expect(server.seen.length).toBeGreaterThan(1);
    const closed = await scripted([{ status: 200, body: {} }]);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const unreachable = new OnlineSweepBackend(closed.url, undefined, { retryForMs: 300, random: noJitter });
    await expect(unreachable.findSweeps("s1")).rejects.toMatchObject({
      code: "SERVER_UNAVAILABLE",
      message: expect.stringContaining("Cannot reach"),
    });
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => new OnlineSweepBackend("file:///etc", undefined)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
