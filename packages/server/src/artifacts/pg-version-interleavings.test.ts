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
// duplicate, no gap, on a new collection and on one that already holds v0.

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
