import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** The CLI as built by `npm run build` (the test suite runs after it). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const LISTENING = /^Intercom simulator listening on http:\/\/127\.0\.0\.1:(\d+)$/;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 10_000 }, (error, stdout, stderr) => {
      const code: unknown = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('intercom-sync simulator (the built CLI)', () => {
  it('is built', () => {
    expect(existsSync(CLI), 'run `npm run build` before the tests').toBe(true);
  });

  it.concurrent('prints one line with its URL, serves requests and stops on SIGTERM', async ({ expect }) => {
    const child = spawn(process.execPath, [CLI, 'simulator', '--scale', 'tiny', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output; stderr: ${stderr}`)), 8_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout.split('\n')[0] as string);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code}; stderr: ${stderr}`));
      });
    });
    const match = LISTENING.exec(firstLine);
    expect(match, firstLine).not.toBeNull();
    const url = `http://127.0.0.1:${match?.[1]}`;

    const res = await fetch(`${url}/contacts?per_page=5`, {
      headers: { Authorization: 'Bearer sim_access_token', Accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown[]; total_count: number };
    expect(body.data).toHaveLength(5);
    expect(body.total_count).toBe(40); // the tiny scale
    const unauthorised = await fetch(`${url}/contacts`);
    expect(unauthorised.status).toBe(401);

    child.kill('SIGTERM');
    const { code, signal } = await exited(child);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stdout).toBe(`${firstLine}\n`);
    expect(stderr).toBe('');
    await expect(fetch(`${url}/contacts`)).rejects.toThrow();
  });

  it.concurrent('--hostile all: the running simulator serves every hostile kind', async ({ expect }) => {
    const child = spawn(
      process.execPath,
      [CLI, 'simulator', '--scale', 'tiny', '--port', '0', '--hostile', 'all'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const firstLine = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error('no output')), 8_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout.split('\n')[0] as string);
        }
      });
    });
    const url = `http://127.0.0.1:${LISTENING.exec(firstLine)?.[1]}`;
    const res = await fetch(`${url}/_simulator/config`, {
      headers: { Authorization: 'Bearer sim_access_token' },
    });
    expect(res.status).toBe(200);
    const config = (await res.json()) as { hostile?: unknown };
    expect(config.hostile).toEqual([
      'types',
      'unknown_type',
      'huge_strings',
      'deep_nesting',
      'hostile_names',
      'missing_envelope',
    ]);
    child.kill('SIGTERM');
    expect((await exited(child)).code).toBe(0);
  });

  for (const [args, mentions] of [
    [['--scale', 'huge'], '--scale'],
    [['--port', 'abc'], '--port'],
    [['--fault-rate', '2'], '--fault-rate'],
    [['--bogus'], '--bogus'],
    [['--fault-kinds', 'meteor'], '--fault-kinds'],
    [['--hostile', 'meteor'], '--hostile'],
  ] as const) {
    it.concurrent(`${args.join(' ')}: one line on stderr, exit code 2`, async ({ expect }) => {
      const { code, stdout, stderr } = await run(['simulator', '--port', '0', ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toContain(mentions);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  }
});
