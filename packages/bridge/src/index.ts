export { type Bridge, type BridgeOptions, type CurveOptions, startBridge } from "./bridge.js";
export type { Endpoint } from "./endpoint.js";
export { PROTOCOL_VERSION, parseEndpoint } from "./endpoint.js";
