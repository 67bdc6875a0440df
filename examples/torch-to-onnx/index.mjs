// PyTorch → ONNX → Runlog: train.py trains with Debian's python3-torch, logging through the bridge,
// exports the model to ONNX and logs it as a model artifact; an eval run here uses that model in
// onnxruntime-node, checks it against PyTorch's own outputs, logs the parsed graph, and links the
// model into the registry. The lineage graph shows train run → model → eval run.
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { startBridge } from "@runlog/bridge";
import { Api, init } from "@runlog/core";
import { createSession, evaluate, readOnnxFile, summarizeModel } from "@runlog/onnx";
import * as ort from "onnxruntime-node";

const python = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const out = await mkdtemp(join(tmpdir(), "torch-to-onnx-"));

// 1. Train in PyTorch, logging through a Runlog bridge hosted by this process (train.py uses `import runlog as wandb`).
const bridge = await startBridge({
  endpoint: `ipc://${join(out, "bridge.sock")}`,
  dir: resolve(process.env.RUNLOG_DIR ?? "./runlog"),
  log: () => {},
});
const child = spawn(python, [new URL("./train.py", import.meta.url).pathname, out], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, RUNLOG_BRIDGE: bridge.endpoint },
});
let last = "";
for await (const line of createInterface({ input: child.stdout })) last = line;
const code = await new Promise((resolve) => child.once("close", resolve));
await bridge.close();
if (code !== 0)
  throw new Error(`train.py failed (${code}); it needs Debian's python3-torch, python3-numpy, python3-zmq and python3-msgpack`);
const train = { path: JSON.parse(last).run };

// 2. Evaluate the ONNX export in Node against PyTorch's outputs, then promote it.
const evalRun = await init({ project: "torch-to-onnx", jobType: "eval", name: "onnx-eval" });
const downloaded = await evalRun.useModel("torch-mlp:candidate"); // the file itself for a one-file model
const modelPath = statSync(downloaded).isDirectory() ? join(downloaded, "model.onnx") : downloaded;
const session = await createSession(modelPath, { executionProviders: ["cuda", "cpu"] }); // no CUDA here: falls back to cpu and says so
const data = JSON.parse(readFileSync(join(out, "eval.json"), "utf8"));
const batches = [];
const reference = [];
for (let i = 0; i < data.inputs.length; i += 64) {
  const rows = data.inputs.slice(i, i + 64);
  batches.push({
    feeds: { input: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, data.features]) },
    labels: data.labels.slice(i, i + 64),
  });
  reference.push(Float32Array.from(data.torch_logits.slice(i, i + 64).flat()));
}
const result = await evaluate(session, batches, { output: "logits", reference, run: evalRun });
evalRun.summary.update({ model: summarizeModel(readOnnxFile(modelPath).model) }); // what the ONNX graph holds
await session.release();
if (result.maxAbsDiff > 1e-4 || result.top1Agreement < 1)
  throw new Error(`the ONNX export disagrees with PyTorch: ${JSON.stringify(result)}`);
await evalRun.linkModel(modelPath, "digits-classifier", { aliases: ["production"] });
await evalRun.finish();

const api = new Api();
const lineage = await api.lineage(evalRun.path);
api.close();
console.log(
  `ONNX vs PyTorch on ${result.samples} samples: accuracy ${(result.accuracy * 100).toFixed(1)} %, max |diff| ${result.maxAbsDiff.toExponential(2)}, top-1 agreement ${result.top1Agreement * 100} %`,
);
console.log(`lineage: ${lineage.edges.map((e) => `${e.from} → ${e.to}`).join(", ")}`);
console.log(`train run ${train.path}, eval run ${evalRun.path}; see them with: npx runlog ui`);
