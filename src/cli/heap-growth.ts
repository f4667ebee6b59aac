import { setFlagsFromString } from 'node:v8';
import { UsageError } from './errors.js';

/** The environment variable that sets how far V8's heap may grow past its live data. */
export const HEAP_GROWTH_VARIABLE = 'INTERCOM_SYNC_HEAP_GROWTH_PERCENT';

/**
 * How far (in percent) V8 lets the heap grow past what survived its last full collection before
 * the next one. V8 sizes this for a machine's memory (on 24 GiB it lets a sync's heap reach several
 * times its live data, which is mostly parsed pages and batches waiting for a commit), so peak
 * memory would follow the machine rather than the workspace. 20% keeps the heap near its live data
 * for little CPU (docs/benchmarks.md); `default` leaves V8's own heuristics.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 20;

/**
 * The heap growth the environment asks for: a whole number of percent from 1 to 1000, `default`
 * (V8's own), or the default when unset. Throws a UsageError naming the variable otherwise.
 */
export function heapGrowthPercent(vars: NodeJS.ProcessEnv): number | undefined {
  const raw = vars[HEAP_GROWTH_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  if (raw === 'default') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 1000) {
    throw new UsageError(
      `${HEAP_GROWTH_VARIABLE} must be a whole number of percent from 1 to 1000, or "default", got "${raw}".`,
    );
  }
  return value;
}

/**
 * Applies the heap growth to this process's V8 (a flag V8 reads at every full collection, so it
 * takes effect after start-up, unlike the heap size limits).
 */
export function applyHeapGrowth(percent: number | undefined): void {
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
