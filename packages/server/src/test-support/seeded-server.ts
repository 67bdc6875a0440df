import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Artifact, init } from "@runlog/core";
import { versionIdOf } from "@runlog/test-support/artifact-ids";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import type { RunlogServer } from "../index.js";

/** Keys and data of two entities on one server, for security tests. */
export interface SeededServer {
  readonly server: RunlogServer;
  readonly keys: { labWrite: string; labRead: string; otherWrite: string; otherRead: string };
  /** Both entities have a run with this id, each with a `notes.txt` of its own. */
  readonly runId: string;
  /** SHA-256 of each entity's artifact file (`secret.txt`), and lab's artifact version id. */
  readonly objects: { lab: string; other: string };
  readonly labVersionId: number;
  readonly notes: { lab: string; other: string };
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function seedEntity(server: RunlogServer, entity: string, key: string, runId: string, secret: string) {
  const dir = tempRoot();
  const run = await init({ dir, mode: "online", baseUrl: server.url, apiKey: key, entity, project: "p", id: runId, settings: QUIET });
  for (let step = 0; step < 20; step++) run.log({ loss: step / 10 });
  const notes = join(dir, "notes.txt");
  writeFileSync(notes, `${entity} notes`);
  await run.save(notes, { basePath: dir });
  const file = join(dir, "secret.txt");
  writeFileSync(file, secret);
  const artifact = new Artifact("data", "dataset");
  artifact.addFile(file);
  const logged = await run.logArtifact(artifact);
  await run.finish();
  return { notes: `${entity} notes`, versionId: versionIdOf(logged) ?? -1 };
}

/**
 * A server (of the kind `start` makes, keys required, limiters off unless asked) where entities
 * "lab" and "other" each logged a run with the same id, a saved file and an artifact.
 */
export async function seededServer(start: (options?: object) => Promise<RunlogServer>, options: object = {}): Promise<SeededServer> {
  const server = await start({ requireKeys: true, rateLimit: 0, authFailureRate: 0, ...options });
  const create = async (entity: string, scope: "read" | "write") => (await server.store.keys.create({ entity, scope })).key;
  const keys = {
    labWrite: await create("lab", "write"),
    labRead: await create("lab", "read"),
    otherWrite: await create("other", "write"),
    otherRead: await create("other", "read"),
  };
  const runId = "shared";
  const lab = await seedEntity(server, "lab", keys.labWrite, runId, "lab secret");
  const other = await seedEntity(server, "other", keys.otherWrite, runId, "other secret");
  return {
    server,
    keys,
    runId,
    objects: { lab: sha256("lab secret"), other: sha256("other secret") },
    labVersionId: lab.versionId,
    notes: { lab: lab.notes, other: other.notes },
  };
}
