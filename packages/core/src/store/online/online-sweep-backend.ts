import { ERROR_TABLE } from "../../error-table.js";
import { RunlogError, type RunlogErrorCode } from "../../errors.js";
import type { SweepConfig } from "../../sweeps/engine/index.js";
import type {
  ReportOptions,
  SweepAddress,
  SweepBackend,
  SweepRecord,
  SweepState,
  TakeOptions,
  TakeResult,
  TrialRecord,
} from "../../sweeps/sweep-backend.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import { generateRunId } from "../../util/names.js";
import { backoffMs } from "./ingest-client.js";
import { serverEndpoint } from "./server-url.js";

const REQUEST_TIMEOUT_MS = 60_000;

export interface OnlineSweepBackendOptions {
  /** How long a request keeps being retried while the server is down or overloaded (default 120 s). */
  readonly retryForMs?: number;
  readonly random?: () => number;
}

/** A failure the server may not repeat (down, restarting, overloaded, rate-limited). */
class Retryable {
  constructor(
    readonly error: RunlogError,
    readonly afterMs: number | undefined,
  ) {}
}

/**
 * The SweepBackend of agents on other hosts: every decision is the team server's (its
 * `/api/v1/projects/:entity/:project/sweeps…` routes, one store transaction each), so agents
 * anywhere share one controller. A request the server could not take (unreachable, 429, 5xx)
 * is retried with backoff; a take whose answer was lost is harmless, as its lease expires and
 * the trial is handed out again. The server's error codes (SWEEP_NOT_FOUND, SWEEP_STATE_INVALID…) come through as they are.
 */
export class OnlineSweepBackend implements SweepBackend {
  private readonly root: string;
  private readonly retryForMs: number;
  private readonly random: () => number;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
    options: OnlineSweepBackendOptions = {},
  ) {
    this.root = serverEndpoint(baseUrl, "", "baseUrl").replace(/\/$/, "");
    this.retryForMs = options.retryForMs ?? 120_000;
    this.random = options.random ?? Math.random;
  }

  async createSweep(input: { entity: string; project: string; config: SweepConfig; id?: string }): Promise<SweepRecord> {
    // The id is chosen here, so a create retried after a lost answer names the same sweep.
    const id = input.id ?? generateRunId();
    const body = { config: input.config, id };
    return (await this.request<{ sweep: SweepRecord }>("POST", projectPath(input), body)).sweep;
  }

  async getSweep(address: SweepAddress): Promise<SweepRecord | undefined> {
    return (await this.sweepAndTrials(address))?.sweep;
  }

  async listSweeps(entity: string, project: string): Promise<SweepRecord[]> {
    return (await this.request<{ sweeps: SweepRecord[] }>("GET", projectPath({ entity, project }))).sweeps;
  }

  async findSweeps(id: string): Promise<SweepAddress[]> {
    return (await this.request<{ sweeps: SweepAddress[] }>("GET", `/sweeps/${encodeURIComponent(id)}`)).sweeps;
  }

  async setSweepState(address: SweepAddress, state: SweepState): Promise<SweepRecord> {
    return (await this.request<{ sweep: SweepRecord }>("PUT", `${sweepPath(address)}/state`, { state })).sweep;
  }

  takeTrial(address: SweepAddress, options: TakeOptions): Promise<TakeResult> {
    return this.request<TakeResult>("POST", `${sweepPath(address)}/take`, { agentId: options.agentId, leaseSeconds: options.leaseSeconds });
  }

  reportTrial(address: SweepAddress, runId: string, options: ReportOptions): Promise<{ stop: boolean }> {
    return this.request("POST", `${sweepPath(address)}/trials/${encodeURIComponent(runId)}/report`, options);
  }

  async listTrials(address: SweepAddress): Promise<TrialRecord[]> {
    const found = await this.sweepAndTrials(address);
    if (found === undefined)
      throw new RunlogError("SWEEP_NOT_FOUND", `No sweep ${address.entity}/${address.project}/${address.id} on ${this.root}.`);
    return found.trials;
  }

  close(): void {}

  private async sweepAndTrials(address: SweepAddress): Promise<{ sweep: SweepRecord; trials: TrialRecord[] } | undefined> {
    try {
      return await this.request<{ sweep: SweepRecord; trials: TrialRecord[] }>("GET", sweepPath(address));
    } catch (error) {
      if (RunlogError.isInstance(error) && error.code === "SWEEP_NOT_FOUND") return undefined;
      throw error;
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once<T>(method, path, body);
      if (!(outcome instanceof Retryable)) return outcome;
      const wait = outcome.afterMs ?? backoffMs(attempt, this.random);
      if (Date.now() + wait > deadline) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async once<T>(method: string, path: string, body: unknown): Promise<T | Retryable> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.root}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: encodeJson(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      const message = `Cannot reach the runlog server at ${this.root}: ${(error as Error).message}.`;
      return new Retryable(new RunlogError("SERVER_UNAVAILABLE", message, { cause: error }), undefined);
    }
    if (response.ok) return decodeJson<T>(text);
    const { code, message } = parseError(text);
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      const retryAfter = Number(response.headers.get("retry-after"));
      const error = new RunlogError(
        "SERVER_UNAVAILABLE",
        `The runlog server answered ${response.status} for ${method} ${path}: ${message}`,
      );
      return new Retryable(error, retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    throw new RunlogError(code ?? (response.status === 401 || response.status === 403 ? "UNAUTHORIZED" : "SERVER_REJECTED"), message);
  }
}

const projectPath = (where: { entity: string; project: string }) =>
  `/projects/${encodeURIComponent(where.entity)}/${encodeURIComponent(where.project)}/sweeps`;
const sweepPath = (address: SweepAddress) => `${projectPath(address)}/${encodeURIComponent(address.id)}`;

/** The server's `{ code, message }`; its code is kept when it is one of ours (never the server's 5xx internals). */
function parseError(text: string): { code: RunlogErrorCode | undefined; message: string } {
  try {
    const body = decodeJson<{ code?: unknown; message?: unknown }>(text);
    const code = typeof body.code === "string" && Object.hasOwn(ERROR_TABLE, body.code) ? (body.code as RunlogErrorCode) : undefined;
    return { code, message: typeof body.message === "string" ? body.message.slice(0, 1000) : text.slice(0, 200) };
  } catch {
    return { code: undefined, message: text.slice(0, 200) };
  }
}
