import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AIMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { Artifact, Histogram, Html, Image, init, type Run, Table } from "@runlog/core";
import { RunlogTracer } from "@runlog/langchain";

/** Markup that would run script if the dashboard ever rendered user text as HTML. Each sets window.__xss. */
export const XSS = {
  name: `<img src=x onerror="window.__xss='name'">`,
  notes: [
    "**bold notes**",
    "<script>window.__xss='notes-script'</script>",
    `<img src=x onerror="window.__xss='notes-img'">`,
    "[link](javascript:window.__xss='notes-link')",
    "![remote image](http://x/y) ![local image](/img-x)",
    "<video src=/video-x></video> <iframe src=/frame-x></iframe> <svg><image href=/svg-x /></svg>",
    `<div style="background:url(/css-x)">styled</div> <a href=/relative-x ping=/ping-x>ping</a>`,
    "[a safe link](https://example.com/safe)",
  ].join("\n\n"),
  config: `<svg onload="window.__xss='config'">`,
  tag: `<b onmouseover="window.__xss='tag'">t</b>`,
  traceInput: `<img src=x onerror="window.__xss='trace'">`,
};

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
export const SWEEP_RUNS = 6;
export const SWEEP_STEPS = 2000;

async function sweepRun(root: string, index: number): Promise<Run> {
  const lr = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003][index] as number;
  const run = await init({
    project: "vision",
    entity: "team",
    dir: root,
    name: `resnet-${String.fromCharCode(97 + index)}`,
    group: index < 3 ? "sweep-1" : "sweep-2",
    tags: index % 2 === 0 ? ["baseline"] : ["tuned"],
    config: { lr, batch: 32 * (1 + (index % 3)), optimizer: { name: index % 2 === 0 ? "adam" : "sgd" } },
    reinit: "create_new",
    settings: QUIET,
  });
  for (let step = 0; step < SWEEP_STEPS; step++) {
    const loss = (1 / (1 + step * lr)) * (1 + 0.05 * Math.sin(step / 7));
    const row: Record<string, unknown> = { "train/loss": loss, "train/acc": 1 - loss / 2 };
    if (step % 100 === 99) row["val/loss"] = loss * 1.1;
    run.log(row);
  }
  return run;
}

/** The "media" run: images, histograms, html, a table, alerts, console output, a saved file, a file in run.dir and an artifact. */
async function mediaRun(root: string): Promise<Run> {
  const run = await init({
    project: "vision",
    entity: "team",
    dir: root,
    name: "media",
    reinit: "create_new",
    settings: { quiet: true, disableStats: true },
  });
  for (let step = 0; step < 5; step++) {
    const pixels = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 7 + step * 40) % 256);
    run.log({
      "train/loss": 1 / (step + 1),
      examples: new Image(pixels, { shape: [16, 16, 3], caption: `step ${step} <i>caption</i>` }),
      weights: new Histogram(Array.from({ length: 500 }, (_, i) => Math.sin(i) * (step + 1))),
    });
    process.stdout.write(`epoch ${step} loss=${(1 / (step + 1)).toFixed(3)}\n`); // captured into output.log
  }
  run.log({
    report: new Html(`<h1>report</h1><script>parent.window.__xss='html'</script>`),
    predictions: new Table({
      columns: ["id", "label"],
      data: [
        [1, "<b>cat</b>"],
        [2, "dog"],
      ],
    }),
  });
  await run.alert({ title: "loss spike", text: "train/loss went above 10", level: "WARN" });
  const dataFile = join(root, "labels.csv");
  writeFileSync(dataFile, "id,label\n1,cat\n2,dog\n");
  writeFileSync(join(run.dir, "eval-report.txt"), "accuracy 0.9\n"); // written into run.dir, not saved: the files tab lists it too
  await run.save(dataFile, { basePath: root, policy: "now" });
  const dataset = new Artifact("digits", "dataset");
  await dataset.addFile(dataFile);
  await run.logArtifact(dataset);
  return run;
}

/** The "llm" run: LangChain calls traced by the real RunlogTracer, one with an XSS payload in its inputs, one failing. */
async function llmRun(root: string): Promise<void> {
  const run = await init({
    project: "vision",
    entity: "team",
    dir: root,
    name: "llm",
    jobType: "inference",
    reinit: "create_new",
    settings: QUIET,
  });
  const tracer = new RunlogTracer({ run });
  const model = fakeModel()
    .respond(new AIMessage({ content: "Paris", usage_metadata: { input_tokens: 11, output_tokens: 2, total_tokens: 13 } }))
    .respond(new AIMessage({ content: "unused" }));
  const chain = ChatPromptTemplate.fromMessages([["human", "Answer: {question}"]])
    .pipe(model)
    .pipe(new StringOutputParser());
  await chain.invoke({ question: XSS.traceInput }, { callbacks: [tracer] });
  const failing = RunnableLambda.from(() => {
    throw new Error("tool exploded");
  }).withConfig({ runName: "broken-tool" });
  await failing.invoke("x", { callbacks: [tracer] }).catch(() => undefined);
  await run.finish();
}

/**
 * Fills `root` with real runs for the dashboard tests and demos: a 6-run sweep, a media run whose
 * artifact is used by an eval run (lineage), a LangChain-traced run, and a run whose name, notes,
 * config and tags are XSS payloads.
 */
export async function fillDemoStore(root: string): Promise<void> {
  for (let i = 0; i < SWEEP_RUNS; i++) await (await sweepRun(root, i)).finish();
  await (await mediaRun(root)).finish();
  const evaluation = await init({
    project: "vision",
    entity: "team",
    dir: root,
    name: "eval",
    jobType: "eval",
    reinit: "create_new",
    settings: QUIET,
  });
  await evaluation.useArtifact("digits:latest");
  evaluation.log({ "eval/acc": 0.9 });
  await evaluation.finish();
  await llmRun(root);
  const hostile = await init({
    project: "vision",
    entity: "team",
    dir: root,
    name: XSS.name,
    notes: XSS.notes,
    tags: [XSS.tag],
    config: { payload: XSS.config },
    reinit: "create_new",
    settings: QUIET,
  });
  hostile.log({ "train/loss": 1 });
  await hostile.finish();
}
