import { Api, openStoreReader } from "@runlog/core";
import { appDir } from "@runlog/ui";
import Fastify, { type FastifyInstance } from "fastify";
import { hasApiKey } from "./api-key.js";
import { registerApiRoutes } from "./api-routes.js";
import { registerArtifactRoutes } from "./artifact-routes.js";
import { resolveBindPolicy } from "./bind-policy.js";
import { errorResponse } from "./http-errors.js";
import { registerLiveEvents } from "./live-events.js";
import { registerStaticUi } from "./static-ui.js";
import { registerStoreRoutes } from "./store-routes.js";

export interface ServeOptions {
  /** The runlog folder (default `./runlog`, or RUNLOG_DIR). */
  dir?: string;
  /** Default 127.0.0.1; any other address needs `apiKey`. */
  host?: string;
  /** Default 6006; 0 picks a free port. */
  port?: number;
  apiKey?: string;
  /** How often live event streams look for new rows (ms, default 500). */
  pollMs?: number;
  /** The built dashboard to serve at `/` (default: `@runlog/ui`'s). */
  appDir?: string;
}

export interface RunlogServer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Serves the read API over the embedded store. Loopback by default; elsewhere only with an API key. */
export async function serve(options: ServeOptions = {}): Promise<RunlogServer> {
  const apiKey = options.apiKey ?? process.env.RUNLOG_API_KEY;
  const { host, requireKey } = resolveBindPolicy({ host: options.host, apiKey });
  const api = new Api({ dir: options.dir });
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });

  if (requireKey) {
    app.addHook("onRequest", async (request, reply) => {
      if (!hasApiKey(request.headers, apiKey as string)) {
        return reply.code(401).send({ code: "UNAUTHORIZED", message: "Send the server's API key as `Authorization: Bearer <key>`." });
      }
    });
  }
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResponse(error);
    if (status === 500) app.log.error(error);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: "NOT_FOUND", message: `No route ${request.method} ${request.url.slice(0, 200)}.` }),
  );
  registerApiRoutes(app, api);
  registerArtifactRoutes(app, api);
  registerLiveEvents(app, api, { pollMs: options.pollMs });
  const reader = openStoreReader({ dir: options.dir });
  registerStoreRoutes(app, reader);
  registerStaticUi(app, options.appDir ?? appDir());

  try {
    await app.listen({ host, port: options.port ?? 6006 });
  } catch (error) {
    api.close();
    reader.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    app,
    async close() {
      await app.close();
      api.close();
      reader.close();
    },
  };
}
