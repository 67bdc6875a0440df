// A child process that logs to a run, used by the crash, concurrency and exit tests.
// Usage: node child-run.mjs <scenario> <root> <runId> [resume]
import { init } from "@runlog/core";

const [scenario, root, id, resume] = process.argv.slice(2);
const run = await init({
  dir: root,
  project: "test",
  entity: "tester",
  id,
  ...(resume ? { resume } : {}),
  settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.2, crashTimeout: 1 },
});
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

const scenarios = {
  // Logs forever; prints "<step> <unix ms>" so the parent knows what was logged when.
  "until-killed": async () => {
    process.stdout.write(`started ${run.step}\n`);
    for (let i = run.step; ; i++) {
      run.log({ i, loss: 1 / (i + 1) });
      if (i % 10 === 0) process.stdout.write(`${i} ${Date.now()}\n`);
      if (i % 50 === 0) await pause();
    }
  },
  // 10,000 steps × 10 scalars = 100,000 points.
  "many-points": async () => {
    for (let i = 0; i < 10_000; i++) {
      const row = {};
      for (let k = 0; k < 10; k++) row[`m${k}`] = i * 10 + k;
      run.log(row);
      if (i % 1000 === 0) await pause();
    }
    await run.finish();
  },
  "wait-for-signal": async () => {
    for (let i = 0; i < 100; i++) run.log({ i });
    process.stdout.write("ready\n");
    setInterval(() => run.log({ tick: Date.now() }), 10);
  },
  "process-exit": async () => {
    for (let i = 0; i < 1000; i++) run.log({ i });
    process.exit(0);
  },
  throw: async () => {
    for (let i = 0; i < 1000; i++) run.log({ i });
    throw new Error("training blew up");
  },
  // Adds process.env.SHARD_FILE to the distributed artifact "shards" (distributedId "job-7").
  upsert: async () => {
    await run.upsertArtifact(process.env.SHARD_FILE, { name: "shards", type: "dataset", distributedId: "job-7" });
    await run.finish();
  },
  // Logs a large artifact forever (new content each time); the parent kills it mid-copy.
  "artifact-until-killed": async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const dir = process.env.DATA_DIR;
    mkdirSync(dir, { recursive: true });
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < 64; i++) writeFileSync(`${dir}/part-${i}.bin`, block.fill(i));
    process.stdout.write("ready\n");
    for (let round = 0; ; round++) {
      // New content in every file, so each round copies 64 MB and the kill lands mid-copy.
      for (let i = 0; i < 64; i++) writeFileSync(`${dir}/part-${i}.bin`, block.fill((round * 64 + i) % 256));
      writeFileSync(`${dir}/round.txt`, String(round));
      const logged = await run.logArtifact(dir, { name: "big", type: "dataset" });
      process.stdout.write(`committed ${logged.version}\n`);
    }
  },
  // Logs the multi-file artifact of each folder ROUNDS_DIR/round-<n> in turn (n from FIRST_ROUND),
  // printing its progress ("start n", "file n k", "committed n vN") so the parent can kill it at a
  // chosen point of logArtifact; finishes the run after the last round.
  "artifact-rounds": async () => {
    const { readdirSync } = await import("node:fs");
    const { Artifact } = await import("@runlog/core");
    const dir = process.env.ROUNDS_DIR;
    const rounds = readdirSync(dir).length;
    for (let round = Number(process.env.FIRST_ROUND ?? 0); round < rounds; round++) {
      const artifact = new Artifact("rounds", "dataset");
      for (const name of readdirSync(`${dir}/round-${round}`).sort()) artifact.addFile(`${dir}/round-${round}/${name}`);
      process.stdout.write(`start ${round}\n`);
      const onProgress = (progress) => process.stdout.write(`file ${round} ${progress.filesDone}\n`);
      const logged = await run.logArtifact(artifact, { onProgress });
      await logged.wait();
      process.stdout.write(`committed ${round} ${logged.version}\n`);
    }
    await run.finish();
  },
  "forget-finish": async () => {
    for (let i = 0; i < 1000; i++) run.log({ i });
  },
};

const scenarioFn = scenarios[scenario];
if (scenarioFn === undefined) throw new Error(`unknown scenario ${scenario}`);
await scenarioFn();
