import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { RunlogError } from "@runlog/core";

const require = createRequire(import.meta.url);

/**
 * A module of the user's @langchain/core (the peer dependency), loaded when this package is:
 * resolved as ESM (`import.meta.resolve`) and loaded synchronously (require of ESM, Node ≥ 20.19),
 * so it is the very module the user's `import` gets, and a missing peer is a RunlogError
 * (PEER_MISSING) as in the other adapters instead of Node's ERR_MODULE_NOT_FOUND.
 */
function langchainCore<T>(subpath: "callbacks/base" | "callbacks/promises" | "context"): T {
  const specifier = `@langchain/core/${subpath}`;
  let url: string;
  try {
    url = import.meta.resolve(specifier);
  } catch (error) {
    throw new RunlogError(
      "PEER_MISSING",
      `@runlog/langchain needs @langchain/core, which is not installed: npm install @langchain/core (${(error as Error).message})`,
    );
  }
  return require(fileURLToPath(url)) as T;
}

export const { BaseCallbackHandler } = langchainCore<typeof import("@langchain/core/callbacks/base")>("callbacks/base");
export const { awaitAllCallbacks } = langchainCore<typeof import("@langchain/core/callbacks/promises")>("callbacks/promises");
export const { registerConfigureHook } = langchainCore<typeof import("@langchain/core/context")>("context");
