import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUiProcess } from "../test-support/ui-process.js";
import { launchChromium } from "./chromium.js";
import { fillDemoStore, SWEEP_RUNS, XSS } from "./demo-store.js";

// Real runs in a real store, served by the real `runlog ui` binary, driven in Debian's headless Chromium.
const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const TOTAL_RUNS = SWEEP_RUNS + 4;

let root: string;
let ui: Awaited<ReturnType<typeof startUiProcess>>;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let provoked: RegExp[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-browser-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await fillDemoStore(root);
  ui = await startUiProcess(root);
  browser = await launchChromium();
}, 120_000);

// A fresh page per test, and every test ends with no page error and no console error of its own,
// except those it provokes on purpose (a defence at work), which must then have appeared.
beforeEach(async () => {
  problems = [];
  provoked = [];
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} (${message.location().url})`);
  });
});

afterEach(async () => {
  for (const pattern of provoked) {
    await expect
      .poll(() => problems.some((problem) => pattern.test(problem)), { message: `the provoked console error ${pattern}` })
      .toBe(true);
  }
  await page.close();
  expect(problems.filter((problem) => !provoked.some((pattern) => problem.startsWith("console: ") && pattern.test(problem)))).toEqual([]);
});

/** Declares a console error this test provokes on purpose; any other one still fails it. */
const provokes = (pattern: RegExp) => provoked.push(pattern);

/**
 * Records every request of the page that is not the app (its shell and assets) or its JSON API:
 * what a note's markup would make the browser fetch. The returned function first sends one more
 * API request and waits for it, so anything the page queued before has been issued by then.
 */
function watchRequests(): () => Promise<string[]> {
  const other: string[] = [];
  page.on("request", (request) => {
    const url = request.url();
    const app = url === `${ui.url}/` || url.startsWith(`${ui.url}/assets/`) || url.startsWith(`${ui.url}/api/v1/`);
    if (!app) other.push(`${request.resourceType()} ${url}`);
  });
  return async () => {
    await page.evaluate(() => fetch("api/v1/projects").then((response) => response.text()));
    return other;
  };
}

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

const rowNames = () => page.locator("[data-testid=runs-table] tbody tr[data-run-id] td:nth-child(2)").allTextContents();
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function openRun(name: string, tab: string): Promise<void> {
  await page.goto(`${ui.url}/#/p/team/vision`);
  await page.locator("[data-testid=runs-table] tbody tr[data-run-id]").first().waitFor();
  const id = await page.locator("tr[data-run-id]", { hasText: name }).first().getAttribute("data-run-id");
  await page.goto(`${ui.url}/#/r/team/vision/${id}?tab=${tab}`);
}

