import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // The consumer test installs from a registry and the docs test runs every block: one file at a time.
    fileParallelism: false,
  },
});
