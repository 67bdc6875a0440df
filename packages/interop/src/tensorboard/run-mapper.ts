import type { Unmapped } from "../pipeline/import-report.js";
import type { RunImportWriter } from "../pipeline/run-import-writer.js";
import { HParamsPluginData, TO_OBJECT } from "./schema.js";
import { type Decoded, histogramOf, histogramOfTensor, mediaName, protobufValue, tensorNumbers } from "./values.js";

/** Steps kept open for more events before their row is written (events of a step arrive together). */
const OPEN_STEPS = 256;

/**
 * Maps the events of one TensorBoard run (a folder of event files) onto a Runlog run: events of
 * one step become one history row (`_step` = the event step, `_timestamp` = its wall time,
 * `_runtime` = seconds since the run's first event); hparams become config.
 */
export class TensorboardRunMapper {
  private firstWall: number | undefined;
  private lastWall = 0;
  private readonly plugins = new Map<string, string>();
  private readonly open = new Map<number, { wall: number; values: Record<string, unknown> }>();
  /** The open steps, ascending: the oldest is written first without scanning them all. */
  private readonly order: number[] = [];
  private written = -1;
  private config: Record<string, unknown> = {};

  constructor(
    private readonly writer: RunImportWriter,
    private readonly address: { entity: string; project: string; id: string; name: string; source: string },
    private readonly unmapped: Unmapped,
  ) {}

  map(event: Decoded): void {
    const wall = Number(event.wall_time ?? 0);
    if (this.firstWall === undefined) this.start(wall);
    this.lastWall = Math.max(this.lastWall, wall);
    if (event.what !== "summary") {
      if (event.what !== "file_version") this.unmapped.add(`tensorboard: ${event.what ?? "empty"} events`);
      return;
    }
    const step = Number(event.step ?? 0);
    for (const value of (event.summary.value ?? []) as Decoded[]) this.value(step, wall, value);
  }

  /** Writes the rows still open. */
  flushRows(): void {
    while (this.order.length > 0) this.writeOldestRow();
  }

  /** Writes the open rows and the run's end (an event log has no exit status: the run is finished). */
  finish(): void {
    this.flushRows();
    if (this.firstWall === undefined) return;
    this.writer.push("exit", { exitCode: 0, state: "finished", runtime: this.lastWall - this.firstWall }, this.lastWall * 1000);
  }

  private start(wall: number): void {
    this.firstWall = wall;
    const { entity, project, id, name, source } = this.address;
    this.writer.push("run", { entity, project, id, name, tags: [], startTime: wall, crashTimeout: 300, attempt: 0 }, wall * 1000);
    this.writer.push("meta", { metadata: { source: "tensorboard", importedFrom: source } });
  }

  private value(step: number, wall: number, value: Decoded): void {
    const tag = String(value.tag ?? "");
    const declared = value.metadata?.plugin_data?.plugin_name as string | undefined;
    if (declared) this.plugins.set(tag, declared);
    const plugin = this.plugins.get(tag) ?? "";
    if (plugin === "hparams") {
      this.hparams(value.metadata.plugin_data.content as Buffer | undefined);
      return;
    }
    let mapped: unknown;
    if (value.value === "simple_value") mapped = Number(value.simple_value);
    else if (value.value === "histo") mapped = histogramOf(value.histo);
    else if (value.value === "image")
      mapped = this.image(tag, step, value.image.encoded_image_string, value.image.width, value.image.height);
    else if (value.value === "tensor") mapped = this.tensor(tag, step, plugin, value.tensor);
    if (mapped === undefined) {
      this.unmapped.add(`tensorboard: ${plugin || value.value || "empty"} summaries`);
      return;
    }
    this.set(step, wall, tag, mapped);
  }

  private tensor(tag: string, step: number, plugin: string, tensor: Decoded): unknown {
    if (plugin === "text") {
      const strings = (tensor.string_val ?? []) as Buffer[];
      return strings.length === 1 ? (strings[0] as Buffer).toString("utf8") : strings.map((s) => s.toString("utf8"));
    }
    if (plugin === "images") {
      const [width, height, ...images] = (tensor.string_val ?? []) as Buffer[];
      if (images.length === 0) return undefined;
      const mapped = images.map((bytes, i) =>
        this.image(images.length === 1 ? tag : `${tag}_${i}`, step, bytes, Number(width), Number(height)),
      );
      return mapped.length === 1 ? mapped[0] : mapped;
    }
    const numbers = tensorNumbers(tensor);
    if (plugin === "histograms") return histogramOfTensor(numbers);
    if ((plugin === "scalars" || plugin === "") && numbers.length === 1) return numbers[0];
    return undefined;
  }

  private image(tag: string, step: number, bytes: Buffer, width: number, height: number): Record<string, unknown> {
    const png = bytes[0] === 0x89 && bytes[1] === 0x50;
    const { path, sha256 } = mediaName(tag, step, bytes, png ? "png" : "jpg");
    this.writer.writeFile(path, bytes);
    return {
      _type: "image-file",
      path,
      sha256,
      size: bytes.length,
      format: png ? "png" : "jpeg",
      width: Number(width),
      height: Number(height),
    };
  }

  private hparams(content: Buffer | undefined): void {
    if (content === undefined) return;
    const data = HParamsPluginData.toObject(HParamsPluginData.decode(content), TO_OBJECT);
    const hparams = data.session_start_info?.hparams as Record<string, Decoded> | undefined;
    if (hparams === undefined) return; // the experiment and session-end parts carry no values
    this.config = { ...this.config };
    for (const [name, value] of Object.entries(hparams)) this.config[name] = protobufValue(value);
    this.writer.push("config", { config: this.config });
  }

  private set(step: number, wall: number, key: string, value: unknown): void {
    if (step <= this.written) {
      this.unmapped.add("tensorboard: events for steps whose row was already written (out of order)");
      return;
    }
    const row = this.open.get(step);
    if (row !== undefined) {
      row.values[key] = value;
      return;
    }
    this.open.set(step, { wall, values: { [key]: value } });
    insertSorted(this.order, step);
    if (this.order.length > OPEN_STEPS) this.writeOldestRow(); // after the value is in: it may be this step's row
  }

  /** Writes the row of the oldest open step. */
  private writeOldestRow(): void {
    const step = this.order.shift();
    if (step === undefined) return;
    const row = this.open.get(step);
    if (row === undefined) return;
    this.open.delete(step);
    this.written = Math.max(this.written, step);
    // The row is the writer's now: its axes go in place, not into a copy.
    row.values._runtime = row.wall - (this.firstWall ?? row.wall);
    row.values._timestamp = row.wall;
    this.writer.row("history", step, row.values, row.wall * 1000);
  }
}

/** Inserts `step` into ascending `steps`; events arrive in step order, so this is almost always a push. */
function insertSorted(steps: number[], step: number): void {
  let at = steps.length;
  if (at > 0 && (steps[at - 1] as number) > step) {
    let low = 0;
    while (low < at) {
      const mid = (low + at) >> 1;
      if ((steps[mid] as number) < step) low = mid + 1;
      else at = mid;
    }
  }
  steps.splice(at, 0, step);
}
