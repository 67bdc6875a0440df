import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE, httpStatusOf } from "./error-table.js";
import { describeValue, RunlogError } from "./errors.js";
import { migrate, SCHEMA_VERSION } from "./store/sqlite/schema.js";

describe("RunlogError", () => {
  it("has a fixed name, a stable code and keeps its cause", () => {
    const cause = new Error("disk full");
    const error = new RunlogError("STORE_ERROR", "cannot write", { cause });
    expect(error.name).toBe("RunlogError");
    expect(error.code).toBe("STORE_ERROR");
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it("isInstance works without instanceof (another copy of the package)", () => {
    const foreign = Object.create({ [Symbol.for("runlog.error")]: true });
    expect(RunlogError.isInstance(foreign)).toBe(true);
    expect(RunlogError.isInstance(new Error("x"))).toBe(false);
    expect(RunlogError.isInstance(null)).toBe(false);
  });

  it("describes hostile values briefly", () => {
    expect(describeValue("x".repeat(500)).length).toBeLessThanOrEqual(80);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("[object Object]");
    expect(describeValue(Symbol("s"))).toBe("Symbol(s)");
    expect(describeValue(10n)).toBe("10n");
  });
});

describe("the error table", () => {
  it("the core README lists every code with its meaning and HTTP status, as the table has them", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const listed = new Map(
      [...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(.+?)\s*\|\s*(\d{3})\s*\|$/gm)].map((m) => [
        m[1],
        { meaning: m[2], status: Number(m[3]) },
      ]),
    );
    expect(Object.keys(ERROR_TABLE).length).toBeGreaterThan(20);
    expect(Object.fromEntries(listed)).toEqual(ERROR_TABLE);
    expect(httpStatusOf("RUN_NOT_FOUND")).toBe(404);
    expect(httpStatusOf("STORE_CORRUPT")).toBe(500);
  });

  it("a store from a newer runlog is refused with a RunlogError, not a plain Error", () => {
    const db = new Database(":memory:");
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    let thrown: unknown;
    try {
      migrate(db);
    } catch (error) {
      thrown = error;
    }
    db.close();
    expect(RunlogError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: "STORE_ERROR", message: expect.stringMatching(/newer than this runlog.*upgrade/) });
  });
});
