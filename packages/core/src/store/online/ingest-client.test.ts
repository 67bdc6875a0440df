import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, IngestClient, IngestError } from "./ingest-client.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real HTTP server on loopback answering with `handler`. */
async function answering(handler: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void): Promise<string> {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c) => chunks.push(c));
    request.on("end", () => handler(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
}

const to = { entity: "e", project: "p", id: "r1" };

async function failure(promise: Promise<unknown>): Promise<IngestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("IngestClient", () => {
  it("backs off exponentially with jitter, capped at 30 s", () => {
    expect(backoffMs(0, () => 0)).toBe(125);
    expect(backoffMs(0, () => 1)).toBe(250);
    expect(backoffMs(3, () => 0.5)).toBe(1500);
    expect(backoffMs(50, () => 1)).toBe(30_000);
    expect(backoffMs(50, () => 0)).toBe(15_000);
  });

  it("sends records to the run's URL, gzipped when large, with the key", async () => {
    const seen: { url?: string; encoding?: string; auth?: string; bytes?: number } = {};
    const url = await answering((request, body, response) => {
      Object.assign(seen, { url: request.url, encoding: request.headers["content-encoding"], auth: request.headers.authorization });
      seen.bytes = (request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).length;
      response.end(JSON.stringify({ appliedSeq: 7 }));
    });
    const client = new IngestClient(`${url}/base/`, "rlk_x");
    expect(await client.records({ entity: "e", project: "my proj", id: "r/1" }, new Uint8Array(10_000))).toBe(7);
    expect(seen).toEqual({ url: "/base/api/v1/ingest/e/my%20proj/r%2F1/records", encoding: "gzip", auth: "Bearer rlk_x", bytes: 10_000 });
  });

  it("tells retryable answers (down, 5xx, 429 with Retry-After) from final ones (401/403, 4xx)", async () => {
    const statuses = [503, 429, 401, 403, 400];
    const url = await answering((_request, _body, response) => {
      const status = statuses.shift() as number;
      if (status === 429) response.setHeader("retry-after", "3");
      response.writeHead(status).end(JSON.stringify({ code: "X", message: `status ${status}` }));
    });
    const client = new IngestClient(url, undefined);
    const send = () => failure(client.records(to, new Uint8Array(8)));
    expect(await send()).toMatchObject({ code: "SERVER_UNAVAILABLE", retryable: true });
    expect(await send()).toMatchObject({ code: "SERVER_UNAVAILABLE", retryable: true, retryAfterMs: 3000 });
    expect(await send()).toMatchObject({ code: "UNAUTHORIZED", retryable: false });
    expect(await send()).toMatchObject({ code: "UNAUTHORIZED", retryable: false });
    expect(await send()).toMatchObject({ code: "SERVER_REJECTED", retryable: false, message: /status 400/ });
    const down = new IngestClient("http://127.0.0.1:9", undefined);
    expect(await failure(down.heartbeat(to))).toMatchObject({ code: "SERVER_UNAVAILABLE", retryable: true });
  });

  it("refuses URLs that are not http(s)", () => {
    for (const bad of ["ftp://x", "not a url", "file:///etc/passwd"]) {
      expect(() => new IngestClient(bad, undefined)).toThrow(/http/);
    }
  });
});
