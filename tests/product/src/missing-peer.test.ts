import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./block-runner.js";
import { REPO } from "./code-blocks.js";

/**
 * A project outside the repo holding an adapter and @runlog/core but not the adapter's framework.
 * The adapter is copied, not linked: Node resolves a linked package's imports from its real folder,
 * where the repo's node_modules has every framework.
 */
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function projectWithout(adapter: string): string {
  const project = mkdtempSync(join(tmpdir(), "runlog-no-peer-"));
  projects.push(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "no-peer", private: true, type: "module" }));
  const scope = join(project, "node_modules", "@runlog");
  mkdirSync(join(scope, adapter), { recursive: true });
  symlinkSync(join(REPO, "packages", "core"), join(scope, "core"));
  for (const part of ["package.json", "dist"])
    cpSync(join(REPO, "packages", adapter, part), join(scope, adapter, part), { recursive: true });
  return project;
}

/** Runs `body` (an ES module) in the project; it prints what it caught as JSON. */
async function caught(project: string, body: string): Promise<{ name?: string; code?: string; message?: string }> {
  const script = `try { ${body}; console.log(JSON.stringify({ none: true })) } catch (e) { console.log(JSON.stringify({ name: e?.name, code: e?.code, message: e?.message })) }`;
  const ran = await exec(process.execPath, ["--input-type=module", "-e", script], { cwd: project, timeoutMs: 60_000 });
  expect(ran.code, ran.stderr).toBe(0);
  return JSON.parse(ran.stdout.trim().split("\n").pop() ?? "{}");
}

// The same code from every adapter when its framework is missing, and a message naming the install.
describe("a missing framework peer is PEER_MISSING in every adapter", () => {
  it("@runlog/langchain, at import (its tracer extends LangChain's handler)", async () => {
    const error = await caught(projectWithout("langchain"), 'await import("@runlog/langchain")');
    expect(error).toMatchObject({
      name: "RunlogError",
      code: "PEER_MISSING",
      message: expect.stringMatching(/npm install @langchain\/core/),
    });
  });

  it("@runlog/onnx, at the first call that needs onnxruntime-node", async () => {
    const error = await caught(projectWithout("onnx"), 'const onnx = await import("@runlog/onnx"); await onnx.createSession("model.onnx")');
    expect(error).toMatchObject({
      name: "RunlogError",
      code: "PEER_MISSING",
      message: expect.stringMatching(/npm install onnxruntime-node/),
    });
  });

  it("@runlog/tfjs, at the first call that needs tfjs", async () => {
    const error = await caught(projectWithout("tfjs"), 'const tfjs = await import("@runlog/tfjs"); tfjs.runlogCallback({})');
    expect(error).toMatchObject({ name: "RunlogError", code: "PEER_MISSING", message: expect.stringMatching(/install @tensorflow\/tfjs/) });
  });
});
