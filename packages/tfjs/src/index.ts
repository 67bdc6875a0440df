export type { LayersModelLike } from "./layers-model.js";
export { isLayersModel } from "./layers-model.js";
