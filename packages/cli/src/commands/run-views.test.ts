import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "@runlog/core";
import { afterEach, describe, expect, it } from "vitest";
import { sparkline } from "./run-views.js";

const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("runs ls and runs show for people", () => {
  it("ls has a header and the summary's values; show is a page with config, summary and sparklines", async () => {
    const root = mkdtempSync(join(tmpdir(), "runlog-views-"));
    roots.push(root);
    const run = await init({
      dir: root,
      entity: "tester",
      project: "views",
      config: { lr: 0.01 },
      settings: { quiet: true, console: "off", disableStats: true },
    });
    for (let step = 0; step < 50; step++) run.log({ loss: 1 / (step + 1) });
    await run.finish();

    const ls = cli(["runs", "ls", "tester/views", "--dir", root]);
    expect(ls.status, ls.stderr).toBe(0);
    const [header, row] = ls.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+STATE\s+RUNTIME\s+CREATED\s+SUMMARY$/);
    expect(row).toMatch(new RegExp(`^${run.id}\\s+${run.name}\\s+finished\\s+.*loss=0\\.02$`));

    const show = cli(["runs", "show", run.path, "--dir", root]);
    expect(show.status, show.stderr).toBe(0);
    const page = show.stdout;
    expect(page.split("\n")[0]).toBe(`${run.path}  "${run.name}"  finished (exit 0)`);
    expect(page).toMatch(/\nconfig:\n {2}lr {2}0\.01\n/);
    expect(page).toMatch(/\nsummary:\n {2}loss {2}0\.02\n/);
    expect(page).toMatch(/\n {2}loss {2}█[▁-█]+ {2}last 0\.02\n/);
    expect(page.split("\n").length).toBeLessThan(30);
    // --json is still the whole record for machines.
    expect(JSON.parse(cli(["runs", "show", run.path, "--dir", root, "--json"]).stdout)).toMatchObject({
      id: run.id,
      historyKeys: expect.arrayContaining(["loss"]),
    });
  });

  it("sparklines scale a series to eight levels", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5])).toBe("▄▄");
    expect(sparkline([])).toBe("");
  });
});
