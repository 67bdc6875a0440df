import { RunlogError } from "@runlog/core";
import { Wire } from "./wire.js";

/** ONNX TensorProto.DataType names, by enum value (onnx.proto3). */
export const DATA_TYPES: Record<number, string> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  4: "uint16",
  5: "int16",
  6: "int32",
  7: "int64",
  8: "string",
  9: "bool",
  10: "float16",
  11: "float64",
  12: "uint32",
  13: "uint64",
  14: "complex64",
  15: "complex128",
  16: "bfloat16",
  17: "float8e4m3fn",
  18: "float8e4m3fnuz",
  19: "float8e5m2",
  20: "float8e5m2fnuz",
  21: "uint4",
  22: "int4",
  23: "float4e2m1",
};

export interface ValueInfo {
  readonly name: string;
  /** "float32", "int64", … ; "sequence", "map", "optional" for non-tensor types. */
  readonly dtype: string;
  /** Fixed sizes as numbers, symbolic dims as their names, unknown dims as "?". */
  readonly shape: (number | string)[] | undefined;
}

export interface Initializer {
  readonly name: string;
  readonly dtype: string;
  readonly dims: number[];
  readonly elements: number;
  /** Where the values are: inside the file (raw bytes or typed fields) or in an external file. */
  readonly raw?: Uint8Array;
  readonly floatData?: Uint8Array;
  readonly doubleData?: Uint8Array;
  readonly int32Data?: number[];
  readonly int64Data?: number[];
  readonly external?: { readonly location: string; readonly offset: number; readonly length?: number };
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsetImports: { domain: string; version: number }[];
  readonly metadataProps: Record<string, string>;
  readonly graphName: string;
  readonly inputs: ValueInfo[];
  readonly outputs: ValueInfo[];
  readonly nodeCount: number;
  /** op_type → count over the main graph (domain-qualified when not the default domain). */
  readonly opTypes: Record<string, number>;
  readonly initializers: Initializer[];
}

function entry(bytes: Uint8Array): [string, string] {
  const wire = new Wire(bytes);
  let key = "";
  let value = "";
  while (!wire.done) {
    const { field, type } = wire.tag();
    if (field === 1 && type === 2) key = wire.string();
    else if (field === 2 && type === 2) value = wire.string();
    else wire.skip(type);
  }
  return [key, value];
}

function shapeOf(bytes: Uint8Array): (number | string)[] {
  const dims: (number | string)[] = [];
  const wire = new Wire(bytes);
  while (!wire.done) {
    const { field, type } = wire.tag();
    if (field !== 1 || type !== 2) {
      wire.skip(type);
      continue;
    }
    const dim = new Wire(wire.bytesField());
    let value: number | string = "?";
    while (!dim.done) {
      const t = dim.tag();
      if (t.field === 1 && t.type === 0) value = dim.int64();
      else if (t.field === 2 && t.type === 2) value = dim.string();
      else dim.skip(t.type);
    }
    dims.push(value);
  }
  return dims;
}

function typeOf(bytes: Uint8Array): { dtype: string; shape: (number | string)[] | undefined } {
  const wire = new Wire(bytes);
  const KINDS: Record<number, string> = { 4: "sequence", 5: "map", 9: "optional" };
  while (!wire.done) {
    const { field, type } = wire.tag();
    if ((field === 1 || field === 8) && type === 2) {
      // tensor_type / sparse_tensor_type: 1 elem_type, 2 shape
      const tensor = new Wire(wire.bytesField());
      let dtype = "undefined";
      let shape: (number | string)[] | undefined;
      while (!tensor.done) {
        const t = tensor.tag();
        if (t.field === 1 && t.type === 0) {
          const code = tensor.varint();
          dtype = DATA_TYPES[code] ?? `type${code}`;
        } else if (t.field === 2 && t.type === 2) shape = shapeOf(tensor.bytesField());
        else tensor.skip(t.type);
      }
      return { dtype: field === 8 ? `sparse ${dtype}` : dtype, shape };
    }
    if (KINDS[field] !== undefined) {
      wire.skip(type);
      return { dtype: KINDS[field] as string, shape: undefined };
    }
    wire.skip(type);
  }
  return { dtype: "undefined", shape: undefined };
}

function valueInfo(bytes: Uint8Array): ValueInfo {
  const wire = new Wire(bytes);
  let name = "";
  let type: { dtype: string; shape: (number | string)[] | undefined } = { dtype: "undefined", shape: undefined };
  while (!wire.done) {
    const { field, type: wireType } = wire.tag();
    if (field === 1 && wireType === 2) name = wire.string();
    else if (field === 2 && wireType === 2) type = typeOf(wire.bytesField());
    else wire.skip(wireType);
  }
  return { name, ...type };
}

