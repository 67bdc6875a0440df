import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./block-runner.js";
import { codeBlocks, docFiles, isInstallBlock, isRunnable, REPO, strayFences } from "./code-blocks.js";
import { runDocBlocks } from "./readme-project.js";

// Every ts/js/shell block of the READMEs and docs/ runs as printed, in a fresh folder outside the
// repo whose node_modules is the workspace's (the consumer test runs the same blocks on packages
// installed from a registry). TypeScript goes through tsc (strict, NodeNext), then node.

/** Blocks that cannot run on a CI machine as printed (a deployment's hosts, a training job's own
 * folder, the repo's own test command). Adding one is a decision: this list is checked. */
const NOT_RUNNABLE = [
  "README.md:23",
  "README.md:32",
  "docs/deploy.md:23",
  "docs/deploy.md:36",
  "docs/deploy.md:56",
  "docs/deploy.md:124",
  "docs/deploy.md:137",
  "docs/deploy.md:150",
  "examples/pytorch-bridge/README.md:13",
  "packages/server/README.md:20",
  "packages/interop/README.md:6",
  "packages/interop/README.md:12",
];

/** READMEs whose install block the consumer test runs against the local registry. */
const INSTALLED_BY_CONSUMER_TEST = [
  "README.md",
  "packages/cli/README.md",
  "packages/core/README.md",
  "packages/langchain/README.md",
  "packages/onnx/README.md",
  "packages/tfjs/README.md",
];

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("docs", () => {
  it("open every code fence on a line of its own", () => {
    expect(docFiles().flatMap(strayFences)).toEqual([]);
  });

  it("mark only the listed blocks no-run, and install only where the consumer test installs", () => {
    const all = docFiles().flatMap(codeBlocks);
    expect(
      all
        .filter((b) => b.flags.includes("no-run"))
        .map((b) => b.where)
        .sort(),
    ).toEqual([...NOT_RUNNABLE].sort());
    const installs = all.filter((b) => isRunnable(b) && isInstallBlock(b)).map((b) => relative(REPO, b.file));
    expect(installs.filter((file) => !INSTALLED_BY_CONSUMER_TEST.includes(file))).toEqual([]);
  });

  for (const file of docFiles()) {
    const blocks = codeBlocks(file).filter((b) => isRunnable(b) && !isInstallBlock(b));
    if (blocks.length === 0) continue;
    it(`${relative(REPO, file)}: ${blocks.length} block(s) run as printed`, async () => {
      const project = mkdtempSync(join(tmpdir(), "runlog-docs-"));
      folders.push(project);
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "docs-project", private: true, type: "module" }));
      symlinkSync(join(REPO, "node_modules"), join(project, "node_modules"));
      // Python blocks: the client from the repo, the bridge started from the repo's CLI.
      const results = await runDocBlocks(project, blocks, {
        PYTHONPATH: join(REPO, "packages", "bridge", "python"),
        RUNLOG_CLI: join(REPO, "packages", "cli", "bin", "runlog.js"),
      });
      if (relative(REPO, file) === "README.md") {
        // The usage example reads the run back after it finished: the summary holds what was logged.
        const usage = [...results].find(([block]) => block.lang === "ts")?.[1];
        expect(usage?.stdout).toMatch(/'val\/acc': \{ max: 0\.93 \}/);
        expect(usage?.stdout).toMatch(/'train\/loss': 0\.001/);
        // It is plain JavaScript too: this Node (20 in CI) runs it pasted into an .mjs file, no compiler.
        const code = blocks.find((block) => block.lang === "ts")?.code ?? "";
        writeFileSync(join(project, "usage.mjs"), code);
        const plain = await exec(process.execPath, [join(project, "usage.mjs")], { cwd: project });
        expect(plain.code, plain.stderr).toBe(0);
        expect(plain.stdout).toMatch(/'val\/acc': \{ max: 0\.93 \}/);
      }
    });
  }
});
