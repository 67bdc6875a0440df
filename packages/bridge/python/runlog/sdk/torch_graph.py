"""`watch(model, log_graph=True)`: W&B's torch graph. A forward hook on every leaf layer (containers —
Sequential, ModuleList, ModuleDict — are walked into, their children named "block.child") records the
layer once; when every hooked layer has run, the graph goes to `run.summary["graph_<idx>"]`."""
from functools import reduce
from operator import mul

import torch

from ..data_types.graph import Graph, Node

CONTAINERS = tuple(getattr(torch.nn, name) for name in ("Container", "Sequential", "ModuleList", "ModuleDict") if hasattr(torch.nn, name))


def _nested_shape(value):
    if hasattr(value, "size") and callable(value.size):
        return list(value.size())
    if isinstance(value, (list, tuple)):
        return [_nested_shape(item) for item in value]
    return []


def check_unwatched(model):
    if getattr(model, "_wandb_watch_called", False):
        raise ValueError("You can only call `wandb.watch` once per model.  Pass a new instance of the model if you need to call wandb.watch again in your code.")


def hook_graph(run, model, graph_idx, criterion=None):
    """Registers the graph hooks on `model`; returns their handles (removed by unwatch)."""
    check_unwatched(model)
    model._wandb_watch_called = True
    graph = Graph("torch")
    if criterion is not None:
        graph.criterion, graph.criterion_passed = criterion, True
    pending = set()
    handles = []

    def after_forward(name):
        def hook(module, inputs, output):
            if id(module) not in pending:
                return
            parameters = [(pname, list(param.size())) for pname, param in module.named_parameters()]
            node = Node(id=id(module), name=name, class_name=str(module), output_shape=_nested_shape(output if isinstance(output, tuple) else (output,)),
                        parameters=parameters, num_parameters=[reduce(mul, size, 1) for _, size in parameters])
            graph.add_node(node)
            pending.discard(id(module))
            if not pending:
                run.summary[f"graph_{graph_idx}"] = graph

        return hook

    def walk(module, prefix):
        for index, (name, child) in enumerate(module.named_children()):
            name = name or str(index)
            name = f"{prefix}.{name}" if prefix else name
            if isinstance(child, CONTAINERS):
                walk(child, name)
            else:
                pending.add(id(child))
                handles.append(child.register_forward_hook(after_forward(name)))

    walk(model, None)
    return handles


def forget(model):
    """After unwatch a model can be watched with log_graph again."""
    if getattr(model, "_wandb_watch_called", False):
        del model._wandb_watch_called
