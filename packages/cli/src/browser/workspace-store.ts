import { init, plot, type Run, Table } from "@runlog/core";

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
