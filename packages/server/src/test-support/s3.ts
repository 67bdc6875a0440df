import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/**
 * A real S3-compatible server (s3rver) on loopback with one bucket, reached through the real AWS
 * SDK (its credentials go into the environment). Its folder outlives each test: tempRoot folders
 * are removed after every test.
 */
export async function startS3(bucket: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), "runlog-s3-")),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}
