import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** For tests and benchmarks, not for production: a throwaway PostgreSQL cluster (Debian's `postgresql` package, not a mock) on a free port. */
export interface TestPostgres {
  readonly url: string;
  /** A new, empty database on the cluster. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, "bin")).find((dir) => existsSync(join(dir, "postgres")));
  if (found === undefined) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql (or set PG_BIN).");
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

export async function startPostgres(options: { fsync?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "runlog-pg-"));
  const user = owner();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"], {
    stdio: "ignore",
    ...user,
  });
  const port = await freePort();
  const settings = ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`, "-c", "max_connections=200"];
  if (options.fsync === false) settings.push("-c", "fsync=off", "-c", "synchronous_commit=off");
  const child: ChildProcess = spawn(join(bin, "postgres"), ["-D", data, "-p", String(port), ...settings], { stdio: "ignore", ...user });
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let admin: pg.Client | undefined;
  for (let attempt = 0; admin === undefined; attempt++) {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await client.connect();
      admin = client;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const connected = admin;
  return {
    url: `${base}/postgres`,
    async createDatabase(name: string) {
      await connected.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      return `${base}/${name}`;
    },
    async stop() {
      await connected.end().catch(() => {});
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGINT");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
