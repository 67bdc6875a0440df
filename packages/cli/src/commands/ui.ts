import type { Out } from "../command.js";
import { serveUntilStopped } from "./server.js";

export const UI_HELP = `Usage: runlog ui [--dir ./runlog] [--port 6006] [--host 127.0.0.1] [--api-key KEY]

  Serves the dashboard and the read API (/api/v1) over the store until Ctrl-C.
  Binds 127.0.0.1 by default; another host needs API keys (runlog server keys create) or
  --api-key (RUNLOG_API_KEY) with at least 16 characters. \`runlog server --help\` lists the rest.`;

export function uiCommand(args: string[], out: Out, err: Out): Promise<number> {
  return serveUntilStopped(args, out, err, { name: "runlog ui", defaultPort: 6006, help: UI_HELP });
}
