import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { venvPython } from "@runlog/test-support/python-env";

const MAKE = fileURLToPath(new URL("./make_mlflow_runs.py", import.meta.url));
const READ = fileURLToPath(new URL("./read_mlflow.py", import.meta.url));

/** The file store needs MLflow 3's opt-in; both stores run quietly. */
const ENV = { ...process.env, MLFLOW_ALLOW_FILE_STORE: "true", MLFLOW_LOGGING_LEVEL: "ERROR", GIT_PYTHON_REFRESH: "quiet" };

/** Runs logged by the real mlflow (see make_mlflow_runs.py) into `uri` (file:///…/mlruns or sqlite:///…). */
export async function makeMlflowRuns(uri: string, cwd: string): Promise<void> {
  await promisify(execFile)(venvPython("mlflow"), [MAKE, uri], { cwd, env: ENV, timeout: 170_000 });
}

export interface MlflowRunView {
  name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Per key: [step, timestamp ms, value] with NaN/±Infinity as strings. */
  metrics: Record<string, [number, number, number | string][]>;
  artifacts: string[];
}

/** What MlflowClient reads from `uri`: experiment name → run id → run. */
export function readWithMlflow(uri: string): Record<string, Record<string, MlflowRunView>> {
  return JSON.parse(
    execFileSync(venvPython("mlflow"), [READ, uri], { env: ENV, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }).toString("utf8"),
  );
}
