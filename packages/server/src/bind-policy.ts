import { isIP } from "node:net";
import { RunlogError } from "@runlog/core";

/** True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * Secure by default: a server binds 127.0.0.1 unless told otherwise, and binding any
 * other address requires an API key (the team issue adds full key management).
 */
export function resolveBindPolicy(options: { host?: string; apiKey?: string }): { host: string; requireKey: boolean } {
  const host = options.host ?? "127.0.0.1";
  if (isLoopbackHost(host)) return { host, requireKey: false };
  if (options.apiKey === undefined || options.apiKey.length < 16) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Refusing to serve on ${host} without an API key: anyone on the network could read your runs. Pass --api-key (or RUNLOG_API_KEY) with at least 16 characters, or bind 127.0.0.1.`,
    );
  }
  return { host, requireKey: true };
}
