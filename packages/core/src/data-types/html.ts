import { readFileSync } from "node:fs";
import { describeValue, RunlogError } from "../errors.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

/** An HTML document for run.log (W&B's `html-file`); the dashboard shows it only in a sandboxed iframe. */
export class Html implements Loggable {
  private readonly html: string;

  constructor(source: string, options: { path?: boolean } = {}) {
    if (typeof source !== "string")
      throw new RunlogError(
        "INVALID_VALUE",
        `Html needs a string of HTML (or a file path with { path: true }), got ${describeValue(source)}.`,
      );
    this.html = options.path ? readFileSync(source, "utf8") : source;
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    return { _type: "html-file", ...writeMedia(context, "html", "html", Buffer.from(this.html, "utf8")) };
  }
}
