export type { LogFreq, RunlogCallbackOptions } from "./callback.js";
export { runlogCallback } from "./callback.js";
export type { ModelCheckpointOptions } from "./checkpoint.js";
export { modelCheckpoint } from "./checkpoint.js";
export type { LayersModelLike } from "./layers-model.js";
export { isLayersModel } from "./layers-model.js";
export { loadModel, writeModelFiles } from "./model-files.js";
export type { Tf } from "./resolve-tf.js";
export { layersModelWatcher, tfjsWatcher } from "./watcher.js";
