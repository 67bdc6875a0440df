import { statSync } from "node:fs";
import { RunlogError } from "@runlog/core";
import { type ImportOptions, resolveImportOptions, runIdFrom } from "../options.js";
import type { ImportedRun, ImportReport } from "../pipeline/import-report.js";
import { importedRun, skippedWarnings, Unmapped } from "../pipeline/import-report.js";
import { RunImportWriter } from "../pipeline/run-import-writer.js";
import { findWandbLogs, type WandbAttemptFile } from "./detect.js";
import { newRunState, WandbRunMapper } from "./run-mapper.js";
import { TO_OBJECT, WandbRecord } from "./schema.js";
import { readWandbLog } from "./transaction-log.js";

/** How often (in records) progress is reported. */
const PROGRESS_EVERY = 4096;

/**
 * Imports W&B runs (offline or synced run folders, or bare `.wandb` files) into a runlog root,
 * through each run's transaction log. Importing the same files again adds nothing.
 */
export function importWandb(path: string, options?: ImportOptions): ImportReport {
  const resolved = resolveImportOptions(options);
  const byRun = new Map<string, WandbAttemptFile[]>();
  for (const attempt of findWandbLogs(path)) byRun.set(attempt.runId, [...(byRun.get(attempt.runId) ?? []), attempt]);
  const unmapped = new Unmapped();
  const runs: ImportedRun[] = [];
  for (const [runId, attempts] of byRun) {
    const project = resolved.project ?? projectOf(attempts[0] as WandbAttemptFile) ?? "imported";
    const address = { entity: resolved.entity, project, id: runIdFrom(runId) };
    const writer = new RunImportWriter({ root: resolved.root, ...address });
    let failure: unknown;
    const state = newRunState();
    attempts.forEach((attempt, index) => {
      if (failure !== undefined) return;
      writer.startAttempt(index);
      const mapper = new WandbRunMapper(writer, address, index, attempt, unmapped, state);
      const total = statSync(attempt.file).size;
      let count = 0;
      try {
        for (const record of readWandbLog(attempt.file)) {
          mapper.map(decode(attempt.file, record.offset, record.bytes));
          if (++count % PROGRESS_EVERY === 0) resolved.onProgress({ file: attempt.file, done: record.offset, total });
        }
      } catch (error) {
        failure = error;
      }
      mapper.flush();
      resolved.onProgress({ file: attempt.file, done: total, total });
    });
    // What was read before any damage is kept: it is written and applied before the error is thrown.
    const result = writer.finish();
    if (failure !== undefined) throw failure;
    runs.push(
      importedRun(
        {
          ...address,
          sources: attempts.map((a) => a.file),
          written: writer.written,
          applied: result.applied,
          points: writer.points,
        },
        writer.skipped,
      ),
    );
  }
  return { runs, unmapped: unmapped.toJSON(), warnings: skippedWarnings(runs) };
}

function decode(file: string, offset: number, bytes: Buffer) {
  try {
    return WandbRecord.toObject(WandbRecord.decode(bytes), TO_OBJECT);
  } catch (error) {
    throw new RunlogError(
      "SOURCE_CORRUPT",
      `${file} is damaged at byte ${offset}: the record there is not a W&B Record (${(error as Error).message}). Every record before it was imported.`,
      {
        cause: error,
        details: { file, offset },
      },
    );
  }
}

/** The project the W&B run itself names (its first run record), read without importing anything. */
function projectOf(attempt: WandbAttemptFile): string | undefined {
  let read = 0;
  try {
    for (const record of readWandbLog(attempt.file)) {
      if (++read > 64) break; // the run record comes first; never scan a big file for it
      const decoded = WandbRecord.toObject(WandbRecord.decode(record.bytes), TO_OBJECT);
      if (decoded.record_type === "run") return decoded.run?.project || undefined;
    }
  } catch {
    // A damaged file: the import itself reports where.
  }
  return undefined;
}
