import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUiProcess } from "../test-support/ui-process.js";
import { launchChromium } from "./chromium.js";
import { describeMediaPanels } from "./workspace-media-cases.js";
import { fillMediaProject, fillWorkspaceStore, GROUPED_RUNS, GROUPS } from "./workspace-store.js";

// The project workspace over real runs, served by the real `runlog ui`, in Debian's headless Chromium.
const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const TOTAL_RUNS = GROUPED_RUNS + 4;

let root: string;
let ui: Awaited<ReturnType<typeof startUiProcess>>;
let browser: Browser;
let page: Page;
let problems: string[] = [];
let seriesRequests: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-workspace-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await fillWorkspaceStore(root);
  await fillMediaProject(root);
  ui = await startUiProcess(root);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ui?.stop();
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

// A fresh page per test, and every test ends with no page error and no console error.
beforeEach(async () => {
  problems = [];
  seriesRequests = [];
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("request", (request) => {
    if (request.url().includes("/series")) seriesRequests.push(request.url());
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
const panel = (key: string) => page.locator(`[data-panel="${key}"]`);
// Panels fetch when scrolled near the viewport, so a test scrolls to the one it reads.
const linesIn = async (key: string) => {
  await panel(key).scrollIntoViewIfNeeded();
  return Number(await panel(key).getAttribute("data-runs"));
};

/** The run names the hover readout of a panel lists with the cursor at `fraction` of its width. */
async function tooltipNames(key: string, fraction: number): Promise<string[]> {
  const box = (await panel(key).locator(".u-over").boundingBox()) as { x: number; y: number; width: number; height: number };
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
  const tooltip = panel(key).getByTestId("chart-tooltip");
  await expect.poll(() => tooltip.isVisible()).toBe(true);
  return tooltip.locator(".tooltip-name").allTextContents();
}

async function openWorkspace(params = ""): Promise<void> {
  await page.goto(`${ui.url}/#/w/team/ws${params ? `?${params}` : ""}`);
  await page.getByTestId("runs-sidebar").locator("li[data-run-id]").first().waitFor();
}

async function idsByName(): Promise<Map<string, string>> {
  const items = page.getByTestId("runs-sidebar").locator("li[data-run-id]");
  const pairs = await items.evaluateAll((els) =>
    els.map((el) => [el.querySelector("a")?.textContent ?? "", el.getAttribute("data-run-id") ?? ""]),
  );
  return new Map(pairs as [string, string][]);
}

/** Pixels of a colour (±12 per channel) on the canvas inside `container`: what the chart actually drew. */
function pixelsOfColour(container: string, rgb: [number, number, number]): Promise<number> {
  // Runs in the page (a string: this package's types have no DOM).
  return page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${container} canvas`)});
    if (!canvas) return -1;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = ${JSON.stringify(rgb)};
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) <= 12 && Math.abs(data[i + 1] - g) <= 12 && Math.abs(data[i + 2] - b) <= 12 && data[i + 3] > 200) count++;
    }
    return count;
  })()`);
}

describe("the project workspace", () => {
  it("is where a project opens: a runs sidebar and a panel per history key in sections, overlaying the first 10 runs", async () => {
    await page.goto(`${ui.url}/`);
    await page.getByRole("link", { name: "ws" }).click();
    await page.getByTestId("workspace").waitFor();
    await expect.poll(() => page.getByTestId("visible-count").textContent()).toBe(`10 of ${TOTAL_RUNS} runs shown`);
    const sections = () => page.locator("[data-section]").evaluateAll((els) => els.map((el) => el.getAttribute("data-section")));
    await expect.poll(sections).toEqual(expect.arrayContaining(["batch", "charts", "epoch", "short", "train", "val"]));
    // The sweep runs among the first 10 listed are drawn on train/loss, each in its own colour.
    const shown = await page.getByTestId("runs-sidebar").locator("li[data-run-id]:not(.hidden-run) a").allTextContents();
    expect(shown).toHaveLength(10);
    await expect.poll(() => linesIn("train/loss")).toBe(shown.filter((name) => name.startsWith("sweep-")).length);
    // Media keys are not lines; the defineMetric summary key `acc` is.
    expect(await page.locator("[data-panel^='plots/']").count()).toBe(0);
    await expect.poll(() => panel("acc").count()).toBe(1);
    await shot("workspace-light");
  });

  it("draws tfjs's epoch/* against epoch/epoch (its step metric) and batch/* against the step", async () => {
    await openWorkspace();
    await expect.poll(() => panel("epoch/loss").getAttribute("data-x-axis")).toBe("epoch/epoch");
    expect(await panel("batch/loss").getAttribute("data-x-axis")).toBe("_step");
    await expect.poll(() => panel("epoch/loss").locator(".chart").getAttribute("data-points")).toBe("5");
    // The workspace-wide x-axis overrides every panel's default; per panel it can be changed again.
    await page.getByLabel("x-axis", { exact: true }).selectOption("_step");
    await expect.poll(() => panel("epoch/loss").getAttribute("data-x-axis")).toBe("_step");
    await page.getByLabel("epoch/acc x-axis").selectOption("epoch/epoch");
    await expect.poll(() => panel("epoch/acc").getAttribute("data-x-axis")).toBe("epoch/epoch");
  });

  it("toggles runs without asking the server again, and keeps the choice in a shareable URL", async () => {
    // By name: best-acc, one-point, plots, then sweep-00 … sweep-06 are the first 10.
    await openWorkspace("order=%2Bname");
    const ids = await idsByName();
    await expect.poll(() => linesIn("train/loss")).toBe(7);
    await expect.poll(() => linesIn("train/acc")).toBe(7);
    const before = seriesRequests.length;
    // A toggle is a uPlot setSeries on the chart already built: the same canvas, the readout without the hidden run.
    const canvas = panel("train/loss").locator("canvas");
    await canvas.evaluate((el) => {
      (el as { built?: string }).built = "before the toggle";
    });
    const builtTag = () => canvas.evaluate((el) => (el as { built?: string }).built);
    expect(await tooltipNames("train/loss", 0.4)).toContain("sweep-06");
    await page.getByLabel("show sweep-06").uncheck();
    await expect.poll(() => linesIn("train/loss")).toBe(6);
    expect(await builtTag()).toBe("before the toggle");
    const withoutIt = await tooltipNames("train/loss", 0.5);
    expect(withoutIt).toHaveLength(6);
    expect(withoutIt).not.toContain("sweep-06");
    await page.getByLabel("show sweep-06").check();
    await expect.poll(() => linesIn("train/loss")).toBe(7);
    expect(await builtTag()).toBe("before the toggle");
    expect(await tooltipNames("train/loss", 0.4)).toContain("sweep-06");
    expect(seriesRequests.length).toBe(before); // hidden and shown again from the cache
    await page.getByLabel("show sweep-07").check(); // not among the first 10: one request for it alone per panel
    await expect.poll(() => linesIn("train/loss")).toBe(8);
    const fetchedFor = seriesRequests.slice(before).map((url) => new URL(url).searchParams.get("runs"));
    expect(new Set(fetchedFor)).toEqual(new Set([ids.get("sweep-07")]));
    const shared = page.url();
    expect(new URLSearchParams(shared.split("?")[1]).get("vis")?.split(",")).toContain(ids.get("sweep-07"));
    await page.goto("about:blank");
    await page.goto(shared);
    await expect.poll(() => linesIn("train/loss")).toBe(8);
  });

  it("shows every run's value at the cursor, highest first, in the run's colour, without a request", async () => {
    await openWorkspace("n=20");
    await expect.poll(() => linesIn("train/loss")).toBe(GROUPED_RUNS);
    const over = panel("train/loss").locator(".u-over");
    const box = (await over.boundingBox()) as { x: number; y: number; width: number; height: number };
    const before = seriesRequests.length;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    const tooltip = panel("train/loss").getByTestId("chart-tooltip");
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const rows = tooltip.locator(".tooltip-row");
    expect(await rows.count()).toBe(GROUPED_RUNS);
    const values = (await rows.locator(".tooltip-value").allTextContents()).map(Number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    // The loss of sweep-i has +0.01·i on top, and with lr rising in i it falls faster: sweep-11 is not first by accident.
    expect(await rows.first().getAttribute("data-label")).toMatch(/^sweep-/);
    expect(seriesRequests.length).toBe(before);
  });

  it("groups runs into a mean line with a min–max band per group", async () => {
    await openWorkspace("n=20&groupBy=group");
    // Only the sweep runs log train/loss: one line per group, labelled with its size.
    await expect.poll(() => linesIn("train/loss")).toBe(GROUPS);
    const over = panel("train/loss").locator(".u-over");
    const box = (await over.boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const labels = await panel("train/loss").getByTestId("chart-tooltip").locator(".tooltip-name").allTextContents();
    expect([...labels].sort()).toEqual(["g0 (4)", "g1 (4)", "g2 (4)"]);
  });

  it("grows a live run's panels by its new rows, without asking for its history again", async () => {
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
    await expect.poll(async () => (await fetch(`${ui.url}/api/v1/runs/team/live/${id}`)).status, { timeout: 20_000 }).toBe(200);
    await page.goto(`${ui.url}/#/w/team/live`);
    // The drawn chart (the placeholder before the first answer is a `.chart` too, without data-points).
    const chart = panel("train/loss").locator(".chart[data-points]");
    await expect.poll(() => chart.count(), { timeout: 20_000 }).toBe(1);
    const first = Number(await chart.getAttribute("data-points"));
    const requested = seriesRequests.length;
    await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(first + 20);
    expect(seriesRequests.length).toBe(requested); // the new points came by the run's event stream
    await exited;
  });

  it("zooms every panel on the same x-axis together", async () => {
    await openWorkspace("n=20");
    await expect.poll(() => linesIn("train/acc")).toBe(GROUPED_RUNS);
    const over = panel("train/loss").locator(".u-over");
    const box = (await over.boundingBox()) as { x: number; y: number; width: number; height: number };
    const before = seriesRequests.length;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.getByText(/zoomed to _step/).count()).toBe(1);
    await expect
      .poll(() => seriesRequests.slice(before).map((url) => new URL(url).searchParams.get("key")))
      .toEqual(expect.arrayContaining(["train/loss", "train/acc"]));
    const ranges = seriesRequests
      .slice(before)
      .map((url) => [new URL(url).searchParams.get("from"), new URL(url).searchParams.get("to")])
      .filter(([from]) => from !== null);
    expect(new Set(ranges.map((range) => range.join()))).toHaveProperty("size", 1);
    const [from, to] = (ranges[0] as [string, string]).map(Number) as [number, number];
    expect(from).toBeGreaterThan(20);
    expect(to).toBeLessThan(200);
  });
});

describe("summary panels", () => {
  it("adds bar, scatter, parallel-coordinates and parameter-importance panels over the shown runs, kept in the URL", async () => {
    await openWorkspace("n=20");
    const addPanel = page.getByTestId("add-panel");
    await addPanel.getByLabel("panel kind").selectOption("bar");
    await addPanel.getByLabel("panel metric").selectOption("summary.train/loss");
    await addPanel.getByRole("button", { name: "add panel" }).click();
    await expect.poll(() => page.locator("[data-summary-panel=bar] svg").getAttribute("data-bars")).toBe(String(GROUPED_RUNS));

    await addPanel.getByLabel("panel kind").selectOption("scatter");
    await addPanel.getByLabel("panel x").selectOption("config.lr");
    await addPanel.getByLabel("panel y").selectOption("summary.train/loss");
    await addPanel.getByRole("button", { name: "add panel" }).click();
    await expect.poll(() => page.locator("[data-summary-panel=scatter] svg").getAttribute("data-points")).toBe(String(GROUPED_RUNS));

    await addPanel.getByLabel("panel kind").selectOption("parallel");
    await addPanel.getByLabel("panel metric").selectOption("summary.train/loss");
    await addPanel.getByRole("button", { name: "add panel" }).click();
    await expect.poll(() => page.locator("[data-summary-panel=parallel] polyline").count()).toBe(TOTAL_RUNS);

    await addPanel.getByLabel("panel kind").selectOption("importance");
    await addPanel.getByLabel("panel metric").selectOption("summary.train/loss");
    await addPanel.getByRole("button", { name: "add panel" }).click();
    const importance = page.getByTestId("importance");
    await expect.poll(() => importance.locator("tbody tr").count()).toBe(3); // lr, batch, depth vary; the rest do not
    const params = await importance.locator("tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-param")));
    expect(new Set(params)).toEqual(new Set(["lr", "batch", "depth"]));
    expect(params[2]).toBe("depth"); // the loss does not depend on depth
    expect(Number(await importance.locator("tr[data-param=lr] td:nth-child(3)").textContent())).toBeLessThan(-0.5);
    await shot("workspace-summary-panels");

    const panels = JSON.parse(new URLSearchParams(page.url().split("?")[1]).get("panels") ?? "[]");
    expect(panels.map((panel: { kind: string }) => panel.kind)).toEqual(["bar", "scatter", "parallel", "importance"]);
    await page.getByRole("button", { name: /^remove panel .* vs / }).click();
    await expect.poll(() => page.locator("[data-summary-panel]").count()).toBe(3);
    expect(await page.locator("[data-summary-panel=scatter]").count()).toBe(0);
  });
});

describe("bugs seen from outside", () => {
  it("draws a series of one point (short runs were blank)", async () => {
    const ids = await (async () => {
      await openWorkspace();
      return idsByName();
    })();
    await page.goto(`${ui.url}/#/r/team/ws/${ids.get("one-point")}?tab=charts`);
    await page.locator("[data-chart='short/metric'] canvas").waitFor();
    // The first palette colour, #1f77b4: a marker must be on the canvas.
    await expect.poll(() => pixelsOfColour("[data-chart='short/metric']", [0x1f, 0x77, 0xb4])).toBeGreaterThan(8);
  });

  it("charts a metric whose summary is a defineMetric object ({ max })", async () => {
    await openWorkspace();
    const ids = await idsByName();
    await page.goto(`${ui.url}/#/r/team/ws/${ids.get("best-acc")}?tab=charts`);
    await expect.poll(() => page.locator("[data-chart='acc']").count()).toBe(1);
    // A run without traces has no traces tab (the LangChain run of the dashboard test has one).
    await expect
      .poll(() => page.locator("nav.tabs a").allTextContents())
      .toEqual(["overview", "charts", "system", "media", "logs", "files", "artifacts"]);
  });

  it("draws tfjs's epoch/* against epoch/epoch on the run page too", async () => {
    await openWorkspace();
    const ids = await idsByName();
    await page.goto(`${ui.url}/#/r/team/ws/${ids.get("tfjs-fit")}?tab=charts`);
    await expect.poll(() => page.locator("[data-chart='epoch/loss']").getAttribute("data-x-label")).toBe("epoch/epoch");
    expect(await page.locator("[data-chart='batch/loss']").getAttribute("data-x-label")).toBe("step");
  });

  it("renders every plot.* kind as a chart, never the placeholder text", async () => {
    await openWorkspace();
    const ids = await idsByName();
    await page.goto(`${ui.url}/#/r/team/ws/${ids.get("plots")}?tab=media`);
    const charts = page.getByTestId("custom-chart");
    await expect.poll(() => charts.count()).toBe(8);
    const kinds = await charts.evaluateAll((els) => els.map((el) => el.getAttribute("data-chart-kind")).sort());
    expect(kinds).toEqual(["bar", "heatmap", "histogram", "xy", "xy", "xy", "xy", "xy"]);
    expect(await page.getByText("[custom-chart]").count()).toBe(0);
    expect(await page.locator(".custom-chart-svg rect").count()).toBe(3 + 8 + 9); // bars, histogram bins, confusion cells
    // Labels from the table are text: the <b> in a bar label is not markup.
    expect(await page.locator(".custom-chart-svg b").count()).toBe(0);
    expect(await page.getByRole("slider").count()).toBe(0); // each was logged at one step: no slider
    await shot("custom-charts-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => page.evaluate<string>("document.documentElement.dataset.theme")).toBe("dark");
    await shot("custom-charts-dark");
  });

  it("never scrolls the page sideways: runs table with every column at 1280 px, workspace and run page at 800 px", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(
      `${ui.url}/#/p/team/ws?cols=${encodeURIComponent("summary.train/loss,summary.train/acc,summary.val/loss,summary.acc,config.lr,config.batch,config.depth,summary.epoch/loss,summary.epoch/acc,summary.batch/loss")}`,
    );
    await page.getByTestId("runs-table").locator("tbody tr").first().waitFor();
    const sideways = () => page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 800, height: 900 });
    expect(await sideways()).toBeLessThanOrEqual(0);
    await openWorkspace();
    await page.getByTestId("workspace").locator(".chart").first().waitFor();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await shot("workspace-800");
  });

  it("labels the parallel coordinates' axes with values and a colour scale", async () => {
    await openWorkspace("n=20");
    const ids = [...(await idsByName())].filter(([name]) => name.startsWith("sweep-")).map(([, id]) => id);
    await page.goto(`${ui.url}/#/c/team/ws?runs=${ids.join(",")}&metric=train/loss`);
    const chart = page.getByTestId("parallel-coordinates");
    await expect.poll(() => chart.locator("polyline").count()).toBe(GROUPED_RUNS);
    const lrTicks = await chart.locator("[data-axis='config.lr'] .pc-tick text").allTextContents();
    expect(lrTicks.length).toBeGreaterThanOrEqual(3);
    expect(lrTicks.map(Number).every((v) => v >= 0.001 && v <= 0.012)).toBe(true);
    const batchTicks = (await chart.locator("[data-axis='config.batch'] .pc-tick text").allTextContents()).map(Number);
    expect(batchTicks.length).toBeGreaterThanOrEqual(3);
    expect(batchTicks.every((v) => v >= 16 && v <= 64)).toBe(true);
    expect(await chart.getByTestId("pc-colour-scale").count()).toBe(1);
  });
});

