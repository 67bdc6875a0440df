import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RunlogError } from "@runlog/core";
import { serve } from "@runlog/server";

export const UI_HELP = `Usage: runlog ui [--dir ./runlog] [--port 6006] [--host 127.0.0.1] [--api-key KEY]

  Serves the dashboard and the read API (/api/v1) over the store until Ctrl-C.
  Binds 127.0.0.1 by default; another host needs --api-key (or RUNLOG_API_KEY), at least 16 characters.`;

export async function uiCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "api-key": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(UI_HELP);
    return 0;
  }
  const port = Number(values.port ?? 6006);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RunlogError("INVALID_ARGUMENT", `--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}.`);
  }
  const server = await serve({
    dir: resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog"),
    port,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values["api-key"] === undefined ? {} : { apiKey: values["api-key"] }),
  });
  out(`runlog ui: dashboard at ${server.url}/ (API under /api/v1; Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await server.close();
  return 0;
}
