// A training loop on a disk that fills up, used by pipeline/disk-full.test.ts.
// Usage: node disk-full.mjs <root> <scenario>; the parent writes "filled" / "freed" lines on stdin.
//   recover: logs until degraded, logs on, waits for "freed", logs until recovered, finishes.
//   still-full: logs until degraded, logs on, then finishes with the disk still full.
//   files: on a full disk, a live-saved file changes (its copy fails) and an artifact is logged.
import { createInterface } from "node:readline";
import { Html, init } from "@runlog/core";

const [root, scenario] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
const waiting = new Map();
lines.on("line", (line) => waiting.get(line)?.());
const heard = (word) => new Promise((resolve) => waiting.set(word, resolve));
const say = (line) => process.stdout.write(`${line}\n`);
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

const run = await init({
  dir: root,
  project: "test",
  entity: "tester",
  id: "full",
  settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.1, finishTimeout: Number(process.env.FINISH_TIMEOUT) },
});
const filled = heard("filled");
if (scenario === "files") {
  const { writeFileSync } = await import("node:fs");
  const source = `${process.env.SOURCE_DIR}/notes.txt`; // off the full disk: only the copies land on it
  writeFileSync(source, "first");
  await run.save(source, { policy: "live", basePath: process.env.SOURCE_DIR });
  say(`dir ${run.dir}`);
  await filled;
  const copied = heard("copy-failed");
  writeFileSync(source, Buffer.alloc(1 << 20, 1)); // 1 MiB: its copy cannot fit
  await copied;
  let logged = "logged";
  try {
    run.log({ page: new Html(`<p>${"x".repeat(200_000)}</p>`) }); // a media file the full disk cannot take
  } catch (error) {
    logged = error.code ?? String(error);
  }
  say(`media ${logged}`);
  let artifact = "logged";
  try {
    await run.logArtifact(source, { name: "notes", type: "dataset" });
  } catch (error) {
    artifact = error.code ?? String(error);
  }
  let report = { ok: true };
  try {
    await run.finish();
  } catch (error) {
    report = { code: error.code, message: error.message, details: error.details };
  }
  say(`artifact ${artifact}`);
  say(`report ${JSON.stringify(report)}`);
  lines.close();
} else {
  say(`dir ${run.dir}`);
  await filled;

  let step = 0;
  const logStep = () => {
    const row = { loss: 1 / (step + 1) };
    for (let k = 0; k < 16; k++) row[`m${k}`] = step * 16 + k;
    run.log(row);
    step++;
  };
  const logUntil = async (done) => {
    for (let i = 0; ; i++) {
      logStep();
      if (i % 20 === 0) {
        await pause();
        if (await done()) return;
      }
    }
  };
  const state = async () => (await run.status()).persistence?.state;

  await logUntil(async () => (await state()) === "degraded" || step > 200_000);
  say(`degraded ${step}`);
  const target = step + 3_000;
  await logUntil(async () => step >= target);
  if (scenario === "recover") {
    const freed = heard("freed");
    say("waiting");
    await freed;
    await logUntil(async () => (await state()) === "ok");
    say(`recovered ${step}`);
    const more = step + 2_000;
    await logUntil(async () => step >= more);
  }
  let report = { ok: true };
  try {
    await run.finish();
  } catch (error) {
    report = { code: error.code, message: error.message, details: error.details };
  }
  say(`logged ${step}`);
  say(`report ${JSON.stringify(report)}`);
  lines.close();
}
