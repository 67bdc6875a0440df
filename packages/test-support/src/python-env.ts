import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The project's Python virtualenvs, made by `scripts/setup.sh` from `requirements/python-*.txt`:
 * `"dev"` (.venv: the real wandb, lightning, torch, tensorboard, pyarrow, pandas, pytest, coverage),
 * `"mlflow"` and `"sweeps"` (each pins its own numpy, so each has its own venv). The real tools are
 * the oracles of the drop-in, sweep and import/export tests; Debian's /usr/bin/python3 stays for the
 * tests that use its python3-onnx / python3-torch.
 */
export type PythonEnv = "dev" | "mlflow" | "sweeps";

/** The repository root (this file is packages/test-support/src/python-env.ts). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The venv's python; `RUNLOG_VENV_<NAME>` (e.g. RUNLOG_VENV_DEV=/path/to/venv) overrides the folder. */
export function venvPython(env: PythonEnv = "dev"): string {
  const folder = process.env[`RUNLOG_VENV_${env.toUpperCase()}`] ?? `${REPO_ROOT}${env === "dev" ? ".venv" : `.venv-${env}`}`;
  const python = `${folder.replace(/\/$/, "")}/bin/python`;
  if (!existsSync(python)) {
    throw new Error(
      `${python} is missing: run \`bash scripts/setup.sh\` (it makes the project's Python virtualenvs from requirements/python-*.txt)`,
    );
  }
  return python;
}
