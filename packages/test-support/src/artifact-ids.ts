/**
 * The stored version id of a logged artifact (lineage edges name it). `Artifact.record` is
 * `@internal`, so published types strip it; tests in other packages read it through here.
 */
export function versionIdOf(artifact: object): number | undefined {
  return (artifact as { readonly record?: { readonly id: number } }).record?.id;
}
