import { connect } from "node:net";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The body as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

export interface RawRequest {
  method?: string;
  /** Sent exactly as given on the request line: no normalisation of `..`, `%2e`, `//`, case. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Host header (default: the server's host:port); `null` sends none. */
  host?: string | null;
  /** The client address to connect from (e.g. 127.0.0.2, to be another client on loopback). */
  localAddress?: string;
}

/**
 * One HTTP/1.1 request over a fresh socket, with the request line written byte for byte. Security
 * tests need it: `fetch` (and URL) collapse `..`, `%2e%2e` and `//` before sending, so a test of
 * traversal through fetch can never fail.
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { connection: "close", ...request.headers };
  if (request.host !== null) headers.host = request.host ?? url.host;
  if (body !== undefined && headers["content-length"] === undefined) headers["content-length"] = String(body.length);
  const head = [`${request.method ?? "GET"} ${request.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join(
    "\r\n",
  );
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port),
      ...(request.localAddress === undefined ? {} : { localAddress: request.localAddress }),
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    const settle = (error?: Error) => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (parseError) {
        reject(error ?? parseError);
      }
    };
    // A server may answer (401, 413) and close before reading a large body: the answer still counts.
    socket.on("error", settle);
    socket.on("end", () => settle());
    socket.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), body ?? Buffer.alloc(0)]));
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf("\r\n\r\n");
  if (split === -1) throw new Error(`Not an HTTP response: ${JSON.stringify(raw.subarray(0, 200).toString("latin1"))}`);
  const [statusLine = "", ...lines] = raw.subarray(0, split).toString("latin1").split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
  return {
    status,
    headers,
    body,
    json() {
      try {
        return JSON.parse(body.toString("utf8"));
      } catch {
        return undefined;
      }
    },
  };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf("\r\n", at);
    const size = Number.parseInt(data.subarray(at, end).toString("latin1"), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** `{ code, message }`, the shape of every error the server answers. */
export function errorBody(response: RawResponse): { code: string; message: string } | undefined {
  const value = response.json() as { code?: unknown; message?: unknown } | undefined;
  return typeof value?.code === "string" && typeof value.message === "string" ? { code: value.code, message: value.message } : undefined;
}
