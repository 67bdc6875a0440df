import { join } from "node:path";
import { commitRequest } from "@runlog/test-support/commit-requests";
import { afterEach, describe, expect, it } from "vitest";
import { DB_FILE } from "../../store/sqlite/database.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { ArtifactRegistry, type CommitStep } from "../artifact-registry.js";

// Two writers numbering versions of one artifact on two connections to one runlog.db. At each
// critical step of one commit (lock taken, next index read, row inserted), the other tries to
// commit without waiting: it must be refused while the first holds the lock, and afterwards the
// versions are the first writer's then the second's, numbered on from what was there (a new
// collection, or one that already holds v0), with no duplicate and no gap.

const opened: ArtifactRegistry[] = [];
afterEach(() => {
  for (const registry of opened.splice(0)) registry.close();
});

const STEPS: CommitStep[] = ["locked", "numbered", "inserted"];
const ref = { entity: "lab", project: "models", name: "mlp" };

describe("SQLite registry version numbering under two writers", () => {
  for (const [first, second] of [
    ["A", "B"],
    ["B", "A"],
  ] as const) {
    for (const [step, before] of STEPS.flatMap((s) => [[s, 0] as const, [s, 1] as const])) {
      it(`${second} committing at ${first}'s "${step}" step (${before} version before) is refused until ${first} committed`, () => {
        const path = join(tempRoot(), DB_FILE);
        const attempts: string[] = [];
        if (before === 1) {
          const seed = new ArtifactRegistry(path);
          seed.commit(commitRequest("seed-digest"));
          seed.close();
        }
        const writer = (name: "A" | "B") =>
          new ArtifactRegistry(path, {
            busyWaitMs: 0,
            onStep: (at) => {
              if (name === first && at === step && attempts.length === 0) tryOther();
            },
          });
        const writers = { A: writer("A"), B: writer("B") };
        opened.push(writers.A, writers.B);
        function tryOther(): void {
          try {
            attempts.push(`committed v${writers[second].commit(commitRequest(`${second}-digest`)).version.versionIndex}`);
          } catch (error) {
            attempts.push(`refused ${(error as { code?: string }).code}`);
          }
        }
        const firstCommit = writers[first].commit(commitRequest(`${first}-digest`));
        expect(attempts).toEqual(["refused SQLITE_BUSY"]);
        const secondCommit = writers[second].commit(commitRequest(`${second}-digest`));
        expect([firstCommit.version.versionIndex, secondCommit.version.versionIndex]).toEqual([before, before + 1]);
        const versions = writers.A.versions(ref);
        expect(versions.map((v) => [v.versionIndex, v.digest])).toEqual([
          ...(before === 1 ? [[0, "seed-digest"]] : []),
          [before, `${first}-digest`],
          [before + 1, `${second}-digest`],
        ]);
        expect(writers.B.resolve(ref, "latest").digest).toBe(`${second}-digest`);
      });
    }
  }

  it("the same content from both writers, in either order, is one version (the second finds it)", () => {
    const path = join(tempRoot(), DB_FILE);
    const a = new ArtifactRegistry(path, { busyWaitMs: 0 });
    const b = new ArtifactRegistry(path, { busyWaitMs: 0 });
    opened.push(a, b);
    expect(a.commit(commitRequest("same")).created).toBe(true);
    const again = b.commit(commitRequest("same", ["prod"]));
    expect([again.created, again.version.versionIndex, [...again.version.aliases].sort()]).toEqual([false, 0, ["latest", "prod"]]);
    expect(a.versions(ref)).toHaveLength(1);
  });
});
