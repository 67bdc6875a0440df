import { LocalObjectStore } from "@runlog/core/store-kit";
import { commitRequest } from "@runlog/test-support/commit-requests";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPostgres } from "../dev/local-postgres.js";
import { type PgInstances, pgInstances, startCluster } from "../test-support/pg-instances.js";
import { PgArtifactRegistry, type PgCommitStep } from "./pg-artifact-registry.js";

// Two server instances numbering versions of one artifact in one PostgreSQL database. At each
// critical step of one commit (collection row locked; next index read and row inserted), the other
// instance commits too: PostgreSQL must make it wait for the lock (seen in pg_stat_activity, not
// guessed from timing), and afterwards the versions are the first's then the second's, no
// duplicate, no gap, on a new collection and on one that already holds v0. Distributed drafts:
// at a finish's commit (its draft taken), the other instance's upsert or finish of the same draft
// waits; the upsert then lands whole in the next draft, the finish finds nothing left.

let postgres: TestPostgres;
let databases = 0;
const open: PgInstances[] = [];
beforeAll(async () => {
  postgres = await startCluster();
});
afterAll(async () => {
  for (const instances of open.splice(0)) await instances.close();
  await postgres?.stop();
});

const STEPS: PgCommitStep[] = ["locked", "inserted"];

describe("PostgreSQL registry version numbering across two instances", () => {
  for (const [first, second] of [
    ["A", "B"],
    ["B", "A"],
  ] as const) {
    for (const [step, before] of STEPS.flatMap((s) => [[s, 0] as const, [s, 1] as const])) {
      it(`${second} committing at ${first}'s "${step}" step (${before} version before) waits for ${first}'s commit`, async () => {
        const instances = await pgInstances(postgres, `versions_${++databases}`);
        open.push(instances);
        const objects = new LocalObjectStore(tempRoot());
        if (before === 1) await new PgArtifactRegistry(instances.pools.A, objects).commit(commitRequest("seed-digest"));
        let secondCommit: Promise<{ version: { versionIndex: number } }> | undefined;
        let secondSettled = false;
        const registries = {
          A: undefined as PgArtifactRegistry | undefined,
          B: undefined as PgArtifactRegistry | undefined,
        };
        for (const name of ["A", "B"] as const) {
          registries[name] = new PgArtifactRegistry(instances.pools[name], objects, {
            onStep: async (at) => {
              if (name !== first || at !== step || secondCommit !== undefined) return;
              secondCommit = (registries[second] as PgArtifactRegistry).commit(commitRequest(`${second}-digest`)).finally(() => {
                secondSettled = true;
              });
              await instances.waitingOnLock(second, () => secondSettled);
            },
          });
        }
        const firstCommit = await (registries[first] as PgArtifactRegistry).commit(commitRequest(`${first}-digest`));
        const secondResult = await (secondCommit as NonNullable<typeof secondCommit>);
        expect([firstCommit.version.versionIndex, secondResult.version.versionIndex]).toEqual([before, before + 1]);
        const { rows } = await instances.admin.query<{ version_index: number; digest: string }>(
          "SELECT version_index, digest FROM artifact_versions ORDER BY version_index",
        );
        expect(rows.map((r) => [r.version_index, r.digest])).toEqual([
          ...(before === 1 ? [[0, "seed-digest"]] : []),
          [before, `${first}-digest`],
          [before + 1, `${second}-digest`],
        ]);
        const latest = await (registries.A as PgArtifactRegistry).resolve(
          { entity: "lab", project: "models", name: "mlp" },
          "latest",
          undefined,
        );
        expect(latest.digest).toBe(`${second}-digest`);
      });
    }
  }
});

describe("PostgreSQL distributed drafts across two instances", () => {
  const ref = { entity: "lab", project: "models", name: "shards" };
  const entry = (n: number) => ({ digest: `d${n}`, size: n, ref: `s3://bucket/part-${n}` });
  const finishRequest = {
    ...ref,
    type: "dataset",
    description: undefined,
    metadata: {},
    tags: [],
    aliases: [],
    runPath: "lab/models/finisher",
  };
  for (const other of ["upsert", "finish"] as const) {
    it(`B's ${other} at A's finish (draft taken, collection locked) waits, then ${other === "upsert" ? "starts the next draft" : "finds nothing to commit"}`, async () => {
      const instances = await pgInstances(postgres, `drafts_${++databases}`);
      open.push(instances);
      const objects = new LocalObjectStore(tempRoot());
      const b = new PgArtifactRegistry(instances.pools.B, objects);
      await b.upsertDraft(ref, "g", "dataset", { "a.txt": entry(1), "b.txt": entry(2) });
      let second: Promise<unknown> | undefined;
      let settled = false;
      const a = new PgArtifactRegistry(instances.pools.A, objects, {
        onStep: async (at) => {
          if (at !== "locked" || second !== undefined) return;
          second = (other === "upsert" ? b.upsertDraft(ref, "g", "dataset", { "c.txt": entry(3) }) : b.finishDraft(finishRequest, "g", {}))
            .then(
              (value) => value,
              (error: unknown) => error,
            )
            .finally(() => {
              settled = true;
            });
          await instances.waitingOnLock("B", () => settled);
        },
      });
      const sealed = await a.finishDraft(finishRequest, "g", {});
      expect(Object.keys(sealed.version.manifest.contents).sort()).toEqual(["a.txt", "b.txt"]);
      const outcome = await second;
      if (other === "finish") {
        expect(outcome).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/nothing was upserted/) });
        expect((await instances.admin.query("SELECT * FROM artifact_versions")).rows).toHaveLength(1);
      } else {
        const next = await a.finishDraft(finishRequest, "g", {});
        expect([next.version.versionIndex, Object.keys(next.version.manifest.contents)]).toEqual([1, ["c.txt"]]);
      }
      expect((await instances.admin.query("SELECT * FROM artifact_drafts")).rows).toEqual([]);
    });
  }
});
