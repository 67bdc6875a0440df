import { createHash, randomBytes } from "node:crypto";
import { RunlogError } from "@runlog/core";

export type KeyScope = "read" | "write";

/** A key as listed: never the key itself, which is shown once at creation. */
export interface ApiKeyInfo {
  readonly id: string;
  /** The entity the key may read or write, or "*" for every entity. */
  readonly entity: string;
  readonly scope: KeyScope;
  readonly description: string;
  readonly createdAt: number;
  readonly revokedAt: number | undefined;
}

/** Where a server keeps its API keys (PostgreSQL table, or a file beside the embedded store). */
export interface KeyStore {
  /** Stores the hash of a new key; returns the key (shown once) and its listing. */
  create(options: { entity: string; scope: KeyScope; description?: string }): Promise<{ key: string; info: ApiKeyInfo }>;
  list(): Promise<ApiKeyInfo[]>;
  /** True when a live key with this id existed. */
  revoke(id: string): Promise<boolean>;
  /** The live key whose hash matches, if any. */
  find(key: string): Promise<ApiKeyInfo | undefined>;
  close(): Promise<void>;
}

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

/** `rlk_<id>_<secret>`: the id lets `keys list|revoke` name a key without knowing it. */
export function newKey(): { id: string; key: string } {
  const id = randomBytes(6).toString("hex");
  return { id, key: `rlk_${id}_${randomBytes(24).toString("base64url")}` };
}

export function checkKeyOptions(options: { entity: string; scope: string }): void {
  if (options.scope !== "read" && options.scope !== "write") {
    throw new RunlogError("INVALID_ARGUMENT", `A key's scope must be "read" or "write", got ${JSON.stringify(options.scope)}.`);
  }
  if (options.entity !== "*" && !/^[A-Za-z0-9_.-]{1,128}$/.test(options.entity)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `A key's entity must be an entity name or "*", got ${JSON.stringify(options.entity.slice(0, 140))}.`,
    );
  }
}
