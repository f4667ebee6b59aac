import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** scripts/audit.mjs against a stand-in `npm` on PATH that prints a given audit report. */

const SCRIPT = new URL('../../scripts/audit.mjs', import.meta.url).pathname;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-audit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function audit(report: unknown, exitCode: number) {
  const bin = join(dir, `bin-${Math.random().toString(36).slice(2)}`);
  await writeFile(join(dir, 'report.json'), JSON.stringify(report));
  await mkdir(bin);
  const npm = join(bin, 'npm');
  await writeFile(
    npm,
    `#!/bin/sh\n[ "$1 $2 $3 $4" = "audit --omit=dev --audit-level=high --json" ] || exit 9\ncat ${join(dir, 'report.json')}\nexit ${exitCode}\n`,
  );
  await chmod(npm, 0o755);
  return spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
}

describe('scripts/audit.mjs', () => {
  it('fails listing a high or critical advisory in a runtime dependency', async () => {
    const run = await audit(
      {
        vulnerabilities: {
          leftpad: {
            name: 'leftpad',
            severity: 'critical',
            range: '<1.2.0',
            via: [{ title: 'Prototype pollution', url: 'https://example.invalid/GHSA-1' }],
          },
          minor: { name: 'minor', severity: 'moderate', range: '*', via: [] },
        },
        metadata: { vulnerabilities: { critical: 1, moderate: 1 }, dependencies: { prod: 40 } },
      },
      1,
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('leftpad <1.2.0 [critical]: Prototype pollution');
    expect(run.stdout).not.toContain('minor');
  });

  it('passes with only moderate and low advisories', async () => {
    const run = await audit(
      {
        vulnerabilities: {},
        metadata: { vulnerabilities: { moderate: 2, low: 1 }, dependencies: { prod: 40 } },
      },
      0,
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(
      'npm audit: no high or critical advisories in runtime dependencies (40 packages; 2 moderate, 1 low).',
    );
  });

  it('an advisory endpoint that answers 405: one line saying the audit could not run and why, exit 0', async () => {
    const run = await audit(
      { statusCode: 405, uri: 'https://registry.example/-/npm/v1/security/advisories/bulk', error: {} },
      1,
    );
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'npm audit could not run: the advisory endpoint answered HTTP 405 (https://registry.example/-/npm/v1/security/advisories/bulk); runtime dependencies were not checked for advisories.',
    ]);
  });
});
