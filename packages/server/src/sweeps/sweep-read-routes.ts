import { RunlogError, type SweepRecord, type SweepState } from "@runlog/core";
import type { SweepBackend } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import { sendJson } from "../json-reply.js";

type ProjectParams = { entity: string; project: string };
type SweepParams = ProjectParams & { id: string };

/** The states a user may ask for ("finished" is the sweep's own doing). */
const SETTABLE: readonly SweepState[] = ["running", "paused", "stopped", "cancelled"];

/**
 * The dashboard's sweep routes: the project's sweeps, one sweep with its trials (reads), and its
 * state (a write: pause, resume, stop, cancel). Agents coordinate through other routes.
 */
export function registerSweepReadRoutes(app: FastifyInstance, sweeps: SweepBackend): void {
  const project = "/api/v1/projects/:entity/:project/sweeps";
  app.get<{ Params: ProjectParams }>(project, async (request, reply) =>
    sendJson(reply, { sweeps: await sweeps.listSweeps(request.params.entity, request.params.project) }),
  );
  app.get<{ Params: SweepParams }>(`${project}/:id`, async (request, reply) => {
    const sweep = await requireSweep(sweeps, request.params);
    return sendJson(reply, { sweep, trials: await sweeps.listTrials(sweep) });
  });
  app.put<{ Params: SweepParams; Body: unknown }>(
    `${project}/:id/state`,
    { config: { access: "write", body: "json" }, bodyLimit: 1024 },
    async (request, reply) => {
      const state = parseState(request.body);
      await requireSweep(sweeps, request.params);
      return sendJson(reply, { sweep: await sweeps.setSweepState(request.params, state) });
    },
  );
}

// Answered here rather than by the backend, whose message names the store's path on disk.
async function requireSweep(sweeps: SweepBackend, address: SweepParams): Promise<SweepRecord> {
  const sweep = await sweeps.getSweep(address);
  if (sweep !== undefined) return sweep;
  throw new RunlogError(
    "SWEEP_NOT_FOUND",
    `No sweep ${JSON.stringify(address.id.slice(0, 128))} in ${address.entity.slice(0, 128)}/${address.project.slice(0, 128)}.`,
  );
}

function parseState(body: unknown): SweepState {
  const state = (body as { state?: unknown } | null)?.state;
  if (typeof state === "string" && (SETTABLE as readonly string[]).includes(state)) return state as SweepState;
  throw new RunlogError("INVALID_ARGUMENT", `The body must be { "state": "${SETTABLE.join('" | "')}" }.`, {
    details: { allowed: SETTABLE },
  });
}
