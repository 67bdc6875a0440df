"""W&B's agent's command line for a trial (wandb's create_sweep_command_args and the expansion
loop of wandb_agent.Agent._command_run, which is not a function of its own). Run with .venv's python.
Reads {command, program, params, env, json_file} on stdin and prints the argv as JSON."""
import json
import os
import sys

from wandb.sdk.launch.sweeps import utils as sweep_utils

request = json.loads(sys.stdin.read())
os.environ.clear()
os.environ.update(request["env"])
command = {"args": {k: {"value": v} for k, v in sorted(request["params"].items())}, "program": request["program"]}
sweep_command = sweep_utils.create_sweep_command(request["command"])
sweep_vars = sweep_utils.create_sweep_command_args(command)
# As Agent._command_run, for a program (not a function) on Linux:
sweep_vars["interpreter"] = ["python"]
sweep_vars["program"] = [command["program"]]
sweep_vars["args_json_file"] = [request["json_file"]]
sweep_vars["env"] = ["/usr/bin/env"]
command_list = []
for c in sweep_command:
    c = str(c)
    if c.startswith("${") and c.endswith("}"):
        replace_list = sweep_vars.get(c[2:-1])
        command_list += replace_list or []
    else:
        command_list += [c]
json.dump(command_list, sys.stdout)
