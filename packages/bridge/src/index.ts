export { PROTOCOL_VERSION, parseEndpoint } from "./endpoint.js";
export type { Endpoint } from "./endpoint.js";
