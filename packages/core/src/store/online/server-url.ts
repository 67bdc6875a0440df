import { describeValue, RunlogError } from "../../errors.js";

/** `baseUrl` + `/api/v1/<area>`, after checking it is an http(s) URL (`what` names the option in errors). */
export function serverEndpoint(baseUrl: unknown, area: string, what: string): string {
  let url: URL;
  try {
    url = new URL(String(baseUrl));
  } catch {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `${what} must be an http(s) URL like "http://127.0.0.1:6006", got ${describeValue(baseUrl)}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RunlogError("INVALID_ARGUMENT", `${what} must use http or https, got ${describeValue(baseUrl)}.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/api/v1/${area}`;
}
