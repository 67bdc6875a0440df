import { crc32 } from "node:zlib";
import { RunlogError } from "../../errors.js";

/**
 * Checksums of the numeric blobs a chart is drawn from (chunk data and index pages), so a flipped
 * byte in runlog.db is an error, never a wrong value on the dashboard. NULL in rows written before
 * checksums existed: those are read unverified.
 */
export function blobChecksum(steps: Uint8Array, vals: Uint8Array): number {
  return crc32(vals, crc32(steps));
}

export function pageChecksum(stats: Uint8Array): number {
  return crc32(stats);
}

export function storeCorrupt(path: string, what: string): RunlogError {
  return new RunlogError(
    "STORE_CORRUPT",
    `${path} is damaged (${what}). Run \`runlog doctor\` to check it, and \`runlog sync --rebuild\` to rebuild it from the runs' transaction logs.`,
  );
}

/**
 * Throws STORE_CORRUPT unless a chunk's blobs match their checksum and shape. (Not its count in the
 * index: a live run rewrites its last chunk, so a reader may see a newer blob than the stats it read.)
 */
export function verifyChunkBlob(
  path: string,
  row: { readonly id: number; readonly steps: Uint8Array; readonly vals: Uint8Array; readonly crc: number | null },
): void {
  const shapeOk = row.vals.byteLength % 8 === 0 && (row.steps.byteLength === 0 || row.steps.byteLength === row.vals.byteLength);
  if (!shapeOk || (row.crc !== null && row.crc !== blobChecksum(row.steps, row.vals))) {
    throw storeCorrupt(path, `series chunk blob ${row.id} does not match its checksum`);
  }
}

export function verifyPage(path: string, stats: Uint8Array, crc: number | null, where: string): void {
  if (stats.byteLength % 64 !== 0 || (crc !== null && crc !== pageChecksum(stats))) {
    throw storeCorrupt(path, `series index page of ${where} does not match its checksum`);
  }
}

const DAMAGE = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_SEQUENCE", "SQLITE_CORRUPT_VTAB"]);

/** Whether an error says the database file is damaged (SQLite's own checks, or unparsable stored JSON). */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (typeof code === "string" && DAMAGE.has(code)) || error instanceof SyntaxError;
}

/** Runs a read; damage found by SQLite or by parsing stored JSON becomes STORE_CORRUPT, never a raw error. */
export function guarded<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (RunlogError.isInstance(error) || !isDamage(error)) throw error;
    throw storeCorrupt(path, (error as Error).message);
  }
}
