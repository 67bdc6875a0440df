// Workspace targets (issue 19), headless Chromium against `serve()` on an embedded store of
// 100 runs × 20 metrics × 10 k steps logged by real runs: first paint (every panel in the first
// screen drawn with all its runs) ≤ 1.5 s; hovering makes no request; hiding a run redraws in
// ≤ 50 ms. Baseline from the same run: the bare page (the projects list) on the same server.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { init } from "@runlog/core";
import { serve } from "@runlog/server";
import { chromium } from "playwright-core";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const RUNS = Number(process.env.BENCH_WORKSPACE_RUNS ?? 100);
const METRICS = 20;
const STEPS = Number(process.env.BENCH_WORKSPACE_STEPS ?? 10_000);

// BENCH_WORKSPACE_DIR keeps the store between runs of the bench (logged once if empty, never removed).
const kept = process.env.BENCH_WORKSPACE_DIR;
if (kept !== undefined) mkdirSync(kept, { recursive: true });
const dir = kept ?? tempDir("workspace");
const reuse = kept !== undefined && existsSync(join(kept, "DONE"));
const started = performance.now();
for (let r = 0; r < (reuse ? 0 : RUNS); r++) {
  const run = await init({
    dir,
    entity: "bench",
    project: "ws",
    name: `run-${String(r).padStart(3, "0")}`,
    config: { lr: r / 1000 },
    reinit: "create_new",
    settings: QUIET,
  });
  const row = {};
  for (let step = 0; step < STEPS; step++) {
    for (let m = 0; m < METRICS; m++)
      row[`m/metric-${String(m).padStart(2, "0")}`] = Math.exp(-step / 3000) * (1 + r / 100) + 0.01 * Math.sin(step + m);
    run.log(row);
  }
  await run.finish();
}
if (kept !== undefined && !reuse) writeFileSync(join(kept, "DONE"), "");
console.log(`store: ${RUNS} runs × ${METRICS} metrics × ${STEPS} steps logged in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// BENCH_WORKSPACE_APP_DIR serves another build of the dashboard (an older one, to compare).
const appDir = process.env.BENCH_WORKSPACE_APP_DIR;
const server = await serve({ dir, port: 0, ...(appDir ? { appDir } : {}) });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

/** ms from navigation start until `ready` holds in the page, median of 5 fresh pages. */
async function paint(url, ready) {
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(ready, undefined, { timeout: 60_000, polling: 10 });
    samples.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  return median(samples);
}

const bare = await paint(`${server.url}/`, () => document.querySelector("[data-testid=projects] a") !== null);
// Ready: every panel the first screen shows is drawn with all 10 visible runs.
const workspaceUrl = `${server.url}/#/w/bench/ws?order=%2Bname`;
const firstScreen = () => {
  const panels = [...document.querySelectorAll("[data-panel]")].filter((el) => el.getBoundingClientRect().top < window.innerHeight);
  return panels.length > 0 && panels.every((el) => el.getAttribute("data-runs") === "10");
};
const first = await paint(workspaceUrl, firstScreen);

// Hover and toggle on one open page.
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const requests = [];
page.on("request", (request) => requests.push(request.url()));
await page.goto(workspaceUrl);
await page.waitForFunction(firstScreen, undefined, { timeout: 60_000 });
const over = await page.locator("[data-panel] .u-over").first().boundingBox();
const before = requests.length;
for (let i = 0; i < 20; i++) await page.mouse.move(over.x + (over.width * i) / 20, over.y + over.height / 2);
const hoverRequests = requests.length - before;
// Timed inside the page: from the click to the first frame where the panel shows the new run count.
const toggles = [];
for (let i = 0; i < 6; i++) {
  const expected = i % 2 === 0 ? "9" : "10";
  toggles.push(
    await page.evaluate(async (want) => {
      const t0 = performance.now();
      document.querySelector('[aria-label="show run-000"]').click();
      await new Promise((done) => {
        const check = () =>
          document.querySelector("[data-panel]")?.getAttribute("data-runs") === want ? done() : requestAnimationFrame(check);
        check();
      });
      return performance.now() - t0;
    }, expected),
  );
}
const toggle = median(toggles);
await browser.close();
await server.close();
if (kept === undefined) cleanup(dir);

console.log(
  `workspace first paint ${first.toFixed(0)} ms (bare page ${bare.toFixed(0)} ms, ${(first / bare).toFixed(2)}×); toggle ${toggle.toFixed(0)} ms; ${hoverRequests} requests while hovering`,
);
report(
  `workspace first paint, ${RUNS} runs × ${METRICS} metrics × ${STEPS} steps`,
  first.toFixed(0),
  "ms",
  "≤ 1500 ms",
  first <= 1500,
  `(${(first / 1500).toFixed(2)}× the target; ${(first / bare).toFixed(2)}× the bare page)`,
);
report("workspace hover requests", hoverRequests, "", "0", hoverRequests === 0);
report("workspace toggle a run's visibility", toggle.toFixed(0), "ms", "≤ 50 ms", toggle <= 50);
