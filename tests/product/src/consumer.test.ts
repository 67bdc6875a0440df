import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec } from "./block-runner.js";
import { codeBlocks, REPO } from "./code-blocks.js";
import { type LocalRegistry, startLocalRegistry } from "./local-registry.js";
import { publishablePackages } from "./packages.js";
import { runDocBlocks } from "./readme-project.js";

// A new user's machine: a fresh project outside the repo that installs Runlog by name from a real
// npm registry (verdaccio on loopback, holding what we publish; third-party packages proxied),
// then runs each README's examples there as printed.
let tmp: string;
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;

function freshProject(name: string, from?: string): string {
  const dir = join(tmp, name);
  if (from === undefined) {
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }, null, 2));
  } else {
    // Starts from the core project, so better-sqlite3 compiles once; what the package adds is its own.
    cpSync(from, dir, { recursive: true, verbatimSymlinks: true });
    rmSync(join(dir, "runlog"), { recursive: true, force: true });
  }
  return dir;
}

const readme = (folder: string) => codeBlocks(join(REPO, folder, "README.md"));

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "runlog-consumer-"));
  registry = await startLocalRegistry(join(tmp, "registry"));
  env = {
    npm_config_userconfig: registry.npmrc,
    npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? tmp, ".npm"),
    // The CPU provider ships inside onnxruntime-node; its CUDA download is not wanted here.
    ONNXRUNTIME_NODE_INSTALL: "skip",
  };
  for (const { dir, manifest } of publishablePackages()) {
    const ran = await exec("npm", ["publish", "--ignore-scripts", "--registry", registry.url], { cwd: dir, env, timeoutMs: 120_000 });
    expect(ran.code, `${manifest.name}: ${ran.stderr}`).toBe(0);
  }
});

afterAll(async () => {
  await registry?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("installed from a registry by name, each package runs its README", () => {
  let core: string;
  let cli: string;

  it("@runlog/core: the install line, the README examples, and require() from CommonJS", async () => {
    core = freshProject("app-core");
    await runDocBlocks(core, readme("packages/core"), env);
    const cjs = await exec(process.execPath, ["-e", "console.log(typeof require('@runlog/core').init)"], { cwd: core, env });
    expect(cjs.stdout.trim(), cjs.stderr).toBe("function");
  });

  it("runlog (the CLI) and the root README", async () => {
    cli = freshProject("app-cli", core);
    await runDocBlocks(cli, [...readme("."), ...readme("packages/cli")], env);
    const version = await exec("npx", ["--no-install", "runlog", "--version"], { cwd: cli, env });
    expect(version.stdout.trim(), version.stderr).toBe("0.1.0");
  });

  it("the Python client: pip-installed into a fresh virtualenv, the README example logs through the CLI's bridge", async () => {
    const venv = join(tmp, "venv");
    const python = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
    const made = await exec(python, ["-m", "venv", venv], { cwd: tmp });
    expect(made.code, made.stderr).toBe(0);
    const pip = await exec(
      join(venv, "bin", "pip"),
      ["install", "--disable-pip-version-check", join(REPO, "packages", "bridge", "python")],
      {
        cwd: tmp,
        timeoutMs: 300_000,
      },
    );
    expect(pip.code, pip.stdout + pip.stderr).toBe(0);
    // As after `npm install -g runlog`: the client finds the runlog command on PATH and starts its bridge.
    const path = `${join(cli, "node_modules", ".bin")}:${process.env.PATH}`;
    const blocks = readme("packages/bridge").filter((b) => b.lang === "python");
    expect(blocks).toHaveLength(1);
    await runDocBlocks(cli, blocks, { ...env, PATH: path }, join(venv, "bin", "python"));
    const shown = await exec("npx", ["--no-install", "runlog", "runs", "ls", "mnist", "--json"], { cwd: cli, env });
    expect(JSON.parse(shown.stdout.trim().split("\n")[0] ?? "{}"), shown.stderr).toMatchObject({
      state: "finished",
      summary: { "train/loss": 0.01 },
    });
  });

  for (const folder of ["packages/tfjs", "packages/langchain", "packages/onnx"]) {
    it(`@runlog/${folder.split("/")[1]}: with only its documented peers`, async () => {
      const project = freshProject(`app-${folder.split("/")[1]}`, core);
      await runDocBlocks(project, readme(folder), env);
    });
  }
});
