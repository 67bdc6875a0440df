import { basename } from "node:path";
import { Artifact, describeValue, type Run, RunlogError } from "@runlog/core";
import { externalDataPath, readOnnxFile, summarizeModel } from "./model-file.js";

export interface LogOnnxModelOptions {
  /** Artifact name (default: the file name without `.onnx`). */
  readonly name?: string;
  readonly aliases?: readonly string[];
  /** Your own metadata, stored beside the parsed graph summary (yours wins on a clash). */
  readonly metadata?: Record<string, unknown>;
  readonly description?: string;
}

/**
 * Logs an `.onnx` file (and its external-data files) as a `model` artifact whose metadata is the
 * parsed graph: IR version, opsets, producer, doc string, metadata_props, input/output signature
 * with symbolic dims, op histogram, initializer count and parameters (counted from dims, so
 * external data counts too).
 */
export async function logOnnxModel(run: Run, path: string, options: LogOnnxModelOptions = {}): Promise<Artifact> {
  if (
    options.metadata !== undefined &&
    (options.metadata === null || typeof options.metadata !== "object" || Array.isArray(options.metadata))
  ) {
    throw new RunlogError("INVALID_ARGUMENT", `metadata must be an object, got ${describeValue(options.metadata)}.`);
  }
  const { model, path: full } = readOnnxFile(path);
  const summary = summarizeModel(model);
  const name =
    options.name ??
    basename(full)
      .replace(/\.onnx$/i, "")
      .replace(/[^A-Za-z0-9_.-]/g, "-");
  const artifact = new Artifact(name, "model", {
    metadata: { ...summary, ...options.metadata },
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  await artifact.addFile(full, { name: basename(full) });
  for (const location of summary.externalDataFiles) await artifact.addFile(externalDataPath(full, location), { name: location });
  return run.logArtifact(artifact, { aliases: options.aliases ?? [] });
}
