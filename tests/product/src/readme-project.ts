import { expect } from "vitest";
import { exec, prepareBlocks, type Ran, report } from "./block-runner.js";
import { type CodeBlock, isInstallBlock, isRunnable } from "./code-blocks.js";

/**
 * Runs `blocks` in `project` as a user following the docs would: install blocks first (the
 * caller's env points npm at a registry), then every other runnable block, in order. Python blocks
 * run with `python` (Debian's python3 with the client on PYTHONPATH, or a virtualenv's).
 */
export async function runDocBlocks(
  project: string,
  blocks: readonly CodeBlock[],
  env: NodeJS.ProcessEnv,
  python = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3",
): Promise<Map<CodeBlock, Ran>> {
  const results = new Map<CodeBlock, Ran>();
  const runnable = blocks.filter(isRunnable);
  for (const block of runnable.filter(isInstallBlock)) {
    const ran = await exec("bash", ["-euo", "pipefail", "-c", block.code], { cwd: project, env, timeoutMs: 600_000 });
    expect(ran.code, report(block, ran)).toBe(0);
  }
  const rest = runnable.filter((b) => !isInstallBlock(b));
  const commands = await prepareBlocks(project, rest, python);
  for (const block of rest) {
    const [command, ...args] = commands.get(block) ?? [];
    if (command === undefined) continue;
    const ran = await exec(command, args, { cwd: project, env, timeoutMs: 300_000 });
    expect(ran.code, report(block, ran)).toBe(0);
    results.set(block, ran);
  }
  return results;
}
