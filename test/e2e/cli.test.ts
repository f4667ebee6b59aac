import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { STREAMS } from '../../src/streams/index.js';
import { api } from '../support/simulator-client.js';
import { queryDuckDb } from '../support/warehouse.js';
import {
  cli,
  idsAndTimes,
  MARKER_TOKEN,
  OutputLog,
  truthIdsAndTimes,
  truthMismatches,
} from './cli-helpers.js';

/** The commands around `sync`: check, streams, demo, and the connection forms of Bruin and ingestr. */

const log = new OutputLog();
let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-cli-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 11,
    token: MARKER_TOKEN,
    counts: { contacts: 60, companies: 10, conversations: 15 },
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('check', () => {
  it('prints the workspace name and app id that GET /me reports, exit 0', async () => {
    const me = (await api(sim, '/me')).body as { app: { name: string; id_code: string } };
    const run = await cli(log, ['check', '--base-url', sim.url], { INTERCOM_ACCESS_TOKEN: MARKER_TOKEN });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(`"${me.app.name}"`);
    expect(run.out).toContain(`app ${me.app.id_code}`);
    expect(run.out).toContain(sim.url);
  });

  it('a wrong token: exit 2 and the sentence saying Intercom rejected it', async () => {
    const run = await cli(log, ['check', '--base-url', sim.url, '--access-token', 'tok_wrong_0000']);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/^error: Intercom rejected the access token \(/);
    expect(run.err.split('\n')).toHaveLength(1);
  });
});

describe('streams', () => {
  /** Cells of a fixed-width table, cut at the columns of its `----  ----` line. */
  const cells = (lines: string[]): string[][] => {
    const dashes = lines[1] as string;
    const starts = [...dashes.matchAll(/-+/g)].map((m) => m.index as number);
    return lines
      .filter((_, k) => k !== 1)
      .map((line) => starts.map((s, k) => line.slice(s, starts[k + 1]).trim()));
  };

  it('lists every stream with primary key, cursor, mode and endpoint, as the README documents', async () => {
    const run = await cli(log, ['streams']);
    expect(run.code).toBe(0);
    const table = cells(run.out.split('\n'));
    expect(table[0]).toEqual(['stream', 'primary key', 'cursor', 'mode', 'endpoint']);
    const rows = table.slice(1);
    expect(rows.map((r) => r[0])).toEqual(STREAMS.map((s) => s.name));
    for (const s of STREAMS) {
      expect(rows.find((r) => r[0] === s.name)).toEqual([
        s.name,
        s.primaryKey.join(', '),
        s.cursor ?? '',
        s.defaultMode,
        s.endpoint,
      ]);
    }
    // The README's table is the same, row for row.
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Streams'));
    const documented = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| stream'))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      )
      .filter((r) => r.length === 5 && STREAMS.some((s) => s.name === r[0]));
    expect(documented).toEqual(rows);
  });

  it('--json: one JSON array with the same facts', async () => {
    const run = await cli(log, ['streams', '--json']);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.out) as Array<Record<string, string>>;
    expect(parsed).toEqual(
      STREAMS.map((s) => ({
        stream: s.name,
        primary_key: s.primaryKey.join(', '),
        cursor: s.cursor ?? '',
        default_mode: s.defaultMode,
        endpoint: s.endpoint,
      })),
    );
  });
});

