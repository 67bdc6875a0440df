export { isLayersModel } from "./layers-model.js";
export type { LayersModelLike } from "./layers-model.js";
