import { rmSync } from "node:fs";
import { describeModelWatcherContract } from "@runlog/core/testing";
import { afterAll, beforeAll } from "vitest";
import { createSession } from "./create-session.js";
import { type Fixtures, makeFixtures } from "./test-support/fixtures.js";
import { onnxWatcher } from "./watch.js";

// ONNX models are static: the watcher logs their initializers once, at watch(), from a real session.
let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describeModelWatcherContract(onnxWatcher, {
  model: () => createSession(fx.mlp),
  step: async () => {},
  hookedObjects: (session) => [session as object],
  packageName: "@runlog/onnx",
  logsPerStep: false,
  foreign: ["model.pt", "model.onnx.data", { run: () => {} }],
});
