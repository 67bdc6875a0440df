import { fileURLToPath } from "node:url";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { defineConfig } from "vitest/config";

// One config for every package. Each package is two projects: "<name>" (unit tests, seconds) and
// "<name>:slow" (integration tests that start processes, Python, PostgreSQL or Chromium, or loop for long:
// the SLOW table). `npm run test:fast` runs only the unit projects; `npm test` (turbo, one package at
// a time, cached per package) runs both through each package's `test` script.

/** Integration test files, relative to their package. A new slow test file goes here. */
const SLOW: Record<string, string[]> = {
  core: [
    "src/sweeps/engine/hyperband.test.ts",
    "src/sweeps/engine/command.test.ts",
    "src/artifacts/log-artifact-kill.test.ts",
    "src/artifacts/distributed.test.ts",
    "src/store/sqlite/unclean-shutdown.test.ts",
    "src/run/process-safety.test.ts",
    "src/run/one-writer.test.ts",
    "src/run/shared-mode.test.ts",
    "src/data-types/histogram.test.ts",
    "src/pipeline/disk-full.test.ts",
    "src/pipeline/fault-injection.test.ts",
    "src/pipeline/log-mutation.test.ts",
    "src/run/banner.test.ts",
    "src/run/init-failures.test.ts",
    "src/run/log-semantics.test.ts",
    "src/run/run-folder.test.ts",
    "src/run/run-lifecycle.test.ts",
    "src/run/run-lock.test.ts",
    "src/surface/preempting-kill.test.ts",
    "src/store/sqlite/store-json-mutation.test.ts",
    "src/store/sqlite/store-mutation.test.ts",
    "src/sweeps/engine/bayes.test.ts",
    "src/sweeps/engine/config-schema.test.ts",
    "src/sweeps/engine/distributions.test.ts",
    "src/sweeps/engine/grid.test.ts",
  ],
  server: [
    "src/online.test.ts",
    "src/entity-isolation.test.ts",
    "src/fuzz.test.ts",
    "src/http-store.test.ts",
    "src/artifacts/online-artifacts.test.ts",
    "src/artifacts/pg-version-interleavings.test.ts",
    "src/guards/request-limits.test.ts",
    "src/guards/route-access.test.ts",
    "src/ingest/http-sink-contract.test.ts",
    "src/postgres/pg-batch-retries.test.ts",
    "src/postgres/pg-store.test.ts",
    "src/sweeps/sweep-backends.test.ts",
    "src/sweeps/sweep-coord-routes.test.ts",
    "src/sweeps/sweep-read-routes.test.ts",
    "src/workspaces/workspace-routes.test.ts",
    "src/runs/run-edit-routes.test.ts",
  ],
  cli: [
    "src/commands/run-views.test.ts",
    "src/browser/**/*.test.ts",
    "src/commands/sync-safety.test.ts",
    "src/commands/export.test.ts",
    "src/sweep-two-hosts.test.ts",
    "src/main.test.ts",
    "src/sweep-agent.test.ts",
    "src/usage.test.ts",
    "src/commands/import.test.ts",
  ],
  bridge: [
    // Every python*.test.ts starts Python.
    "src/python*.test.ts",
    "src/ts-oracle.test.ts",
    "src/online-resume.test.ts",
    "src/bridge.test.ts",
    "src/launcher.test.ts",
    "src/lightning.test.ts",
  ],
  tfjs: ["src/checkpoint.test.ts", "src/tfjs.test.ts"],
  onnx: ["src/example.test.ts"],
  langchain: ["src/runlog-tracer.test.ts", "src/example.test.ts"],
  interop: [
    "src/wandb/import-wandb.test.ts",
    "src/tensorboard/import-tensorboard.test.ts",
    "src/parquet/export-parquet.test.ts",
    "src/parquet/export-memory.test.ts",
    "src/tfevents/export-tfevents.test.ts",
    "src/summary-table/export-summary-table.test.ts",
    "src/mlflow/import-mlflow.test.ts",
    "src/pipeline/constant-memory.test.ts",
  ],
  product: ["src/consumer.test.ts", "src/docs.test.ts", "src/missing-peer.test.ts", "src/tarballs.test.ts"],
};

const PACKAGES: { name: string; root: string; silent?: boolean; product?: boolean }[] = [
  { name: "core", root: "packages/core", silent: true },
  { name: "server", root: "packages/server", silent: true },
  { name: "cli", root: "packages/cli", silent: true },
  { name: "bridge", root: "packages/bridge", silent: true },
  { name: "tfjs", root: "packages/tfjs", silent: true },
  { name: "onnx", root: "packages/onnx", silent: true },
  { name: "langchain", root: "packages/langchain", silent: true },
  { name: "interop", root: "packages/interop", silent: true },
  { name: "ui", root: "packages/ui" },
  { name: "product", root: "tests/product", product: true },
];

function project(pkg: (typeof PACKAGES)[number], kind: "fast" | "slow"): TestProjectInlineConfiguration {
  const slow = SLOW[pkg.name] ?? [];
  const timeout = pkg.product ? 600_000 : 60_000;
  return {
    extends: true,
    test: {
      name: kind === "fast" ? pkg.name : `${pkg.name}:slow`,
      // Absolute, so the config works from the repo root and from inside a package.
      root: fileURLToPath(new URL(pkg.root, import.meta.url)),
      include: kind === "fast" ? ["src/**/*.test.ts"] : slow,
      exclude: kind === "fast" ? [...slow, "**/node_modules/**"] : ["**/node_modules/**"],
      // Runs under test say nothing on stderr (the init banner, the finish summary); banner.test.ts turns it on.
      env: pkg.silent ? { RUNLOG_SILENT: "true" } : {},
      testTimeout: timeout,
      hookTimeout: timeout,
      // The consumer test installs from a registry and the docs test runs every block: one file at a time.
      ...(pkg.product ? { fileParallelism: false } : {}),
    },
  };
}

export default defineConfig({
  test: {
    projects: PACKAGES.flatMap((pkg) =>
      (SLOW[pkg.name] ? (["fast", "slow"] as const) : (["fast"] as const)).map((kind) => project(pkg, kind)),
    ),
    coverage: {
      provider: "v8",
      // Written by each package's `test:coverage` into its own coverage/ folder (see scripts/coverage-floor.mjs).
      reporter: ["text-summary", "json-summary"],
      include: ["src/**/*.{ts,tsx,mts}"],
      // src/testing holds the contract suites (`@runlog/core/testing`): test code, like test-support.
      exclude: ["src/**/*.test.ts", "src/test-support/**", "src/testing/**", "src/**/*.d.ts"],
    },
  },
});
