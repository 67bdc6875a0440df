import { RunlogError } from "@runlog/core";
import type { Tensor } from "onnxruntime-node";
import { loadOrt } from "./create-session.js";
import type { ValueInfo } from "./proto/onnx-model.js";

/**
 * Random inputs for any model, from its input signature: the first symbolic dim is the batch,
 * other symbolic dims come from `dims` (by name) or default to 1.
 */
export async function syntheticFeeds(
  inputs: readonly ValueInfo[],
  batch: number,
  dims: Record<string, number> = {},
): Promise<Record<string, Tensor>> {
  const ort = await loadOrt();
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) {
    const shape = (input.shape ?? []).map((dim, i) =>
      typeof dim === "number" && dim >= 0 ? dim : i === 0 ? batch : (dims[String(dim)] ?? 1),
    );
    const size = shape.reduce((product, dim) => product * dim, 1);
    switch (input.dtype) {
      case "float32":
        feeds[input.name] = new ort.Tensor(
          "float32",
          Float32Array.from({ length: size }, () => Math.random()),
          shape,
        );
        break;
      case "float64":
        feeds[input.name] = new ort.Tensor(
          "float64",
          Float64Array.from({ length: size }, () => Math.random()),
          shape,
        );
        break;
      case "int32":
        feeds[input.name] = new ort.Tensor("int32", new Int32Array(size), shape);
        break;
      case "int64":
        feeds[input.name] = new ort.Tensor("int64", new BigInt64Array(size), shape);
        break;
      case "bool":
        feeds[input.name] = new ort.Tensor("bool", new Uint8Array(size), shape);
        break;
      case "uint8":
        feeds[input.name] = new ort.Tensor("uint8", new Uint8Array(size), shape);
        break;
      default:
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `Cannot make synthetic data for input ${input.name} of type ${input.dtype}; pass feeds yourself.`,
        );
    }
  }
  return feeds;
}