describe("dark mode", () => {
  it("follows prefers-color-scheme, and the toggle overrides it", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    await openWorkspace();
    const background = () => page.evaluate<string>("getComputedStyle(document.documentElement).backgroundColor");
    const theme = () => page.evaluate<string>("document.documentElement.dataset.theme");
    expect(await theme()).toBe("dark");
    expect(await background()).toBe("rgb(15, 19, 24)");
    await page.getByTestId("workspace").locator(".chart").first().waitFor();
    await shot("workspace-dark");
    await page.getByTestId("theme-toggle").click(); // auto → light
    expect(await theme()).toBe("light");
    expect(await background()).toBe("rgb(246, 247, 249)");
    await page.getByTestId("theme-toggle").click(); // light → dark
    expect(await theme()).toBe("dark");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await theme()).toBe("dark"); // a chosen theme wins over the system
    await page.getByTestId("theme-toggle").click(); // dark → auto: the system's light again
    expect(await theme()).toBe("light");
  });
});

describeMediaPanels({ page: () => page, url: () => ui.url, shot });

// Last in the file: it saves a layout that every workspace opened without parameters then takes.
describe("saved layouts", () => {
  it("saves the workspace for the project; opening the project without a link shows it", async () => {
    await openWorkspace("n=20&groupBy=group&smooth=ema%3A0.5&px.train%2Facc=_runtime");
    await expect.poll(() => linesIn("train/loss")).toBe(GROUPS);
    await page.getByTestId("save-layout").click();
    await expect.poll(() => page.getByTestId("layout-state").textContent()).toMatch(/^layout saved /);

    const fresh = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    fresh.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    try {
      await fresh.goto(`${ui.url}/#/w/team/ws`);
      await expect.poll(() => new URLSearchParams(fresh.url().split("?")[1] ?? "").get("groupBy")).toBe("group");
      const params = new URLSearchParams(fresh.url().split("?")[1]);
      expect([params.get("n"), params.get("smooth"), params.get("px.train/acc")]).toEqual(["20", "ema:0.5", "_runtime"]);
      await fresh.locator('[data-panel="train/acc"]').scrollIntoViewIfNeeded();
      await expect.poll(() => fresh.locator('[data-panel="train/acc"]').getAttribute("data-x-axis")).toBe("_runtime");
      await expect.poll(() => fresh.locator('[data-panel="train/loss"]').getAttribute("data-runs")).toBe(String(GROUPS));
      // A link with parameters wins over the saved layout.
      await fresh.goto(`${ui.url}/#/w/team/ws?n=5`);
      await fresh.reload();
      await expect.poll(() => fresh.getByTestId("visible-count").textContent()).toBe(`5 of ${TOTAL_RUNS} runs shown`);
    } finally {
      await fresh.close();
    }
  });
});
