"""mode="disabled": the same Run, talking to nothing (W&B keeps config and summary locally too)."""
import os
import time
import uuid

from .run import Run


class _Nothing:
    def extend(self, packed):
        pass


class NullConnection:
    """Stands in for the bridge: records vanish, requests get an empty answer."""

    def queue_of(self, run_id):
        return _Nothing()

    def rejected_of(self, run_id):
        return []

    def drain(self, run_id, timeout):
        return 0

    def request(self, message, timeout=60):
        kind = message.get("t")
        if kind == "save" or message.get("method") == "save":
            return {"saved": []}
        if kind == "upload":
            return {"staging": "disabled"}
        if kind == "use_artifact":
            return {"root": os.path.abspath("artifacts"), "path": os.path.abspath("artifacts"), "files": [], "version": None}
        if message.get("method") == "status":
            return {"state": "running", "sync_items_total": 0, "sync_items_pending": 0}
        return None if message.get("method") in ("restore", "log_code", "link_artifact") else {}


def disabled_run(options, settings):
    run_id = options.get("id") or uuid.uuid4().hex[:8]
    described = {"id": run_id, "name": options.get("name") or "dummy", "entity": options.get("entity") or "", "project": options.get("project") or "",
                 "path": f"{options.get('entity') or ''}/{options.get('project') or ''}/{run_id}", "dir": os.path.abspath("."),
                 "tags": options.get("tags") or [], "notes": options.get("notes"), "group": options.get("group"), "job_type": options.get("job_type"),
                 "config": options.get("config") or {}, "start_time": time.time(), "disabled": True}
    return Run(NullConnection(), described, options, settings)
