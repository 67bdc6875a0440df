import type { LeafParameterSpec, ParameterSpec } from "./types.js";

/**
 * The swept parameters as a flat list, in W&B's order (names sorted at each level, nested
 * parameters depth first), and the way back to nested objects for a trial's params.
 */

export interface LeafParameter {
  /** the keys from the top-level parameter down, e.g. ["optimizer", "lr"] */
  path: string[];
  spec: LeafParameterSpec;
}

export function leafParameters(parameters: Record<string, ParameterSpec>, prefix: string[] = []): LeafParameter[] {
  const leaves: LeafParameter[] = [];
  for (const name of Object.keys(parameters).sort()) {
    const spec = parameters[name] as ParameterSpec;
    const path = [...prefix, name];
    if (spec.distribution === undefined) leaves.push(...leafParameters(spec.parameters, path));
    else leaves.push({ path, spec });
  }
  return leaves;
}

/** Builds `{ a: 1, optimizer: { lr: 0.1 } }` from one value per leaf. */
export function nestValues(leaves: readonly LeafParameter[], values: readonly unknown[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  leaves.forEach(({ path }, i) => {
    let node = params;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      if (typeof child === "object" && child !== null && !Array.isArray(child)) node = child as Record<string, unknown>;
      else node = node[key] = {};
    }
    node[path[path.length - 1] as string] = values[i];
  });
  return params;
}

/** The value at `path` in a trial's params, or `found: false` when a key on the way is missing. */
export function valueAt(params: Record<string, unknown>, path: readonly string[]): { found: true; value: unknown } | { found: false } {
  let node: unknown = params;
  for (const key of path) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return { found: false };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}
