import type { Series } from "../lib/grid.ts";
import { decodeJson } from "../lib/json.ts";
import { SseParser } from "../lib/sse.ts";

export type RunState = "running" | "finished" | "failed" | "crashed" | "killed" | "preempting";

export interface RunView {
  entity: string;
  project: string;
  id: string;
  name: string;
  notes?: string;
  tags: string[];
  group?: string;
  jobType?: string;
  state: RunState;
  exitCode?: number;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  metrics: { name: string; stepMetric?: string; hidden?: boolean }[];
  metadata: Record<string, unknown>;
  createdAt: number;
  heartbeatAt: number;
  finishedAt?: number;
  runtime: number;
  crashTimeout: number;
  lastStep: number;
  forkedFrom?: string;
  sweepId?: string;
}

export interface RunsPage {
  total: number;
  offset: number;
  runs: RunView[];
  configKeys: string[];
  summaryKeys: string[];
  groups?: { value: string; count: number }[];
}

export type HistoryRow = Record<string, unknown> & { _step: number };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = "runlog.apiKey";

function headers(): Record<string, string> {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A server that needs an API key answers 401: ask once, keep it for this tab only. */
async function request(path: string): Promise<Response> {
  let response = await fetch(`api/v1${path}`, { headers: headers() });
  if (response.status === 401) {
    const key = window.prompt("This Runlog server needs an API key:");
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
      // An HttpOnly cookie for what cannot send a header: <img>, <audio>, downloads.
      await fetch("api/v1/session", { method: "POST", headers: headers() });
      response = await fetch(`api/v1${path}`, { headers: headers() });
    }
  }
  if (!response.ok) {
    let body: { code?: string; message?: string } = {};
    try {
      body = decodeJson(await response.text());
    } catch {}
    throw new ApiError(response.status, body.code ?? "HTTP_ERROR", body.message ?? `${response.status} ${response.statusText}`);
  }
  return response;
}

/** A JSON write (PUT, PATCH) through the same key handling as reads; a failure is an ApiError with the server's message. */
async function writeJson<T>(method: "PUT" | "PATCH", path: string, body: unknown): Promise<T> {
  const send = () =>
    fetch(`api/v1${path}`, { method, headers: { ...headers(), "content-type": "application/json" }, body: JSON.stringify(body) });
  let response = await send();
  if (response.status === 401 || response.status === 403) {
    const key = window.prompt("Saving needs an API key with write access:");
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
      response = await send();
    }
  }
  if (!response.ok) {
    let error: { code?: string; message?: string } = {};
    try {
      error = decodeJson(await response.text());
    } catch {}
    throw new ApiError(response.status, error.code ?? "HTTP_ERROR", error.message ?? `${response.status} ${response.statusText}`);
  }
  return decodeJson<T>(await response.text());
}

export const putJson = <T>(path: string, body: unknown): Promise<T> => writeJson<T>("PUT", path, body);
export const patchJson = <T>(path: string, body: unknown): Promise<T> => writeJson<T>("PATCH", path, body);

/** What the key this tab holds may do (`GET /session`); `entity` null without a key (a keyless server). */
export interface Session {
  keyRequired: boolean;
  write: boolean;
  entity: string | null;
}

/** Whether this tab may edit a run of `entity`: a keyless server, or a write key of that entity (or of every one). */
export const canWrite = (session: Session | undefined, entity: string): boolean =>
  session?.write === true && (session.entity === null || session.entity === "*" || session.entity === entity);

export async function getJson<T>(path: string): Promise<T> {
  return decodeJson<T>(await (await request(path)).text());
}

export async function getText(path: string): Promise<{ text: string; size: number }> {
  const response = await request(path);
  const text = await response.text();
  return { text, size: Number(response.headers.get("x-file-size") ?? text.length) };
}

const enc = encodeURIComponent;
export const runPath = (run: Pick<RunView, "entity" | "project" | "id">) => `/runs/${enc(run.entity)}/${enc(run.project)}/${enc(run.id)}`;
export const fileUrl = (run: Pick<RunView, "entity" | "project" | "id">, name: string) =>
  `api/v1${runPath(run)}/file/${name.split("/").map(enc).join("/")}`;

export function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${enc(key)}=${enc(String(value))}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

export function seriesOf(
  run: RunView,
  key: string,
  options: { buckets: number; xAxis?: string; from?: number; to?: number },
): Promise<Series> {
  return getJson(
    `${runPath(run)}/series${query({ key, buckets: options.buckets, xAxis: options.xAxis, from: options.from, to: options.to })}`,
  );
}

/**
 * Follows a run's live events (new history rows and state changes) with fetch rather than
 * EventSource, so the API key header goes along. Reconnects with the last step it has seen.
 */
export function followRun(
  run: RunView,
  afterStep: number,
  handlers: { rows(rows: HistoryRow[]): void; state(update: { state: RunState; summary: Record<string, unknown> }): void },
): () => void {
  const abort = new AbortController();
  let lastStep = afterStep;
  const connect = async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch(`api/v1${runPath(run)}/events?afterStep=${lastStep}`, { headers: headers(), signal: abort.signal });
        if (!response.ok || response.body === null) return;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        let ended = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) {
            if (event.event === "rows") {
              const rows = decodeJson<HistoryRow[]>(event.data);
              lastStep = rows[rows.length - 1]?._step ?? lastStep;
              handlers.rows(rows);
            } else if (event.event === "state") {
              const update = decodeJson<{ state: RunState; summary: Record<string, unknown> }>(event.data);
              handlers.state(update);
              ended = update.state !== "running";
            }
          }
        }
        if (ended) return;
      } catch {
        if (abort.signal.aborted) return;
      }
      await new Promise((done) => setTimeout(done, 2000));
    }
  };
  void connect();
  return () => abort.abort();
}

/**
 * Follows many live runs of a project over one event stream (the project's `events` route): a
 * browser holds at most six connections per host, so a stream per run starved every other request
 * once six ran. Each run's new rows come after its cursor; reconnects with the cursors it holds,
 * and stops once every run has stopped running.
 */
export function followRuns(
  base: string,
  runs: readonly Pick<RunView, "id" | "lastStep">[],
  handlers: {
    rows(id: string, rows: HistoryRow[]): void;
    state(id: string, update: { state: RunState; summary: Record<string, unknown> }): void;
  },
): () => void {
  const abort = new AbortController();
  const cursors = new Map(runs.map((run) => [run.id, run.lastStep]));
  const connect = async () => {
    while (!abort.signal.aborted && cursors.size > 0) {
      try {
        const ids = [...cursors.keys()];
        const url = `api/v1${base}/events${query({ runs: ids.join(","), afterSteps: ids.map((id) => cursors.get(id)).join(",") })}`;
        const response = await fetch(url, { headers: headers(), signal: abort.signal });
        if (!response.ok || response.body === null) return;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) {
            if (event.event === "rows") {
              const { run, rows } = decodeJson<{ run: string; rows: HistoryRow[] }>(event.data);
              if (!cursors.has(run)) continue;
              cursors.set(run, rows[rows.length - 1]?._step ?? (cursors.get(run) as number));
              handlers.rows(run, rows);
            } else if (event.event === "state") {
              const { run, ...update } = decodeJson<{ run: string; state: RunState; summary: Record<string, unknown> }>(event.data);
              handlers.state(run, update);
              if (update.state !== "running") cursors.delete(run);
            }
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      if (cursors.size > 0) await new Promise((done) => setTimeout(done, 2000));
    }
  };
  void connect();
  return () => abort.abort();
}
