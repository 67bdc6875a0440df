export type { InferenceSessionLike } from "./session.js";
export { isInferenceSession } from "./session.js";
