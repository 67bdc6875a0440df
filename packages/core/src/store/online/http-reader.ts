import { RunlogError } from "../../errors.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import { type ChunkInfos, emptyChunkInfos } from "../chunk-index.js";
import type { AlertView, FileView, Points, RunView, SpanView, StoreReader, Stream } from "../store.js";
import { serverEndpoint } from "./server-url.js";

/** The ChunkInfos columns as they travel over HTTP (typed arrays become arrays). */
export const CHUNK_FIELDS = ["seq", "firstStep", "lastStep", "count", "min", "max", "lastValue", "blobId"] as const;

/** The most rows the server's paged routes answer at once (its `limit` bound). */
const MAX_PAGE_ROWS = 10_000;

/** The server's `{ code, message }` error body, or the start of whatever it sent instead. */
function parseError(text: string): { code?: string; message: string } {
  try {
    const body = decodeJson<{ code?: string; message?: string }>(text);
    return { code: body.code, message: body.message ?? text.slice(0, 200) };
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * A StoreReader over a runlog server's `/api/v1/store` routes, so `new Api({ baseUrl })` reads
 * a remote store with the same code (and the same results) as the embedded one.
 */
export class HttpReader implements StoreReader {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {
    this.base = serverEndpoint(baseUrl, "store", "Api baseUrl");
  }

  private async request<T>(path: string, body?: unknown): Promise<T | undefined> {
    return (await this.requestPage<T>(path, body)).body;
  }

  /** One answer and, for paged routes, the `x-next-min-step` header that says where the next page starts. */
  private async requestPage<T>(path: string, body?: unknown): Promise<{ body: T | undefined; nextStep: string | undefined }> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers,
        ...(body === undefined ? {} : { body: encodeJson(body) }),
      });
    } catch (error) {
      throw new RunlogError("STORE_ERROR", `Cannot reach the runlog server at ${this.base}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (response.ok) return { body: decodeJson<T>(text), nextStep: response.headers.get("x-next-min-step") ?? undefined };
    const error = parseError(text);
    if (response.status === 404 && error.code === "RUN_NOT_FOUND") return { body: undefined, nextStep: undefined };
    throw new RunlogError("STORE_ERROR", `The runlog server answered ${response.status} for ${path}: ${error.message}`);
  }

  private runPath(run: RunView): string {
    return `/runs/${[run.entity, run.project, run.id].map(encodeURIComponent).join("/")}`;
  }

  async listProjects() {
    return (await this.request<{ entity: string; name: string; createdAt: number; runCount: number }[]>("/projects")) ?? [];
  }

  async listRuns(entity: string, project: string): Promise<RunView[]> {
    return (await this.request<RunView[]>(`/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/runs`)) ?? [];
  }

  getRun(entity: string, project: string, id: string): Promise<RunView | undefined> {
    return this.request<RunView>(`/runs/${[entity, project, id].map(encodeURIComponent).join("/")}`);
  }

  async seriesKeys(run: RunView, stream: Stream): Promise<string[]> {
    return (await this.request<string[]>(`${this.runPath(run)}/keys?stream=${stream}`)) ?? [];
  }

  async chunkInfos(run: RunView, stream: Stream, key: string, from: number, to: number): Promise<ChunkInfos> {
    const query = new URLSearchParams({ stream, key, from: String(from), to: String(to) });
    const columns = await this.request<Record<(typeof CHUNK_FIELDS)[number], number[]>>(`${this.runPath(run)}/chunks?${query}`);
    if (columns === undefined) return emptyChunkInfos();
    const infos: Record<string, unknown> = { length: columns.seq.length };
    for (const field of CHUNK_FIELDS) infos[field] = Float64Array.from(columns[field]);
    return infos as unknown as ChunkInfos;
  }

  async chunkPoints(run: RunView, stream: Stream, key: string, chunks: ChunkInfos, positions: readonly number[]): Promise<Points[]> {
    if (positions.length === 0) return [];
    const blobIds = positions.map((p) => chunks.blobId[p] as number);
    // The steps these chunks cover, so the server checks ownership against that range only.
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const p of positions) {
      from = Math.min(from, chunks.firstStep[p] as number);
      to = Math.max(to, chunks.lastStep[p] as number);
    }
    const parts = await this.request<{ steps: number[]; values: number[]; dense: boolean }[]>(`${this.runPath(run)}/points`, {
      stream,
      key,
      blobIds,
      from,
      to,
    });
    return (parts ?? []).map((part) => ({
      steps: Float64Array.from(part.steps),
      values: Float64Array.from(part.values),
      dense: part.dense,
    }));
  }

  /** Follows the server's pages (bounded by bytes) until `limit` rows or the end of the range. */
  async historyRows(run: RunView, from: number, to: number, limit?: number): Promise<[number, Record<string, unknown>][]> {
    const rows: [number, Record<string, unknown>][] = [];
    for (let next: string | undefined = String(from); next !== undefined; ) {
      const left = limit === undefined ? MAX_PAGE_ROWS : Math.min(limit - rows.length, MAX_PAGE_ROWS);
      if (left <= 0) break;
      const query: URLSearchParams = new URLSearchParams({ from: next, to: String(to), limit: String(left) });
      const page: { body: [number, Record<string, unknown>][] | undefined; nextStep: string | undefined } = await this.requestPage(
        `${this.runPath(run)}/rows?${query}`,
      );
      for (const row of page.body ?? []) rows.push(row);
      next = page.nextStep;
    }
    return rows;
  }

  async alerts(run: RunView): Promise<AlertView[]> {
    return (await this.request<AlertView[]>(`${this.runPath(run)}/alerts`)) ?? [];
  }

  async spans(run: RunView): Promise<SpanView[]> {
    return (await this.request<SpanView[]>(`${this.runPath(run)}/spans`)) ?? [];
  }

  async files(run: RunView): Promise<FileView[]> {
    return (await this.request<FileView[]>(`${this.runPath(run)}/files`)) ?? [];
  }

  close(): void {}
}
