import { createWriteStream, type WriteStream } from "node:fs";

type Write = typeof process.stdout.write;

/**
 * Tees process.stdout/stderr into each active run's output.log. The streams are wrapped
 * once however many runs capture, and restored when the last capture stops.
 */
const captures = new Set<WriteStream>();
let originals: { stdout: Write; stderr: Write } | undefined;

function tee(original: Write, stream: NodeJS.WriteStream): Write {
  return function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === "string" || chunk instanceof Uint8Array) {
      for (const file of captures) file.write(chunk);
    }
    return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
  } as Write;
}

export function startConsoleCapture(path: string): () => Promise<void> {
  const file = createWriteStream(path, { flags: "a" });
  file.on("error", () => captures.delete(file));
  captures.add(file);
  if (originals === undefined) {
    originals = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = tee(originals.stdout, process.stdout);
    process.stderr.write = tee(originals.stderr, process.stderr);
  }
  return () =>
    new Promise<void>((resolve) => {
      captures.delete(file);
      if (captures.size === 0 && originals !== undefined) {
        process.stdout.write = originals.stdout;
        process.stderr.write = originals.stderr;
        originals = undefined;
      }
      file.end(() => resolve());
    });
}
