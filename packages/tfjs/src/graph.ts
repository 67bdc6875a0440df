// W&B's `Graph.from_keras` for a tfjs LayersModel (what `watch(model, { logGraph: true })` puts in
// the summary as `graph_<idx>`): a node per layer, an edge from each layer that feeds it.

interface LayerLike {
  readonly name: string;
  getClassName(): string;
  countParams(): number;
  readonly outputShape: unknown;
  readonly inboundNodes: readonly { readonly inboundLayers: readonly LayerLike[] }[];
}

export interface GraphNode {
  id: string;
  name: string;
  class_name: string;
  output_shape: unknown;
  num_parameters: number;
}

export interface GraphJson {
  _type: "graph";
  format: "keras";
  nodes: GraphNode[];
  edges: [string, string][];
}

function nodeOf(layer: LayerLike): GraphNode {
  let outputShape: unknown;
  try {
    outputShape = layer.outputShape;
  } catch {
    outputShape = ["multiple"]; // a layer used at several shapes has none of its own (W&B writes the same)
  }
  return {
    id: layer.name,
    name: layer.name,
    class_name: layer.getClassName(),
    output_shape: outputShape,
    num_parameters: layer.countParams(),
  };
}

/** The graph in W&B's JSON form: nodes in layer order (an input layer first where it feeds one), edges [from, to]. */
export function layersGraph(model: { readonly layers: readonly LayerLike[] }): GraphJson {
  const nodes = new Map<string, GraphNode>();
  const edges: [string, string][] = [];
  for (const layer of model.layers) {
    for (const inbound of layer.inboundNodes) {
      for (const from of inbound.inboundLayers) {
        if (!nodes.has(from.name)) nodes.set(from.name, nodeOf(from));
        edges.push([from.name, layer.name]);
      }
    }
    nodes.set(layer.name, nodeOf(layer));
  }
  return { _type: "graph", format: "keras", nodes: [...nodes.values()], edges };
}
