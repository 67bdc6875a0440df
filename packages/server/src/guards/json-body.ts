import { RunlogError } from "@runlog/core";
import type { FastifyInstance } from "fastify";

/** No request of the API nests deeper; metadata a user logs stays far below it. */
export const MAX_JSON_DEPTH = 128;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of a JSON text, found in one pass over its bytes without building
 * anything; stops as soon as `limit` is passed. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(bytes: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Replaces Fastify's JSON parser: the body's depth is checked before it is parsed (a deeply
 * nested body is refused in a linear scan instead of costing seconds of parsing and prototype
 * checks on the event loop), then Fastify's own parser (prototype-poisoning checks) runs.
 * Route `bodyLimit`s still bound the size.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const bytes = body as Buffer;
    if (jsonDepthExceeds(bytes, MAX_JSON_DEPTH)) {
      done(
        new RunlogError("INVALID_ARGUMENT", `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels; send a flatter body.`),
        undefined,
      );
      return;
    }
    // Malformed JSON and prototype poisoning (`__proto__` keys) answer 400 with a RunlogError code like every other bad input.
    parse(request, bytes.toString("utf8"), (error, value) =>
      error
        ? done(
            new RunlogError("INVALID_ARGUMENT", `The body is not acceptable JSON: ${error.message.slice(0, 200)}`, { cause: error }),
            undefined,
          )
        : done(null, value),
    );
  });
}
