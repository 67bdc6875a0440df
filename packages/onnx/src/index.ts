export { isInferenceSession } from "./session.js";
export type { InferenceSessionLike } from "./session.js";
