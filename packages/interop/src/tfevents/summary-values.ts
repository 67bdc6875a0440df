import { readFileSync } from "node:fs";
import type { ApiRun } from "@runlog/core";
import { encodeJson } from "@runlog/core";
import { HParamsPluginData } from "../tensorboard/schema.js";

/** A `Summary.Value` as protobuf.js `fromObject` takes it (snake_case, as the schema). */
export type SummaryValue = Record<string, unknown>;
/** What a history value becomes in TensorBoard, or why it is left out. */
export type Mapped = { readonly plugin: string; readonly value: SummaryValue } | { readonly skipped: string };

const EMPTY = new Uint8Array(0);

/** The plugin metadata TensorBoard reads from a tag's first value (scalars/text: an empty version-0 message). */
export function pluginMetadata(plugin: string): SummaryValue | undefined {
  if (plugin === "histo" || plugin === "image") return undefined; // legacy protos: TensorBoard migrates them itself
  return { plugin_data: { plugin_name: plugin, content: EMPTY } };
}

/** A W&B/Runlog histogram `{ values, bins }` (or W&B's `packedBins`) as a HistogramProto. */
export function histogramProto(histogram: Record<string, unknown>): SummaryValue | undefined {
  const values = histogram.values as number[] | undefined;
  let bins = histogram.bins as number[] | undefined;
  const packed = histogram.packedBins as { min: number; size: number; count: number } | undefined;
  if (bins === undefined && packed !== undefined) bins = Array.from({ length: packed.count + 1 }, (_, i) => packed.min + i * packed.size);
  if (!Array.isArray(values) || !Array.isArray(bins) || bins.length !== values.length + 1) return undefined;
  let num = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    // Bin centres stand in for the values, which a histogram no longer has.
    const centre = ((bins[i] as number) + (bins[i + 1] as number)) / 2;
    const count = values[i] as number;
    num += count;
    sum += centre * count;
    squares += centre * centre * count;
  }
  return { min: bins[0], max: bins[bins.length - 1], num, sum, sum_squares: squares, bucket_limit: bins.slice(1), bucket: values };
}

/** One history value as a summary value: numbers as float64 scalars, strings as text, histograms, image files. */
export function summaryValueOf(run: ApiRun, value: unknown): Mapped {
  if (typeof value === "number")
    return { plugin: "scalars", value: { tensor: { dtype: "DT_DOUBLE", tensor_shape: {}, double_val: [value] } } };
  if (typeof value === "string")
    return { plugin: "text", value: { tensor: { dtype: "DT_STRING", tensor_shape: {}, string_val: [Buffer.from(value, "utf8")] } } };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { skipped: `${typeof value === "object" ? "list" : typeof value} values` };
  const media = value as Record<string, unknown>;
  if (media._type === "histogram") {
    const histo = histogramProto(media);
    return histo === undefined ? { skipped: "malformed histograms" } : { plugin: "histo", value: { histo } };
  }
  if (media._type === "image-file" && typeof media.path === "string") {
    let bytes: Buffer;
    try {
      bytes = readFileSync(run.filePath(media.path));
    } catch {
      return { skipped: "images whose file is missing" };
    }
    const image = { height: media.height, width: media.width, colorspace: media.format === "png" ? 4 : 3, encoded_image_string: bytes };
    return { plugin: "image", value: { image } };
  }
  return { skipped: `${typeof media._type === "string" ? `${media._type} media` : "object"} values` };
}

/** Config flattened to dotted names, as hparams: numbers, strings and booleans as they are, anything else as JSON text. */
export function hparamsValue(config: Record<string, unknown>, startTime: number): SummaryValue | undefined {
  const hparams: Record<string, unknown> = {};
  const visit = (prefix: string, value: unknown) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) visit(prefix === "" ? key : `${prefix}.${key}`, inner);
    } else if (typeof value === "number") hparams[prefix] = { numberValue: value };
    else if (typeof value === "string") hparams[prefix] = { stringValue: value };
    else if (typeof value === "boolean") hparams[prefix] = { boolValue: value };
    else hparams[prefix] = { stringValue: encodeJson(value) };
  };
  for (const [key, value] of Object.entries(config)) visit(key, value);
  if (Object.keys(hparams).length === 0) return undefined;
  const data = HParamsPluginData.fromObject({ version: 0, session_start_info: { hparams, start_time_secs: startTime } });
  return {
    tag: "_hparams_/session_start_info",
    metadata: { plugin_data: { plugin_name: "hparams", content: HParamsPluginData.encode(data).finish() } },
    tensor: { dtype: "DT_FLOAT", tensor_shape: {}, float_val: [0] },
  };
}
