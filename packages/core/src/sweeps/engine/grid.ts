import { canonicalKey } from "./canonical.js";
import { type LeafParameter, leafParameters, nestValues, valueAt } from "./parameter-space.js";
import type { LeafParameterSpec, Proposal, SweepConfig, TrialView } from "./types.js";

/**
 * Grid search as W&B's `grid_search` does it: every discrete parameter becomes a list of values
 * (int_uniform: min..max; q_uniform: numpy.arange(min, max, q), max exclusive), the grid is their
 * Cartesian product with the last parameter varying fastest, and points already tried are skipped.
 */

export function gridValues(spec: LeafParameterSpec): unknown[] {
  switch (spec.distribution) {
    case "constant":
      return [spec.value];
    case "categorical":
      return spec.values;
    case "int_uniform":
      return Array.from({ length: spec.max - spec.min + 1 }, (_, i) => spec.min + i);
    case "q_uniform": {
      const length = Math.ceil((spec.max - spec.min) / spec.q);
      return Array.from({ length }, (_, i) => spec.min + i * spec.q);
    }
    default:
      // parseSweepConfig rejects these for grid; a hand-built config gets no grid points for them.
      return [];
  }
}

export function proposeGrid(config: SweepConfig, trials: TrialView[]): Proposal {
  const leaves = leafParameters(config.parameters);
  const axes = leaves.map((leaf) => gridValues(leaf.spec));
  const seen = new Set(trials.map((trial) => pointKey(leaves, axes, trial.params)));
  const total = axes.reduce((count, axis) => count * axis.length, 1);
  for (let index = 0; index < total; index++) {
    const values = pointAt(axes, index);
    const key = values.map(canonicalKey).join("\u0000");
    if (!seen.has(key)) return { params: nestValues(leaves, values) };
  }
  return { done: true, reason: `grid exhausted: all ${total} points have run` };
}

/** The index-th point of the product, last axis fastest (itertools.product's order). */
function pointAt(axes: readonly unknown[][], index: number): unknown[] {
  const values: unknown[] = new Array(axes.length);
  for (let i = axes.length - 1; i >= 0; i--) {
    const axis = axes[i] as unknown[];
    values[i] = axis[index % axis.length];
    index = Math.floor(index / axis.length);
  }
  return values;
}

/**
 * A trial's grid point. Keys a user's code added inside an object-valued parameter are left out,
 * as W&B strips them, so they do not make a tried point look new.
 */
function pointKey(leaves: readonly LeafParameter[], axes: readonly unknown[][], params: Record<string, unknown>): string {
  return leaves
    .map((leaf, i) => {
      const found = valueAt(params, leaf.path);
      if (!found.found) return "\u0001missing";
      return canonicalKey(stripUnknownKeys(found.value, axes[i] as unknown[]));
    })
    .join("\u0000");
}

function stripUnknownKeys(value: unknown, axis: readonly unknown[]): unknown {
  const known = new Set<string>();
  for (const option of axis) {
    if (typeof option === "object" && option !== null && !Array.isArray(option)) for (const key of Object.keys(option)) known.add(key);
  }
  if (known.size === 0 || typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => known.has(key)));
}
