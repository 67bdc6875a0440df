export { hasApiKey } from "./api-key.js";
export { isLoopbackHost, resolveBindPolicy } from "./bind-policy.js";
export { type RunlogServer, type ServeOptions, serve } from "./server.js";
