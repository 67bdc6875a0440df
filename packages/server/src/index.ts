export { isLoopbackHost, resolveBindPolicy } from "./bind-policy.js";
