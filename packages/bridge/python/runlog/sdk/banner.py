"""What a run says about itself on stderr, once at init() and once at finish() (W&B's banner, shorter):
where it is stored and how to look at it, as the TypeScript init() does. The bridge runs its runs
quietly, so the client prints these. RUNLOG_SILENT / WANDB_SILENT=true or settings quiet/silent turn
both off."""
import os
import sys

from .. import env


def silenced(settings):
    return env.silent() or bool(settings.get("quiet")) or bool(settings.get("silent"))


def _shown(path):
    """A path as the user would type it from here: relative when below the working folder."""
    if not path:
        return path
    rel = os.path.relpath(path)
    return f"./{rel}" if rel != "." and not rel.startswith("..") and not os.path.isabs(rel) else path


def _folders(run):
    """The run's folder (its logs, runs/<entity>/<project>/<id>) and the runlog root above it."""
    folder = os.path.dirname(run.dir) if os.path.basename(run.dir) == "files" else run.dir
    root = folder
    for _ in range(4):
        root = os.path.dirname(root)
    return folder, root


def _server(run):
    """The team server an online run logs to through its bridge (None for a run in the bridge's store)."""
    return getattr(run, "_server", None)


def _ui_command(root):
    same = os.path.abspath(root) == os.path.abspath("runlog")
    return "npx runlog ui" if same else f"npx runlog ui --dir {_shown(root)}"


def _value(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str) and len(value) <= 40:
        return value
    return None


def _final_metrics(summary):
    keys = [k for k in summary if not k.startswith("_") and not k.startswith("system/")]
    shown = []
    for key in keys:
        value = _value(summary[key])
        if value is not None and len(shown) < 5:
            shown.append(f"{key} {value}")
    more = len(keys) - len(shown)
    return "" if not shown else ": " + ", ".join(shown) + (f" (+{more} more in the summary)" if more > 0 else "")


def start_lines(run):
    folder, root = _folders(run)
    what = f'run "{run.name}" ({run.path})'
    if run.offline:
        return [f"offline {what}, saved in {_shown(folder)}; after it finishes, `npx runlog sync {_shown(folder)}` adds it to the store."]
    server = _server(run)
    if server:
        return [f"logging {what} to {server}" + (f": {run.url}" if run.url else "")]
    lines = [f"logging {what} to {_shown(root)}"]
    if run.url:
        lines.append(f"watch it live: `{_ui_command(root)}` → {run.url}")
    return lines


def finish_lines(run, state, seconds, steps, summary):
    folder, root = _folders(run)
    lines = [f'run "{run.name}" {state} after {seconds:.1f} s, {steps:,} step{"" if steps == 1 else "s"}{_final_metrics(summary)}']
    if run.offline:
        lines.append(f"offline: saved in {_shown(folder)}; add it to the store with `npx runlog sync {_shown(folder)}` (or upload it with --server URL).")
    elif _server(run):
        lines.append(f"saved on {_server(run)}" + (f": {run.url}" if run.url else ""))
    else:
        look = f" → {run.url}" if run.url else ""
        lines.append(f"saved in {_shown(root)}; look at it with `{_ui_command(root)}`{look} (or `npx runlog runs show {run.path}`)")
    return lines


def write(lines):
    for line in lines:
        print(f"runlog: {line}", file=sys.stderr, flush=True)
