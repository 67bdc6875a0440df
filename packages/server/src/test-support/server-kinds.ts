import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { type RunlogServer, type ServeOptions, serve } from "../index.js";
import { startS3 } from "./s3.js";

/**
 * The two kinds of server a feature must work on, for `describe.each`: the team server on a fresh
 * PostgreSQL database with objects in S3 (s3rver), and a server on a fresh embedded store. Call at
 * a test file's top level: it registers the hooks that start and stop PostgreSQL and S3. Options
 * given to a start function (keys required, limits) apply on top of the kind's own.
 */
export function serverKinds(): [string, (options?: ServeOptions) => Promise<RunlogServer>][] {
  let postgres: TestPostgres;
  let s3: Awaited<ReturnType<typeof startS3>>;
  const servers: RunlogServer[] = [];
  beforeAll(async () => {
    postgres = await startPostgres({ fsync: false });
    s3 = await startS3("team");
  });
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.close();
    await postgres?.stop();
    await s3?.close();
  });
  const started = async (server: Promise<RunlogServer>) => {
    servers.push(await server);
    return servers[servers.length - 1] as RunlogServer;
  };
  return [
    [
      "PostgreSQL + S3",
      async (options?: ServeOptions) =>
        started(
          serve({
            store: await postgres.createDatabase(`db_${servers.length}_${Date.now()}`),
            artifacts: "s3://team/runlog/",
            artifactsEndpoint: s3.endpoint,
            port: 0,
            dir: tempRoot(),
            ...options,
          }),
        ),
    ],
    ["embedded", (options?: ServeOptions) => started(serve({ port: 0, dir: tempRoot(), ...options }))],
  ];
}
