// Dashboard targets (issue 5): the runs table for 10,000 runs (API ≤ 100 ms for a filtered, sorted
// page; first paint ≤ 1 s in headless Chromium) and the compare chart for 100 runs × 100 k steps
// (first paint ≤ 1 s). Baselines from the same run: the in-process Api for the table, the bare
// series request for the chart.
import { Api, init } from "@runlog/core";
import { serve } from "@runlog/server";
import { chromium } from "playwright-core";
import { SqliteStore } from "../packages/core/dist/store/sqlite/sqlite-store.js";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 10_000);
const CHART_RUNS = Number(process.env.BENCH_CHART_RUNS ?? 100);
const CHART_STEPS = Number(process.env.BENCH_CHART_STEPS ?? 100_000);

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** ms from navigation start until `selector` is in the page, median of `times` fresh pages. */
async function firstPaint(browser, url, selector, times = 5) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector(selector, { timeout: 30_000 });
    samples.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  return median(samples);
}

async function timed(fn, times) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

// --- 10,000 runs in the table. Written straight through the store's record path (what the worker does), since 10,000 init() calls would take minutes.
const tableDir = tempDir("dashboard-table");
const store = new SqliteStore(`${tableDir}/runlog.db`);
const now = Date.now();
for (let i = 0; i < RUNS; i++) {
  const header = {
    entity: "bench",
    project: "table",
    id: `r${String(i).padStart(6, "0")}`,
    name: `run-${i}`,
    tags: i % 10 === 0 ? ["ten"] : [],
    group: `g${i % 20}`,
    startTime: now / 1000 - i,
    crashTimeout: 300,
    attempt: 0,
  };
  store.apply([
    { kind: "run", header: { seq: 1, t: now, ...header } },
    {
      kind: "config",
      header: {
        seq: 2,
        t: now,
        config: { lr: 10 ** -(1 + (i % 5)), batch: 16 << (i % 4), model: { depth: [18, 34, 50][i % 3], width: i % 7 } },
      },
    },
    { kind: "summary", header: { seq: 3, t: now, set: { acc: (i % 1000) / 1000, loss: 1 / (1 + (i % 97)), _step: 1000 }, delete: [] } },
    {
      kind: "exit",
      header: { seq: 4, t: now + 1000, exitCode: 0, state: i % 50 === 0 ? "failed" : "finished", runtime: 100 + (i % 3600) },
    },
  ]);
}
store.close();

const tableServer = await serve({ dir: tableDir, port: 0 });
const filters = { "config.lr": { $lte: 0.001 }, state: "finished" };
const pageUrl = `${tableServer.url}/api/v1/projects/bench/table/runs?filters=${encodeURIComponent(JSON.stringify(filters))}&order=-summary.acc&limit=100`;
const coldMs = await timed(async () => (await fetch(pageUrl)).text(), 1); // parses every run once; later pages reuse the parsed runs
const apiMs = await timed(async () => (await fetch(pageUrl)).text(), 20);
const api = new Api({ dir: tableDir });
const rawMs = await timed(() => api.runs("bench/table", { filters, order: "-summary.acc" }), 20);
api.close();
const browser = await launch();
const tablePaint = await firstPaint(
  browser,
  `${tableServer.url}/#/p/bench/table?filter=${encodeURIComponent("config.lr <= 0.001")}&order=-summary.acc`,
  "tr[data-run-id]",
);
await tableServer.close();
cleanup(tableDir);
console.log(
  `runs table, ${RUNS} runs: filtered+sorted page over HTTP ${apiMs.toFixed(1)} ms (first request ${coldMs.toFixed(0)} ms) vs in-process Api.runs ${rawMs.toFixed(1)} ms (${(apiMs / rawMs).toFixed(2)}×); first paint ${tablePaint.toFixed(0)} ms`,
);
report(`runs table API, ${RUNS} runs`, apiMs.toFixed(1), "ms", "≤ 100 ms", apiMs <= 100);
report(`runs table first paint, ${RUNS} runs`, tablePaint.toFixed(0), "ms", "≤ 1000 ms", tablePaint <= 1000);

// --- 100 runs × 100 k steps on one compare chart, logged by real runs.
const chartDir = tempDir("dashboard-chart");
const ids = [];
for (let r = 0; r < CHART_RUNS; r++) {
  const run = await init({
    dir: chartDir,
    entity: "bench",
    project: "chart",
    name: `run-${r}`,
    config: { lr: r / 1000 },
    reinit: "create_new",
    settings: QUIET,
  });
  for (let step = 0; step < CHART_STEPS; step++) run.log({ loss: Math.exp(-step / 20_000) * (1 + r / 100) + 0.01 * Math.sin(step) });
  await run.finish();
  ids.push(run.id);
}
const chartServer = await serve({ dir: chartDir, port: 0 });
const seriesUrl = `${chartServer.url}/api/v1/projects/bench/chart/series?key=loss&runs=${ids.join(",")}&buckets=500&from=0&to=${CHART_STEPS - 1}`;
const seriesMs = await timed(async () => (await fetch(seriesUrl)).text(), 5);
const chartPaint = await firstPaint(
  browser,
  `${chartServer.url}/#/c/bench/chart?runs=${ids.join(",")}&metric=loss`,
  `.chart[data-series-count="${CHART_RUNS}"] canvas`,
);
await browser.close();
await chartServer.close();
cleanup(chartDir);
console.log(
  `compare chart, ${CHART_RUNS} runs × ${CHART_STEPS} steps: series request ${seriesMs.toFixed(0)} ms; first paint ${chartPaint.toFixed(0)} ms (${(chartPaint / seriesMs).toFixed(1)}× the bare request)`,
);
report(`compare chart first paint, ${CHART_RUNS}×${CHART_STEPS}`, chartPaint.toFixed(0), "ms", "≤ 1000 ms", chartPaint <= 1000);
