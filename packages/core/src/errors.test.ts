import { describe, expect, it } from "vitest";
import { describeValue, RunlogError } from "./errors.js";

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
