import { describeValue, parseSweepConfig, parseSweepConfigText, RunlogError, type SweepConfig } from "@runlog/core";
import type { ReportOptions, SweepBackend, TakeOptions } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import { canSeeEntity } from "../auth/auth-hook.js";
import { sendJson } from "../json-reply.js";

type ProjectParams = { entity: string; project: string };
type SweepParams = ProjectParams & { id: string };
type TrialParams = SweepParams & { runId: string };

/** A sweep config with a few thousand grid values fits; anything bigger is not a sweep config. */
const MAX_CONFIG_BYTES = 256 * 1024;
/** A lease longer than a week is a mistake; a lease ≤ 0 hands the trial back at once. */
const MAX_LEASE_SECONDS = 7 * 24 * 3600;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REPORTED_STATES: readonly NonNullable<ReportOptions["state"]>[] = ["running", "finished", "failed", "crashed", "killed", "stopped"];

/**
 * The routes agents coordinate through (writes: a write key of the sweep's entity): create a
 * sweep, take the next trial, report a trial's heartbeat and state. Each decision is the
 * backend's one transaction, so agents on any host, through any server instance, never get the
 * same trial. Plus finding a sweep by its bare id among the entities the key may see.
 */
export function registerSweepCoordRoutes(app: FastifyInstance, sweeps: SweepBackend): void {
  const project = "/api/v1/projects/:entity/:project/sweeps";
  const write = { access: "write", body: "json" } as const;
  app.post<{ Params: ProjectParams; Body: unknown }>(project, { config: write, bodyLimit: MAX_CONFIG_BYTES }, async (request, reply) => {
    const body = objectBody(request.body, '{ "config": {…}, "id"?: "…" }');
    const config = parseConfig(body.config);
    const id = body.id === undefined ? undefined : name("id", body.id);
    const sweep = await sweeps.createSweep({
      entity: request.params.entity,
      project: request.params.project,
      config,
      ...(id ? { id } : {}),
    });
    return sendJson(reply.code(201), { sweep });
  });
  app.post<{ Params: SweepParams; Body: unknown }>(`${project}/:id/take`, { config: write, bodyLimit: 4096 }, async (request, reply) => {
    const lease = leaseOf(objectBody(request.body, '{ "agentId": "…", "leaseSeconds": 15 }'));
    return sendJson(reply, await sweeps.takeTrial(request.params, lease));
  });
  app.post<{ Params: TrialParams; Body: unknown }>(
    `${project}/:id/trials/:runId/report`,
    { config: write, bodyLimit: 4096 },
    async (request, reply) => {
      const body = objectBody(request.body, '{ "agentId": "…", "leaseSeconds": 15, "state"?: "running" | "finished" | … }');
      const options: ReportOptions = { ...leaseOf(body), ...(body.state === undefined ? {} : { state: reportedState(body.state) }) };
      const { entity, project: projectName, id, runId } = request.params;
      return sendJson(reply, await sweeps.reportTrial({ entity, project: projectName, id }, name("runId", runId), options));
    },
  );
  app.get<{ Params: { id: string } }>("/api/v1/sweeps/:id", async (request, reply) => {
    const found = await sweeps.findSweeps(name("id", request.params.id));
    return sendJson(reply, { sweeps: found.filter((address) => canSeeEntity(request, address.entity)) });
  });
}

function objectBody(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new RunlogError("INVALID_ARGUMENT", `The body must be a JSON object ${shape}, not ${describeValue(body)}.`);
  return body as Record<string, unknown>;
}

/** W&B's sweep config as an object, or its YAML/JSON text (the message of SWEEP_CONFIG_INVALID names the path). */
function parseConfig(config: unknown): SweepConfig {
  if (config === undefined)
    throw new RunlogError("INVALID_ARGUMENT", 'The body needs "config": a W&B sweep config (an object or YAML text).');
  return typeof config === "string" ? parseSweepConfigText(config, "config") : parseSweepConfig(config);
}

function name(field: string, value: unknown): string {
  if (typeof value === "string" && NAME.test(value) && value !== "." && value !== "..") return value;
  throw new RunlogError(
    "INVALID_ARGUMENT",
    `"${field}" must be 1–64 letters, digits, "_", "." or "-" (starting with a letter or digit), not ${describeValue(value)}.`,
  );
}

function leaseOf(body: Record<string, unknown>): TakeOptions {
  const { agentId, leaseSeconds } = body;
  if (typeof agentId !== "string" || agentId.length === 0 || agentId.length > 256)
    throw new RunlogError("INVALID_ARGUMENT", `"agentId" must be a string of 1–256 characters, not ${describeValue(agentId)}.`);
  if (typeof leaseSeconds !== "number" || !Number.isFinite(leaseSeconds) || Math.abs(leaseSeconds) > MAX_LEASE_SECONDS) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `"leaseSeconds" must be a number of seconds up to ${MAX_LEASE_SECONDS} (one week), not ${describeValue(leaseSeconds)}.`,
    );
  }
  return { agentId, leaseSeconds };
}

function reportedState(state: unknown): NonNullable<ReportOptions["state"]> {
  if (typeof state === "string" && (REPORTED_STATES as readonly string[]).includes(state))
    return state as NonNullable<ReportOptions["state"]>;
  throw new RunlogError("INVALID_ARGUMENT", `"state" must be one of ${REPORTED_STATES.join(", ")}, not ${describeValue(state)}.`);
}
