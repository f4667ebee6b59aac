#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAirbyteCommands } from './airbyte/airbyte-command.js';
import { registerAuthCommands } from './auth-command.js';
import { registerDemoCommand } from './demo-command.js';
import { UsageError } from './errors.js';
import { applyHeapGrowth, heapGrowthPercent } from './heap-growth.js';
import type { Io } from './output.js';
import { registerSimulatorCommand } from './simulator-command.js';
import { registerSingerCommand } from './singer/singer-command.js';
import { registerSyncCommands } from './sync-command.js';

/** This package's version, from its package.json (two folders up from `src/cli` and `dist/cli`). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** Builds the CLI. `io` is where output goes, so tests can run commands in-process. */
export function buildProgram(
  io: Io,
  env: { isTty: boolean; vars: NodeJS.ProcessEnv },
  onExit: (code: number) => void,
): Command {
  const program = new Command();
  program
    .name('intercom-sync')
    .description('Replicate an Intercom workspace into a warehouse and keep it current.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerSimulatorCommand(program, io);
  registerSyncCommands(program, io, env, onExit);
  registerAuthCommands(program, io, env, onExit);
  registerDemoCommand(program, io, env, onExit);
  registerAirbyteCommands(program, io, onExit);
  registerSingerCommand(program, io, onExit);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 usage or configuration error. */
export async function runCli(
  argv: string[],
  io: Io = terminalIo(),
  vars: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, { isTty: io.status !== undefined, vars }, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}

/** stdout/stderr, with a live status block on stderr when it is a terminal. */
export function terminalIo(): Io {
  const io: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  if (process.stderr.isTTY) {
    let shown = 0;
    io.status = (lines) => {
      let text = shown > 0 ? `\x1b[${shown}A\x1b[0J` : '';
      text += lines.map((l) => `${l}\n`).join('');
      shown = lines.length;
      process.stderr.write(text);
    };
  }
  return io;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/intercom-sync')) {
  let growth: number | undefined;
  try {
    growth = heapGrowthPercent(process.env);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  applyHeapGrowth(growth);
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
