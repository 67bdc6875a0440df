"""The run side of the client: init, Run, config, summary, history mirror, exit hooks, watch."""
