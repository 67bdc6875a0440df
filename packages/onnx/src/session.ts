/** The parts of an onnxruntime `InferenceSession` the adapter relies on (duck-typed: any copy of ORT works). */
export interface InferenceSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>, options?: unknown): Promise<Record<string, unknown>>;
}

export function isInferenceSession(value: unknown): value is InferenceSessionLike {
  if (typeof value !== "object" || value === null) return false;
  const session = value as Partial<InferenceSessionLike>;
  return Array.isArray(session.inputNames) && Array.isArray(session.outputNames) && typeof session.run === "function";
}
