import { describe, expect, it } from "vitest";
import { RunlogError } from "../../errors.js";
import { askWandbCommand } from "../../test-support/sweeps/oracle.js";
import { parseSweepConfig, trialArgsJson, trialCommand } from "./index.js";

/** `${name}` (built, so the strings do not read as mistaken template literals). */
const m = (name: string) => `\${${name}}`;

const ALL_MACROS = [
  m("env"),
  m("interpreter"),
  m("program"),
  m("args"),
  m("args_no_equals"),
  m("args_no_hyphens"),
  m("args_no_boolean_flags"),
  m("args_json"),
  m("args_json_file"),
  m("args_append_hydra"),
  m("args_override_hydra"),
  `--device=${m("envvar:DEVICE")}`,
  `${m("envvar:UNSET_VAR")}/x`,
  m("not_a_macro"),
  "literal",
];

const PARAMS = {
  lr: 1e-5,
  big: 1.5e16,
  ratio: 0.25,
  epochs: 10,
  flag: true,
  off: false,
  nothing: null,
  name: 'it\'s "quoted" ünï',
  layers: [64, 0.5, "x"],
  optimizer: { momentum: 0.9, kind: "sgd" },
};

describe("trialCommand (the real wandb agent as oracle)", () => {
  it("expands every macro as W&B's agent does", () => {
    const config = parseSweepConfig({ method: "random", program: "train.py", command: ALL_MACROS, parameters: { lr: { value: 1 } } });
    const env = { DEVICE: "cuda:1" };
    const ours = trialCommand(config, PARAMS, { env, jsonFile: "/tmp/args.json" });
    const wandb = askWandbCommand({ command: ALL_MACROS, program: "train.py", params: PARAMS, env, json_file: "/tmp/args.json" });
    expect(ours).toEqual(wandb);
  });

  it("defaults to W&B's command: env, python, the program, --name=value", () => {
    const config = parseSweepConfig({ method: "random", program: "train.py", parameters: { lr: { value: 1 } } });
    expect(trialCommand(config, { b: 2, a: 0.001 }, {})).toEqual(["/usr/bin/env", "python", "train.py", "--a=0.001", "--b=2"]);
    expect(trialCommand(config, { a: 1 }, { interpreter: "python3.11" })[1]).toBe("python3.11");
    expect(trialArgsJson({ b: 1, a: "é" })).toBe('{"a": "\\u00e9", "b": 1}');
  });

  it("says what is missing when program or jsonFile is needed but not given", () => {
    const noProgram = parseSweepConfig({ method: "random", parameters: { lr: { value: 1 } } });
    expect(() => trialCommand(noProgram, {}, {})).toThrow(RunlogError);
    expect(() => trialCommand(noProgram, {}, {})).toThrow(/program is not set/);
    const jsonFile = parseSweepConfig({ method: "random", command: [m("args_json_file")], parameters: { lr: { value: 1 } } });
    expect(() => trialCommand(jsonFile, {}, {})).toThrow(/pass context\.jsonFile/);
  });
});
