import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEAP_GROWTH_PERCENT,
  HEAP_GROWTH_VARIABLE,
  heapGrowthPercent,
} from '../../src/cli/heap-growth.js';
import { BUILT_CLI } from './cli-helpers.js';

const run = promisify(execFile);

/**
 * A process that keeps about 30 MB alive and churns through short-lived batches, as a sync does,
 * with the CLI's heap growth applied (or not): prints its peak heap in MB.
 */
const CHURN = `
  const { applyHeapGrowth, heapGrowthPercent } = await import(${JSON.stringify(new URL('../../dist/cli/heap-growth.js', import.meta.url).href)});
  applyHeapGrowth(heapGrowthPercent(process.env));
  const live = [];
  for (let i = 0; i < 300000; i++) live.push({ id: 'c' + i, tags: [i] });
  const waiting = [];
  let peak = 0;
  for (let round = 0; round < 300; round++) {
    const batch = [];
    for (let j = 0; j < 20000; j++) batch.push({ id: 'r' + j, parts: [j, j + 1] });
    waiting.push(batch);
    if (waiting.length > 3) waiting.shift();
    peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  console.log(Math.round(peak / 2 ** 20), live.length);
`;

async function peakHeapMb(value: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHURN], {
    env: { ...process.env, [HEAP_GROWTH_VARIABLE]: value },
  });
  return Number(stdout.split(' ')[0]);
}

describe('heap growth', () => {
  it('reads the variable: default when unset, V8 own with "default", a sentence naming it otherwise', () => {
    expect(heapGrowthPercent({})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent({ [HEAP_GROWTH_VARIABLE]: ' 35 ' })).toBe(35);
    expect(heapGrowthPercent({ [HEAP_GROWTH_VARIABLE]: 'default' })).toBeUndefined();
    for (const bad of ['0', '1001', '2.5', 'lots', '-3']) {
      expect(() => heapGrowthPercent({ [HEAP_GROWTH_VARIABLE]: bad })).toThrow(
        `${HEAP_GROWTH_VARIABLE} must be a whole number of percent from 1 to 1000, or "default", got "${bad}".`,
      );
    }
  });

  it('keeps the heap near its live data where V8 alone lets it reach several times that', async () => {
    const tuned = await peakHeapMb(String(DEFAULT_HEAP_GROWTH_PERCENT));
    const untuned = await peakHeapMb('default');
    expect(tuned).toBeLessThan(untuned * 0.7);
  }, 60_000);

  it('the CLI refuses a bad value with exit 2 and one sentence, before doing anything', async () => {
    const failure = await run(process.execPath, [BUILT_CLI, 'streams'], {
      env: { ...process.env, [HEAP_GROWTH_VARIABLE]: 'lots' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect('code' in failure ? failure.code : 0).toBe(2);
    expect(failure.stderr.trim()).toBe(
      `error: ${HEAP_GROWTH_VARIABLE} must be a whole number of percent from 1 to 1000, or "default", got "lots".`,
    );
  });
});
