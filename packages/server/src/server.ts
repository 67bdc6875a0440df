import { Api } from "@runlog/core";
import { appDir } from "@runlog/ui";
import Fastify, { type FastifyInstance } from "fastify";
import { registerApiRoutes } from "./api-routes.js";
import { registerArtifactRoutes } from "./artifact-routes.js";
import { registerArtifactIngestRoutes } from "./artifacts/artifact-routes-ingest.js";
import { registerAuth } from "./auth/auth-hook.js";
import { resolveBindPolicy } from "./bind-policy.js";
import { parseAllowedHosts, registerBrowserGuards } from "./guards/browser-guards.js";
import { registerJsonBodyParser } from "./guards/json-body.js";
import { errorResponse } from "./http-errors.js";
import { MAX_FILE_BYTES, registerIngestRoutes } from "./ingest/ingest-routes.js";
import { registerInputGuards } from "./input-guards.js";
import { registerLiveEvents } from "./live-events.js";
import { registerProjectLiveEvents } from "./project-live-events.js";
import { registerRunLinks } from "./run-links.js";
import { registerRunEditRoutes } from "./runs/run-edit-routes.js";
import { openServerStore, type ServerStore } from "./server-store.js";
import { registerStaticUi } from "./static-ui.js";
import { registerStoreRoutes } from "./store-routes.js";
import { registerSweepCoordRoutes } from "./sweeps/sweep-coord-routes.js";
import { registerSweepReadRoutes } from "./sweeps/sweep-read-routes.js";
import { registerWorkspaceRoutes } from "./workspaces/workspace-routes.js";

export interface ServeOptions {
  /** The runlog folder (default `./runlog`, or RUNLOG_DIR): the embedded store when `store` is not given. */
  dir?: string;
  /** `postgres://…`: the team store (migrated on start; several instances may share it). */
  store?: string;
  /** With `store`: `s3://bucket/prefix` for run files (media, saved files); default a folder under `dir`. */
  artifacts?: string;
  /** An S3-compatible endpoint for `artifacts` (MinIO, R2, s3rver…). */
  artifactsEndpoint?: string;
  /** The largest run file an online run may upload (default 4 GiB). */
  maxFileBytes?: number;
  /** Default 127.0.0.1; any other address needs API keys. */
  host?: string;
  /** Default 6006; 0 picks a free port. */
  port?: number;
  /** A master key with write access to every entity (RUNLOG_API_KEY), besides the key store's keys. */
  apiKey?: string;
  /** Require API keys on loopback too (always required elsewhere). */
  requireKeys?: boolean;
  /** Requests per second per API key (default 200); 0 turns rate limiting off. */
  rateLimit?: number;
  /** Failed authentications per second per client address (default 2, bursts of 10×); 0 turns it off. */
  authFailureRate?: number;
  /**
   * Behind a load balancer: take the client address from X-Forwarded-For (true: from any proxy;
   * or the proxies' addresses), so the failed-authentication limit applies per client, not per proxy.
   */
  trustProxy?: boolean | string[];
  /**
   * More host names a keyless server answers to (default RUNLOG_ALLOWED_HOSTS, comma-separated);
   * it always answers to localhost, 127.x, [::1] and the bound host, and to nothing else.
   */
  allowedHosts?: readonly string[];
  /** The most JSON bytes one history page or live-events push holds (default 4 MiB); the rest follows page by page. */
  maxPageBytes?: number;
  /** How often live event streams look for new rows (ms, default 500). */
  pollMs?: number;
  /** The built dashboard to serve at `/` (default: `@runlog/ui`'s). */
  appDir?: string;
  /** Called after every response with its route pattern, status and time in ms (metrics exporters, benchmarks). */
  onResponseTime?: (route: string, status: number, ms: number) => void;
}

export interface RunlogServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: ServerStore;
  close(): Promise<void>;
}

