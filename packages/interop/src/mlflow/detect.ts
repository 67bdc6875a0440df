import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RunlogError } from "@runlog/core";

export type MlflowLocation = { readonly kind: "file-store"; readonly root: string } | { readonly kind: "sqlite"; readonly file: string };

const SQLITE_MAGIC = "SQLite format 3\0";

/**
 * Where an MLflow tracking store is: a `sqlite:///…` URI or a SQLite file (MLflow's `mlflow.db`),
 * a `file:` URI or folder of the file store (`mlruns/`, or a folder holding one).
 */
export function locateMlflowStore(path: string): MlflowLocation {
  const target = pathOf(path);
  if (!existsSync(target))
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `${target} does not exist: pass an mlruns/ folder, an MLflow SQLite file or a sqlite:/// URI.`,
    );
  if (statSync(target).isFile()) {
    if (startsWithSqliteMagic(target) || target.endsWith(".db")) return { kind: "sqlite", file: target };
    throw new RunlogError("INVALID_ARGUMENT", `${target} is neither an MLflow SQLite database nor an mlruns/ folder.`);
  }
  if (holdsExperiments(target)) return { kind: "file-store", root: target };
  const nested = join(target, "mlruns");
  if (existsSync(nested) && holdsExperiments(nested)) return { kind: "file-store", root: nested };
  throw new RunlogError("INVALID_ARGUMENT", `${target} holds no MLflow experiment (a folder with a meta.yaml): pass the mlruns/ folder.`);
}

function pathOf(path: string): string {
  if (path.startsWith("sqlite:")) {
    // SQLAlchemy's form: sqlite:///relative.db or sqlite:////absolute.db (a query string is ignored).
    const rest = path.replace(/^sqlite:\/\/\//, "").replace(/\?.*$/, "");
    if (rest === path || rest === "") throw new RunlogError("INVALID_ARGUMENT", `${path} is not a sqlite:///path URI.`);
    return resolve(rest);
  }
  if (path.startsWith("file:")) return fileURLToPath(path);
  return resolve(path);
}

function startsWithSqliteMagic(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString("latin1") === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** A file store root: some child folder is an experiment (has a meta.yaml). */
function holdsExperiments(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some(
    (entry) => entry.isDirectory() && !entry.name.startsWith(".") && existsSync(join(dir, entry.name, "meta.yaml")),
  );
}
