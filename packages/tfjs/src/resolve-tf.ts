import { createRequire } from "node:module";
import { join } from "node:path";
import { RunlogError } from "@runlog/core";

export type Tf = typeof import("@tensorflow/tfjs");

let cached: Tf | undefined;

/**
 * The user's tfjs: the `tf` option when given (recommended), else @tensorflow/tfjs-node or
 * @tensorflow/tfjs resolved from the working directory, then from this package. Using the user's
 * copy matters: tfjs recognises callbacks with `instanceof` (tensorflow/tfjs#1792).
 */
export function resolveTf(given?: Tf): Tf {
  if (given !== undefined) return given;
  if (cached !== undefined) return cached;
  for (const from of [join(process.cwd(), "noop.js"), import.meta.url]) {
    const require = createRequire(from);
    for (const name of ["@tensorflow/tfjs-node", "@tensorflow/tfjs"]) {
      try {
        cached = require(name) as Tf;
        return cached;
      } catch {
        // not installed here; try the next
      }
    }
  }
  throw new RunlogError(
    "PEER_MISSING",
    "No tfjs found: install @tensorflow/tfjs (or @tensorflow/tfjs-node), or pass { tf } to the runlog tfjs helpers.",
  );
}
