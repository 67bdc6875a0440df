import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ApiRun } from "@runlog/core";
import { checkKeys, type ExportTargetOptions, exportFailed, outputFolder, resolveExportTarget, rowsOf } from "../export/export-target.js";
import { TfEvent } from "../tensorboard/schema.js";
import { TfRecordWriter } from "./record-writer.js";
import { hparamsValue, pluginMetadata, type SummaryValue, summaryValueOf } from "./summary-values.js";

export interface TfeventsExport {
  /** One event file per run, under `<out>/<run id>/`: point `tensorboard --logdir <out>` at it. */
  readonly files: readonly string[];
  /** Values TensorBoard has no summary for, by what they were, e.g. `{ "boolean values": 2 }`. */
  readonly skipped: Readonly<Record<string, number>>;
}

const ROW_KEYS = new Set(["_step", "_timestamp", "_runtime"]);

/**
 * Writes a run (`entity/project/id`) or every run of a project (`entity/project`) as TensorBoard
 * event files, one per run: numbers as float64 scalars, strings as text, histograms, image files,
 * config as the hparams plugin. Rows stream from the store; each row is one `Event` at its step
 * and wall time.
 */
export async function exportTfevents(path: string, options: ExportTargetOptions = {}): Promise<TfeventsExport> {
  const keys = checkKeys(options.keys);
  const target = await resolveExportTarget(path, options);
  const out = outputFolder(options.out);
  const skipped: Record<string, number> = {};
  const files: string[] = [];
  for (const run of target.runs) files.push(await writeRun(run, out, keys, skipped));
  return { files, skipped };
}

async function writeRun(run: ApiRun, out: string, keys: readonly string[] | undefined, skipped: Record<string, number>): Promise<string> {
  const folder = join(out, run.id);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw exportFailed(folder, error);
  }
  const file = join(folder, `events.out.tfevents.${Math.floor(run.createdAt)}.runlog`);
  const writer = new TfRecordWriter(file);
  const event = (object: Record<string, unknown>) => writer.write(TfEvent.encode(TfEvent.fromObject(object)).finish());
  try {
    let started = false;
    // The first tag's plugin wins in TensorBoard: a value of another kind under that tag is left out.
    const plugins = new Map<string, string>();
    for await (const row of rowsOf(run, keys)) {
      const wall = typeof row._timestamp === "number" ? row._timestamp : run.createdAt;
      if (!started) {
        // TensorBoard counts a run's relative time from its first event: the run's start.
        const start = typeof row._runtime === "number" ? wall - row._runtime : run.createdAt;
        event({ wall_time: start, file_version: "brain.Event:2" });
        const hparams = hparamsValue(run.config, run.createdAt);
        if (hparams !== undefined) event({ wall_time: start, step: 0, summary: { value: [hparams] } });
        started = true;
      }
      const values: SummaryValue[] = [];
      for (const [tag, value] of Object.entries(row)) {
        if (ROW_KEYS.has(tag) || value === undefined || value === null || (keys !== undefined && !keys.includes(tag))) continue;
        const mapped = summaryValueOf(run, value);
        const known = plugins.get(tag);
        if ("skipped" in mapped || (known !== undefined && known !== mapped.plugin)) {
          const why = "skipped" in mapped ? mapped.skipped : "values of another kind than their tag's first";
          skipped[why] = (skipped[why] ?? 0) + 1;
          continue;
        }
        const metadata = known === undefined ? pluginMetadata(mapped.plugin) : undefined;
        plugins.set(tag, mapped.plugin);
        values.push({ tag, ...mapped.value, ...(metadata === undefined ? {} : { metadata }) });
      }
      if (values.length > 0) event({ wall_time: wall, step: row._step, summary: { value: values } });
    }
    if (!started) event({ wall_time: run.createdAt, file_version: "brain.Event:2" });
  } finally {
    writer.close();
  }
  return file;
}
