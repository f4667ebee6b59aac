import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OAUTH_CLIENT, type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { fencedBlocks } from './airbyte-support.js';

const execFileAsync = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;

let sim: RunningSimulator;
let dir: string;
let bin: string;

/**
 * Stands in for the user's browser: `xdg-open URL` loads the page and follows its redirects (the
 * simulator's authorisation page sends it straight to the callback), as a browser would.
 */
const BROWSER_SHIM = `#!${process.execPath}
const url = process.argv[2];
require('node:fs').appendFileSync(process.env.BROWSER_LOG, url + '\\n');
fetch(url, { redirect: 'follow' }).then((res) => res.text()).then((page) => {
  require('node:fs').appendFileSync(process.env.BROWSER_LOG, page + '\\n');
});
`;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 4, now: Date.UTC(2026, 0, 7, 15) / 1000 });
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-oauth-docs-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'intercom-sync'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'dist/cli/main.js')}" "$@"\n`,
  );
  await writeFile(join(bin, 'xdg-open'), BROWSER_SHIM);
  await chmod(join(bin, 'intercom-sync'), 0o755);
  await chmod(join(bin, 'xdg-open'), 0o755);
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('docs/oauth.md', () => {
  it('the simulator example runs as written: login through the browser, status, check, sync, logout', async () => {
    const markdown = await readFile(join(REPO, 'docs/oauth.md'), 'utf8');
    const blocks = fencedBlocks(markdown, 'oauth-example');
    expect(blocks).toHaveLength(1);
    const script = (blocks[0] as string)
      .replaceAll('npx intercom-sync', 'intercom-sync')
      .replaceAll('http://127.0.0.1:8080', sim.url);
    expect(script).toContain(DEFAULT_OAUTH_CLIENT.clientSecret);
    // Stop after the sync: the test looks at the stored file before the logout line runs it.
    const [untilSync, logout] = script.split(/^(?=intercom-sync auth logout)/m);
    expect(logout?.trim()).toBe('intercom-sync auth logout');
    const config = join(dir, 'config');
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: dir,
      XDG_CONFIG_HOME: config,
      DISPLAY: ':0',
      BROWSER_LOG: join(dir, 'browser.log'),
    };
    const printed: string[] = [];
    const sh = async (text: string) => {
      try {
        const { stdout, stderr } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', text], {
          cwd: dir,
          env,
          timeout: 30_000,
        });
        printed.push(stdout, stderr);
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        printed.push(e.stdout ?? '', e.stderr ?? '');
        return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };

    const first = await sh(untilSync as string);
    expect(first.code, first.stderr).toBe(0);
    const file = join(config, 'intercom-sync', 'credentials.json');
    expect(first.stdout).toContain(`Logged in: the access token is stored in ${file}`);
    expect(first.stdout).toContain(`is stored in ${file}.`); // auth status
    expect(first.stdout).toMatch(/^OK: reached workspace/m);
    expect(first.stdout).toMatch(/^contacts\s+succeeded/m);
    expect(first.stderr).toContain('Opening the authorisation page in your browser');
    expect(await readFile(env.BROWSER_LOG, 'utf8')).toContain('intercom-sync is authorised');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const token = (JSON.parse(await readFile(file, 'utf8')) as { access_token: string }).access_token;

    const last = await sh(logout as string);
    expect(last.code).toBe(0);
    expect(last.stdout).toContain(`Logged out: removed ${file}.`);
    await expect(stat(file)).rejects.toThrow();

    const all = printed.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(DEFAULT_OAUTH_CLIENT.clientSecret);
  });
});
