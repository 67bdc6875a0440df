import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RunlogError } from "../errors.js";
import { MetricRegistry } from "../metrics/metric-registry.js";
import { SummaryTracker } from "../metrics/summary-tracker.js";
import type { StoredRunSnapshot } from "../pipeline/sink.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSink } from "../store/sqlite/sqlite-sink.js";
import { tempRoot } from "../test-support/temp-root.js";
import { type RunRecordFields, runRecord } from "./assemble-pipeline.js";
import { askStore, chooseSink, onlineServer, type SinkPlace } from "./choose-sink.js";
import { ConfigState } from "./config.js";
import { readRunRequest, resolveRunTarget } from "./init-request.js";
import { resolveSettings } from "./settings.js";
import { inheritState, startingPoint } from "./starting-point.js";

// The steps init() performs, one by one (init's own tests drive them together).
const RUNLOG_VARS = [
  "ENTITY",
  "PROJECT",
  "DIR",
  "TAGS",
  "NAME",
  "NOTES",
  "RUN_GROUP",
  "JOB_TYPE",
  "RESUME",
  "RUN_ID",
  "BASE_URL",
  "API_KEY",
];
beforeEach(() => {
  for (const name of RUNLOG_VARS) vi.stubEnv(`RUNLOG_${name}`, "");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof RunlogError ? error.code : `not a RunlogError: ${String(error)}`;
  }
  return undefined;
}

describe("step 1: options and environment", () => {
  it("environment variables fill what the options leave out; options win; empty means unset", () => {
    vi.stubEnv("RUNLOG_PROJECT", "from-env");
    vi.stubEnv("RUNLOG_TAGS", " a, b ,c");
    vi.stubEnv("RUNLOG_RUN_GROUP", "g-env");
    vi.stubEnv("RUNLOG_NAME", "");
    const fromEnv = readRunRequest({ entity: "me", dir: "/tmp/x" });
    expect(fromEnv).toMatchObject({ entity: "me", project: "from-env", root: "/tmp/x", tags: ["a", "b", "c"], group: "g-env" });
    expect(fromEnv.name).toBeUndefined();
    const given = readRunRequest({ project: "given", tags: ["t"], group: "g" });
    expect(given).toMatchObject({ project: "given", tags: ["t"], group: "g" });
    vi.stubEnv("RUNLOG_PROJECT", "");
    expect(readRunRequest({}).project).toBe("uncategorized");
  });

  it("a bad value from either source is INVALID_ARGUMENT", () => {
    expect(codeOf(() => readRunRequest({ project: "a/b" }))).toBe("INVALID_ARGUMENT");
    vi.stubEnv("RUNLOG_JOB_TYPE", "x".repeat(65));
    expect(codeOf(() => readRunRequest({}))).toBe("INVALID_ARGUMENT");
  });
});

describe("step 2: which run, and how it resumes", () => {
  const scope = { entity: "me", project: "p", root: "/nonexistent-runlog-root" };

  it("resume, resumeFrom and forkFrom are mutually exclusive", () => {
    expect(codeOf(() => resolveRunTarget({ resume: "allow", forkFrom: "abc?_step=1" }, scope))).toBe("INVALID_ARGUMENT");
    vi.stubEnv("RUNLOG_RESUME", "must");
    expect(codeOf(() => resolveRunTarget({ resumeFrom: "abc?_step=1" }, scope))).toBe("INVALID_ARGUMENT");
  });

  it('"auto" takes the id remembered for this entity/project and resumes as "allow"', () => {
    const root = tempRoot();
    writeFileSync(join(root, "resume.json"), JSON.stringify({ runId: "remembered", entity: "me", project: "p" }));
    const auto = resolveRunTarget({ resume: "auto" }, { ...scope, root });
    expect(auto).toMatchObject({ id: "remembered", resume: "allow", autoResume: true, idGiven: false });
    expect(auto.resumeFile).toBe(join(root, "resume.json"));
    // Another project's remembered id is not this project's run.
    const other = resolveRunTarget({ resume: "auto" }, { ...scope, project: "q", root });
    expect(other.id).not.toBe("remembered");
    expect(resolveRunTarget({}, scope).resume).toBeUndefined();
  });

  it("resumeFrom names the run (and must agree with id); forkFrom must name another run", () => {
    const rewind = resolveRunTarget({ resumeFrom: "abc?_step=4" }, scope);
    expect(rewind).toMatchObject({ id: "abc", idGiven: true, resumeFrom: { id: "abc", step: 4 } });
    expect(codeOf(() => resolveRunTarget({ id: "xyz", resumeFrom: "abc?_step=4" }, scope))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => resolveRunTarget({ id: "abc", forkFrom: "abc?_step=4" }, scope))).toBe("INVALID_ARGUMENT");
    expect(resolveRunTarget({ forkFrom: "abc?_step=4" }, scope).idGiven).toBe(false);
  });
});

function snapshot(overrides: Partial<StoredRunSnapshot>): StoredRunSnapshot {
  return {
    entity: "me",
    project: "p",
    id: "abc",
    name: "n",
    tags: [],
    state: "finished",
    config: {},
    summary: {},
    metrics: [],
    lastStep: 9,
    appliedSeq: 40,
    runtime: 12,
    attempts: 2,
    ...overrides,
  };
}

