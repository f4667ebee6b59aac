import type { Command } from 'commander';
import { HOSTILE_KINDS } from '../simulator/hostile.js';
import {
  FAULT_KINDS,
  type FaultKind,
  SimulatorOptionError,
  type SimulatorOptions,
} from '../simulator/options.js';
import { isScale } from '../simulator/scales.js';
// The simulator's server (and the data generator under it) is loaded by the command that runs it,
// not by every command: it is tens of megabytes a sync has no use for.
import type { RunningSimulator } from '../simulator/server.js';
import { UsageError } from './errors.js';

function number(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${flag} must be a number, got "${value}".`);
    return n;
  };
}

export function registerSimulatorCommand(program: Command, io: { out: (line: string) => void }): void {
  program
    .command('simulator')
    .description('Run a local Intercom API simulator (a generated workspace behind a real HTTP server).')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', number('--port'), 0)
    .option('--seed <n>', 'seed of the generated workspace', number('--seed'), 1)
    .option('--scale <scale>', 'tiny | small | medium | large', 'small')
    .option('--token <token>', 'the access token the simulator accepts', 'sim_access_token')
    .option('--latency-ms <n>', 'added latency per response', number('--latency-ms'), 0)
    .option('--jitter-ms <n>', 'latency varies by up to ± this much', number('--jitter-ms'), 0)
    .option(
      '--rate-limit-per-minute <n>',
      "the app's rate limit (a sixth per 10-second window)",
      number('--rate-limit-per-minute'),
      10_000,
    )
    .option('--fault-rate <p>', 'probability 0–1 that a request gets a fault', number('--fault-rate'), 0)
    .option('--fault-kinds <list>', `comma-separated: ${FAULT_KINDS.join(', ')}`)
    .option('--hostile <kinds>', `hostile responses: all, or comma-separated: ${HOSTILE_KINDS.join(', ')}`)
    .option(
      '--scroll-idle-expiry-s <n>',
      'seconds before an idle companies scroll expires',
      number('--scroll-idle-expiry-s'),
      60,
    )
    .action(async (flags: Record<string, unknown>) => {
      if (!isScale(String(flags.scale)))
        throw new UsageError(
          `--scale must be one of tiny, small, medium, large, got "${String(flags.scale)}".`,
        );
      const kinds =
        flags.faultKinds === undefined
          ? undefined
          : String(flags.faultKinds)
              .split(',')
              .map((k) => k.trim());
      const hostile =
        flags.hostile === undefined
          ? undefined
          : String(flags.hostile).trim() === 'all'
            ? true
            : String(flags.hostile)
                .split(',')
                .map((k) => k.trim());
      const options: SimulatorOptions = {
        host: String(flags.host),
        port: flags.port as number,
        seed: flags.seed as number,
        scale: flags.scale as SimulatorOptions['scale'],
        token: String(flags.token),
        latencyMs: flags.latencyMs as number,
        jitterMs: flags.jitterMs as number,
        rateLimitPerMinute: flags.rateLimitPerMinute as number,
        faultRate: flags.faultRate as number,
        ...(kinds ? { faultKinds: kinds as FaultKind[] } : {}),
        ...(hostile === undefined ? {} : { hostile: hostile as SimulatorOptions['hostile'] }),
        scrollIdleExpirySeconds: flags.scrollIdleExpiryS as number,
      };
      let sim: RunningSimulator;
      try {
        const { startSimulator } = await import('../simulator/server.js');
        sim = await startSimulator(options);
      } catch (error) {
        if (error instanceof SimulatorOptionError)
          throw new UsageError(error.message.replace(/^([a-z][a-z-]*) /, '--$1 '));
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new UsageError(
            `Port ${options.port} on ${options.host} is already in use; choose another with --port.`,
          );
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
          throw new UsageError(`Cannot listen on host "${options.host}"; use an address of this machine.`);
        throw error;
      }
      io.out(`Intercom simulator listening on ${sim.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void sim.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
