import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve, sep } from "node:path";
import { describeValue, RunlogError } from "@runlog/core";
import { type Initializer, type OnnxModel, parseOnnxModel } from "./proto/onnx-model.js";

export interface OnnxFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly model: OnnxModel;
}

/** Reads and parses an `.onnx` file; a missing or malformed file is a RunlogError naming it. */
export function readOnnxFile(path: string): OnnxFile {
  if (typeof path !== "string" || path === "")
    throw new RunlogError("INVALID_ARGUMENT", `Expected the path of an .onnx file, got ${describeValue(path)}.`);
  const full = resolve(path);
  if (!statSync(full, { throwIfNoEntry: false })?.isFile()) throw new RunlogError("INVALID_ARGUMENT", `No ONNX file at ${full}.`);
  const bytes = readFileSync(full);
  try {
    return { path: full, bytes, model: parseOnnxModel(bytes) };
  } catch (error) {
    if (RunlogError.isInstance(error)) throw new RunlogError(error.code, `${full}: ${error.message}`);
    throw error;
  }
}

/** The JSON summary stored with a model artifact and shown in the dashboard. */
export function summarizeModel(model: OnnxModel) {
  const external = [...new Set(model.initializers.flatMap((init) => (init.external ? [init.external.location] : [])))];
  return {
    format: "onnx",
    irVersion: model.irVersion,
    producer: { name: model.producerName, version: model.producerVersion },
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    opsets: Object.fromEntries(model.opsetImports.map((opset) => [opset.domain || "ai.onnx", opset.version])),
    metadataProps: model.metadataProps,
    graph: model.graphName,
    inputs: model.inputs,
    outputs: model.outputs,
    nodes: model.nodeCount,
    opTypes: model.opTypes,
    initializers: model.initializers.length,
    parameters: model.initializers.reduce((sum, init) => sum + init.elements, 0),
    externalDataFiles: external,
  };
}

/** An external-data file named by the model, which must stay inside the model's folder. */
export function externalDataPath(modelPath: string, location: string): string {
  const root = dirname(modelPath);
  const full = resolve(root, location);
  if (location === "" || isAbsolute(location) || !full.startsWith(root + sep)) {
    throw new RunlogError("PATH_OUTSIDE_ROOT", `The model names external data ${JSON.stringify(location)} outside its folder ${root}.`);
  }
  if (!existsSync(full)) throw new RunlogError("MODEL_INVALID", `The model's external data file ${full} is missing.`);
  return full;
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function fromBytes(dtype: string, bytes: Uint8Array, count: number): Float64Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const read: Record<string, [number, (offset: number) => number]> = {
    float32: [4, (o) => view.getFloat32(o, true)],
    float64: [8, (o) => view.getFloat64(o, true)],
    float16: [2, (o) => float16(view.getUint16(o, true))],
    bfloat16: [
      2,
      (o) => {
        const scratch = new DataView(new ArrayBuffer(4));
        scratch.setUint32(0, view.getUint16(o, true) << 16);
        return scratch.getFloat32(0);
      },
    ],
    int8: [1, (o) => view.getInt8(o)],
    uint8: [1, (o) => view.getUint8(o)],
    int16: [2, (o) => view.getInt16(o, true)],
    uint16: [2, (o) => view.getUint16(o, true)],
    int32: [4, (o) => view.getInt32(o, true)],
    uint32: [4, (o) => view.getUint32(o, true)],
    int64: [8, (o) => Number(view.getBigInt64(o, true))],
    uint64: [8, (o) => Number(view.getBigUint64(o, true))],
    bool: [1, (o) => view.getUint8(o)],
  };
  const reader = read[dtype];
  if (reader === undefined) return undefined;
  const [size, get] = reader;
  if (bytes.byteLength < size * count)
    throw new RunlogError("MODEL_INVALID", `An initializer holds ${bytes.byteLength} bytes for ${count} ${dtype} values.`);
  for (let i = 0; i < count; i++) out[i] = get(i * size);
  return out;
}

/** An initializer's values as numbers (for histograms), or undefined for types that are not numeric. */
export function initializerValues(init: Initializer, modelPath: string): Float64Array | undefined {
  if (init.raw) return fromBytes(init.dtype, init.raw, init.elements);
  if (init.floatData) return fromBytes("float32", init.floatData, init.elements);
  if (init.doubleData) return fromBytes("float64", init.doubleData, init.elements);
  if (init.int32Data) return Float64Array.from(init.int32Data.slice(0, init.elements));
  if (init.int64Data) return Float64Array.from(init.int64Data.slice(0, init.elements));
  if (init.external) {
    const file = externalDataPath(modelPath, init.external.location);
    const sizes: Record<string, number> = {
      float32: 4,
      float64: 8,
      float16: 2,
      bfloat16: 2,
      int8: 1,
      uint8: 1,
      int16: 2,
      uint16: 2,
      int32: 4,
      uint32: 4,
      int64: 8,
      uint64: 8,
      bool: 1,
    };
    const size = sizes[init.dtype];
    if (size === undefined) return undefined;
    const length = init.external.length ?? size * init.elements;
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, length, init.external.offset);
    } finally {
      closeSync(fd);
    }
    return fromBytes(init.dtype, buffer, init.elements);
  }
  return init.elements === 0 ? new Float64Array(0) : undefined;
}
