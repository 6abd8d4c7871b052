/**
 * Runs `load` once, on first use, and keeps its result; a failure is not
 * kept, so the next call tries again. The handlers use it to load a module
 * (with `import()`, which esbuild turns into a chunk) or create a client
 * only when a request first needs it, keeping init small.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}
