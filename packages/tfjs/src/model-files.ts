import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Artifact, RunlogError } from "@runlog/core";
import { resolveTf, type Tf } from "./resolve-tf.js";

type ModelArtifacts = import("@tensorflow/tfjs").io.ModelArtifacts;

function joinWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const buffer of buffers) {
    out.set(new Uint8Array(buffer), at);
    at += buffer.byteLength;
  }
  return out;
}

/** Writes model artifacts in tfjs's own layout: model.json plus one weights.bin (what tf.loadLayersModel reads). */
export function writeModelFiles(dir: string, artifacts: ModelArtifacts): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "weights.bin"), joinWeights(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined));
  const modelJson = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    trainingConfig: artifacts.trainingConfig,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
  };
  writeFileSync(join(dir, "model.json"), JSON.stringify(modelJson));
}

/**
 * Loads a tfjs LayersModel saved as model.json + weights files: from a folder, a model.json path,
 * a path returned by `run.useModel(…)`, or an Artifact (downloaded first). Works with pure tfjs,
 * which has no file:// loader of its own.
 */
export async function loadModel(source: string | Artifact, options: { tf?: Tf } = {}) {
  const tf = resolveTf(options.tf);
  const path = typeof source === "string" ? source : await source.download();
  const modelJsonPath = existsSync(path) && statSync(path).isDirectory() ? join(path, "model.json") : path;
  if (!existsSync(modelJsonPath)) throw new RunlogError("INVALID_ARGUMENT", `loadModel: no model.json at ${modelJsonPath}.`);
  let modelJson: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: unknown[] }[];
    trainingConfig?: unknown;
    format?: string;
  };
  try {
    modelJson = JSON.parse(readFileSync(modelJsonPath, "utf8"));
  } catch (error) {
    throw new RunlogError("INVALID_ARGUMENT", `loadModel: ${modelJsonPath} is not valid JSON (${(error as Error).message}).`);
  }
  if (!Array.isArray(modelJson.weightsManifest))
    throw new RunlogError("INVALID_ARGUMENT", `loadModel: ${modelJsonPath} has no weightsManifest; is it a tfjs layers model?`);
  const base = dirname(modelJsonPath);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const files = modelJson.weightsManifest
    .flatMap((group) => group.paths)
    .map((file) => {
      if (file.includes("..") || file.startsWith("/"))
        throw new RunlogError("PATH_OUTSIDE_ROOT", `loadModel: weight file ${JSON.stringify(file)} leaves the model folder.`);
      return readFileSync(join(base, file));
    });
  const weights = Buffer.concat(files);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: weightSpecs as never,
      weightData,
      trainingConfig: modelJson.trainingConfig as never,
    }),
  );
}
