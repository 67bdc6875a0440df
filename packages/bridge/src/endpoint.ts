import { isIP } from "node:net";
import { RunlogError } from "@runlog/core/errors";

/** Version of the bridge's msgpack protocol (PROTOCOL.md comes with the bridge issue). */
export const PROTOCOL_VERSION = 1;

export type Endpoint = { kind: "tcp"; host: string; port: number; loopback: boolean } | { kind: "ipc"; path: string; loopback: true };

/** Parses a ZeroMQ endpoint the bridge may bind; `ipc://` and loopback TCP need no CURVE keys. */
export function parseEndpoint(endpoint: string): Endpoint {
  if (endpoint.startsWith("ipc://")) {
    const path = endpoint.slice("ipc://".length);
    if (path.length === 0 || path.includes("\0"))
      throw new RunlogError("INVALID_ARGUMENT", `Invalid ipc endpoint ${JSON.stringify(endpoint)}.`);
    return { kind: "ipc", path, loopback: true };
  }
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(endpoint);
  const port = match ? Number(match[2]) : Number.NaN;
  // Port 0: any free port (ZeroMQ picks one; Bridge.endpoint says which), as a listening server on port 0.
  if (!match || port < 0 || port > 65_535) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Invalid endpoint ${JSON.stringify(endpoint)}: use tcp://127.0.0.1:5555 or ipc:///path/to/socket.`,
    );
  }
  const host = (match[1] as string).replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || (isIP(host) === 4 && host.startsWith("127.")) || host === "::1";
  return { kind: "tcp", host, port, loopback };
}
