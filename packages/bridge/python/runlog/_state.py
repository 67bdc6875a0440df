"""The current run, as W&B's module-level `wandb.run`."""
run = None
connection = None


def clear():
    global run
    run = None
