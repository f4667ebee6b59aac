import type { Command } from 'commander';
import { createDestination } from '../destinations/index.js';
import { isScale } from '../simulator/scales.js';
import { UsageError } from './errors.js';
import type { Io } from './output.js';
import { executeSync } from './sync-command.js';
import { resolveSync } from './sync-options.js';

/**
 * `intercom-sync demo`: starts the simulator in-process, syncs the whole generated workspace into a
 * local DuckDB file and prints a query to try. No Intercom account needed.
 */
export function registerDemoCommand(
  program: Command,
  io: Io,
  env: { isTty: boolean; vars: NodeJS.ProcessEnv },
  onExit: (code: number) => void,
): void {
  program
    .command('demo')
    .description('Sync a simulated Intercom workspace into ./intercom-demo.duckdb (no account needed).')
    .option('--scale <scale>', 'tiny | small | medium | large', 'small')
    .option('--seed <n>', 'seed of the simulated workspace', '1')
    .option('--dest-uri <uri>', 'where to write', 'duckdb:///intercom-demo.duckdb')
    .action(async (flags: { scale: string; seed: string; destUri: string }) => {
      if (!isScale(flags.scale))
        throw new UsageError(`--scale must be one of tiny, small, medium, large, got "${flags.scale}".`);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new UsageError(`--seed must be a whole number, got "${flags.seed}".`);
      // Loaded here, not with the CLI: a sync has no use for the simulator's data generator.
      const { startSimulator } = await import('../simulator/server.js');
      const sim = await startSimulator({ scale: flags.scale, seed });
      io.err(`Simulated Intercom workspace (${flags.scale}, seed ${seed}) at ${sim.url}`);
      try {
        const resolved = resolveSync(
          { accessToken: sim.token, baseUrl: sim.url, destUri: flags.destUri },
          env.vars,
          (m) => io.err(`warn: ${m}`),
        );
        const outcome = await executeSync(resolved, io, env);
        const spec = resolved.destination;
        if (outcome.exitCode === 0 && spec.kind !== 'duckdb') {
          io.out('');
          io.out(`Done: the tables are in ${(await createDestination(spec, resolved.schema)).description}.`);
        } else if (outcome.exitCode === 0 && spec.kind === 'duckdb') {
          const file = spec.path;
          io.out('');
          io.out(`Done. Try it with the DuckDB CLI (or any DuckDB client):`);
          io.out(
            `  duckdb ${file} "SELECT state, count(*) AS conversations, avg(custom_priority_score) FROM intercom.conversations GROUP BY state"`,
          );
          io.out(
            `  duckdb ${file} "SELECT c.name, count(*) AS parts FROM intercom.conversation_parts p JOIN intercom.conversations v ON v.id = p.conversation_id JOIN intercom.contacts c ON c.id = (v.contacts->>'$.contacts[0].id') GROUP BY 1 ORDER BY 2 DESC LIMIT 5"`,
          );
        }
        onExit(outcome.exitCode);
      } finally {
        await sim.close();
      }
    });
}
