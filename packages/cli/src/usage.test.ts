import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/runlog.js", import.meta.url));
const HOOK = new URL("./test-support/import-log-hook.mjs", import.meta.url).href;
const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

function cli(args: string[], nodeArgs: string[] = []) {
  const result = spawnSync(process.execPath, [...nodeArgs, BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, RUNLOG_DIR: "" },
    cwd: tempRoot(),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A usage error: exit 2, one line that says what is wrong and where to read more. */
function expectUsageError(out: { code: number | null; stderr: string }, command: string, what: RegExp) {
  expect(out.code).toBe(2);
  const lines = out.stderr.trim().split("\n");
  expect(lines, out.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(lines[0]).toContain(`runlog ${command} --help`);
}

describe("runlog --version and lazy commands", () => {
  it("--version, -v and version print the package version", () => {
    for (const flag of ["--version", "-v", "version"]) {
      const out = cli([flag]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(VERSION);
    }
  });

  it("--help imports no command and no package; a command imports what it needs", () => {
    const loader = ["--import", `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOK)})`];
    const help = cli(["--help"], loader);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/runlog <command>/);
    expect(help.stderr).not.toMatch(/IMPORT/);
    expect(cli(["runs"], loader).stderr).toMatch(/IMPORT @runlog\/core/);
  });

  it("the bridge listens before it loads @runlog/core: its entry imports ZeroMQ and core's error class only", () => {
    const loader = ["--import", `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOK)})`];
    const out = cli(["bridge", "--help"], loader);
    expect(out.code, out.stderr).toBe(0);
    const imports = out.stderr.match(/^IMPORT \S+$/gm) ?? [];
    expect(imports).toContain("IMPORT @runlog/bridge");
    expect(imports).toContain("IMPORT zeromq");
    expect(imports).not.toContain("IMPORT @runlog/core");
    expect(imports).not.toContain("IMPORT msgpackr");
  });
});

describe("usage errors: one line with the next step, exit 2", () => {
  it("names an unknown command as such and suggests the near one", () => {
    const unknown = cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^runlog: unknown command "frobnicate"\. Commands: sync, doctor, artifact, .*\(runlog --help\)/);
    expect(cli(["snyc"]).stderr).toMatch(/Did you mean `runlog sync`\?/);
    expect(cli(["--frob"]).stderr).toMatch(/^runlog: unknown option --frob\./);
  });

  it("says in our words what parseArgs refused", () => {
    const unknownOption = cli(["runs", "ls", "demo", "--bogus"]);
    expectUsageError(unknownOption, "runs", /^runlog runs: unknown option --bogus\./);
    expect(unknownOption.stderr).not.toMatch(/positional argument|'--'/);
    expectUsageError(cli(["artifact", "put", "x", "--name"]), "artifact", /^runlog artifact: --name needs a value\./);
    expectUsageError(cli(["sync", "--bogus-flag"]), "sync", /^runlog sync: unknown option --bogus-flag\./);
  });

  it("missing or unknown actions and arguments print one line, not the whole help", () => {
    expectUsageError(cli(["artifact"]), "artifact", /say what to do: put, get or ls/);
    expectUsageError(cli(["artifact", "fetch"]), "artifact", /unknown action "fetch"/);
    expectUsageError(cli(["runs"]), "runs", /ls <project> or show <project\/id>/);
    expectUsageError(cli(["runs", "ls"]), "runs", /runs ls needs a project/);
    expectUsageError(cli(["sync"]), "sync", /name the run folders to sync, or pass --all/);
    expectUsageError(cli(["server", "keys"]), "server", /create, list or revoke/);
    expectUsageError(cli(["ui", "--port", "70000"]), "ui", /--port must be an integer/);
    expectUsageError(cli(["bridge", "--idle-exit", "soon"]), "bridge", /--idle-exit must be a number of seconds, got "soon"/);
    expectUsageError(cli(["bridge", "--ipc-dir", ".", "--endpoint", "tcp://127.0.0.1:0"]), "bridge", /--ipc-dir and --endpoint both/);
  });

  it("a busy port suggests --port", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    try {
      const port = (holder.address() as { port: number }).port;
      const root = tempRoot();
      const out = cli(["ui", "--dir", root, "--port", String(port)]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(new RegExp(`port ${port} is already in use: pass --port <another port>`));
    } finally {
      holder.close();
    }
  });
});

describe("a root with no store", () => {
  it("is reported by reading commands, which answer without creating a store", () => {
    const root = join(tempRoot(), "typo");
    const ls = cli(["runs", "ls", "demo", "--dir", root]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/no runs in demo/);
    expect(ls.stderr).toMatch(/warning: no runlog store in .*typo \(from --dir\)/);
    expect(cli(["artifact", "ls", "--dir", root]).stderr).toMatch(/warning: no runlog store/);
    const get = cli(["artifact", "get", "data:latest", "--dir", root]);
    expect(get.code).toBe(1);
    expect(get.stderr).toMatch(/Artifact uncategorized\/data:latest was not found.*\[ARTIFACT_NOT_FOUND\]/);
    expect(cli(["runs", "show", "demo/abc", "--dir", root]).stderr).toMatch(/\[RUN_NOT_FOUND\]/);
    expect(existsSync(root)).toBe(false);
  });
});
