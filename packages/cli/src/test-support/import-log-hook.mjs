// Loader hook for tests: prints each bare package specifier a process imports, to check what a command loads.
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith(".") && !specifier.startsWith("node:") && !specifier.startsWith("file:")) console.error(`IMPORT ${specifier}`);
  return next(specifier, context);
}