function initializer(bytes: Uint8Array): Initializer {
  const wire = new Wire(bytes);
  const dims: number[] = [];
  let dataType = 0;
  let name = "";
  let raw: Uint8Array | undefined;
  let floatData: Uint8Array | undefined;
  let doubleData: Uint8Array | undefined;
  const int32Data: number[] = [];
  const int64Data: number[] = [];
  const externalEntries: Record<string, string> = {};
  let external = false;
  while (!wire.done) {
    const { field, type } = wire.tag();
    if (field === 1) wire.int64s(type, dims);
    else if (field === 2 && type === 0) dataType = wire.varint();
    else if (field === 4 && type === 2) floatData = wire.bytesField();
    else if (field === 5) wire.int64s(type, int32Data);
    else if (field === 7) wire.int64s(type, int64Data);
    else if (field === 8 && type === 2) name = wire.string();
    else if (field === 9 && type === 2) raw = wire.bytesField();
    else if (field === 10 && type === 2) doubleData = wire.bytesField();
    else if (field === 13 && type === 2) {
      const [key, value] = entry(wire.bytesField());
      externalEntries[key] = value;
    } else if (field === 14 && type === 0) external = wire.varint() === 1;
    else wire.skip(type);
  }
  const elements = dims.reduce((product, dim) => product * dim, 1);
  return {
    name,
    dtype: DATA_TYPES[dataType] ?? `type${dataType}`,
    dims,
    elements,
    ...(raw ? { raw } : {}),
    ...(floatData ? { floatData } : {}),
    ...(doubleData ? { doubleData } : {}),
    ...(int32Data.length > 0 ? { int32Data } : {}),
    ...(int64Data.length > 0 ? { int64Data } : {}),
    ...(external
      ? {
          external: {
            location: externalEntries.location ?? "",
            offset: Number(externalEntries.offset ?? 0),
            ...(externalEntries.length === undefined ? {} : { length: Number(externalEntries.length) }),
          },
        }
      : {}),
  };
}

function node(bytes: Uint8Array): { opType: string; domain: string } {
  const wire = new Wire(bytes);
  let opType = "";
  let domain = "";
  while (!wire.done) {
    const { field, type } = wire.tag();
    if (field === 4 && type === 2) opType = wire.string();
    else if (field === 7 && type === 2) domain = wire.string();
    else wire.skip(type);
  }
  return { opType, domain };
}

/**
 * Reads an ONNX ModelProto with a small wire-format reader of our own (no protobuf dependency;
 * ~100× faster to load than onnx-proto, see reference/tfjs-onnx.md §5). Initializer values stay
 * views into `bytes`; external data is described, not read.
 */
export function parseOnnxModel(bytes: Uint8Array): OnnxModel {
  const wire = new Wire(bytes);
  let irVersion = 0;
  let producerName = "";
  let producerVersion = "";
  let domain = "";
  let modelVersion = 0;
  let docString = "";
  let graphBytes: Uint8Array | undefined;
  const opsetImports: { domain: string; version: number }[] = [];
  const metadataProps: Record<string, string> = {};
  while (!wire.done) {
    const { field, type } = wire.tag();
    if (field === 1 && type === 0) irVersion = wire.varint();
    else if (field === 2 && type === 2) producerName = wire.string();
    else if (field === 3 && type === 2) producerVersion = wire.string();
    else if (field === 4 && type === 2) domain = wire.string();
    else if (field === 5 && type === 0) modelVersion = wire.int64();
    else if (field === 6 && type === 2) docString = wire.string();
    else if (field === 7 && type === 2) graphBytes = wire.bytesField();
    else if (field === 8 && type === 2) {
      const opset = new Wire(wire.bytesField());
      let opsetDomain = "";
      let version = 0;
      while (!opset.done) {
        const t = opset.tag();
        if (t.field === 1 && t.type === 2) opsetDomain = opset.string();
        else if (t.field === 2 && t.type === 0) version = opset.int64();
        else opset.skip(t.type);
      }
      opsetImports.push({ domain: opsetDomain, version });
    } else if (field === 14 && type === 2) {
      const [key, value] = entry(wire.bytesField());
      metadataProps[key] = value;
    } else wire.skip(type);
  }
  if (irVersion === 0 || graphBytes === undefined) {
    throw new RunlogError(
      "MODEL_INVALID",
      "Not an ONNX model: the file has no ir_version or no graph. Export it with torch.onnx.export or onnx.save.",
    );
  }

  const graph = new Wire(graphBytes);
  let graphName = "";
  let nodeCount = 0;
  const opTypes: Record<string, number> = {};
  const initializers: Initializer[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  while (!graph.done) {
    const { field, type } = graph.tag();
    if (field === 1 && type === 2) {
      const { opType, domain: opDomain } = node(graph.bytesField());
      const key = opDomain === "" || opDomain === "ai.onnx" ? opType : `${opDomain}.${opType}`;
      opTypes[key] = (opTypes[key] ?? 0) + 1;
      nodeCount++;
    } else if (field === 2 && type === 2) graphName = graph.string();
    else if (field === 5 && type === 2) initializers.push(initializer(graph.bytesField()));
    else if (field === 11 && type === 2) inputs.push(valueInfo(graph.bytesField()));
    else if (field === 12 && type === 2) outputs.push(valueInfo(graph.bytesField()));
    else graph.skip(type);
  }
  // Before IR 4 initializers were also listed as graph inputs; they are weights, not feeds.
  const weights = new Set(initializers.map((init) => init.name));
  return {
    irVersion,
    producerName,
    producerVersion,
    domain,
    modelVersion,
    docString,
    opsetImports,
    metadataProps,
    graphName,
    inputs: inputs.filter((input) => !weights.has(input.name)),
    outputs,
    nodeCount,
    opTypes,
    initializers,
  };
}
