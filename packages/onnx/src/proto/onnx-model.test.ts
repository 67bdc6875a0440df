import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunlogError } from "@runlog/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalDataPath, initializerValues, readOnnxFile, summarizeModel } from "../model-file.js";
import { type Fixtures, makeFixtures } from "../test-support/fixtures.js";
import { parseOnnxModel } from "./onnx-model.js";

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(RunlogError.isInstance(error), String(error)).toBe(true);
    expect((error as RunlogError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe("the ONNX reader against python-onnx", () => {
  it.each(["mlp", "external", "dtypes", "legacy"] as const)("reads %s exactly as python-onnx does", (name) => {
    const { model, path } = readOnnxFile(fx[name]);
    const { initializerSums, ...expected } = fx.expected[name] as Fixtures["expected"][string];
    const summary = summarizeModel(model);
    const { format, domain, externalDataFiles, ...comparable } = summary;
    expect(format).toBe("onnx");
    expect(comparable).toEqual(expected);
    expect(externalDataFiles).toEqual(name === "external" ? ["model.onnx.data"] : []);
    for (const init of model.initializers) {
      const values = initializerValues(init, path);
      const sum = values?.reduce((a, b) => a + b, 0);
      expect(sum, init.name).toBeCloseTo(initializerSums[init.name] as number, 2);
    }
  });

  it("counts parameters from dims, so external data counts, and reads them from the data file", () => {
    const external = readOnnxFile(fx.external).model;
    expect(external.initializers.every((init) => init.external?.location === "model.onnx.data")).toBe(true);
    expect(summarizeModel(external).parameters).toBe(101_770);
  });

  it("answers malformed files with MODEL_INVALID and missing ones with INVALID_ARGUMENT", () => {
    const bytes = readFileSync(fx.mlp);
    const bad = join(fx.dir, "bad.onnx");
    for (const content of [Buffer.alloc(0), Buffer.from("hello, not a model"), bytes.subarray(0, 1000), Buffer.from([0x08, 0xff, 0xff])]) {
      writeFileSync(bad, content);
      expectCode(() => readOnnxFile(bad), "MODEL_INVALID");
    }
    expectCode(() => readOnnxFile(join(fx.dir, "nope.onnx")), "INVALID_ARGUMENT");
    expectCode(() => readOnnxFile(undefined as unknown as string), "INVALID_ARGUMENT");
    expectCode(() => externalDataPath(fx.external, "../../etc/passwd"), "PATH_OUTSIDE_ROOT");
    expectCode(() => externalDataPath(fx.external, "/etc/passwd"), "PATH_OUTSIDE_ROOT");
    expectCode(() => externalDataPath(fx.external, "missing.data"), "MODEL_INVALID");
  });

  it("never throws anything but a RunlogError on 2,000 corrupted copies of a model", () => {
    const original = readFileSync(fx.dtypes);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let parsed = 0;
    for (let i = 0; i < 2000; i++) {
      const copy = Uint8Array.from(original);
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      try {
        parseOnnxModel(copy.subarray(0, Math.floor(copy.length * (0.5 + random() / 2))));
        parsed++;
      } catch (error) {
        expect(RunlogError.isInstance(error), String(error)).toBe(true);
      }
    }
    expect(parsed).toBeLessThan(2000);
  });
});
