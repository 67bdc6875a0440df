import { createRequire } from "node:module";

/**
 * The sweep engine's numeric and YAML libraries (stdlib's distributions, ml-matrix, yaml) are
 * CommonJS graphs of several hundred files that took ~160 ms of the ~250 ms `import "@runlog/core"`
 * cost on the 2-core dev machine. Only a sweep's controller needs them, so they load on first use
 * (synchronously, like pngjs in data-types/image.ts): a script, the bridge and the CLI pay nothing.
 */
const require = createRequire(import.meta.url);

export interface Stats {
  readonly betaCdf: typeof import("@stdlib/stats-base-dists-beta-cdf");
  readonly betaQuantile: typeof import("@stdlib/stats-base-dists-beta-quantile");
  readonly normalCdf: typeof import("@stdlib/stats-base-dists-normal-cdf");
  readonly normalPdf: typeof import("@stdlib/stats-base-dists-normal-pdf");
  readonly normalQuantile: typeof import("@stdlib/stats-base-dists-normal-quantile");
}

let loadedStats: Stats | undefined;
export function stats(): Stats {
  loadedStats ??= {
    betaCdf: require("@stdlib/stats-base-dists-beta-cdf"),
    betaQuantile: require("@stdlib/stats-base-dists-beta-quantile"),
    normalCdf: require("@stdlib/stats-base-dists-normal-cdf"),
    normalPdf: require("@stdlib/stats-base-dists-normal-pdf"),
    normalQuantile: require("@stdlib/stats-base-dists-normal-quantile"),
  };
  return loadedStats;
}

let loadedMatrix: typeof import("ml-matrix") | undefined;
export function matrix(): typeof import("ml-matrix") {
  loadedMatrix ??= require("ml-matrix") as typeof import("ml-matrix");
  return loadedMatrix;
}

let loadedYaml: typeof import("yaml") | undefined;
export function yaml(): typeof import("yaml") {
  loadedYaml ??= require("yaml") as typeof import("yaml");
  return loadedYaml;
}
