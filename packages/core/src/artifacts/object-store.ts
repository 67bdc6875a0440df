import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { chmod, copyFile, link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunlogError } from "../errors.js";

export interface ContentHash {
  readonly sha256: string;
  /** base64, as W&B's entry digests. */
  readonly md5: string;
  readonly size: number;
}

/** Remembers hashes by (path, size, mtime, inode) so an unchanged file is never read again. */
export interface HashCache {
  get(path: string, size: number, mtimeMs: number, ino: number): ContentHash | undefined;
  set(path: string, size: number, mtimeMs: number, ino: number, hash: ContentHash): void;
}

export interface PutResult extends ContentHash {
  /** Bytes written into the store: 0 when the content was already there or the file was unchanged. */
  readonly bytesWritten: number;
}

/**
 * What stores content by SHA-256: the local folder below, or an S3-compatible bucket
 * (`S3ObjectStore` in @runlog/server). One contract suite runs against both.
 */
export interface ObjectStore {
  /** Hashes `source` and stores its content once; `bytesWritten` is 0 when it was already stored. */
  put(source: string): Promise<PutResult>;
  exists(sha256: string): Promise<boolean>;
  /** The object's bytes from `offset` on; undefined when there is no such object. */
  open(sha256: string, offset?: number): Promise<{ stream: Readable; size: number } | undefined>;
  /** Writes the object to `destination` (replacing what is there). */
  materialize(sha256: string, destination: string): Promise<void>;
}

/**
 * The local content-addressed store: `<root>/artifacts/objects/sha256/ab/cdef…`. Identical
 * content is stored once. Objects are read-only; they are never modified in place.
 */
/** Files up to this size are read, hashed and written in one go (fewer async hops than a stream). */
const SMALL_FILE = 8 * 1024 * 1024;

export class LocalObjectStore implements ObjectStore {
  readonly objectsDir: string;
  private readonly tmpDir: string;
  /** Learned on first use: whether this file system can clone files (btrfs, xfs). */
  private reflink: boolean | undefined;
  private readonly shards = new Set<string>();
  /** Folders that gained an entry (a renamed object, a new shard) since the last `sync()`. */
  private readonly unsyncedDirs = new Set<string>();

  constructor(root: string) {
    this.objectsDir = join(root, "artifacts", "objects", "sha256");
    this.tmpDir = join(root, "artifacts", "tmp");
  }

  objectPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RunlogError("INVALID_ARGUMENT", `Not a SHA-256 digest: ${sha256}.`);
    return join(this.objectsDir, sha256.slice(0, 2), sha256.slice(2));
  }

  /** Removes temporary files left by processes that died mid-copy (their pid is in the name). */
  async removeStaleTemporaries(): Promise<void> {
    if (!existsSync(this.tmpDir)) return;
    for (const name of await readdir(this.tmpDir)) {
      const pid = Number(name.split("-")[0]);
      if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      await unlink(join(this.tmpDir, name)).catch(() => {});
    }
  }

  has(sha256: string): boolean {
    return existsSync(this.objectPath(sha256));
  }

  async exists(sha256: string): Promise<boolean> {
    return this.has(sha256);
  }

  async open(sha256: string, offset = 0): Promise<{ stream: Readable; size: number } | undefined> {
    const path = this.objectPath(sha256);
    const info = statSync(path, { throwIfNoEntry: false });
    if (info === undefined) return undefined;
    return { stream: createReadStream(path, { start: Math.min(offset, info.size) }), size: info.size };
  }

  /**
   * Hashes `source` and stores its content, reading it once: a reflink clone where the file
   * system supports it (then the clone is hashed), else a streaming copy that hashes as it writes.
   * A file whose size, mtime and inode are unchanged since last time is not read at all.
   * `onBytes` hears each chunk's length as a streamed file (over 8 MiB) is read, for progress bars.
   */
  async put(source: string, cache?: HashCache, onBytes?: (bytes: number) => void): Promise<PutResult> {
    // Synchronous on purpose: a metadata lookup, and ~10× cheaper than the promise API for 10,000 files.
    const info = statSync(source);
    if (!info.isFile()) throw new RunlogError("INVALID_ARGUMENT", `${source} is not a regular file.`);
    const known = cache?.get(source, info.size, info.mtimeMs, info.ino);
    if (known !== undefined && this.has(known.sha256)) return { ...known, bytesWritten: 0 };
    const tmp = await this.tmpPath();
    try {
      let hash: ContentHash;
      if (info.size <= SMALL_FILE && this.reflink !== true) {
        // Small file: read once and hash in memory; write only if the content is new.
        const data = await readFile(source);
        hash = hashBuffer(data);
        // flush: the bytes are on disk before the rename publishes them under their address.
        if (!this.has(hash.sha256)) await writeFile(tmp, data, { mode: 0o444, flush: true });
      } else {
        hash = await this.cloneOrCopy(source, tmp, onBytes);
        await chmod(tmp, 0o444);
        if (!this.has(hash.sha256)) await syncPath(tmp);
      }
      const bytesWritten = existsSync(tmp) && !this.has(hash.sha256) ? await this.commitObject(tmp, hash) : 0;
      cache?.set(source, info.size, info.mtimeMs, info.ino, hash);
      if (bytesWritten > 0 && cache !== undefined) {
        // Remember the object as written, so verify() can trust it without reading it again.
        const object = await stat(this.objectPath(hash.sha256));
        cache.set(this.objectPath(hash.sha256), object.size, object.mtimeMs, object.ino, hash);
      }
      return { ...hash, bytesWritten };
    } finally {
      if (existsSync(tmp)) await unlink(tmp);
    }
  }

  /** A reflink clone where the file system supports it (then the clone is hashed), else a hashing stream copy. */
  private async cloneOrCopy(source: string, tmp: string, onBytes?: (bytes: number) => void): Promise<ContentHash> {
    if (this.reflink !== false) {
      try {
        await copyFile(source, tmp, constants.COPYFILE_FICLONE_FORCE);
        this.reflink = true;
        return await hashFile(tmp, onBytes);
      } catch (error) {
        if (!existsSync(source)) throw error;
        this.reflink = false;
      }
    }
    return copyAndHash(source, tmp, onBytes);
  }

  /** Renames a finished temporary file into place: a crash never leaves half an object under its name. */
  private async commitObject(tmp: string, hash: ContentHash): Promise<number> {
    const shard = join(this.objectsDir, hash.sha256.slice(0, 2));
    if (!this.shards.has(shard)) {
      const created = await mkdir(shard, { recursive: true });
      // Every folder created here is an entry of its parent, which must be synced too.
      for (let dir = shard; created !== undefined; dir = dirname(dir)) {
        this.unsyncedDirs.add(dirname(dir));
        if (dir === created) break;
      }
      this.shards.add(shard);
    }
    await rename(tmp, this.objectPath(hash.sha256));
    this.unsyncedDirs.add(shard);
    return hash.size;
  }

  /**
   * Makes the objects stored since the last call durable (their folders' entries are synced):
   * called before a version naming them is committed, so a power loss never leaves a committed
   * version whose objects are missing. Each object's bytes were synced before its rename.
   */
  async sync(): Promise<void> {
    const dirs = [...this.unsyncedDirs];
    this.unsyncedDirs.clear();
    if (process.platform === "win32") return; // folders cannot be opened for fsync there; NTFS journals renames
    // Shards before the objects folder: a new shard's own entries are durable before its name is.
    dirs.sort((a, b) => b.length - a.length);
    for (const dir of dirs) await syncPath(dir);
  }

  private async tmpPath(): Promise<string> {
    if (!this.shards.has(this.tmpDir)) {
      await mkdir(this.tmpDir, { recursive: true });
      this.shards.add(this.tmpDir);
    }
    return join(this.tmpDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  }

  /**
   * Checks that a stored object still holds its content: trusted when size, mtime and inode are
   * as written; otherwise re-hashed. A corrupt object is removed (log the artifact again to restore it).
   */
  async verify(sha256: string, cache: HashCache): Promise<void> {
    const path = this.objectPath(sha256);
    const info = statSync(path);
    if (cache.get(path, info.size, info.mtimeMs, info.ino)?.sha256 === sha256) return;
    const actual = await hashFile(path);
    if (actual.sha256 !== sha256) {
      await unlink(path);
      throw new RunlogError(
        "STORE_ERROR",
        `Stored object ${sha256} was modified on disk (now ${actual.sha256}) and has been removed; log the artifact again to restore it.`,
      );
    }
    cache.set(path, info.size, info.mtimeMs, info.ino, actual);
  }

  /** Places an object at `destination`: a hard link (no copy) when possible, else a copy. */
  async materialize(sha256: string, destination: string): Promise<void> {
    const source = this.objectPath(sha256);
    if (existsSync(destination)) await unlink(destination);
    try {
      await link(source, destination);
    } catch {
      await copyFile(source, destination, constants.COPYFILE_FICLONE);
    }
  }
}

/** fsync of a file or folder (open read-only: allowed for both on POSIX). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function hashBuffer(data: Buffer): ContentHash {
  return {
    sha256: createHash("sha256").update(data).digest("hex"),
    md5: createHash("md5").update(data).digest("base64"),
    size: data.length,
  };
}

/** `onBytes` hears each chunk's length as it is read (for progress bars). */
export async function hashFile(path: string, onBytes?: (bytes: number) => void): Promise<ContentHash> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { sha256: sha.digest("hex"), md5: md5.digest("base64"), size };
}

async function copyAndHash(source: string, destination: string, onBytes?: (bytes: number) => void): Promise<ContentHash> {
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let size = 0;
  await pipeline(
    createReadStream(source, { highWaterMark: 1 << 20 }),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        sha.update(chunk);
        md5.update(chunk);
        size += chunk.length;
        onBytes?.(chunk.length);
        yield chunk;
      }
    },
    // flush: the bytes are on disk before the caller renames the file into place.
    createWriteStream(destination, { flush: true }),
  );
  return { sha256: sha.digest("hex"), md5: md5.digest("base64"), size };
}
