import { describe, expect, it } from 'vitest';
import { CHAOS_DESTINATIONS, type ChaosReport, runChaos } from '../../bench/chaos.js';
import { postgresUnavailable } from '../destinations/postgres-harness.js';

/**
 * The chaos harness (`npm run chaos`) on a small fixed-seed set: for each destination, syncs of the
 * built CLI killed with SIGKILL at random moments and at commits, rerun until they succeed, then
 * every table compared with the simulator's truth. The seeds were picked so that the set holds kills
 * at random times and kills inside commits.
 */

const pgUnavailable = await postgresUnavailable();

const SEEDS: Record<(typeof CHAOS_DESTINATIONS)[number], number> = { duckdb: 1, postgres: 2, parquet: 3 };
const reports: ChaosReport[] = [];

describe('chaos: SIGKILL at random moments and inside commits, then reruns', () => {
  for (const dest of CHAOS_DESTINATIONS) {
    it.skipIf(dest === 'postgres' && pgUnavailable !== undefined)(
      `${dest}: nothing lost, duplicated or mismatched`,
      async () => {
        const lines: string[] = [];
        const report = await runChaos({ trials: 2, dest, seed: SEEDS[dest], print: (l) => lines.push(l) });
        reports.push(report);
        const transcript = lines.join('\n');
        expect(
          report.trials.every((t) => t.failure === undefined),
          transcript,
        ).toBe(true);
        expect(
          report.trials.flatMap((t) => t.kills).filter((k) => k.killed).length,
          transcript,
        ).toBeGreaterThan(0);
        expect(
          report.trials.every((t) => t.records > 100),
          transcript,
        ).toBe(true);
        expect(
          { lost: report.lost, duplicated: report.duplicated, mismatched: report.mismatched },
          transcript,
        ).toEqual({
          lost: 0,
          duplicated: 0,
          mismatched: 0,
        });
        expect(lines.at(-1)).toBe('trials=2 lost=0 duplicated=0 mismatched=0');
      },
      90_000,
    );
  }

  it('the set killed at least one sync inside a commit and one at a random time', () => {
    const kills = reports.flatMap((r) => r.trials.flatMap((t) => t.kills)).filter((k) => k.killed);
    expect(kills.some((k) => k.inCommit)).toBe(true);
    expect(kills.some((k) => k.aim === 'time')).toBe(true);
  });
});
