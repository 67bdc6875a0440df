// Issue 19: an open workspace over 10 LIVE runs (each a child process logging a row every
// BENCH_LIVE_DELAY_MS, 500 by default, after 1000 prefilled steps) uses ≤ 2 % of one core, the
// page's renderer and the `runlog ui` server together, while new points arrive by cursor. CPU time
// is read from /proc (utime + stime) over a BENCH_LIVE_SECONDS (20) window after the page settled;
// the loggers' own CPU is not counted. Repeated BENCH_LIVE_REPEATS (3) times on fresh pages; medians.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { cleanup, median, report, tempDir } from "./util.mjs";

const RUNS = 10;
const DELAY = Number(process.env.BENCH_LIVE_DELAY_MS ?? 500);
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 20);
const REPEATS = Number(process.env.BENCH_LIVE_REPEATS ?? 3);
const TICKS = 100; // USER_HZ on Linux
const BIN = fileURLToPath(new URL("../packages/cli/bin/runlog.js", import.meta.url));
const LOGGER = fileURLToPath(new URL("./live-logger.mjs", import.meta.url));

/** pid → { ppid, cpu seconds, cmdline } for every process now. */
function processes() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      table.set(Number(name), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS, cmdline });
    } catch {} // gone meanwhile
  }
  return table;
}

function descendants(table, root) {
  const out = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!out.has(pid) && out.has(p.ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** CPU seconds so far of the server, the page's renderers, and all of Chromium. */
function cpuNow(serverPid, loggerPids) {
  const table = processes();
  const loggers = new Set([...loggerPids].flatMap((pid) => [...descendants(table, pid)]));
  const server = [...descendants(table, serverPid)].reduce((sum, pid) => sum + (table.get(pid)?.cpu ?? 0), 0);
  let renderer = 0;
  let browser = 0;
  for (const pid of descendants(table, process.pid)) {
    const p = table.get(pid);
    if (!p || loggers.has(pid) || pid === process.pid || !/chrom/i.test(p.cmdline)) continue;
    browser += p.cpu;
    if (p.cmdline.includes("--type=renderer")) renderer += p.cpu;
  }
  return { server, renderer, browser };
}

const dir = tempDir("workspace-live");
const loggers = [];
let ui;
// The loggers and the server never outlive the bench, however it ends.
const stopChildren = () => {
  for (const child of [...loggers, ui]) if (child && child.exitCode === null) child.kill("SIGKILL");
};
process.on("exit", stopChildren);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));
await Promise.all(
  Array.from({ length: RUNS }, (_, i) => {
    const child = spawn(process.execPath, [LOGGER, dir, `live-${i}`, "1000", String(DELAY)], { stdio: ["ignore", "pipe", "inherit"] });
    loggers.push(child);
    return new Promise((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        const match = /started (\S+)/.exec(chunk.toString());
        if (match) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`logger exited (${code})`)));
    });
  }),
);
ui = spawn(process.execPath, [BIN, "ui", "--dir", dir, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve) => {
  let text = "";
  ui.stdout.on("data", (chunk) => {
    text += chunk;
    const match = /dashboard at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (match) resolve(match[1]);
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

const samples = [];
for (let repeat = 0; repeat < REPEATS; repeat++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const requests = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  await page.goto(`${url}/#/w/bench/live`);
  await page
    .waitForFunction(
      (n) => {
        const panels = [...document.querySelectorAll("[data-panel]")].filter((el) => el.getBoundingClientRect().top < window.innerHeight);
        return panels.length > 0 && panels.every((el) => el.getAttribute("data-runs") === String(n));
      },
      RUNS,
      { timeout: 60_000 },
    )
    .catch(async (error) => {
      const seen = await page.evaluate(() => [
        ...[...document.querySelectorAll("[data-panel]")].map((el) => `${el.getAttribute("data-panel")}=${el.getAttribute("data-runs")}`),
        (document.body.textContent ?? "").slice(0, 400),
      ]);
      throw new Error(`the first screen never showed ${RUNS} runs (${seen.join(", ")}): ${error.message}`);
    });
  await new Promise((done) => setTimeout(done, 3000)); // settle: first paint, streams connected
  const points = () =>
    page.evaluate(() =>
      [...document.querySelectorAll("[data-panel] .chart[data-points]")]
        .map((el) => Number(el.getAttribute("data-points")))
        .reduce((a, b) => a + b, 0),
    );
  const pointsBefore = await points();
  const requestsBefore = requests.length;
  const before = cpuNow(
    ui.pid,
    loggers.map((child) => child.pid),
  );
  const t0 = performance.now();
  await new Promise((done) => setTimeout(done, SECONDS * 1000));
  const after = cpuNow(
    ui.pid,
    loggers.map((child) => child.pid),
  );
  const wall = (performance.now() - t0) / 1000;
  const grown = (await points()) - pointsBefore;
  const share = (key) => (100 * (after[key] - before[key])) / wall;
  const history = requests.slice(requestsBefore).filter((path) => path.endsWith("/series") || path.endsWith("/history")).length;
  samples.push({ server: share("server"), renderer: share("renderer"), browser: share("browser"), grown, history });
  console.log(
    `window ${repeat + 1}: server ${share("server").toFixed(2)} %, renderer ${share("renderer").toFixed(2)} %, all of Chromium ${share("browser").toFixed(2)} % of a core; ${grown} points drawn more; ${history} history/series requests`,
  );
  await page.close();
}
await browser.close();
for (const child of loggers) child.kill("SIGKILL");
ui.kill("SIGTERM");
await new Promise((done) => ui.once("exit", done));
cleanup(dir);

const total = median(samples.map((s) => s.server + s.renderer));
report(
  `idle workspace with ${RUNS} live runs (renderer + server, % of one core, ${SECONDS} s windows)`,
  total.toFixed(2),
  "%",
  "≤ 2 %",
  total <= 2,
  `(server ${median(samples.map((s) => s.server)).toFixed(2)} %, renderer ${median(samples.map((s) => s.renderer)).toFixed(2)} %, all of Chromium ${median(samples.map((s) => s.browser)).toFixed(2)} %; ${(total / 2).toFixed(2)}× the target; points still arriving: ${median(samples.map((s) => s.grown))} per window)`,
);
report(
  "live workspace history refetches while idle",
  Math.max(...samples.map((s) => s.history)),
  "",
  "0",
  samples.every((s) => s.history === 0),
);