/**
 * Serves the API, ingestion for online runs and the dashboard, over the embedded store or
 * PostgreSQL. Stateless apart from the store: run as many instances as needed behind a load balancer.
 */
export async function serve(options: ServeOptions = {}): Promise<RunlogServer> {
  const apiKey = options.apiKey ?? process.env.RUNLOG_API_KEY;
  const dir = options.dir ?? process.env.RUNLOG_DIR ?? "./runlog";
  const store = await openServerStore({
    dir,
    store: options.store,
    objects: options.artifacts,
    objectsEndpoint: options.artifactsEndpoint,
  });
  let api: Api | undefined;
  try {
    const hasKeys = (await store.keys.list()).some((key) => key.revokedAt === undefined);
    const { host, requireKey } = resolveBindPolicy({ host: options.host, apiKey, hasKeys, requireKeys: options.requireKeys });
    api = store.kind === "embedded" ? new Api({ dir }) : new Api({ reader: store.reader });
    const app = Fastify({ logger: false, bodyLimit: 1 << 20, trustProxy: options.trustProxy ?? false });
    const timed = options.onResponseTime;
    if (timed)
      app.addHook("onResponse", async (request, reply) => timed(request.routeOptions.url ?? "", reply.statusCode, reply.elapsedTime));
    registerJsonBodyParser(app);
    registerBrowserGuards(app, {
      keyless: !requireKey,
      boundHost: host,
      allowedHosts: options.allowedHosts ?? parseAllowedHosts(process.env.RUNLOG_ALLOWED_HOSTS),
    });
    registerAuth(app, {
      keys: store.keys,
      required: requireKey,
      masterKey: apiKey,
      rateLimit: options.rateLimit,
      authFailureRate: options.authFailureRate,
    });
    registerInputGuards(app);
    app.setErrorHandler((error, _request, reply) => {
      const { status, body } = errorResponse(error);
      if (status === 500) app.log.error(error);
      return reply.code(status).send(body);
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ code: "NOT_FOUND", message: `No route ${request.method} ${request.url.slice(0, 200)}.` }),
    );
    // For load balancers: no key needed, no data shown; 503 while the store does not answer.
    app.get("/healthz", { config: { access: "public" } }, async (_request, reply) => {
      try {
        await store.ping();
        return reply.send({ ok: true, store: store.kind });
      } catch {
        return reply.code(503).send({ ok: false, store: store.kind });
      }
    });
    registerApiRoutes(app, api, store.files, options.maxPageBytes, store.reader);
    registerArtifactRoutes(app, api, store.artifacts);
    registerLiveEvents(app, api, { pollMs: options.pollMs, maxPushBytes: options.maxPageBytes });
    registerProjectLiveEvents(app, api, { pollMs: options.pollMs, maxPushBytes: options.maxPageBytes });
    const serverApi = api;
    registerStoreRoutes(app, store.reader, options.maxPageBytes, async (run) =>
      (await serverApi.run(`${run.entity}/${run.project}/${run.id}`)).files(),
    );
    registerWorkspaceRoutes(app, store.layouts);
    registerRunEditRoutes(app, store.writer);
    registerSweepCoordRoutes(app, store.sweeps);
    registerSweepReadRoutes(app, store.sweeps);
    registerIngestRoutes(app, store.writer, store.files, options.maxFileBytes);
    registerArtifactIngestRoutes(app, store.artifacts, store.tempDir, options.maxFileBytes ?? MAX_FILE_BYTES);
    registerRunLinks(app, options.appDir ?? appDir());
    registerStaticUi(app, options.appDir ?? appDir());

    await app.listen({ host, port: options.port ?? 6006 });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : options.port;
    const urlHost = host.includes(":") ? `[${host}]` : host;
    const opened = api;
    return {
      url: `http://${urlHost}:${port}`,
      app,
      store,
      async close() {
        await app.close();
        opened.close();
        await store.close();
      },
    };
  } catch (error) {
    api?.close();
    await store.close();
    throw error;
  }
}
