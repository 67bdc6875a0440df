import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_BIN, exited, onLines, run, spawnChild } from "../test-support/child-process.js";
import { seededRandom } from "../test-support/seeded-random.js";
import { tempRoot } from "../test-support/temp-root.js";
import { ArtifactRegistry } from "./artifact-registry.js";

const ROUNDS = 5;
const FILES = 24;
const KILLS = 8;
const RUN_ID = "killpts1";

interface Expected {
  readonly sha256: string;
  readonly md5: string;
  readonly size: number;
}

/**
 * One folder per round of FILES files: mostly small (read in one go), one over 8 MiB (the streaming
 * copy), and one identical in every round (already stored: not written again).
 */
function writeRounds(dir: string, random: () => number): Map<number, Map<string, Expected>> {
  const rounds = new Map<number, Map<string, Expected>>();
  for (let round = 0; round < ROUNDS; round++) {
    const folder = join(dir, `round-${round}`);
    mkdirSync(folder, { recursive: true });
    const files = new Map<string, Expected>();
    for (let i = 0; i < FILES; i++) {
      const size = i === 0 ? 9 * 1024 * 1024 : 4 + Math.floor(random() * 300_000);
      const data = i === 1 ? Buffer.from("the same in every round\n") : Buffer.alloc(size);
      if (i !== 1) for (let at = 0; at < size; at += 4) data.writeUInt32LE((random() * 0x1_0000_0000) >>> 0, Math.min(at, size - 4));
      const name = `part-${String(i).padStart(2, "0")}.bin`;
      writeFileSync(join(folder, name), data);
      files.set(name, {
        sha256: createHash("sha256").update(data).digest("hex"),
        md5: createHash("md5").update(data).digest("base64"),
        size: data.length,
      });
    }
    rounds.set(round, files);
  }
  return rounds;
}

function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Every object under its content address holds exactly that content (never half an object). */
function checkObjects(root: string, context: string): void {
  const objects = join(root, "artifacts", "objects", "sha256");
  if (!existsSync(objects)) return;
  for (const shard of readdirSync(objects)) {
    for (const rest of readdirSync(join(objects, shard))) {
      expect(sha256Of(join(objects, shard, rest)), `${context}: object ${shard}${rest} does not hold its content`).toBe(`${shard}${rest}`);
    }
  }
}

/** Every listed version is one round's files, each present in the store with the right digests. */
function checkVersions(root: string, rounds: Map<number, Map<string, Expected>>, context: string): Set<number> {
  const registry = new ArtifactRegistry(join(root, "runlog.db"));
  const committed = new Set<number>();
  try {
    for (const version of registry.versions({ entity: "tester", project: "test", name: "rounds" })) {
      const entries = Object.entries(version.manifest.contents);
      const round = [...rounds].find(([, files]) => files.get(entries[0]?.[0] ?? "")?.sha256 === entries[0]?.[1].extra?.sha256)?.[0];
      expect(round, `${context}: v${version.versionIndex} matches no round`).toBeDefined();
      const files = rounds.get(round as number) as Map<string, Expected>;
      expect(entries.map(([path]) => path).sort(), `${context}: v${version.versionIndex} lists other files`).toEqual(
        [...files.keys()].sort(),
      );
      for (const [path, entry] of entries) {
        const want = files.get(path) as Expected;
        expect(
          { sha256: entry.extra?.sha256, md5: entry.digest, size: entry.size },
          `${context}: v${version.versionIndex} ${path}`,
        ).toEqual(want);
        const object = join(root, "artifacts", "objects", "sha256", want.sha256.slice(0, 2), want.sha256.slice(2));
        expect(existsSync(object) && sha256Of(object), `${context}: v${version.versionIndex} ${path} is not in the store`).toBe(
          want.sha256,
        );
      }
      committed.add(round as number);
    }
  } finally {
    registry.close();
  }
  return committed;
}

async function doctorIsClean(root: string, context: string): Promise<void> {
  const doctor = await run(process.execPath, [CLI_BIN, "doctor", "--dir", root, "--json"]);
  expect(doctor.code, `${context}: runlog doctor: ${doctor.stdout}${doctor.stderr}`).toBe(0);
}

/** Starts the child at `firstRound`; kills it (SIGKILL) when it prints `killAt`. Resolves with the round it was in. */
async function killWhen(root: string, data: string, firstRound: number, killAt: string, context: string): Promise<number> {
  const child = spawnChild("artifact-rounds", root, RUN_ID, "allow", { ROUNDS_DIR: data, FIRST_ROUND: String(firstRound) });
  const done = exited(child);
  let round = firstRound;
  onLines(child, (line) => {
    if (line.startsWith("start ")) round = Number(line.slice(6));
    if (line === killAt) child.kill("SIGKILL");
  });
  const result = await done;
  expect(result.signal, `${context}: the child ended before "${killAt}" (code ${result.code}): ${result.stderr}`).toBe("SIGKILL");
  return round;
}

describe("kill -9 at seeded points of run.logArtifact (multi-file artifact, real child process)", () => {
  it(`${KILLS} kills: no version without all its objects, no half object, resume logs it again, doctor clean`, async () => {
    const seed = Number(process.env.RUNLOG_KILL_SEED ?? Math.floor(Math.random() * 1_000_000));
    const random = seededRandom(seed);
    const root = tempRoot();
    const data = join(tempRoot(), "rounds");
    const rounds = writeRounds(data, random);
    let round = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      // A moment of this round or the next: its start, after its k-th file is stored, or its commit.
      const target = Math.min(ROUNDS - 1, round + (random() < 0.5 ? 0 : 1));
      const event = Math.floor(random() * (FILES + 2));
      const killAt = event === 0 ? `start ${target}` : event <= FILES ? `file ${target} ${event}` : `committed ${target} v${target}`;
      const context = `seed ${seed} (RUNLOG_KILL_SEED=${seed} to repeat), kill ${kill} at "${killAt}"`;
      round = await killWhen(root, data, round, killAt, context);
      checkObjects(root, context);
      checkVersions(root, rounds, context);
      await doctorIsClean(root, context);
    }
    // Resumed once more, the run logs the round it was killed in (and the rest) and finishes.
    const last = spawnChild("artifact-rounds", root, RUN_ID, "allow", { ROUNDS_DIR: data, FIRST_ROUND: String(round) });
    const result = await exited(last);
    expect(result.code, `seed ${seed}: the resumed run failed: ${result.stderr}`).toBe(0);
    checkObjects(root, `seed ${seed}, after the last run`);
    const all = checkVersions(root, rounds, `seed ${seed}, after the last run`);
    for (let r = round; r < ROUNDS; r++) expect(all.has(r), `seed ${seed}: round ${r} was not logged`).toBe(true);
    await doctorIsClean(root, `seed ${seed}, after the last run`);
  }, 240_000);
});
