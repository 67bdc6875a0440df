"""The seed-member audit: every property and method of `wandb.Run` the seed reference names
(/work/shared/seed/run-reference.ja.md, parsed; a copy of its member list is kept below and checked
against it when the seed is there), and the module-level names and classes issue 17 lists, exist in
the Python client with W&B's parameter names, in W&B's order (the real wandb in .venv answers
`inspect.signature`). Runlog's own additions come after W&B's parameters and are listed in
EXTENSIONS, each explained in the client README."""
import inspect
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import wandb  # noqa: E402  (the project's .venv has the real wandb 0.31)
import wandb.apis.public as wandb_public  # noqa: E402

import runlog  # noqa: E402
from runlog.api import public as runlog_public  # noqa: E402

SEED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "shared", "seed", "run-reference.ja.md")
README = os.path.join(os.path.dirname(__file__), "..", "README.md")

# `### <kbd>property</kbd> Run.x` / `### <kbd>method</kbd> `Run.x`` headings of the seed, in its order.
SEED_RUN_MEMBERS = {
    "property": ["config", "config_static", "dir", "disabled", "entity", "group", "id", "job_type", "name", "notes", "offline", "path",
                 "project", "project_url", "resumed", "settings", "start_time", "sweep_id", "sweep_url", "tags", "url"],
    "method": ["alert", "define_metric", "display", "finish", "finish_artifact", "link_artifact", "link_model", "log", "log_artifact",
               "log_code", "log_model", "mark_preempting", "restore", "save", "status", "unwatch", "upsert_artifact", "use_artifact",
               "use_model", "watch"],
}
# Issue 17's further Run members.
ISSUE_RUN_MEMBERS = ["step", "starting_step", "summary", "get_url", "get_project_url", "get_sweep_url", "to_html"]
# Issue 17's (and 20's) module-level names.
MODULE = ["init", "log", "finish", "login", "Api", "Settings", "AlertLevel", "teardown", "restore", "save", "define_metric", "Artifact",
          "Table", "Image", "Audio", "Video", "Html", "Object3D", "Histogram", "Graph", "plot", "watch", "unwatch", "sweep", "agent", "Run",
          "Error", "log_artifact", "use_artifact", "log_model", "use_model", "link_model", "mark_preempting", "alert", "config", "summary"]
CLASS_MEMBERS = [
    ("Artifact", wandb.Artifact, runlog.Artifact, ["__init__", "add", "add_file", "add_dir", "add_reference", "new_file", "get", "files",
                                                   "download", "save", "wait"]),
    ("Table", wandb.Table, runlog.Table, ["__init__", "add_data", "add_column", "get_column", "iterrows", "add_computed_columns"]),
    ("Api", wandb.Api, runlog.Api, ["__init__", "runs", "run", "artifact"]),
    ("apis.public.Run", wandb_public.Run, runlog_public.Run, ["history", "scan_history", "files", "file"]),
]
PLOT = ["line", "scatter", "bar", "histogram", "line_series", "pr_curve", "roc_curve", "confusion_matrix", "plot_table"]
CONSTRUCTORS = ["Image", "Audio", "Video", "Html", "Object3D", "Histogram", "Graph", "Settings"]
# Parameters Runlog adds after W&B's (README: "Additions to W&B's signatures").
EXTENSIONS = {"Run.define_metric": ["goal"], "define_metric": ["goal"], "Run.watch": ["filter"], "watch": ["filter"]}


def parameters(fn):
    """Parameter names in order; `**anything` is "**" (its name is not part of the call)."""
    try:
        found = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin W&B does not make introspectable
        return None
    return ["**" if p.kind is p.VAR_KEYWORD else "*" if p.kind is p.VAR_POSITIONAL else p.name for p in found if p.name != "self"]


def check_signature(label, theirs, ours):
    want, have = parameters(theirs), parameters(ours)
    if want is None:
        return None
    extra = have[len(want):]
    if have[:len(want)] != want or any(name not in EXTENSIONS.get(label, []) for name in extra):
        return f"{label}: W&B {want}, runlog {have}"
    return None


def test_the_member_list_is_the_seeds():
    """The kept copy equals the seed's headings where the seed is (the project's workspace); the copy stands elsewhere."""
    assert (len(SEED_RUN_MEMBERS["property"]), len(SEED_RUN_MEMBERS["method"])) == (21, 20)
    if not os.path.exists(SEED):
        return
    with open(SEED, encoding="utf-8") as f:
        headings = re.findall(r"^### <kbd>(property|method)</kbd> `?Run\.(\w+)`?", f.read(), re.M)
    assert {kind: [name for k, name in headings if k == kind] for kind in ("property", "method")} == SEED_RUN_MEMBERS


def test_every_seed_and_issue_member_of_run_exists_with_wandbs_parameters():
    run = runlog.init(mode="disabled")
    try:
        gaps = []
        for kind, names in SEED_RUN_MEMBERS.items():
            for name in names:
                if not hasattr(runlog.Run, name) and not hasattr(run, name):
                    gaps.append(f"Run.{name} missing")
                elif kind == "property" and not isinstance(inspect.getattr_static(runlog.Run, name, None), property) and name not in ("config",):
                    gaps.append(f"Run.{name} is not a property as in W&B")
                elif kind == "method":
                    gaps.append(check_signature(f"Run.{name}", getattr(wandb.Run, name), getattr(runlog.Run, name)))
        for name in ISSUE_RUN_MEMBERS:
            if not hasattr(run, name):
                gaps.append(f"Run.{name} missing")
            elif callable(getattr(wandb.Run, name, None)):
                gaps.append(check_signature(f"Run.{name}", getattr(wandb.Run, name), getattr(runlog.Run, name)))
        assert [gap for gap in gaps if gap] == []
    finally:
        run.finish()


def test_module_level_names_classes_and_plots_match_wandb():
    gaps = []
    for name in MODULE:
        if not hasattr(runlog, name) and name not in ("config", "summary"):
            gaps.append(f"runlog.{name} missing")
        elif inspect.isfunction(getattr(wandb, name, None)):
            gaps.append(check_signature(name, getattr(wandb, name), getattr(runlog, name)))
    for label, theirs, ours, members in CLASS_MEMBERS:
        for member in members:
            if not hasattr(ours, member):
                gaps.append(f"{label}.{member} missing")
            else:
                gaps.append(check_signature(f"{label}.{member}", getattr(theirs, member), getattr(ours, member)))
    for name in CONSTRUCTORS:
        gaps.append(check_signature(f"{name}.__init__", getattr(wandb, name).__init__, getattr(runlog, name).__init__))
    for name in PLOT:
        if not hasattr(runlog.plot, name):
            gaps.append(f"runlog.plot.{name} missing")
        else:
            gaps.append(check_signature(f"plot.{name}", getattr(wandb.plot, name), getattr(runlog.plot, name)))
    assert [gap for gap in gaps if gap] == []
    artifact = runlog.Artifact("audit", "dataset")
    assert artifact.metadata == {}


def test_every_extension_is_explained_in_the_readme():
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    for label, names in EXTENSIONS.items():
        for name in names:
            assert f"{name}=)" in readme, f"{label}({name}=) is not explained in the README"