describe("Bruin's connections.yml", () => {
  /** `${NAME}`, the shell-like form of a variable in the file. */
  const ref = (name: string) => `$${'{'}${name}}`;
  let file: string;
  const env = { MY_TOKEN: MARKER_TOKEN, SIM_URL: '' };

  beforeAll(async () => {
    env.SIM_URL = sim.url;
    file = join(dir, 'connections.yml');
    await writeFile(
      file,
      [
        'connections:',
        '  intercom:',
        '    - name: "templated"',
        `      access_token: "{{ env_var('MY_TOKEN') }}"`,
        '    - name: "dollar"',
        `      access_token: "${ref('MY_TOKEN')}"`,
        `      base_url: "${ref('SIM_URL')}"`,
        '',
      ].join('\n'),
    );
    await chmod(file, 0o600);
  });

  it("{{ env_var('MY_TOKEN') }} with --base-url: syncs and matches the truth, no warning", async () => {
    const db = join(dir, 'bruin-templated.duckdb');
    const run = await cli(
      log,
      [
        'sync',
        '--connections',
        file,
        '--connection',
        'templated',
        '--base-url',
        sim.url,
        '--dest-uri',
        `duckdb:///${db}`,
        '--streams',
        'admins,tags',
      ],
      env,
    );
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toMatch(/warn/);
    expect(await truthMismatches(sim, db, ['admins', 'tags'])).toEqual([]);
  });

  it('$MY_TOKEN in braces, with base_url in the file: syncs and matches the truth', async () => {
    const db = join(dir, 'bruin-dollar.duckdb');
    const run = await cli(
      log,
      [
        'sync',
        '--connections',
        file,
        '--connection',
        'dollar',
        '--dest-uri',
        `duckdb:///${db}`,
        '--streams',
        'teams,segments',
      ],
      env,
    );
    expect(run.code, run.err).toBe(0);
    expect(await truthMismatches(sim, db, ['teams', 'segments'])).toEqual([]);
  });

  it('an unset variable: exit 2 naming it', async () => {
    const run = await cli(log, ['check', '--connections', file, '--connection', 'dollar'], {
      SIM_URL: sim.url,
    });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/environment variable MY_TOKEN, which is not set/);
    expect(run.err.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown connection name: exit 2 listing the names there are', async () => {
    const run = await cli(log, ['check', '--connections', file, '--connection', 'prod'], env);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no Intercom connection named "prod" \(it has: templated, dollar\)/);
    expect(run.err.trim().split('\n')).toHaveLength(1);
  });

  it('a file others can read: a warning to chmod it, and the command still works', async () => {
    const open = join(dir, 'open-connections.yml');
    await writeFile(open, await readFile(file, 'utf8'));
    await chmod(open, 0o644);
    const run = await cli(log, ['check', '--connections', open, '--connection', 'dollar'], env);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/^warn: .*is readable by other users.*chmod 600/m);
  });
});

describe("ingestr's URIs", () => {
  it('--source-uri with access_token and base_url, --dest-table raw.people: the contacts, in raw.people', async () => {
    const db = join(dir, 'ingestr.duckdb');
    const uri = `intercom://?access_token=${MARKER_TOKEN}&base_url=${encodeURIComponent(sim.url)}`;
    const run = await cli(log, [
      'sync',
      '--source-uri',
      uri,
      '--source-table',
      'contacts',
      '--dest-uri',
      `duckdb:///${db}`,
      '--dest-table',
      'raw.people',
    ]);
    expect(run.code, run.err).toBe(0);
    const table = await idsAndTimes(db, 'raw.people');
    const expected = await truthIdsAndTimes(sim, 'contacts');
    expect(table.size).toBe(60);
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(expected));
    const tables = await queryDuckDb(
      db,
      `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables ORDER BY t`,
    );
    expect(tables.map((t) => t.t)).not.toContain('intercom.contacts');
    expect(tables.map((t) => t.t)).toContain('raw.people');
  });
});

describe('demo', () => {
  it('--scale tiny: exit 0, the summary, and two example queries that run against the file', async () => {
    const file = join(dir, 'demo.duckdb');
    const run = await cli(log, ['demo', '--scale', 'tiny', '--dest-uri', `duckdb:///${file}`]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^conversation_parts\s+succeeded/m);
    expect(run.out).toMatch(/^\d+ rows in .*requests/m);
    const queries = [...run.out.matchAll(/^\s+duckdb (\S+) "(.+)"$/gm)].map((m) => ({
      file: m[1] as string,
      sql: m[2] as string,
    }));
    expect(queries).toHaveLength(2);
    for (const query of queries) {
      expect(query.file).toBe(file);
      const rows = await queryDuckDb(query.file, query.sql);
      expect(rows.length, query.sql).toBeGreaterThan(0);
    }
  });
});

describe('secrets', () => {
  it('no output of any command above holds the access token', () => {
    expect(log.size).toBeGreaterThan(10);
    expect(log.text).not.toContain(MARKER_TOKEN);
  });
});
