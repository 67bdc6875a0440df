import { RunlogError } from "@runlog/core";
import type { RunMetaEdit } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import type { ServerRunWriter } from "../ingest/run-writer.js";
import { sendJson } from "../json-reply.js";
import type { RunParams } from "../query.js";

export const MAX_TAGS = 100;
export const MAX_TAG_CHARS = 256;
/** Notes are at most 64 KiB of UTF-8. */
export const MAX_NOTES_BYTES = 64 * 1024;

const invalid = (message: string) => new RunlogError("INVALID_ARGUMENT", message);

/** `{ tags?, notes? }` from a request body, or INVALID_ARGUMENT saying what is wrong. */
export function parseRunEdit(body: unknown): RunMetaEdit {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid('The body must be { "tags"?: string[], "notes"?: string }.');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => key !== "tags" && key !== "notes");
  if (unknown.length > 0) throw invalid(`Only tags and notes can be edited, not ${JSON.stringify(unknown[0]?.slice(0, 64))}.`);
  const { tags, notes } = fields;
  if (tags === undefined && notes === undefined) throw invalid("Give tags, notes or both.");
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.length > MAX_TAGS) throw invalid(`tags must be an array of at most ${MAX_TAGS} strings.`);
    const seen = new Set<string>();
    for (const tag of tags) {
      if (typeof tag !== "string" || tag.trim() === "" || tag.length > MAX_TAG_CHARS) {
        throw invalid(`Each tag must be a non-empty string of at most ${MAX_TAG_CHARS} characters.`);
      }
      if (seen.has(tag)) throw invalid(`The tag ${JSON.stringify(tag.slice(0, 64))} is given twice.`);
      seen.add(tag);
    }
  }
  if (notes !== undefined && (typeof notes !== "string" || Buffer.byteLength(notes) > MAX_NOTES_BYTES)) {
    throw invalid(`notes must be a string of at most ${MAX_NOTES_BYTES} bytes of UTF-8.`);
  }
  return { ...(tags === undefined ? {} : { tags: tags as string[] }), ...(notes === undefined ? {} : { notes: notes as string }) };
}

/**
 * PATCH a run's tags and notes from the dashboard (a write key of the run's entity). The edit is a
 * store update of those two fields only, so it races nothing the run writes (summary, config,
 * history), and the run's later run records (a rename, a resume) re-send their old tags and notes
 * without undoing it: a run record changes a field only when the run itself changed it since its
 * previous one, so the latest change of each field wins. Answers the run as stored afterwards.
 */
export function registerRunEditRoutes(app: FastifyInstance, writer: ServerRunWriter): void {
  app.patch<{ Params: RunParams; Body: unknown }>(
    "/api/v1/runs/:entity/:project/:id",
    // JSON escapes may take 6 bytes for one of the 64 KiB.
    { config: { access: "write", body: "json" }, bodyLimit: 6 * MAX_NOTES_BYTES + MAX_TAGS * 6 * MAX_TAG_CHARS + 1024 },
    async (request, reply) => {
      const edit = parseRunEdit(request.body);
      const { entity, project, id } = request.params;
      const run = await writer.editRun({ entity, project, id }, edit);
      if (run === undefined) throw new RunlogError("RUN_NOT_FOUND", `Run ${entity}/${project}/${id} was not found.`);
      return sendJson(reply, run);
    },
  );
}
