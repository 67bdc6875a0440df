export type { Endpoint } from "./endpoint.js";
export { PROTOCOL_VERSION, parseEndpoint } from "./endpoint.js";
