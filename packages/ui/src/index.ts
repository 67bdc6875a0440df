import { fileURLToPath } from "node:url";

export { escapeHtml } from "./escape.js";

/** The folder holding the built dashboard (index.html and its assets), served by `@runlog/server`. */
export function appDir(): string {
  return fileURLToPath(new URL("./app/", import.meta.url));
}
