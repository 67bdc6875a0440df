import { Audio, Histogram, Html, Image, init, plot, type Run, Table } from "@runlog/core";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
export const WORKSPACE_PROJECT = { entity: "team", project: "ws" } as const;
/** Sweep runs in three groups (`g0`..`g2`), 300 steps each, logged with a seeded-looking formula (no randomness). */
export const GROUPED_RUNS = 12;
export const GROUPS = 3;

async function open(root: string, name: string, extra: Record<string, unknown> = {}): Promise<Run> {
  return init({ ...WORKSPACE_PROJECT, dir: root, name, reinit: "create_new", settings: QUIET, ...extra });
}

/**
 * A store for the workspace tests, of real runs: grouped sweep runs, a tfjs-style run whose `epoch/*`
 * keys have `epoch/epoch` as step metric, a run whose metric has a defineMetric summary (`{ max }`),
 * a one-point run, and a run that logged every `plot.*` kind.
 */
export async function fillWorkspaceStore(root: string): Promise<void> {
  for (let i = 0; i < GROUPED_RUNS; i++) {
    const lr = 0.001 * (i + 1);
    const run = await open(root, `sweep-${String(i).padStart(2, "0")}`, {
      group: `g${i % GROUPS}`,
      config: { lr, batch: 16 << (i % 3), depth: 2 + (i % 4) },
    });
    for (let step = 0; step < 300; step++) {
      const loss = 1 / (1 + step * lr * (1 + (i % GROUPS))) + 0.01 * i;
      const row: Record<string, unknown> = { "train/loss": loss, "train/acc": 1 - loss / 2 };
      if (step % 10 === 9) row["val/loss"] = loss * 1.1;
      run.log(row);
    }
    await run.finish();
  }

  // As runlogCallback logs a tfjs fit: epoch/* against epoch/epoch, batch/* against the step.
  const tfjs = await open(root, "tfjs-fit");
  tfjs.defineMetric("epoch/epoch");
  tfjs.defineMetric("epoch/*", { stepMetric: "epoch/epoch" });
  for (let epoch = 0; epoch < 5; epoch++) {
    for (let batch = 0; batch < 20; batch++) tfjs.log({ "batch/loss": 2 / (1 + epoch * 20 + batch) });
    tfjs.log({ "epoch/epoch": epoch, "epoch/loss": 1 / (epoch + 1), "epoch/acc": epoch / 5 });
  }
  await tfjs.finish();

  const summarised = await open(root, "best-acc");
  summarised.defineMetric("acc", { summary: "max" });
  for (let step = 0; step < 50; step++) summarised.log({ acc: Math.sin(step / 10) });
  await summarised.finish();

  const short = await open(root, "one-point");
  short.log({ "short/metric": 0.75 });
  await short.finish();

  const plots = await open(root, "plots");
  const xy = new Table({ columns: ["x", "y"], data: Array.from({ length: 20 }, (_, i) => [i, i * i]) });
  const bars = new Table({
    columns: ["label", "value"],
    data: [
      ["cat", 3],
      ["dog", 5],
      ["<b>bird</b>", 2],
    ],
  });
  const scores = Array.from({ length: 40 }, (_, i) => ((i * 37) % 40) / 40);
  const truth = scores.map((s, i) => (s + ((i * 13) % 7) / 20 > 0.6 ? 1 : 0));
  plots.log({
    "plots/line": plot.line(xy, "x", "y", { title: "line" }),
    "plots/scatter": plot.scatter(xy, "x", "y", { title: "scatter" }),
    "plots/bar": plot.bar(bars, "label", "value", { title: "bar" }),
    "plots/histogram": plot.histogram(xy, "y", { title: "histogram", bins: 8 }),
    "plots/lines": plot.lineSeries(
      [0, 1, 2, 3],
      [
        [1, 2, 3, 4],
        [4, 3, 2, 1],
      ],
      { keys: ["up", "down"], title: "line series" },
    ),
    "plots/pr": plot.prCurve(truth, scores, { title: "pr" }),
    "plots/roc": plot.rocCurve(truth, scores, { title: "roc" }),
    "plots/confusion": plot.confusionMatrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 1], { classNames: ["a", "b", "c"] }),
  });
  await plots.finish();
}

/** The project of the media and histogram panels (a project of its own: the workspace tests above count their runs). */
export const MEDIA_PROJECT = { entity: "team", project: "media" } as const;

/**
 * Real runs that logged media and histograms at different steps: `cam-a` an image every 2 steps
 * (0, 2, …, 8) and a histogram every step (0..9); `cam-b` an image at steps 3 and 7, a histogram
 * every 3 steps (0, 3, 6, 9), audio at step 5 and HTML at step 9; `scalars-only` neither.
 */
export async function fillMediaProject(root: string): Promise<void> {
  const a = await init({ ...MEDIA_PROJECT, dir: root, name: "cam-a", reinit: "create_new", settings: QUIET });
  for (let step = 0; step < 10; step++) {
    const row: Record<string, unknown> = {
      "train/loss": 1 / (step + 1),
      "dist/weights": new Histogram(Array.from({ length: 400 }, (_, i) => Math.sin(i) * (1 + step / 3))),
    };
    if (step % 2 === 0) {
      const pixels = new Uint8Array(8 * 8 * 3).map((_, i) => (i * 11 + step * 25) % 256);
      row["samples/image"] = new Image(pixels, { shape: [8, 8, 3], caption: `a at ${step} <b>bold</b>` });
    }
    a.log(row);
  }
  await a.finish();

  const b = await init({ ...MEDIA_PROJECT, dir: root, name: "cam-b", reinit: "create_new", settings: QUIET });
  for (let step = 0; step < 10; step++) {
    const row: Record<string, unknown> = { "train/loss": 2 / (step + 1) };
    if (step % 3 === 0) row["dist/weights"] = new Histogram(Array.from({ length: 400 }, (_, i) => 2 + Math.cos(i) * (step + 1)));
    if (step === 3 || step === 7) {
      const pixels = new Uint8Array(8 * 8 * 3).map((_, i) => (i * 5 + step * 30) % 256);
      row["samples/image"] = new Image(pixels, { shape: [8, 8, 3], caption: `b at ${step}` });
    }
    if (step === 5)
      row["samples/audio"] = new Audio(
        Float32Array.from({ length: 800 }, (_, i) => Math.sin(i / 4)),
        { sampleRate: 8000 },
      );
    if (step === 9) row["samples/report"] = new Html("<h1>report</h1><script>parent.window.__xss='grid'</script>");
    b.log(row);
  }
  await b.finish();

  const scalars = await init({ ...MEDIA_PROJECT, dir: root, name: "scalars-only", reinit: "create_new", settings: QUIET });
  for (let step = 0; step < 10; step++) scalars.log({ "train/loss": 3 / (step + 1) });
  await scalars.finish();
}
