import { RunlogError } from "@runlog/core";
import { httpStatusOf } from "@runlog/core/store-kit";

/** The HTTP status and JSON body for an error: RunlogErrors keep their code and message; anything else is a 500 without internals. */
export function errorResponse(error: unknown): { status: number; body: { code: string; message: string } } {
  if (RunlogError.isInstance(error)) return { status: httpStatusOf(error.code), body: { code: error.code, message: error.message } };
  // Fastify's own client errors (malformed URL, bad content type) keep their 4xx status.
  const { statusCode, code, message } = (error ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { code: typeof code === "string" ? code : "BAD_REQUEST", message: String(message) } };
  }
  return { status: 500, body: { code: "INTERNAL", message: "The server failed to answer; its log has the details." } };
}
