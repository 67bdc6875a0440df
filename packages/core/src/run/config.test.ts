import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { Config, ConfigState } from "./config.js";

function config(allow = false) {
  const state = new ConfigState(allow);
  return { state, config: new Config(state) };
}

describe("Config", () => {
  it("supports property access and the explicit methods, keeping nesting", () => {
    const { config: c } = config();
    c.lr = 0.1;
    c.update({ model: { layers: [64, 32] }, "--batch": 32 });
    c.set("epochs", 5);
    expect(c.lr).toBe(0.1);
    expect(c.get("batch")).toBe(32);
    expect(c.model).toEqual({ layers: [64, 32] });
    expect(Object.keys(c)).toEqual(["lr", "model", "batch", "epochs"]);
    expect(c.toJSON()).toEqual({ lr: 0.1, model: { layers: [64, 32] }, batch: 32, epochs: 5 });
    expect("lr" in c).toBe(true);
  });

  it("refuses to change a value without allowValChange, naming the key and both values", () => {
    const { config: c } = config();
    c.update({ lr: 0.1 });
    c.update({ lr: 0.1 }); // same value: fine
    expect(() => c.update({ lr: 0.2 })).toThrowError(/"lr" from 0\.1 to 0\.2.*allowValChange/);
    expect(() => {
      c.lr = 0.3;
    }).toThrowError(expect.objectContaining({ code: "CONFIG_VALUE_CHANGE" }));
    expect(c.lr).toBe(0.1);
    c.update({ lr: 0.2 }, { allowValChange: true });
    expect(c.lr).toBe(0.2);
    expect(() => c.update({ model: { layers: [1] } })).not.toThrow();
    expect(() => c.update({ model: { layers: [2] } })).toThrowError(RunlogError);
  });

  it("setDefaults only fills missing keys", () => {
    const { config: c } = config();
    c.update({ a: 1 });
    c.setDefaults({ a: 2, b: 3 });
    expect(c.toJSON()).toEqual({ a: 1, b: 3 });
  });

  it("keeps NaN and big integers, and equal NaN is not a change", () => {
    const { config: c, state } = config();
    c.update({ x: Number.NaN, big: 2n ** 70n });
    expect(() => c.update({ x: Number.NaN })).not.toThrow();
    expect(state.takeChange()).toEqual({ x: Number.NaN, big: 2n ** 70n });
  });

  it("rejects hostile values with clear errors and keeps what was there", () => {
    const { config: c } = config();
    c.update({ keep: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: unknown[] = [
      { f: () => 1 },
      { s: Symbol("x") },
      { cyclic },
      { m: new Map([[1, "non-string key"]]) },
      { w: new WeakMap() },
      { d: new Date(Number.NaN) },
      { big: "x".repeat(11 * 1024 * 1024) },
      null,
      [1, 2],
      "lr=0.1",
      { "": 1 },
    ];
    for (const value of cases) {
      expect(() => c.update(value as Record<string, unknown>)).toThrow(RunlogError);
    }
    expect(c.toJSON()).toEqual({ keep: 1 });
  });

  it("is read-only after lock", () => {
    const { config: c, state } = config();
    state.lock();
    expect(() => c.update({ a: 1 })).toThrowError(/finished/);
  });
});