describe("dashboard in Chromium", () => {
  it("lists projects, then a runs table that sorts, searches, filters and groups on the server", async () => {
    await page.goto(`${ui.url}/`);
    await page.getByRole("link", { name: "vision" }).click(); // the workspace; the table is the "runs" view
    await page.getByRole("link", { name: "runs", exact: true }).click();
    const table = page.locator("[data-testid=runs-table]");
    await expect.poll(() => table.getAttribute("data-total")).toBe(String(TOTAL_RUNS));
    await shot("runs-table");

    await page.locator("th[data-field=name]").click(); // first click: descending
    await page.locator("th[data-field=name]").click(); // second: ascending
    await expect.poll(async () => (await rowNames()).slice(1, 5)).toEqual(["eval", "llm", "media", "resnet-a"]);
    const names = await rowNames();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    await page.getByLabel("search").fill("resnet");
    await expect.poll(() => table.getAttribute("data-total")).toBe(String(SWEEP_RUNS));
    await page.getByLabel("filter").fill("config.lr >= 0.01 and config.optimizer.name = adam");
    await expect.poll(rowNames).toEqual(["resnet-a", "resnet-c"]);
    await page.getByLabel("filter").fill("config.lr >");
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/field op value/);

    await page.getByLabel("filter").fill("");
    await page.getByLabel("group by").selectOption("group");
    await expect
      .poll(() => page.locator("tr.group-row").allTextContents())
      .toEqual(["group = sweep-1 · 3 runs", "group = sweep-2 · 3 runs"]);
    await shot("runs-grouped");
  });

  it("draws one chart per numeric key with one series each, and zooming asks the server for that range", async () => {
    await openRun("resnet-b", "charts");
    const charts = page.locator(".chart[data-series-count]");
    await expect.poll(() => charts.count()).toBe(3); // train/acc, train/loss, val/loss
    expect(await charts.evaluateAll((els) => els.map((el) => el.getAttribute("data-series-count")))).toEqual(["1", "1", "1"]);
    const lossChart = page.locator(".chart[data-chart='train/loss']");
    expect(Number(await lossChart.getAttribute("data-points"))).toBeGreaterThan(900); // 2000 steps, 1000 buckets
    await shot("run-charts");

    const box = await lossChart.locator(".u-over").boundingBox();
    if (box === null) throw new Error("the chart has no plot area");
    const zoomed = page.waitForRequest((request) => /series\?key=train%2Floss.*&from=\d+.*&to=\d+/.test(request.url()));
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const url = new URL((await zoomed).url());
    const [from, to] = [Number(url.searchParams.get("from")), Number(url.searchParams.get("to"))];
    expect(from).toBeGreaterThan(200);
    expect(to).toBeLessThan(1000);
    expect(to).toBeGreaterThan(from);

    await page.getByLabel("smoothing", { exact: true }).selectOption("ema");
    await page.getByLabel("x-axis").selectOption("_runtime");
    await expect.poll(() => page.locator(".chart[data-series-count]").count()).toBe(3);
  });

  it("grows a live run's chart while a child process logs to it", async () => {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./live-run.mjs", import.meta.url)), root, "400", "25"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const id = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const match = /started (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`live run exited early (${code})`)));
    });
    // Open the page once the run has reached the store, as a user following a fresh run would.
    await expect.poll(async () => (await fetch(`${ui.url}/api/v1/runs/team/live/${id}`)).status, { timeout: 20_000 }).toBe(200);
    await page.goto(`${ui.url}/#/r/team/live/${id}?tab=charts`);
    const chart = page.locator(".chart[data-chart='train/loss']");
    await chart.waitFor({ timeout: 20_000 });
    const first = Number(await chart.getAttribute("data-points"));
    await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(first);
    await expect.poll(() => page.locator(".subtitle .state").first().textContent(), { timeout: 30_000 }).toBe("finished");
    await exited;
    await shot("live-run");
  });

  it("shows XSS payloads in a run's name, notes, tags and config as text, and runs none of them", async () => {
    const fetched = watchRequests();
    await page.goto(`${ui.url}/#/p/team/vision`);
    await page.locator("tr[data-run-id]").first().waitFor();
    await expect.poll(() => page.locator("td", { hasText: XSS.name }).count()).toBeGreaterThan(0);
    await openRun(XSS.name, "overview");
    await expect.poll(() => page.getByTestId("run-name").textContent()).toBe(XSS.name);
    await expect.poll(() => page.getByTestId("config").textContent()).toContain(XSS.config);
    expect(await page.locator(".subtitle .tag").textContent()).toBe(XSS.tag);
    const notes = page.getByTestId("notes");
    expect(await notes.locator("strong").textContent()).toBe("bold notes");
    // Notes are inert: markup shows as text, images as their alt text, no element that loads anything.
    expect(await notes.locator("script, img, video, iframe, svg, image, style, [style], [onerror], [ping]").count()).toBe(0);
    expect(await notes.textContent()).toContain("<img src=x onerror=");
    expect(await notes.textContent()).toContain("remote image");
    expect(await notes.locator("a").evaluateAll((links) => links.map((a) => [a.getAttribute("href"), a.getAttribute("rel")]))).toEqual([
      ["https://example.com/safe", "noopener noreferrer nofollow"],
    ]);
    await notes
      .locator("a")
      .first()
      .click({ trial: true })
      .catch(() => {});
    expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
    expect(await fetched()).toEqual([]);
    await shot("xss-overview");
  });

  it("shows media with a step slider, histograms as a heatmap, sandboxed HTML, the console, files and lineage", async () => {
    provokes(/^console: Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/); // the logged HTML's script
    await openRun("media", "media");
    const panel = page.locator("[data-media-key=examples]");
    const image = panel.locator("img");
    await image.waitFor();
    const last = await image.getAttribute("src");
    await panel.getByLabel("examples step").fill("0");
    await expect.poll(() => image.getAttribute("src")).not.toBe(last);
    expect(await panel.locator("figcaption").textContent()).toBe("step 0 <i>caption</i>");
    await expect.poll(() => page.locator("[data-histogram=weights]").getAttribute("data-steps")).toBe("5");
    expect(await page.locator("iframe.html-media").getAttribute("sandbox")).toBe("");
    expect(await page.getByTestId("media-table").locator("td").allTextContents()).toEqual(["1", "<b>cat</b>", "2", "dog"]);
    await shot("run-media");

    await page.getByRole("link", { name: "logs" }).click();
    await expect.poll(() => page.getByTestId("console").textContent()).toContain("epoch 4 loss=0.200");
    await page.getByRole("link", { name: "files" }).click();
    const fileLinks = page.getByTestId("files").locator("a");
    await expect.poll(() => fileLinks.allTextContents()).toContain("output.log");
    const listed = await fileLinks.allTextContents();
    // Every file of the run: the console log, the saved file, a file written into run.dir and the logged media.
    expect(listed).toEqual(expect.arrayContaining(["output.log", "labels.csv", "eval-report.txt"]));
    expect(listed.filter((path) => path.startsWith("media/images/examples_"))).toHaveLength(5);
    const report = await page.evaluate(
      async (href) => {
        const response = await fetch(href as string);
        return { status: response.status, body: await response.text() };
      },
      await fileLinks.filter({ hasText: "eval-report.txt" }).getAttribute("href"),
    );
    expect(report).toEqual({ status: 200, body: "accuracy 0.9\n" });
    await page.getByRole("link", { name: "artifacts" }).click();
    await expect.poll(() => page.locator("[data-testid=lineage] .node").count()).toBe(3); // media → digits:v0 → eval
    await shot("run-artifacts");
    await page.getByRole("link", { name: "overview" }).click();
    await expect.poll(() => page.locator(".alerts").textContent()).toContain("loss spike");
    expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
  });

  it("lists LangChain traces and shows one as a tree and waterfall, with hostile inputs as text", async () => {
    await openRun("llm", "traces");
    const table = page.getByTestId("traces-table");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
    expect(await table.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual(["ok", "error"]);
    await table.locator("tbody tr").first().click();
    const view = page.getByTestId("trace-view");
    expect(await view.locator(".wf-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-span-kind")))).toEqual([
      "chain",
      "prompt",
      "chat_model",
      "parser",
    ]);
    expect(await page.getByTestId("span-inputs").textContent()).toContain(JSON.stringify(XSS.traceInput).slice(1, -1)); // shown as JSON text
    await view.locator(".wf-row[data-span-kind=chat_model]").click();
    expect(await page.getByTestId("span-detail").textContent()).toContain("tokens 11 in / 2 out / 13 total");
    await page.getByLabel("search traces").fill("broken");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
    await shot("run-traces");
  });

  it("compares selected runs on one chart and in parallel coordinates", async () => {
    await page.goto(`${ui.url}/#/p/team/vision?search=resnet`);
    await page.locator("tr[data-run-id]").first().waitFor();
    const boxes = page.locator("tr[data-run-id] input[type=checkbox]");
    for (let i = 0; i < 4; i++) await boxes.nth(i).check();
    await page.getByRole("link", { name: "Compare 4 selected" }).click();
    const chart = page.locator(".chart[data-series-count]");
    await expect.poll(() => chart.getAttribute("data-series-count")).toBe("4");
    expect(await page.getByTestId("parallel-coordinates").locator("polyline").count()).toBe(4);
    await shot("compare");
  });
  it("edits a run's tags and notes from the keyboard, shows the server's refusal, and keeps hostile input inert", async () => {
    provokes(
      /^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/runs\//,
    );
    const fetched = watchRequests();
    await openRun("eval", "overview");
    const tags = page.getByTestId("tags-editor");
    await expect.poll(() => tags.getAttribute("data-edit")).toBe("yes"); // a keyless local server: anyone may edit
    const addTag = page.getByLabel("add tag");
    await addTag.focus();
    await page.keyboard.type("reviewed");
    await page.keyboard.press("Enter");
    await expect.poll(() => tags.locator(".tag").count()).toBe(1);
    await addTag.fill(`<img src=/tag-x onerror="window.__xss='tag-edit'">`);
    await addTag.press("Enter");
    await expect.poll(() => tags.locator(".tag").count()).toBe(2);
    // Refused by the server (a tag of 300 characters): its message is shown, nothing is saved.
    await addTag.fill("t".repeat(300));
    await addTag.press("Enter");
    await expect.poll(() => page.getByTestId("edit-error").textContent()).toMatch(/at most 256 characters/);
    await page.getByRole("button", { name: "remove tag reviewed" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => tags.locator(".tag").allTextContents()).toEqual([`<img src=/tag-x onerror="window.__xss='tag-edit'">×`]);

    await page.getByRole("button", { name: "Edit notes" }).focus();
    await page.keyboard.press("Enter");
    const area = page.getByRole("textbox", { name: "Notes (markdown)" });
    await expect
      .poll(() =>
        area.evaluate((element) => element === (element as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement),
      )
      .toBe(true);
    await page.keyboard.type(
      "## Reviewed\n\n![chart](http://x/y) <img src=/note-x onerror=\"window.__xss='note-edit'\"> [go](javascript:alert(1))",
    );
    await page.getByRole("button", { name: "Save notes" }).focus();
    await page.keyboard.press("Enter");
    const notes = page.getByTestId("notes");
    await expect.poll(() => notes.locator("h2").textContent()).toBe("Reviewed");
    expect(await notes.locator("img, a").count()).toBe(0);

    // Stored: a fresh load shows the same, as does the API.
    await page.reload();
    await expect.poll(() => page.getByTestId("notes").locator("h2").textContent()).toBe("Reviewed");
    const id = page.url().split("/").pop()?.split("?")[0];
    const stored = (await (await fetch(`${ui.url}/api/v1/runs/team/vision/${id}`)).json()) as { tags: string[]; notes: string };
    expect(stored.tags).toEqual([`<img src=/tag-x onerror="window.__xss='tag-edit'">`]);
    expect(stored.notes).toContain("![chart](http://x/y)");
    expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
    expect(await fetched()).toEqual([]);
    await shot("run-edit");
  });

  it("hides the edit controls when the tab's key is read-only", async () => {
    // A read key of the store (the CLI writes it; the running server reads its key file when a key is sent).
    const created = spawnSync(process.execPath, [BIN, "server", "keys", "create", "--entity", "team", "--scope", "read", "--dir", root]);
    const key = /rlk_\S+/.exec(created.stdout.toString())?.[0] as string;
    await page.addInitScript(
      (value) =>
        (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem(
          "runlog.apiKey",
          value,
        ),
      key,
    );
    await openRun("resnet-a", "overview");
    const tags = page.getByTestId("tags-editor");
    await expect.poll(() => tags.getAttribute("data-edit")).toBe("no");
    expect(await tags.locator(".tag").count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: /Edit notes|Add|remove tag/ }).count()).toBe(0);
    expect(await page.getByLabel("add tag").count()).toBe(0);
  });
});
