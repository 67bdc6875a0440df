import { randomInt } from "node:crypto";
import { describeValue, RunlogError } from "../errors.js";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
// Run ids become folder names, so they are restricted to a filename-safe set.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const PROJECT_FORBIDDEN = /[/\\#?%:\0]/;

export function generateRunId(): string {
  let id = "";
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const ADJECTIVES = [
  "amber",
  "brisk",
  "calm",
  "daring",
  "eager",
  "fancy",
  "gentle",
  "hardy",
  "icy",
  "jolly",
  "keen",
  "lively",
  "misty",
  "noble",
  "olive",
  "proud",
  "quiet",
  "rapid",
  "sunny",
  "tidy",
  "upbeat",
  "vivid",
  "warm",
  "young",
  "zesty",
  "bold",
  "crisp",
  "dusty",
  "fresh",
  "golden",
];
const NOUNS = [
  "river",
  "forest",
  "meadow",
  "comet",
  "harbor",
  "valley",
  "breeze",
  "canyon",
  "glacier",
  "island",
  "lagoon",
  "mountain",
  "nebula",
  "orchard",
  "planet",
  "quartz",
  "rain",
  "sky",
  "thunder",
  "wave",
  "aurora",
  "dune",
  "ember",
  "field",
  "grove",
  "haze",
  "lake",
  "moon",
  "pine",
  "star",
];

/** A readable name like W&B's: "sunny-river-12", numbered by the run's position in its project. */
export function generateRunName(runNumber: number): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)] ?? "calm";
  const noun = NOUNS[randomInt(NOUNS.length)] ?? "river";
  return `${adjective}-${noun}-${runNumber}`;
}

export function validateRunId(id: unknown): string {
  if (typeof id !== "string" || !ID_PATTERN.test(id) || id === "." || id === "..") {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Invalid run id ${describeValue(id)}: use 1–64 characters from letters, digits, "_", "." and "-", starting with a letter or digit.`,
    );
  }
  return id;
}

/** Project and entity names: W&B's rule (≤128 chars, none of / \ # ? % :). */
export function validateScopeName(kind: "project" | "entity", value: unknown): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 128 ||
    value.trim() !== value ||
    PROJECT_FORBIDDEN.test(value) ||
    value === "." ||
    value === ".."
  ) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Invalid ${kind} name ${describeValue(value)}: use 1–128 characters without / \\ # ? % : or surrounding spaces.`,
    );
  }
  return value;
}

export function validateTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags)) {
    throw new RunlogError("INVALID_ARGUMENT", `tags must be an array of strings, got ${describeValue(tags)}.`);
  }
  const seen = new Set<string>();
  for (const tag of tags) {
    if (typeof tag !== "string" || tag.length === 0 || tag.length > 64) {
      throw new RunlogError("INVALID_ARGUMENT", `Invalid tag ${describeValue(tag)}: each tag must be a string of 1–64 characters.`);
    }
    seen.add(tag);
  }
  return Object.freeze([...seen]);
}

export function validateOptionalText(field: string, value: unknown, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) {
    throw new RunlogError("INVALID_ARGUMENT", `${field} must be a string of at most ${max} characters, got ${describeValue(value)}.`);
  }
  return value;
}
