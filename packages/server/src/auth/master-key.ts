import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Checks `Authorization: Bearer <key>` (or `x-api-key`) against the server's key in constant
 * time (both sides are hashed first, so their lengths never leak either).
 */
export function hasApiKey(headers: Record<string, string | string[] | undefined>, apiKey: string): boolean {
  const auth = headers.authorization;
  const bearer = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
  const given = bearer ?? (typeof headers["x-api-key"] === "string" ? headers["x-api-key"] : undefined);
  return given !== undefined && timingSafeEqual(digest(given), digest(apiKey));
}
