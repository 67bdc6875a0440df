/** The parts of a tfjs LayersModel the adapter relies on (duck-typed: no tfjs import, any copy works). */
export interface LayersModelLike {
  readonly layers: readonly unknown[];
  readonly weights: readonly { readonly originalName?: string; readonly name: string }[];
  fit(...args: unknown[]): Promise<unknown>;
  getWeights(): unknown[];
}

/** True for a tfjs `LayersModel` from any installed copy of tfjs (tfjs issue #1792: never rely on instanceof). */
export function isLayersModel(value: unknown): value is LayersModelLike {
  if (typeof value !== "object" || value === null) return false;
  const model = value as Partial<LayersModelLike>;
  return (
    Array.isArray(model.layers) && Array.isArray(model.weights) && typeof model.fit === "function" && typeof model.getWeights === "function"
  );
}
