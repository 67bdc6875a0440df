"""Compares the runner's output for wandb and runlog, case by case, after normalizing what cannot
match (timestamps, runtimes, W&B's internal `_wandb` keys, media file names and hashes).

    python compare.py WANDB.json RUNLOG.json   → prints {"case": [differences]} as JSON

A difference listed in deliberate.json (case → reason) is reported under "deliberate" instead;
the vitest file checks that every one of those is also explained in the client README."""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# What a media value is compared by: its kind and what its pixels/rows/bins say, never file names.
MEDIA_KEYS = ("_type", "width", "height", "format", "nrows", "ncols", "values", "bins", "caption")
MEDIA_TYPES = {"table-file": "table", "table": "table", "image-file": "image-file", "histogram": "histogram", "html-file": "html-file",
               "custom-chart": "custom-chart", "audio-file": "audio-file", "video-file": "video-file", "object3D-file": "object3D-file"}


def normal(value):
    if isinstance(value, dict):
        if "_type" in value and isinstance(value["_type"], str):
            media = {k: normal(value[k]) for k in MEDIA_KEYS if k in value}
            media["_type"] = MEDIA_TYPES.get(value["_type"], value["_type"])
            return media
        return {k: normal(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [normal(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return round(value, 9)
    return value


def normal_row(row):
    out = {k: normal(v) for k, v in row.items() if not k.startswith("_")}
    out["_step"] = row.get("_step")
    return out


def normal_run(run):
    return {"history": [normal_row(r) for r in run["history"]], "summary": normal(run["summary"]), "config": normal(run["config"]),
            "exit_code": run.get("exit_code") or 0}


def differences(wandb_case, runlog_case):
    found = []
    if wandb_case is None or runlog_case is None:
        return [f"missing on {'wandb' if wandb_case is None else 'runlog'}"]
    w_out, r_out = normal(wandb_case["outcomes"]), normal(runlog_case["outcomes"])
    if len(w_out) != len(r_out):
        found.append(f"outcomes: wandb {w_out} runlog {r_out}")
    else:
        for i, (w, r) in enumerate(zip(w_out, r_out)):
            if w != r:
                found.append(f"outcome {i}: wandb {w!r} runlog {r!r}")
    if len(wandb_case["runs"]) != len(runlog_case["runs"]):
        found.append(f"runs: wandb {len(wandb_case['runs'])} runlog {len(runlog_case['runs'])}")
    for n, (w_run, r_run) in enumerate(zip(wandb_case["runs"], runlog_case["runs"])):
        w_run, r_run = normal_run(w_run), normal_run(r_run)
        for part in ("history", "summary", "config", "exit_code"):
            if w_run[part] != r_run[part]:
                found.append(f"run {n} {part}: wandb {json.dumps(w_run[part])[:600]} runlog {json.dumps(r_run[part])[:600]}")
    return found


def main():
    with open(sys.argv[1]) as f:
        wandb_results = json.load(f)
    with open(sys.argv[2]) as f:
        runlog_results = json.load(f)
    with open(os.path.join(HERE, "deliberate.json")) as f:
        deliberate = json.load(f)
    report = {"cases": len(wandb_results), "different": {}, "deliberate": {}}
    for name in sorted(set(wandb_results) | set(runlog_results)):
        found = differences(wandb_results.get(name), runlog_results.get(name))
        if found:
            report["deliberate" if name in deliberate else "different"][name] = found
    for name in deliberate:
        if name not in report["deliberate"]:
            report["different"][name] = ["listed in deliberate.json but wandb and runlog agree: remove it from the list"]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
