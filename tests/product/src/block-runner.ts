import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blockKind, type CodeBlock, REPO } from "./code-blocks.js";

const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function exec(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string },
): Promise<Ran> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...userEnv(), ...options.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => (stdout += c));
  child.stderr?.on("data", (c) => (stderr += c));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The environment of a user's shell: without what npm scripts and our tests set (npm_*, RUNLOG_*). */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|RUNLOG_)/i.test(name)));
}

/** What a failed block printed, with where it is in the docs. */
export function report(block: CodeBlock, ran: Ran): string {
  return `${block.where} (${block.lang}) exited ${ran.code}\n--- block ---\n${block.code}--- stdout ---\n${ran.stdout.slice(-3000)}\n--- stderr ---\n${ran.stderr.slice(-3000)}`;
}

/**
 * The tsconfig a TypeScript user of Runlog needs (the README says so): strict NodeNext ESM,
 * Node's types, and skipLibCheck for third-party declarations (tfjs refers to DOM types).
 */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023"],
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(REPO, "node_modules", "@types")],
    rootDir: "blocks",
    outDir: "blocks-out",
  },
  include: ["blocks/*.ts"],
};

/**
 * Type-checks every TypeScript block of `blocks` with tsc in `project` (its node_modules resolve
 * the imports, so this checks the published types too) and returns how to run each block.
 */
export async function prepareBlocks(project: string, blocks: readonly CodeBlock[], python: string): Promise<Map<CodeBlock, string[]>> {
  mkdirSync(join(project, "blocks"), { recursive: true });
  const commands = new Map<CodeBlock, string[]>();
  let anyTs = false;
  blocks.forEach((block, index) => {
    const kind = blockKind(block);
    const name = `block-${String(index).padStart(3, "0")}`;
    if (kind === "ts") {
      anyTs = true;
      // Each block is its own module (`export {}`), so top-level await works and names never clash.
      writeFileSync(join(project, "blocks", `${name}.ts`), `${block.code}\nexport {};\n`);
      commands.set(block, [process.execPath, join(project, "blocks-out", `${name}.js`)]);
    } else if (kind === "js") {
      writeFileSync(join(project, "blocks", `${name}.mjs`), block.code);
      commands.set(block, [process.execPath, join(project, "blocks", `${name}.mjs`)]);
    } else if (kind === "python") {
      writeFileSync(join(project, "blocks", `${name}.py`), block.code);
      commands.set(block, [python, join(project, "blocks", `${name}.py`)]);
    } else if (kind === "shell") {
      commands.set(block, ["bash", "-euo", "pipefail", "-c", block.code]);
    }
  });
  if (anyTs) {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    const ran = await exec(process.execPath, [TSC, "-p", join(project, "tsconfig.json")], { cwd: project });
    if (ran.code !== 0) {
      const where = blocks.map((b, i) => `block-${String(i).padStart(3, "0")}.ts = ${b.where}`).join("\n");
      throw new Error(`tsc rejected the TypeScript blocks:\n${ran.stdout}${ran.stderr}\n${where}`);
    }
  }
  return commands;
}
