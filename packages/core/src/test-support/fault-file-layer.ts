import type { FileLayer, LogFile } from "../pipeline/log-file.js";

export type FaultSite = "write" | "sync" | "backgroundSync" | "truncate" | "read";

/** Decides whether an operation fails: return an errno code ("ENOSPC", "EIO") to fail it. */
export type FaultPolicy = (site: FaultSite, bytes: number) => string | undefined;

function systemError(code: string, syscall: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: injected failure, ${syscall}`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  return error;
}

/**
 * One file in memory that records what reached "disk": `data` is what the OS shows, `durable` what
 * the last successful fsync made permanent. A failed write may write part of its bytes first (as a
 * full disk does); a failed fsync drops the unsynced pages, as Linux does after writeback errors.
 */
export class MemoryFile implements LogFile {
  data = Buffer.alloc(0);
  durable = Buffer.alloc(0);
  /** Writes since the last successful fsync, in order: what a power cut may tear. */
  unsyncedWrites: { position: number; bytes: Buffer }[] = [];
  readonly initialSize: number;
  syncs = 0;

  constructor(
    private readonly policy: FaultPolicy,
    private readonly random: () => number,
    initial: Buffer = Buffer.alloc(0),
  ) {
    this.data = Buffer.from(initial);
    this.durable = Buffer.from(initial);
    this.initialSize = initial.length;
  }

  private put(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    if (end > this.data.length) {
      const grown = Buffer.alloc(end);
      this.data.copy(grown);
      this.data = grown;
    }
    this.data.set(bytes, position);
    this.unsyncedWrites.push({ position, bytes: Buffer.from(bytes) });
  }

  writeAt(bytes: Uint8Array, position: number): void {
    const fault = this.policy("write", bytes.length);
    if (fault !== undefined) {
      // A full disk takes part of a write before it refuses the rest.
      this.put(bytes.subarray(0, Math.floor(this.random() * bytes.length)), position);
      throw systemError(fault, "write");
    }
    this.put(bytes, position);
  }

  readAt(into: Buffer, offset: number, length: number, position: number): number {
    const fault = this.policy("read", length);
    if (fault !== undefined) throw systemError(fault, "read");
    return this.data.copy(into, offset, position, Math.min(position + length, this.data.length));
  }

  truncate(length: number): void {
    const fault = this.policy("truncate", 0);
    if (fault !== undefined) throw systemError(fault, "ftruncate");
    this.data = Buffer.from(this.data.subarray(0, Math.min(length, this.data.length)));
  }

  private fsync(site: "sync" | "backgroundSync"): void {
    const fault = this.policy(site, 0);
    if (fault !== undefined) {
      this.data = Buffer.from(this.durable); // the kernel dropped the dirty pages
      this.unsyncedWrites = [];
      throw systemError(fault, "fsync");
    }
    this.durable = Buffer.from(this.data);
    this.unsyncedWrites = [];
    this.syncs++;
  }

  sync(): void {
    this.fsync("sync");
  }

  syncInBackground(done: (error: Error | null) => void): void {
    try {
      this.fsync("backgroundSync");
      queueMicrotask(() => done(null));
    } catch (error) {
      queueMicrotask(() => done(error as Error));
    }
  }

  close(): void {}

  /** What survives a power cut now: the fsynced image, plus a torn prefix of the first unsynced write. */
  afterPowerLoss(): Buffer {
    const first = this.unsyncedWrites[0];
    if (first === undefined) return Buffer.from(this.durable);
    const torn = first.bytes.subarray(0, Math.floor(this.random() * first.bytes.length));
    const end = Math.max(this.durable.length, first.position + torn.length);
    const image = Buffer.alloc(end);
    this.durable.copy(image);
    image.set(torn, first.position);
    return image;
  }
}

/** A FileLayer over MemoryFiles, one per path. */
export class MemoryFileLayer implements FileLayer {
  readonly files = new Map<string, MemoryFile>();

  constructor(
    private readonly policy: FaultPolicy = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  open(path: string): MemoryFile {
    const file = new MemoryFile(this.policy, this.random, this.files.get(path)?.data);
    this.files.set(path, file);
    return file;
  }
}
