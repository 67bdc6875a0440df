/**
 * URL of a sibling module that must run as compiled JavaScript (a worker thread entry).
 * Under vitest the caller is the TypeScript source in src/; its compiled twin is in dist/.
 */
export function compiledSiblingUrl(fromUrl: string, fileName: string): URL {
  const url = new URL(fileName, fromUrl);
  if (!fromUrl.endsWith(".ts")) return url;
  return new URL(url.href.replace(/\/src\/(?!.*\/src\/)/, "/dist/"));
}
