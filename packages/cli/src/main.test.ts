import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api, Artifact, decodeJson, init, runFolder } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import { startUiProcess } from "./test-support/ui-process.js";

const BIN = fileURLToPath(new URL("../bin/runlog.js", import.meta.url));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function offlineRun(root: string, steps: number, weights?: string) {
  const run = await init({
    dir: root,
    project: "cli",
    entity: "tester",
    mode: "offline",
    reinit: "create_new",
    settings: { quiet: true, console: "off", disableStats: true },
  });
  for (let i = 0; i < steps; i++) run.log({ loss: 1 / (i + 1) });
  if (weights !== undefined) {
    const artifact = new Artifact("weights", "model");
    writeFileSync(artifact.newFile("w.bin"), weights);
    await run.logArtifact(artifact);
  }
  await run.finish();
  return run;
}

describe("runlog CLI", () => {
  it("prints help and refuses unknown commands with exit code 2", () => {
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/runlog <command>/);
    const unknown = cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("sync replays an offline run into the store, idempotently, with --json, its artifacts with it", async () => {
    const root = tempRoot();
    const run = await offlineRun(root, 250, "offline weights");
    const runDir = runFolder(root, run);
    const first = cli(["sync", runDir, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({ runDir, files: 1, tornBytes: 0, artifacts: { logged: 1, used: 0 } });
    expect(result.applied).toBe(result.records);
    const again = JSON.parse(cli(["sync", runDir, "--json"]).stdout);
    expect(again.applied).toBe(0);
    const stored = await new Api({ dir: root }).run(run.path);
    expect(stored.state).toBe("finished");
    expect(stored.lastStep).toBe(249);
    const [model] = await stored.loggedArtifacts();
    expect(model?.qualifiedName).toBe("tester/cli/weights:v0");
    const downloaded = await (model as Artifact).download({ root: join(tempRoot(), "w") });
    expect(readFileSync(join(downloaded, "w.bin"), "utf8")).toBe("offline weights");
  });

  it("sync --all finds every run under --dir", async () => {
    const root = tempRoot();
    const runs = [await offlineRun(root, 10), await offlineRun(root, 20)];
    const out = cli(["sync", "--all", "--dir", root]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim().split("\n")).toHaveLength(2);
    const api = new Api({ dir: root });
    expect((await api.run(runs[1]?.path as string)).lastStep).toBe(19);
  });

  it("answers bad input with a one-line error and exit code 1, no stack trace", () => {
    const root = tempRoot();
    for (const args of [
      ["sync", join(root, "nope")],
      ["sync", "/etc"],
    ]) {
      const out = cli(args);
      expect(out.code, args.join(" ")).toBe(1);
      expect(out.stderr).toMatch(/^runlog sync: /);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("artifact put / ls / get round-trip through the real binary, with --json", async () => {
    const root = tempRoot();
    const data = join(root, "data");
    mkdirSync(join(data, "sub"), { recursive: true });
    writeFileSync(join(data, "a.txt"), "alpha");
    writeFileSync(join(data, "sub", "b.txt"), "beta");
    const put = cli([
      "artifact",
      "put",
      data,
      "--name",
      "corpus",
      "--type",
      "dataset",
      "--alias",
      "gold",
      "--dir",
      root,
      "--project",
      "cli",
      "--json",
    ]);
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({
      artifact: expect.stringMatching(/\/cli\/corpus:v0$/),
      files: 2,
      size: 9,
      aliases: ["gold", "latest"],
    });
    const again = cli(["artifact", "put", data, "--name", "corpus", "--type", "dataset", "--dir", root, "--project", "cli"]);
    expect(again.stdout).toMatch(/corpus:v0/);
    expect(again.stderr).toMatch(/no new version/);
    const listed = cli(["artifact", "ls", "--dir", root, "--project", "cli", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual({ name: "corpus", type: "dataset", kind: "sequence", versions: 1 });
    const target = join(root, "restored");
    const got = cli(["artifact", "get", "cli/corpus:gold", "--root", target, "--dir", root, "--json"]);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ root: target, files: 2 });
    expect(readFileSync(join(target, "sub", "b.txt"), "utf8")).toBe("beta");
    const missing = cli(["artifact", "get", "cli/nothing:latest", "--dir", root]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Artifact .*nothing:latest was not found.*\[ARTIFACT_NOT_FOUND\]/);
    expect(cli(["artifact", "put", data, "--dir", root]).stderr).toMatch(/--name and --type/);
  });

  it("runs ls / show list and describe runs, with --json; bad paths fail clearly", async () => {
    const root = tempRoot();
    const run = await init({
      dir: root,
      project: "cli",
      entity: "tester",
      reinit: "create_new",
      config: { lr: 0.1 },
      settings: { quiet: true, console: "off", disableStats: true },
    });
    run.log({ loss: 0.5 });
    await run.finish();
    const listed = cli(["runs", "ls", "tester/cli", "--dir", root, "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: run.id, state: "finished", summary: { loss: 0.5 } });
    expect(cli(["runs", "ls", "tester/cli", "--dir", root, "--state", "failed"]).stdout).toMatch(/no runs/);
    const shown = cli(["runs", "show", run.path, "--dir", root, "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: run.id, config: { lr: 0.1 }, historyKeys: expect.arrayContaining(["loss"]) });
    const missing = cli(["runs", "show", "tester/cli/nosuch01", "--dir", root]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/RUN_NOT_FOUND/);
    expect(cli(["runs", "show", "../../etc", "--dir", root]).stderr).toMatch(/INVALID_ARGUMENT/);
  });

  it("runs ls / show print bigints, NaN and ±Infinity of config and summary (tagged JSON) instead of failing", async () => {
    const root = tempRoot();
    const run = await init({
      dir: root,
      project: "cli",
      entity: "tester",
      reinit: "create_new",
      config: { seed: 12345678901234567890n, small: 3n },
      settings: { quiet: true, console: "off", disableStats: true },
    });
    run.log({ loss: Number.NaN, up: Number.POSITIVE_INFINITY });
    run.summary.set("tokens", 2n ** 70n);
    await run.finish();
    const listed = cli(["runs", "ls", "tester/cli", "--dir", root, "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(decodeJson(listed.stdout)).toMatchObject({
      id: run.id,
      summary: { loss: Number.NaN, up: Number.POSITIVE_INFINITY, tokens: 2n ** 70n },
    });
    const shown = cli(["runs", "show", run.path, "--dir", root, "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(decodeJson(shown.stdout)).toMatchObject({
      config: { seed: 12345678901234567890n, small: 3n },
      summary: { tokens: 2n ** 70n },
    });
    // The page for people shows the digits exactly.
    const page = cli(["runs", "show", run.path, "--dir", root]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toContain("12345678901234567890");
    expect(page.stdout).toContain(String(2n ** 70n));
  });

  it("main() returns exit codes without exiting the process", async () => {
    const lines: string[] = [];
    expect(await main(["help"], (line) => lines.push(line))).toBe(0);
    expect(lines.join("\n")).toMatch(/sync/);
  });
});

describe("runlog ui", () => {
  it("serves the store's runs on loopback until SIGTERM, then exits 0", async () => {
    const root = tempRoot();
    const run = await init({ dir: root, project: "cli", entity: "tester", settings: { quiet: true, console: "off", disableStats: true } });
    run.log({ loss: 1 });
    await run.finish();
    const ui = await startUiProcess(root);
    const view = await (await fetch(`${ui.url}/api/v1/runs/tester/cli/${run.id}`)).json();
    expect(view).toMatchObject({ id: run.id, state: "finished" });
    const page = await fetch(`${ui.url}/`);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<div id="app">/);
    expect(await ui.stop()).toBe(0);
  });

  it("refuses a non-loopback host without API keys, and a bad port", () => {
    const root = tempRoot();
    const open = cli(["ui", "--dir", root, "--host", "0.0.0.0", "--port", "0"]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/without API keys.*\[INVALID_ARGUMENT\]/s);
    expect(cli(["ui", "--dir", root, "--port", "70000"]).stderr).toMatch(/--port must be an integer/);
  });
});

describe("runlog server and runlog sync --server", () => {
  it("creates, lists and revokes keys, and uploads offline runs once to a keyed server", async () => {
    const serverRoot = tempRoot();
    const created = cli(["server", "keys", "create", "--entity", "tester", "--scope", "write", "--dir", serverRoot]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split("\n").pop() as string;
    expect(key).toMatch(/^rlk_/);
    const { serve } = await import("@runlog/server");
    const server = await serve({ dir: serverRoot, port: 0, requireKeys: true });
    try {
      const root = tempRoot();
      const run = await offlineRun(root, 2_500);
      const runDir = runFolder(root, run);
      // Not spawnSync: the server answers from this process's event loop.
      const upload = (apiKey: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [BIN, "sync", runDir, "--server", server.url], {
            env: { ...process.env, RUNLOG_API_KEY: apiKey },
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (c) => (stdout += c));
          child.stderr.on("data", (c) => (stderr += c));
          child.on("exit", (status) => resolve({ status, stdout, stderr }));
        });
      const denied = await upload("rlk_000000000000_nope");
      expect(denied.status).toBe(1);
      expect(denied.stderr).toMatch(/401/);
      expect((await upload(key)).stdout).toMatch(/uploaded .*records/);
      expect((await upload(key)).stdout).toMatch(/already uploaded/);
      const history = await new Api({ baseUrl: server.url, apiKey: key })
        .run(`tester/cli/${run.id}`)
        .then((r) => r.history({ keys: ["loss"], samples: 10_000 }));
      expect(history.length).toBe(2_500);

      const id = (cli(["server", "keys", "list", "--dir", serverRoot]).stdout.match(/^([0-9a-f]{12})\s+write\s+tester\s+live/m) ?? [])[1];
      expect(cli(["server", "keys", "revoke", id as string, "--dir", serverRoot]).code).toBe(0);
      expect(cli(["server", "keys", "list", "--dir", serverRoot]).stdout).toMatch(/revoked/);
      expect((await fetch(`${server.url}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
