import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DB_FILE, SqliteSweepBackend, type TrialRecord } from "@runlog/core/store-kit";
import { exited } from "@runlog/test-support/child-process";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUiProcess } from "../test-support/ui-process.js";
import { launchChromium } from "./chromium.js";
import { AGENT_ENV, cli, fillSweepStore, RANDOM_TRIALS_RUN, SWEEP_PROJECT } from "./sweep-store.js";

// The sweep page over sweeps the real `runlog agent` ran (grid and random, with hyperband), served
// by the real `runlog ui`, in Debian's headless Chromium.
const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));
const HOSTILE = `<img src=x onerror="document.title='pwned'">`;

let root: string;
let sweeps: { grid: string; random: string; hostile: string };
let ui: Awaited<ReturnType<typeof startUiProcess>>;
let browser: Browser;
let page: Page;
let problems: string[] = [];

const backend = () => new SqliteSweepBackend(join(root, DB_FILE));
async function trialsOf(id: string): Promise<TrialRecord[]> {
  const opened = backend();
  try {
    return await opened.listTrials({ ...SWEEP_PROJECT, id });
  } finally {
    opened.close();
  }
}
async function stateOf(id: string): Promise<string | undefined> {
  const opened = backend();
  try {
    return (await opened.getSweep({ ...SWEEP_PROJECT, id }))?.state;
  } finally {
    opened.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-sweep-page-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ran = await fillSweepStore(root);
  // A sweep whose name, description and values are markup: the page must show them as text.
  const file = join(root, "hostile.json");
  writeFileSync(
    file,
    JSON.stringify({ name: HOSTILE, description: HOSTILE, method: "grid", parameters: { tag: { values: [HOSTILE, "<b>b</b>"] } } }),
  );
  const created = await cli(["sweep", file, "--entity", SWEEP_PROJECT.entity, "--project", "other", "--dir", root]);
  expect(created.code).toBe(0);
  sweeps = { ...ran, hostile: created.stdout.trim() };
  ui = await startUiProcess(root);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

// A fresh page per test, and every test ends with no page error and no console error.
beforeEach(async () => {
  problems = [];
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
});

afterEach(async () => {
  await page.close();
  expect(problems).toEqual([]);
});

const shot = async (name: string) => {
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
};
const openSweep = async (id: string) => {
  await page.goto(`${ui.url}/#/s/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}/${id}`);
  await page.getByTestId("sweep-page").waitFor();
};
const controls = () => page.getByTestId("sweep-controls").locator("button:not(.link)").allTextContents();
const rowIds = () =>
  page
    .getByTestId("sweep-trials")
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")));

describe("the sweep page", () => {
  it("is linked from the project's runs table and workspace; the project's sweeps are listed newest first", async () => {
    await page.goto(`${ui.url}/#/p/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}`);
    await page.getByRole("link", { name: "sweeps", exact: true }).click();
    const table = page.getByTestId("sweeps-table");
    await table.waitFor();
    const listed = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sweep-id")));
    expect(listed).toEqual([sweeps.random, sweeps.grid]);
    await page.goto(`${ui.url}/#/w/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}`);
    await page.getByRole("link", { name: "sweeps", exact: true }).click();
    await table.getByRole("link", { name: "grid-lr-optimizer" }).click();
    await expect.poll(() => page.getByTestId("sweep-page").getAttribute("data-sweep-id")).toBe(sweeps.grid);
  });

  it("shows every trial with the swept parameters (nested ones dotted) and the metric, the best run and the early-stopped ones", async () => {
    const trials = await trialsOf(sweeps.grid);
    await openSweep(sweeps.grid);
    expect(await page.getByTestId("sweep-state").textContent()).toBe("finished");
    // A finished sweep offers no controls.
    expect(await controls()).toEqual([]);
    expect(await rowIds()).toEqual(trials.map((t) => t.runId));
    const table = page.getByTestId("sweep-trials");
    const headers = await table.locator("thead th").evaluateAll((ths) => ths.map((th) => th.getAttribute("data-field")));
    expect(headers).toEqual(["name", "state", "config.lr", "config.optimizer.name", "summary.loss"]);
    for (const trial of trials) {
      const cells = await table.locator(`tr[data-run-id="${trial.runId}"] td`).allTextContents();
      const params = trial.params as { lr: number; optimizer: { name: string } };
      expect(cells.slice(2, 4)).toEqual([String(params.lr), params.optimizer.name]);
      expect(Number(cells[4])).toBeCloseTo(trial.metricHistory.at(-1) as number, 4);
    }

    // Hyperband stopped at least one trial; exactly those carry the mark.
    const stopped = trials.filter((t) => t.state === "stopped").map((t) => t.runId);
    expect(stopped.length).toBeGreaterThan(0);
    const marked = await table
      .locator("tr:has([data-testid='early-stopped'])")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")));
    expect(marked).toEqual(stopped);

    // The best run minimises the metric (the sweep's goal); its row is highlighted.
    const best = trials.reduce((a, b) => ((a.metricHistory.at(-1) as number) <= (b.metricHistory.at(-1) as number) ? a : b));
    expect(await page.getByTestId("best-run").getAttribute("data-run-id")).toBe(best.runId);
    expect(await table.locator("tr.best-run").getAttribute("data-run-id")).toBe(best.runId);

    // Parallel coordinates: one axis per swept parameter plus the metric, one line per run.
    const chart = page.getByTestId("parallel-coordinates");
    expect(await chart.getAttribute("data-axes")).toBe("3");
    expect(await chart.locator("polyline").count()).toBe(trials.length);
    expect(await chart.locator("[data-axis]").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-axis")))).toEqual([
      "config.lr",
      "config.optimizer.name",
      "summary.loss",
    ]);
    // Importance for the sweep's metric, over the swept parameters only.
    const importance = page.getByTestId("importance");
    await importance.waitFor();
    const rows = await importance.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-param")));
    expect([...rows].sort()).toEqual(["lr", "optimizer.name"]);
    // Importance shares add up to 1 (a forest with a tree that splits perfectly once answered 0 for all).
    const shares = (await importance.locator("tbody td:nth-child(2)").allTextContents()).map((text) => Number(text.trim()));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // The config: method, metric and the parameters with their specs.
    expect(await page.getByTestId("sweep-config").textContent()).toContain("grid");
    const specs = await page
      .getByTestId("sweep-parameters")
      .locator("tr[data-param]")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-param")));
    expect(specs).toEqual(["lr", "optimizer.name"]);
    await shot("sweep-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
    expect(await page.evaluate<string>("getComputedStyle(document.documentElement).backgroundColor")).toBe("rgb(15, 19, 24)");
    await shot("sweep-dark");
  });

  it("pauses from the page with the keyboard: the store says paused and an agent takes nothing; resume and stop follow", async () => {
    expect(await stateOf(sweeps.random)).toBe("running");
    await openSweep(sweeps.random);
    expect(await rowIds()).toHaveLength(RANDOM_TRIALS_RUN);
    expect(await controls()).toEqual(["pause", "stop", "cancel"]);
    await page.getByRole("button", { name: "pause", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("sweep-state").textContent()).toBe("paused");
    expect(await stateOf(sweeps.random)).toBe("paused");
    expect(await controls()).toEqual(["resume", "stop", "cancel"]);

    // A real agent on the paused sweep waits and starts no trial.
    const agent = spawn(process.execPath, [BIN, "agent", sweeps.random, "--dir", root], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...AGENT_ENV },
    });
    let stderr = "";
    agent.stderr.on("data", (chunk) => (stderr += chunk));
    const ended = exited(agent);
    try {
      await expect.poll(() => stderr, { timeout: 30_000 }).toMatch(/is paused; waiting\./);
      expect(await trialsOf(sweeps.random)).toHaveLength(RANDOM_TRIALS_RUN);
    } finally {
      agent.kill("SIGKILL");
      await ended;
    }

    await page.getByRole("button", { name: "resume", exact: true }).click();
    await expect.poll(() => page.getByTestId("sweep-state").textContent()).toBe("running");
    expect(await stateOf(sweeps.random)).toBe("running");
    await page.getByRole("button", { name: "stop", exact: true }).click();
    await expect.poll(() => page.getByTestId("sweep-state").textContent()).toBe("stopped");
    expect(await stateOf(sweeps.random)).toBe("stopped");
    expect(await controls()).toEqual(["cancel"]);
    expect(await trialsOf(sweeps.random)).toHaveLength(RANDOM_TRIALS_RUN);
  });

  it("is linked from a trial's run page and from the sweep's W&B-style address", async () => {
    const [first] = await trialsOf(sweeps.grid);
    await page.goto(`${ui.url}/#/r/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}/${first?.runId}`);
    await page.getByTestId("run-sweep").click();
    await expect.poll(() => page.getByTestId("sweep-page").getAttribute("data-sweep-id")).toBe(sweeps.grid);
    await page.goto(`${ui.url}/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}/sweeps/${sweeps.grid}`);
    await expect.poll(() => page.getByTestId("sweep-page").getAttribute("data-sweep-id")).toBe(sweeps.grid);
  });

  it("shows a sweep's markup (name, description, values) as text, and a missing sweep as an error", async () => {
    await page.goto(`${ui.url}/#/s/${SWEEP_PROJECT.entity}/other/${sweeps.hostile}`);
    await page.getByTestId("sweep-page").waitFor();
    expect(await page.locator("h1").textContent()).toBe(HOSTILE);
    expect(await page.getByTestId("sweep-description").textContent()).toBe(HOSTILE);
    expect(await page.getByTestId("sweep-parameters").textContent()).toContain(JSON.stringify([HOSTILE, "<b>b</b>"]));
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("main b").count()).toBe(0);
    expect(await page.title()).not.toBe("pwned");
    expect(await controls()).toEqual(["pause", "stop", "cancel"]);

    await page.goto(`${ui.url}/#/s/${SWEEP_PROJECT.entity}/${SWEEP_PROJECT.project}/nosuch`);
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/No sweep "nosuch"/);
    // The failed request is the page's only complaint (a 404 the browser logs as a console error).
    problems = problems.filter((problem) => !/status of 404/.test(problem));
  });
});
