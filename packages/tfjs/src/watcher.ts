import {
  type ModelWatcher,
  type ResolvedWatchOptions,
  RunlogError,
  registerWatcher,
  type WatchHandle,
  type WatchTarget,
} from "@runlog/core";
import { layersGraph } from "./graph.js";
import { tensorHistogram } from "./histograms.js";
import { isLayersModel } from "./layers-model.js";

interface VariableLike {
  readonly name: string;
  readonly originalName?: string;
  readonly trainable?: boolean;
  read(): { dataSync(): ArrayLike<number> };
}
interface TensorLike {
  dataSync(): ArrayLike<number>;
}
type Gradients = { name: string; tensor: TensorLike }[] | Record<string, TensorLike>;
interface OptimizerLike {
  applyGradients(gradients: Gradients): unknown;
}

/**
 * `run.watch(model)` for a tfjs LayersModel: gradient histograms from the optimizer's
 * `applyGradients` (both the array form fit() uses and the map form of `minimize(f)`), parameter
 * histograms from the weights after the update, every `logFreq` steps, keyed by the weights'
 * stable `originalName` (`gradients/<name>`, `parameters/<name>`). Buffers are only read.
 * `logGraph` puts the layer graph in the summary as `graph_<idx>` (W&B's `Graph.from_keras`).
 */
export const layersModelWatcher: ModelWatcher = {
  name: "@runlog/tfjs",
  claims: isLayersModel,
  watch(model: unknown, run: WatchTarget, options: ResolvedWatchOptions): WatchHandle {
    const m = model as { optimizer?: OptimizerLike; weights: VariableLike[] } & Parameters<typeof layersGraph>[0];
    const optimizer = m.optimizer;
    if (optimizer === undefined)
      throw new RunlogError(
        "INVALID_ARGUMENT",
        "watch: compile the tfjs model (model.compile) before watching it: gradients come from its optimizer.",
      );
    const prefix = options.idx === undefined ? "" : `graph_${options.idx}/`;
    const originalNames = new Map(m.weights.map((w) => [w.name, w.originalName ?? w.name]));
    if (options.logGraph) run.summary.set(`graph_${options.idx ?? 0}`, layersGraph(m));
    const hadOwn = Object.hasOwn(optimizer, "applyGradients");
    const previous = optimizer.applyGradients;
    let calls = 0;

    const logGradients = (gradients: Gradients) => {
      const entries = Array.isArray(gradients) ? gradients.map((g) => [g.name, g.tensor] as const) : Object.entries(gradients);
      const data: Record<string, unknown> = {};
      for (const [name, tensor] of entries) {
        const key = originalNames.get(name) ?? name;
        if (options.accepts(key)) data[`${prefix}gradients/${key}`] = tensorHistogram(tensor.dataSync());
      }
      if (Object.keys(data).length > 0) run.log(data, { commit: false });
    };
    const logParameters = () => {
      const data: Record<string, unknown> = {};
      for (const weight of m.weights) {
        if (weight.trainable === false) continue;
        const key = weight.originalName ?? weight.name;
        if (options.accepts(key)) data[`${prefix}parameters/${key}`] = tensorHistogram(weight.read().dataSync());
      }
      if (Object.keys(data).length > 0) run.log(data, { commit: false });
    };

    optimizer.applyGradients = function (this: OptimizerLike, gradients: Gradients) {
      calls++;
      const due = calls % options.logFreq === 0;
      if (due && (options.log === "gradients" || options.log === "all")) logGradients(gradients);
      const result = previous.call(this, gradients);
      if (due && (options.log === "parameters" || options.log === "all")) logParameters();
      return result;
    };

    return {
      remove() {
        if (hadOwn) optimizer.applyGradients = previous;
        else delete (optimizer as Partial<OptimizerLike>).applyGradients;
      },
    };
  },
};

/** The same watcher under the adapters' common name, `<framework>Watcher` (as `onnxWatcher`). */
export const tfjsWatcher: ModelWatcher = layersModelWatcher;

registerWatcher(layersModelWatcher);
