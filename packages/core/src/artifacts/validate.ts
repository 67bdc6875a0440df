import { describeValue, RunlogError } from "../errors.js";
import { isPlainObject } from "../history/flatten.js";

const NAME = /^[A-Za-z0-9_.-]+$/;
const TAG = /^[-\w]+( +[-\w]+)*$/;

function invalid(code: "ARTIFACT_NAME_INVALID" | "INVALID_ARGUMENT", message: string): never {
  throw new RunlogError(code, message);
}

/** W&B's rule: letters, digits, "-", "_", "." and at most 128 characters. */
export function validateArtifactName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name) || name.length > 128) {
    invalid(
      "ARTIFACT_NAME_INVALID",
      `Artifact name may only contain alphanumeric characters, dashes, underscores, and dots (at most 128). Invalid name: ${describeValue(name)}.`,
    );
  }
  return name;
}

/** Types are free text without "/" or ":"; internal types are reserved unless runlog itself creates them. */
export function validateArtifactType(type: unknown, name: string, internal = false): string {
  if (typeof type !== "string" || type.length === 0 || type.length > 128 || /[/:]/.test(type)) {
    invalid("INVALID_ARGUMENT", `Artifact type must be 1–128 characters without "/" or ":", got ${describeValue(type)}.`);
  }
  const reserved =
    type === "job" ||
    type.startsWith("wandb-") ||
    type.startsWith("runlog-") ||
    (type === "run_table" && name.startsWith("run-")) ||
    (type === "code" && name.startsWith("source-"));
  if (reserved && !internal) {
    invalid("INVALID_ARGUMENT", `Artifact type "${type}" is reserved for internal use (for name "${name}"); choose another type or name.`);
  }
  return type;
}

/** Aliases: no "/" or ":", and "vN" is reserved for version numbers. */
export function validateAliases(aliases: unknown): string[] {
  if (aliases === undefined) return [];
  if (!Array.isArray(aliases)) invalid("INVALID_ARGUMENT", `aliases must be an array of strings, got ${describeValue(aliases)}.`);
  for (const alias of aliases) {
    if (typeof alias !== "string" || alias.length === 0 || alias.length > 128 || /[/:]/.test(alias)) {
      invalid("INVALID_ARGUMENT", `Invalid alias ${describeValue(alias)}: aliases are 1–128 characters without "/" or ":".`);
    }
    if (/^v\d+$/.test(alias)) invalid("INVALID_ARGUMENT", `Alias "${alias}" is reserved: "vN" names version N.`);
  }
  return [...new Set(aliases as string[])];
}

export function validateArtifactTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string" || !TAG.test(tag) || tag.length > 128)) {
    invalid(
      "INVALID_ARGUMENT",
      `Artifact tags are words of letters, digits, "-" and "_" separated by single spaces, got ${describeValue(tags)}.`,
    );
  }
  return [...new Set(tags as string[])];
}

/** Metadata: a plain JSON object with at most 100 top-level keys and no ±Infinity. */
export function validateMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (!isPlainObject(metadata)) invalid("INVALID_ARGUMENT", `Artifact metadata must be a plain object, got ${describeValue(metadata)}.`);
  if (Object.keys(metadata).length > 100)
    invalid("INVALID_ARGUMENT", `Artifact metadata may have at most 100 keys (got ${Object.keys(metadata).length}).`);
  let text: string;
  try {
    text = JSON.stringify(metadata, (_key, value) => {
      if (typeof value === "number" && !Number.isFinite(value) && !Number.isNaN(value)) throw new Error("±Infinity is not allowed");
      if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol")
        throw new Error(`a ${typeof value} is not allowed`);
      return value;
    });
  } catch (error) {
    return invalid("INVALID_ARGUMENT", `Artifact metadata cannot be stored: ${(error as Error).message}.`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** `[entity/][project/]name[:alias|:vN]`, as use_artifact accepts. */
export function parseArtifactPath(path: unknown): { entity?: string; project?: string; name: string; alias: string } {
  if (typeof path !== "string" || path.length === 0 || path.length > 512)
    invalid("INVALID_ARGUMENT", `Expected an artifact path like "name:alias", got ${describeValue(path)}.`);
  const colon = path.lastIndexOf(":");
  const head = colon === -1 ? path : path.slice(0, colon);
  const alias = colon === -1 ? "latest" : path.slice(colon + 1);
  const parts = head.split("/");
  if (parts.length > 3 || alias.length === 0)
    invalid("INVALID_ARGUMENT", `Invalid artifact path ${describeValue(path)}: use [entity/][project/]name[:alias].`);
  const name = validateArtifactName(parts[parts.length - 1]);
  return {
    ...(parts.length === 3 ? { entity: parts[0] as string } : {}),
    ...(parts.length >= 2 ? { project: parts[parts.length - 2] as string } : {}),
    name,
    alias,
  };
}
