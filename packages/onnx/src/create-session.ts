import { resolve } from "node:path";
import { describeValue, RunlogError } from "@runlog/core";
import type { InferenceSession } from "onnxruntime-node";
import { readOnnxFile } from "./model-file.js";

type ProviderSpec = string | { readonly name: string; readonly [option: string]: unknown };

export interface CreateSessionOptions extends Omit<InferenceSession.SessionOptions, "executionProviders"> {
  /** Tried in order; one that fails to load (CUDA without its libraries) falls back to the next. Default `["cpu"]`. */
  readonly executionProviders?: readonly ProviderSpec[];
}

export interface SessionInfo {
  readonly modelPath: string;
  /** The provider the session actually runs on. */
  readonly provider: string;
  /** Providers that were asked for first and failed, with why. */
  readonly fallbacks: readonly { provider: string; error: string }[];
  readonly options: CreateSessionOptions;
}

const sessions = new WeakMap<object, SessionInfo>();

/** What createSession recorded about a session (model path, provider used), if it made it. */
export function sessionInfo(session: unknown): SessionInfo | undefined {
  return typeof session === "object" && session !== null ? sessions.get(session) : undefined;
}

const providerName = (provider: ProviderSpec) => (typeof provider === "string" ? provider : provider.name);

/** onnxruntime-node, loaded on first use: it is a peer dependency the user installs. */
export async function loadOrt(): Promise<typeof import("onnxruntime-node")> {
  try {
    return await import("onnxruntime-node");
  } catch (error) {
    throw new RunlogError(
      "PEER_MISSING",
      `@runlog/onnx needs onnxruntime-node, which is not installed: npm install onnxruntime-node (${(error as Error).message})`,
    );
  }
}

/**
 * `InferenceSession.create` with a provider list that degrades instead of throwing: onnxruntime
 * throws for `["cuda", "cpu"]` when CUDA's libraries are missing, so each provider is tried on
 * its own, in order, and a fallback is reported on stderr and kept in `sessionInfo(session)`.
 */
export async function createSession(modelPath: string, options: CreateSessionOptions = {}): Promise<InferenceSession> {
  if (typeof modelPath !== "string" || modelPath === "") {
    throw new RunlogError("INVALID_ARGUMENT", `createSession needs the path of an .onnx file, got ${describeValue(modelPath)}.`);
  }
  const ort = await loadOrt();
  const path = resolve(modelPath);
  readOnnxFile(path); // a missing or malformed file is MODEL_INVALID here, not a provider failure below
  const providers = options.executionProviders ?? ["cpu"];
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `executionProviders must list at least one provider, e.g. ["cuda", "cpu"], got ${describeValue(providers)}.`,
    );
  }
  const fallbacks: { provider: string; error: string }[] = [];
  for (const [index, provider] of providers.entries()) {
    // A provider that is expected to maybe fail (not the last resort) is tried with onnxruntime's log muted.
    const quiet = index < providers.length - 1 && options.logSeverityLevel === undefined ? { logSeverityLevel: 4 as const } : {};
    try {
      const session = await ort.InferenceSession.create(path, {
        ...options,
        ...quiet,
        executionProviders: [provider],
      } as InferenceSession.SessionOptions);
      if (fallbacks.length > 0) {
        process.stderr.write(
          `runlog onnx: ${fallbacks.map((f) => f.provider).join(", ")} unavailable; running ${path} on ${providerName(provider)}\n`,
        );
      }
      sessions.set(session, { modelPath: path, provider: providerName(provider), fallbacks, options });
      return session;
    } catch (error) {
      const message = (error as Error).message.split("\n")[0] ?? String(error);
      fallbacks.push({ provider: providerName(provider), error: message });
    }
  }
  throw new RunlogError(
    "PROVIDER_UNAVAILABLE",
    `No execution provider could run ${path}: ${fallbacks.map((f) => `${f.provider}: ${f.error}`).join("; ")}. Add "cpu" to the list as the last resort.`,
  );
}
