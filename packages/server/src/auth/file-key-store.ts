import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type ApiKeyInfo, checkKeyOptions, hashKey, type KeyScope, type KeyStore, newKey } from "./api-keys.js";

type StoredKey = ApiKeyInfo & { hash: string };

/** API keys of a server on the embedded store: hashes in a 0600 JSON file beside runlog.db. */
export class FileKeyStore implements KeyStore {
  private cache: { mtimeMs: number; keys: StoredKey[] } | undefined;

  constructor(private readonly path: string) {}

  async create(options: { entity: string; scope: KeyScope; description?: string }) {
    checkKeyOptions(options);
    const { id, key } = newKey();
    const stored: StoredKey = {
      id,
      hash: hashKey(key),
      entity: options.entity,
      scope: options.scope,
      description: options.description ?? "",
      createdAt: Date.now() / 1000,
      revokedAt: undefined,
    };
    this.write([...this.read(), stored]);
    return { key, info: strip(stored) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return this.read().map(strip);
  }

  async revoke(id: string): Promise<boolean> {
    const keys = this.read();
    const found = keys.find((k) => k.id === id && k.revokedAt === undefined);
    if (found === undefined) return false;
    this.write(keys.map((k) => (k === found ? { ...k, revokedAt: Date.now() / 1000 } : k)));
    return true;
  }

  async find(key: string): Promise<ApiKeyInfo | undefined> {
    const hash = hashKey(key);
    const found = this.read().find((k) => k.hash === hash && k.revokedAt === undefined);
    return found === undefined ? undefined : strip(found);
  }

  async close(): Promise<void> {}

  /** Re-read when the file changed, so `runlog server keys revoke` takes effect on a running server. */
  private read(): StoredKey[] {
    if (!existsSync(this.path)) return [];
    const { mtimeMs } = statSync(this.path);
    if (this.cache?.mtimeMs !== mtimeMs) this.cache = { mtimeMs, keys: JSON.parse(readFileSync(this.path, "utf8")) as StoredKey[] };
    return this.cache.keys;
  }

  private write(keys: StoredKey[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 });
    renameSync(temp, this.path);
    this.cache = undefined;
  }
}

function strip({ hash: _hash, ...info }: StoredKey): ApiKeyInfo {
  return info;
}
