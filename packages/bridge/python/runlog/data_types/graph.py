"""W&B's `Graph` / `Node` / `Edge`: a model's layers as nodes, kept as a `.graph.json` file in the
run's `media/graph/` folder with a `graph-file` entry (path, sha256, size) in the summary, as W&B
stores the graph `watch(model, log_graph=True)` records."""
import hashlib
import json
import os


class Node:
    """One layer: id, name, class_name, parameters [(name, shape)], output_shape, num_parameters."""

    def __init__(self, id=None, name=None, class_name=None, size=None, parameters=None, output_shape=None, is_output=None,
                 num_parameters=None, node=None):
        self._attributes = {"name": None}
        if node is not None:
            self._attributes.update({k: v for k, v in node._attributes.items() if k != "id"})
        for key, value in (("id", id), ("name", name), ("class_name", class_name), ("size", size), ("parameters", parameters),
                           ("output_shape", output_shape), ("is_output", is_output), ("num_parameters", num_parameters)):
            if value is not None:
                self._attributes[key] = tuple(value) if key == "size" else value

    def __getattr__(self, key):
        try:
            return self.__dict__["_attributes"][key]
        except KeyError:
            raise AttributeError(key) from None

    def to_json(self, run=None):
        return self._attributes

    def __repr__(self):
        return repr(self._attributes)


class Edge:
    def __init__(self, from_node, to_node):
        self.from_node, self.to_node = from_node, to_node

    def to_json(self, run=None):
        return [self.from_node.id, self.to_node.id]


class Graph:
    _log_type = "graph-file"

    def __init__(self, format="keras"):
        self.format = format
        self.nodes = []
        self.nodes_by_id = {}
        self.edges = []
        self.loaded = False
        self.criterion = None
        self.criterion_passed = False
        self.root = None

    def add_node(self, node=None, **node_kwargs):
        node = node or Node(**node_kwargs)
        if node.id is not None:
            self.nodes_by_id[node.id] = node
        self.nodes.append(node)
        return node

    def add_edge(self, from_node, to_node):
        edge = Edge(from_node, to_node)
        self.edges.append(edge)
        return edge

    def _to_graph_json(self, run=None):
        return {"format": self.format, "nodes": [node.to_json() for node in self.nodes], "edges": [edge.to_json() for edge in self.edges]}

    def _bind_to_run(self, run, key):
        """Writes the graph file into the run's folder, keeps it as a run file, and answers the summary entry."""
        data = json.dumps(self._to_graph_json()).encode("utf-8")
        sha256 = hashlib.sha256(data).hexdigest()
        relative = f"media/graph/{key}_summary_{sha256[:20]}.graph.json"
        path = os.path.join(run.dir, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        run.save(path, base_path=run.dir, policy="now", glob=False)
        return {"_type": self._log_type, "sha256": sha256, "size": len(data), "path": relative}

    def _to_wire(self):
        from ..errors import UsageError

        raise UsageError("A Graph is kept in the summary (run.summary[key] = graph, as watch(log_graph=True) does), not in history rows")
