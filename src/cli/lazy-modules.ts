import { createRequire } from 'node:module';

/**
 * Libraries only some runs need, loaded on first use rather than when the CLI starts: a sync that
 * takes its token from a flag or the environment never reads a connections file or stored
 * credentials, and each of these costs several megabytes of resident memory for the whole run
 * (docs/benchmarks.md). `require` keeps the callers synchronous.
 */
const load = createRequire(import.meta.url);

/** zod, for validating a connections file and stored credentials. */
export function zod(): typeof import('zod') {
  return load('zod') as typeof import('zod');
}

/** yaml, for reading a connections file. */
export function yaml(): typeof import('yaml') {
  return load('yaml') as typeof import('yaml');
}
