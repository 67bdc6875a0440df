import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { RunlogError } from "@runlog/core";
import { type ImportOptions, resolveImportOptions, runIdFrom } from "../options.js";
import type { ImportedRun, ImportReport } from "../pipeline/import-report.js";
import { importedRun, skippedWarnings, Unmapped } from "../pipeline/import-report.js";
import { RunImportWriter } from "../pipeline/run-import-writer.js";
import { findTensorboardRuns } from "./detect.js";
import { TensorboardRunMapper } from "./run-mapper.js";
import { TfEvent, TO_OBJECT } from "./schema.js";
import { readTfRecords } from "./tfrecord.js";

const PROGRESS_EVERY = 4096;

/**
 * Imports a TensorBoard log dir: each folder of `events.out.tfevents.*` files becomes one run of
 * the project (default: the log dir's name). Importing the same files again adds nothing.
 */
export function importTensorboard(path: string, options?: ImportOptions): ImportReport {
  const resolved = resolveImportOptions(options);
  const project = resolved.project ?? runIdFrom(basename(resolve(path)));
  const unmapped = new Unmapped();
  const runs: ImportedRun[] = [];
  for (const found of findTensorboardRuns(path)) {
    const id = runIdFrom(found.name === "." ? basename(resolve(path)) : found.name.replace(/[\\/]/g, "-"));
    const address = { entity: resolved.entity, project, id };
    const writer = new RunImportWriter({ root: resolved.root, ...address });
    const mapper = new TensorboardRunMapper(writer, { ...address, name: found.name, source: resolve(path) }, unmapped);
    let failure: unknown;
    for (const file of found.files) {
      const total = statSync(file).size;
      let count = 0;
      try {
        for (const record of readTfRecords(file)) {
          mapper.map(decode(file, record.offset, record.bytes));
          if (++count % PROGRESS_EVERY === 0) resolved.onProgress({ file, done: record.offset, total });
        }
      } catch (error) {
        failure = error;
        break;
      }
      resolved.onProgress({ file, done: total, total });
    }
    // Events before any damage are kept: written and applied, then the error is thrown.
    if (failure === undefined) mapper.finish();
    else mapper.flushRows();
    const result = writer.finish();
    if (failure !== undefined) throw failure;
    runs.push(
      importedRun(
        { ...address, sources: found.files, written: writer.written, applied: result.applied, points: writer.points },
        writer.skipped,
      ),
    );
  }
  return { runs, unmapped: unmapped.toJSON(), warnings: skippedWarnings(runs) };
}

function decode(file: string, offset: number, bytes: Buffer) {
  try {
    return TfEvent.toObject(TfEvent.decode(bytes), TO_OBJECT);
  } catch (error) {
    throw new RunlogError(
      "SOURCE_CORRUPT",
      `${file} is damaged at byte ${offset}: the record there is not a TensorBoard Event (${(error as Error).message}). Every event before it was imported.`,
      { cause: error, details: { file, offset } },
    );
  }
}
