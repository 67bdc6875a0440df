import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Runs under test say nothing on stderr (the init banner, the finish summary); banner.test.ts turns it on.
    env: { RUNLOG_SILENT: "true" },
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
