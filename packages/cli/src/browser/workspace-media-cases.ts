import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";

/**
 * The workspace's media-side-by-side and histograms-over-time panels over `fillMediaProject`'s
 * runs. Registered by workspace.test.ts, so they share its `runlog ui` and its Chromium (and its
 * per-test page with the no-page-error check).
 */
export function describeMediaPanels(context: { page(): Page; url(): string; shot(name: string): Promise<void> }): void {
  const open = async () => {
    const page = context.page();
    await page.goto(`${context.url()}/#/w/team/media`);
    await page.getByTestId("runs-sidebar").locator("li[data-run-id]").first().waitFor();
    const items = page.getByTestId("runs-sidebar").locator("li[data-run-id]");
    const pairs = await items.evaluateAll((els) =>
      els.map((el) => [el.querySelector("a")?.textContent ?? "", el.getAttribute("data-run-id") ?? ""]),
    );
    return new Map(pairs as [string, string][]);
  };
  /** Each column of a media panel: the run it shows and the step it shows that run at ("" for nothing yet). */
  const columns = (key: string) =>
    context
      .page()
      .locator(`[data-media-panel="${key}"] .media-column`)
      .evaluateAll((els) => els.map((el) => [el.getAttribute("data-run-id"), el.getAttribute("data-step")]));

  describe("media and histogram panels", () => {
    it("shows each run's media side by side at the chosen step: the last it logged at or before it", async () => {
      const page = context.page();
      const ids = await open();
      const [a, b] = [ids.get("cam-a"), ids.get("cam-b")];
      const history: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/history")) history.push(request.url());
      });
      const images = page.locator('[data-section="samples"] [data-media-panel="samples/image"]');
      await images.scrollIntoViewIfNeeded();
      // Only runs that logged the key get a column; the newest step any of them logged is shown first.
      await expect
        .poll(() => columns("samples/image"))
        .toEqual([
          [b, "7"],
          [a, "8"],
        ]);
      expect(await images.getAttribute("data-step")).toBe("8");
      expect(await images.locator(".media-run-name").allTextContents()).toEqual(["cam-b", "cam-a"]);
      const img = images.locator("img");
      expect(await img.evaluateAll((els) => els.map((el) => el.getAttribute("loading")))).toEqual(["lazy", "lazy"]);
      await expect
        .poll(() => img.evaluateAll((els) => els.every((el) => (el as unknown as { naturalWidth: number }).naturalWidth === 8)))
        .toBe(true);
      // A caption is text, never markup.
      expect(await images.locator("figcaption b").count()).toBe(0);

      // One slider for the panel, over every step any run logged: 0 2 3 4 6 7 8.
      const slider = images.getByLabel("samples/image step");
      expect(await slider.getAttribute("max")).toBe("6");
      await slider.fill("3");
      await expect
        .poll(() => columns("samples/image"))
        .toEqual([
          [b, "3"],
          [a, "4"],
        ]);
      await slider.fill("0");
      await expect
        .poll(() => columns("samples/image"))
        .toEqual([
          [b, ""],
          [a, "0"],
        ]);
      expect(await images.locator(`[data-run-id="${b}"]`).textContent()).toContain("nothing logged by step 0");

      // Hovering fetches nothing; hiding and showing a run again keeps the step and asks for nothing.
      // (First the images the slider brought into view finish loading: those requests are the slider's.)
      await expect
        .poll(() =>
          images
            .locator("img")
            .evaluateAll((imgs) =>
              imgs.every(
                (img) =>
                  (img as unknown as { complete: boolean }).complete ||
                  img.getBoundingClientRect().top > (globalThis as unknown as { innerHeight: number }).innerHeight,
              ),
            ),
        )
        .toBe(true);
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      const box = (await images.locator(".media-grid").boundingBox()) as { x: number; y: number; width: number; height: number };
      for (let i = 0; i <= 10; i++) await page.mouse.move(box.x + (box.width * i) / 10, box.y + box.height / 2);
      // Panels further down load their histories as they come into view: counted from once that settles.
      let seen = -1;
      await expect
        .poll(
          () => {
            const settled = history.length === seen;
            seen = history.length;
            return settled;
          },
          { interval: 500 },
        )
        .toBe(true);
      const before = history.length;
      await page.getByLabel("show cam-b").uncheck();
      await expect.poll(() => columns("samples/image")).toEqual([[a, "0"]]);
      await page.getByLabel("show cam-b").check();
      await expect
        .poll(() => columns("samples/image"))
        .toEqual([
          [b, ""],
          [a, "0"],
        ]);
      // Nothing refetched or fetched for this panel; other panels of the section may load their own
      // history for the first time as the layout moves.
      const otherPanels = (url: string) => url.includes("/history?keys=") && !url.includes("samples%2Fimage");
      expect(history.slice(before).filter((url) => !otherPanels(url))).toEqual([]);
      expect(requests.filter((url) => !otherPanels(url))).toEqual([]);
    });

    it("shows audio as a player that loads when played, and logged HTML as a download, never run", async () => {
      const page = context.page();
      const ids = await open();
      const audio = page.locator('[data-media-panel="samples/audio"]');
      await audio.scrollIntoViewIfNeeded();
      await expect.poll(() => columns("samples/audio")).toEqual([[ids.get("cam-b"), "5"]]);
      expect(await audio.locator("audio").getAttribute("preload")).toBe("none");
      const report = page.locator('[data-media-panel="samples/report"]');
      await report.scrollIntoViewIfNeeded();
      await expect.poll(() => report.locator("a[download]").count()).toBe(1);
      expect(await report.locator("iframe").count()).toBe(0);
      expect(await page.evaluate("window.__xss")).toBeUndefined();
    });

    it("draws each run's histograms over time as a heatmap on shared axes, readable in light and dark", async () => {
      const page = context.page();
      const ids = await open();
      const panel = page.locator('[data-histogram-panel="dist/weights"]');
      await panel.scrollIntoViewIfNeeded();
      await expect.poll(() => panel.getAttribute("data-runs")).toBe("2");
      const strips = await panel
        .locator(".heat-strip")
        .evaluateAll((els) => els.map((el) => [el.getAttribute("data-run-id"), el.getAttribute("data-steps")]));
      expect(strips).toEqual([
        [ids.get("cam-b"), "4"],
        [ids.get("cam-a"), "10"],
      ]);
      expect(await panel.locator(".axis-x").textContent()).toBe("step 0step 9");
      // Every step's peak is drawn in the ramp's last colour: dark blue on the light page, yellow on the dark one.
      const peakPixels = (rgb: [number, number, number]) =>
        page.evaluate(`(() => {
          const canvases = [...document.querySelectorAll('[data-histogram-panel="dist/weights"] canvas')];
          const [r, g, b] = ${JSON.stringify(rgb)};
          return canvases.map((canvas) => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let count = 0;
            for (let i = 0; i < data.length; i += 4)
              if (Math.abs(data[i] - r) <= 6 && Math.abs(data[i + 1] - g) <= 6 && Math.abs(data[i + 2] - b) <= 6 && data[i + 3] > 200) count++;
            return count;
          });
        })()`) as Promise<number[]>;
      await expect.poll(async () => (await peakPixels([8, 48, 107])).every((n) => n > 20)).toBe(true);
      await context.shot("media-panels-light");
      await page.emulateMedia({ colorScheme: "dark" });
      await expect.poll(async () => (await peakPixels([253, 231, 37])).every((n) => n > 20)).toBe(true);
      expect((await peakPixels([8, 48, 107])).every((n) => n === 0)).toBe(true);
      await page.locator('[data-media-panel="samples/image"] img').first().waitFor();
      await context.shot("media-panels-dark");
    });
  });
}
