export type { ApiKeyInfo, KeyScope, KeyStore } from "./auth/api-keys.js";
export { hasApiKey } from "./auth/master-key.js";
export { isLoopbackHost, resolveBindPolicy } from "./bind-policy.js";
export { parseAllowedHosts } from "./guards/browser-guards.js";
export { type RunlogServer, type ServeOptions, serve } from "./server.js";
export { openServerStore, type ServerStore } from "./server-store.js";
