import { createHash } from "node:crypto";

/** One file of an artifact, in W&B's manifest v1 shape (plus our sha256 in `extra`). */
export interface ManifestEntry {
  /** base64 MD5 of the content (W&B's entry digest). */
  readonly digest: string;
  readonly size: number;
  /** For references: the URI the entry points to (not copied). */
  readonly ref?: string;
  readonly extra?: { readonly sha256?: string };
}

export interface Manifest {
  readonly version: 1;
  readonly storagePolicy: "runlog-storage-policy-v1";
  readonly storagePolicyConfig: { readonly storageLayout: "sha256" };
  readonly contents: Readonly<Record<string, ManifestEntry>>;
}

export function buildManifest(contents: Record<string, ManifestEntry>): Manifest {
  const sorted: Record<string, ManifestEntry> = {};
  for (const path of Object.keys(contents).sort()) sorted[path] = contents[path] as ManifestEntry;
  return { version: 1, storagePolicy: "runlog-storage-policy-v1", storagePolicyConfig: { storageLayout: "sha256" }, contents: sorted };
}

/**
 * W&B's artifact digest, so the same files give the same digest as in W&B: hex MD5 of
 * "wandb-artifact-manifest-v1\n" followed by "<path>:<entry digest>\n" for each path in sorted order.
 */
export function manifestDigest(contents: Readonly<Record<string, ManifestEntry>>): string {
  const hash = createHash("md5");
  hash.update("wandb-artifact-manifest-v1\n");
  for (const path of Object.keys(contents).sort()) hash.update(`${path}:${(contents[path] as ManifestEntry).digest}\n`);
  return hash.digest("hex");
}
