import { openAsBlob } from "node:fs";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { RunlogError } from "../../errors.js";
import type { DescribeRunResult } from "../../pipeline/sink.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import { serverEndpoint } from "./server-url.js";

const gzipAsync = promisify(gzip);

export interface RunAddress {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
}

/** A failed request; `retryable` when the server may take it later (down, overloaded, rate-limited). */
export class IngestError extends RunlogError {
  constructor(
    code: "SERVER_UNAVAILABLE" | "SERVER_REJECTED" | "UNAUTHORIZED" | "RUN_NOT_FOUND",
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Bodies above this are gzipped (level 1: frames of Float64 columns compress ~3× at little CPU). */
const COMPRESS_ABOVE = 4096;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The HTTP client of a runlog server's ingestion routes, shared by online runs and `runlog sync`.
 * Node's fetch keeps connections alive between requests.
 */
export class IngestClient {
  /** `<baseUrl>/api/v1/ingest`. */
  readonly base: string;
  /** `<baseUrl>/api/v1`. */
  private readonly root: string;
  /** The server's URL as the user gave it (without a trailing slash). */
  readonly serverUrl: string;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {
    this.base = serverEndpoint(baseUrl, "ingest", "baseUrl");
    this.root = this.base.slice(0, -"/ingest".length);
    this.serverUrl = this.root.slice(0, -"/api/v1".length);
  }

  describe(address: RunAddress): Promise<DescribeRunResult> {
    return this.request<DescribeRunResult>("POST", runPath(address, "describe"));
  }

  async heartbeat(address: RunAddress): Promise<void> {
    await this.request("POST", runPath(address, "heartbeat"));
  }

  /** Sends frames; resolves to the run's applied sequence on the server. */
  async records(address: RunAddress, frames: Uint8Array): Promise<number> {
    const compress = frames.byteLength > COMPRESS_ABOVE;
    const body = compress ? await gzipAsync(frames, { level: 1 }) : frames;
    const result = await this.request<{ appliedSeq: number }>("POST", runPath(address, "records"), { bytes: body, gzipped: compress });
    return result.appliedSeq;
  }

  /** Uploads a run file (media, run.save, output.log) from disk, streamed. */
  async putFile(address: RunAddress, path: string, source: string): Promise<void> {
    const action = `files/${path.split("/").map(encodeURIComponent).join("/")}`;
    await this.request("PUT", runPath(address, action), { bytes: await openAsBlob(source) });
  }

  /**
   * Any request under `/api/v1` (`path` starts after it): JSON or bytes out, JSON back. Failures
   * are IngestErrors that say whether a retry may succeed.
   */
  async request<T>(
    method: string,
    path: string,
    body?: { bytes: Uint8Array | Blob; gzipped?: boolean } | { json: unknown } | { stream: ReadableStream<Uint8Array>; size: number },
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    let payload: Uint8Array | Blob | string | ReadableStream<Uint8Array> | undefined;
    if (body !== undefined && "json" in body) {
      headers["content-type"] = "application/json";
      payload = encodeJson(body.json);
    } else if (body !== undefined && "stream" in body) {
      // A streamed upload (its sender counts the bytes as fetch reads them); the length is known.
      headers["content-type"] = "application/octet-stream";
      headers["content-length"] = String(body.size);
      payload = body.stream;
    } else if (body !== undefined) {
      headers["content-type"] = "application/octet-stream";
      if (body.gzipped) headers["content-encoding"] = "gzip";
      payload = body.bytes;
    }
    let response: Response;
    try {
      response = await fetch(`${this.root}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(payload instanceof ReadableStream ? { duplex: "half" as const } : {}),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    const text = await response.text();
    if (response.ok) return (text === "" ? undefined : decodeJson<T>(text)) as T;
    const detail = parseMessage(text);
    const action = path.split("?")[0]?.split("/").pop() ?? path;
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new IngestError(
        "SERVER_UNAVAILABLE",
        `The runlog server answered ${response.status}: ${detail}`,
        true,
        retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    const code =
      response.status === 401 || response.status === 403 ? "UNAUTHORIZED" : response.status === 404 ? "RUN_NOT_FOUND" : "SERVER_REJECTED";
    throw new IngestError(code, `The runlog server answered ${response.status} for ${action}: ${detail}`, false);
  }

  private unreachable(error: unknown): IngestError {
    return new IngestError(
      "SERVER_UNAVAILABLE",
      `Cannot reach the runlog server at ${this.base}: ${(error as Error).message}.`,
      true,
      undefined,
      {
        cause: error,
      },
    );
  }

  /** The response of a bodiless GET/HEAD, for streaming downloads and existence checks. */
  async raw(method: "GET" | "HEAD", path: string): Promise<Response> {
    const headers: Record<string, string> = this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` };
    try {
      return await fetch(`${this.root}${path}`, { method, headers, signal: AbortSignal.timeout(10 * REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw this.unreachable(error);
    }
  }
}

const runPath = (address: RunAddress, action: string) =>
  `/ingest/${[address.entity, address.project, address.id].map(encodeURIComponent).join("/")}/${action}`;

function parseMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return body.message.slice(0, 500);
  } catch {}
  return text.slice(0, 200);
}

/** Exponential backoff with jitter (half fixed, half random): 250 ms doubling up to 30 s, so clients of a restarted server spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 250 * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
