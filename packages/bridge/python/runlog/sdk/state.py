"""The current run, as W&B's module-level `wandb.run`, and the connection runs share."""
run = None
connection = None


def clear():
    global run
    run = None
