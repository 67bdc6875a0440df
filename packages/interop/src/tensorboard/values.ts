import { createHash } from "node:crypto";

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf objects, read field by field
export type Decoded = Record<string, any>;

/** A TensorBoard HistogramProto as a W&B/Runlog histogram (`bins.length === values.length + 1`). */
export function histogramOf(histo: Decoded): { _type: "histogram"; values: number[]; bins: number[] } {
  const limits: number[] = histo.bucket_limit ?? [];
  const counts: number[] = histo.bucket ?? [];
  const min = Number(histo.min ?? 0);
  const max = Number(histo.max ?? 0);
  // TensorBoard's last limit is often DBL_MAX: the data's max bounds the last bin instead.
  const bins = [Math.min(min, limits[0] ?? min), ...limits.map(Number)];
  const last = bins.length - 1;
  if (last > 0 && (bins[last] as number) > max && max >= (bins[last - 1] as number)) bins[last] = max;
  return { _type: "histogram", values: counts.map(Number), bins };
}

/** A [k, 3] tensor of (left, right, count) rows (the histograms plugin's tensor form) as a histogram. */
export function histogramOfTensor(numbers: readonly number[]): { _type: "histogram"; values: number[]; bins: number[] } {
  const values: number[] = [];
  const bins: number[] = [];
  for (let i = 0; i + 2 < numbers.length; i += 3) {
    if (i === 0) bins.push(numbers[i] as number);
    bins.push(numbers[i + 1] as number);
    values.push(numbers[i + 2] as number);
  }
  return { _type: "histogram", values, bins };
}

/** The numbers a TensorProto holds, from its typed fields or its raw `tensor_content`. */
export function tensorNumbers(tensor: Decoded): number[] {
  for (const field of ["float_val", "double_val", "int_val", "int64_val", "half_val", "bool_val"]) {
    const values = tensor[field] as unknown[] | undefined;
    if (values !== undefined && values.length > 0) return values.map(Number);
  }
  const content = tensor.tensor_content as Buffer | undefined;
  if (content === undefined || content.length === 0) return [];
  const dtype = tensor.dtype as string;
  const width = dtype === "DT_DOUBLE" || dtype === "DT_INT64" ? 8 : 4;
  const out: number[] = [];
  for (let at = 0; at + width <= content.length; at += width) {
    if (dtype === "DT_DOUBLE") out.push(content.readDoubleLE(at));
    else if (dtype === "DT_INT32") out.push(content.readInt32LE(at));
    else if (dtype === "DT_INT64") out.push(Number(content.readBigInt64LE(at)));
    else out.push(content.readFloatLE(at));
  }
  return out;
}

/** W&B's media file name: `<key>_<step>_<sha256[:20]>.<ext>` (keys lose their slashes). */
export function mediaName(tag: string, step: number, bytes: Uint8Array, ext: string): { path: string; sha256: string } {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { path: `media/images/${tag.replace(/[^A-Za-z0-9_.-]/g, "_")}_${step}_${sha256.slice(0, 20)}.${ext}`, sha256 };
}

/** `google.protobuf.Value` (hparams values) as plain JSON. */
export function protobufValue(value: Decoded | undefined): unknown {
  if (value === undefined || value === null) return null;
  // protobuf.js names google.protobuf's well-known fields in camelCase, the .proto's own in snake_case.
  const pick = (snake: string, camel: string) => value[snake] ?? value[camel];
  if (pick("number_value", "numberValue") !== undefined) return pick("number_value", "numberValue");
  if (pick("string_value", "stringValue") !== undefined) return pick("string_value", "stringValue");
  if (pick("bool_value", "boolValue") !== undefined) return pick("bool_value", "boolValue");
  const list = pick("list_value", "listValue");
  if (list !== undefined) return (list.values ?? []).map(protobufValue);
  return null;
}
