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
 * Secure by default: a server binds 127.0.0.1 unless told otherwise; binding any other address
 * requires API keys (a live key in the key store, or a master --api-key of at least 16 characters).
 * A loopback server needs keys only when asked to (`requireKeys`).
 */
export function resolveBindPolicy(options: { host?: string; apiKey?: string; hasKeys?: boolean; requireKeys?: boolean }): {
  host: string;
  requireKey: boolean;
} {
  const host = options.host ?? "127.0.0.1";
  if (options.apiKey !== undefined && options.apiKey.length < 16) {
    throw new RunlogError("INVALID_ARGUMENT", "The master API key (--api-key, RUNLOG_API_KEY) must have at least 16 characters.");
  }
  if (isLoopbackHost(host)) return { host, requireKey: options.requireKeys === true };
  if (options.apiKey === undefined && options.hasKeys !== true) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Refusing to serve on ${host} without API keys: anyone on the network could read your runs. Create one with \`runlog server keys create\` (or pass --api-key with at least 16 characters), or bind 127.0.0.1.`,
    );
  }
  return { host, requireKey: true };
}
