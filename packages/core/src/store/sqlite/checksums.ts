import { crc32 } from "node:zlib";
import type Database from "better-sqlite3";
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

/**
 * Checksum of stored JSON text (config, summary, history rows, spans, artifact manifests): CRC-32 of
 * its UTF-8 bytes, several texts chained. A value that is no longer text (a damaged type byte) gets
 * NOT_TEXT, which no stored checksum equals.
 */
export function textChecksum(...texts: unknown[]): number {
  let crc = 0;
  for (const text of texts) {
    if (typeof text !== "string" && !(text instanceof Uint8Array)) return NOT_TEXT;
    crc = crc32(text, crc);
  }
  return crc;
}

const NOT_TEXT = -2;
/** Written when a value was derived from damaged text (a merge over a damaged summary): it stays damaged. */
export const DAMAGED_CHECKSUM = -1;

/** Whether stored text matches its checksum (NULL: written before checksums, unverified). */
export function textIntact(crc: number | null, ...texts: unknown[]): boolean {
  return crc === null || crc === textChecksum(...texts);
}

/** The checksum of `next`, derived from `current`: damaged when `current` was. */
export function derivedChecksum(current: { text: unknown; crc: number | null }, next: string): number {
  return textIntact(current.crc, current.text) ? textChecksum(next) : DAMAGED_CHECKSUM;
}

export function verifyText(path: string, crc: number | null, texts: unknown[], what: () => string): void {
  if (!textIntact(crc, ...texts)) throw storeCorrupt(path, `${what()} does not match its checksum`);
}

/** The JSON columns of a `runs` row and their checksum columns (schema migration 6). */
export const RUN_JSON_COLUMNS = ["config", "summary", "metrics", "metadata", "tags"] as const;
export type RunJsonColumn = (typeof RUN_JSON_COLUMNS)[number];
export type RunChecksums = { [K in RunJsonColumn as `${K}_crc`]: number | null };

export function verifyRunRow(
  path: string,
  row: { [K in RunJsonColumn]: string } & RunChecksums & { entity: string; project: string; run_id: string },
): void {
  for (const column of RUN_JSON_COLUMNS) {
    verifyText(path, row[`${column}_crc`], [row[column]], () => `the ${column} of run ${row.entity}/${row.project}/${row.run_id}`);
  }
}

/**
 * `runlog_crc32(text, …)` in SQL: the migration backfills with it, and the span upsert checksums
 * the text json_patch makes. Registered on every connection that writes (openDatabase).
 */
export function registerChecksumFunction(db: Database.Database): void {
  db.function("runlog_crc32", { deterministic: true, varargs: true }, (...texts: unknown[]) => textChecksum(...texts));
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