describe("step 3: resume state from the store's answer", () => {
  it("the attempt starts after the stored run, the rewind point or the fork point", () => {
    const stored = snapshot({});
    expect(startingPoint(undefined, undefined, undefined)).toEqual({ firstStep: 0, attempt: 0, priorRuntime: 0, firstSeq: 1 });
    expect(startingPoint(stored, undefined, undefined)).toEqual({ firstStep: 10, attempt: 2, priorRuntime: 12, firstSeq: 41 });
    // A rewind starts the clock again; a fork continues the parent's steps in a new run.
    expect(startingPoint(stored, { id: "abc", step: 3 }, undefined)).toEqual({ firstStep: 4, attempt: 2, priorRuntime: 0, firstSeq: 41 });
    expect(startingPoint(undefined, undefined, { id: "parent", step: 6 })).toEqual({
      firstStep: 7,
      attempt: 0,
      priorRuntime: 0,
      firstSeq: 1,
    });
  });

  function fresh(given: Record<string, unknown>) {
    const metrics = new MetricRegistry();
    const configState = new ConfigState(false);
    configState.update(given, {});
    return { metrics, tracker: new SummaryTracker((key) => metrics.resolve(key)), configState };
  }
  const metric = { name: "loss", stepSync: true, hidden: false, summary: ["min"] } as const;

  it("a resumed run keeps its summary, config and metrics; config given to init wins", () => {
    const into = fresh({ lr: 0.1 });
    inheritState(into, snapshot({ config: { lr: 1, layers: 3 }, summary: { best: 2 }, metrics: [metric] }), undefined, undefined);
    expect(into.configState.snapshot()).toEqual({ lr: 0.1, layers: 3 });
    expect(into.tracker.toJSON()).toEqual({ best: 2 });
    expect(into.metrics.all().map((m) => m.name)).toEqual(["loss"]);
  });

  it("a rewind drops the summary; a fork takes the parent's config and metrics, not its summary", () => {
    const rewound = fresh({});
    inheritState(rewound, snapshot({ summary: { best: 2 }, config: { a: 1 } }), undefined, { id: "abc", step: 3 });
    expect(rewound.tracker.toJSON()).toEqual({});
    expect(rewound.configState.snapshot()).toEqual({ a: 1 });
    const forked = fresh({ b: 2 });
    inheritState(forked, undefined, snapshot({ summary: { best: 2 }, config: { a: 1 }, metrics: [metric] }), undefined);
    expect(forked.tracker.toJSON()).toEqual({});
    expect(forked.configState.snapshot()).toEqual({ a: 1, b: 2 });
    expect(forked.metrics.all()).toHaveLength(1);
  });
});

describe("step 3: mode and sink", () => {
  it('"online" without a server URL says how to give one', () => {
    expect(codeOf(() => onlineServer({}))).toBe("INVALID_ARGUMENT");
    vi.stubEnv("RUNLOG_BASE_URL", "http://127.0.0.1:9");
    expect(onlineServer({}).serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:9/);
  });

  it("offline has no sink; local forks only from a run the store has", async () => {
    const root = tempRoot();
    const place: SinkPlace = {
      entity: "me",
      project: "p",
      id: "child",
      root,
      runDir: join(root, "run"),
      settings: resolveSettings({}, {}),
      warn: () => {},
    };
    expect(chooseSink("offline", undefined, place)).toBeUndefined();
    expect(await askStore(undefined, undefined, place, { id: "parent", step: 1 }, false)).toEqual({
      described: { projectRunCount: 0 },
      parent: undefined,
    });
    const sink = chooseSink("local", undefined, place);
    expect(sink).toBeInstanceOf(SqliteSink);
    try {
      await expect(askStore(sink, undefined, place, { id: "parent", step: 1 }, false)).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
      expect((await askStore(sink, undefined, place, undefined, false)).described).toEqual({ projectRunCount: 0 });
    } finally {
      await sink?.close();
    }
    expect(existsSync(join(root, DB_FILE))).toBe(true);
  });
});

describe("step 4: the run record", () => {
  it("rewind and fork ride only on the attempt's first run record", () => {
    const fields: RunRecordFields = {
      entity: "me",
      project: "p",
      id: "abc",
      state: { name: "n", notes: undefined, tags: ["t"] },
      group: undefined,
      jobType: "train",
      sweepId: undefined,
      startTime: 1,
      crashTimeout: 60,
      attempt: 1,
      resumeFrom: { id: "abc", step: 3 },
      forkFrom: { id: "parent", step: 2 },
    };
    const first = runRecord(fields, true);
    expect(first).toMatchObject({ rewindTo: 3, forkFrom: { id: "parent", step: 2 }, jobType: "train", tags: ["t"] });
    expect("group" in first || "notes" in first || "sweepId" in first).toBe(false);
    const later = runRecord(fields, false);
    expect("rewindTo" in later || "forkFrom" in later).toBe(false);
    fields.state.name = "renamed";
    expect(runRecord(fields, false).name).toBe("renamed");
  });
});
