import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { storeRoot } from "./open-reader.js";

describe("storeRoot", () => {
  it("reads an empty RUNLOG_DIR as unset, like init(), so Api and init agree on ./runlog", () => {
    expect(storeRoot(undefined, { RUNLOG_DIR: "" })).toBe(resolve("./runlog"));
  });
  it("takes dir, then RUNLOG_DIR", () => {
    expect(storeRoot("/a", { RUNLOG_DIR: "/b" })).toBe("/a");
    expect(storeRoot(undefined, { RUNLOG_DIR: "/b" })).toBe("/b");
  });
});
