import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { parseSourceConfig } from '../../src/cli/airbyte/source-config.js';
import { readConnectionsFile } from '../../src/cli/connection.js';
import { UsageError } from '../../src/cli/errors.js';
import { resolveSync, type SyncFlags } from '../../src/cli/sync-options.js';
import { parseDestinationUri } from '../../src/destinations/uri.js';
import { ConfigurationError } from '../../src/http/index.js';
import { OutputLog, runBuiltCli } from './cli-helpers.js';

/**
 * Hostile configuration: generated malformed inputs for every parser of what a user types or
 * writes. Each either parses or fails with the error for configuration mistakes (exit 2) whose
 * message is one sentence naming what to fix; nothing else may escape (a TypeError, a stack trace).
 * `INPUTS_TRIED` is printed at the end for docs/reliability.md.
 */

const RUNS = 400;
const tried: Record<string, number> = {};
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-hostile-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  console.log(`INPUTS_TRIED ${JSON.stringify(tried)}`);
});

/**
 * One sentence: apart from the input it quotes back, one short line without a stack frame, naming
 * what to fix (`names`).
 */
function expectOneSentence(message: string, names: RegExp, quoted: unknown[] = []): void {
  let own = message;
  for (const value of quoted)
    if (typeof value === 'string' && value.length > 0) own = own.split(value).join('…');
  expect(own).not.toMatch(/\n/);
  expect(own).not.toMatch(/\bat .*\.(js|ts):\d+/);
  expect(own.length).toBeLessThan(600);
  expect(message).toMatch(names);
}

/** Runs `parse`; a thrown error must be one of `allowed`, with a one-sentence message matching `names`. */
function parsesOrExplains(
  parse: () => unknown,
  allowed: Array<new (...a: never[]) => Error>,
  names: RegExp,
  quoted: unknown[] = [],
) {
  try {
    parse();
  } catch (error) {
    if (!allowed.some((kind) => error instanceof kind)) throw error;
    expectOneSentence((error as Error).message, names, quoted);
  }
}

/** Every string inside a generated value (what a message may quote back). */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value, value.trim()];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', '%', '%zz', '\n', '../../etc/passwd', 'a'.repeat(5000), '🦆', '"\'`;--'),
);

describe('property: --dest-uri', () => {
  it(`${RUNS * 2} generated URIs parse or fail with ConfigurationError naming the URI`, () => {
    const schemes = fc.constantFrom(
      'duckdb://',
      'duckdb:///',
      'postgresql://',
      'postgres://',
      'parquet://',
      'jsonl://',
      'file://',
      'mysql://',
      'DUCKDB:////',
      '',
    );
    const uris = fc.oneof(
      hostileText,
      fc
        .tuple(
          schemes,
          hostileText,
          fc.constantFrom('', '?gzip=true', '?format=csv', '#frag', '?sslmode=bogus'),
        )
        .map(([s, r, q]) => `${s}${r}${q}`),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
    );
    const format = fc.option(fc.constantFrom('parquet', 'jsonl', 'csv', ''), { nil: undefined });
    fc.assert(
      fc.property(uris, format, (uri, f) =>
        parsesOrExplains(() => parseDestinationUri(uri, f), [ConfigurationError], /--dest-uri|URI/, [uri]),
      ),
      { numRuns: RUNS * 2, seed: 7 },
    );
    tried.dest_uri = RUNS * 2;
  });
});

describe('property: Airbyte and Singer config', () => {
  const keys = [
    'access_token',
    'credentials',
    'region',
    'base_url',
    'start_date',
    'api_version',
    'lookback_window',
    'activity_logs_time_step',
    'max_requests_per_minute',
    'api_rate_limit',
    'request_timeout_seconds',
  ];
  const names = new RegExp(`config|${keys.join('|')}|auth_type`);
  const value = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    hostileText,
    fc.integer(),
    fc.double(),
    fc.constantFrom('us', 'eu', 'au', '2.14', '2024-01-01', 'http://127.0.0.1:1', 'http://example.com', null),
  );
  const configs = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.dictionary(fc.constantFrom(...keys), value),
    fc
      .dictionary(fc.constantFrom(...keys), value)
      .map((c) => ({ access_token: 'tok', ...c, credentials: c.credentials ?? { auth_type: c.region } })),
  );
  it(`${RUNS * 2} generated configs parse or fail with ConfigurationError naming the field`, () => {
    fc.assert(
      fc.property(configs, (config) =>
        parsesOrExplains(() => parseSourceConfig(config), [ConfigurationError], names, stringsIn(config)),
      ),
      { numRuns: RUNS * 2, seed: 11 },
    );
    tried.airbyte_singer_config = RUNS * 2;
  });
});

describe('property: connections.yml', () => {
  it(`${RUNS} generated files read or fail with a UsageError naming the file`, async () => {
    const entry = fc.dictionary(
      fc.constantFrom('name', 'access_token', 'region', 'base_url', 'extra'),
      fc.oneof(fc.anything({ maxDepth: 1 }), hostileText, fc.constant("{{ env_var('UNSET_VAR_X') }}")),
    );
    const documents = fc.oneof(
      hostileText,
      fc.anything({ maxDepth: 3 }).map((v) => yamlStringify(v) ?? ''),
      fc.array(entry, { maxLength: 3 }).map((list) => yamlStringify({ connections: { intercom: list } })),
      fc
        .array(entry, { maxLength: 3 })
        .map((list) => yamlStringify({ connections: { intercom: [{ name: 'main', ...list[0] }] } })),
    );
    const file = join(dir, 'connections.yml');
    await fc.assert(
      fc.asyncProperty(documents, async (text) => {
        await writeFile(file, text, { mode: 0o600 });
        await chmod(file, 0o600);
        parsesOrExplains(
          () => readConnectionsFile(file, 'main', { SET_VAR: 'x' }, () => undefined),
          [UsageError],
          /connections file|UNSET_VAR_X|connection/,
          [file, ...text.split('\n')],
        );
      }),
      { numRuns: RUNS, seed: 13 },
    );
    tried.connections_yml = RUNS;
  });
});

describe('property: sync options', () => {
  it(`${RUNS * 2} generated flag sets resolve or fail with a UsageError naming the flag`, () => {
    const flagValue = fc.oneof(
      hostileText,
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom('2024-01-01', '2024-13-45', '1e9', '-1', '0', 'NaN', 'Infinity', 'contacts=2.11'),
    );
    const flagNames = [
      'streams',
      'destUri',
      'destSchema',
      'destTable',
      'startDate',
      'lookbackDays',
      'intervalStart',
      'intervalEnd',
      'writeMode',
      'apiVersion',
      'pinVersion',
      'maxRequestsPerMinute',
      'concurrency',
      'timeoutMs',
      'logFormat',
      'region',
      'sourceUri',
      'format',
    ] as const;
    const flags = fc.dictionary(fc.constantFrom(...flagNames), flagValue);
    fc.assert(
      fc.property(flags, (generated) => {
        const given: SyncFlags = { accessToken: 'tok_x', ...generated };
        parsesOrExplains(
          () => resolveSync(given, {}, () => undefined),
          [UsageError],
          /--[a-z-]+|URI|stream/,
          stringsIn(generated).flatMap((v) => [v, ...v.split(',')]),
        );
      }),
      { numRuns: RUNS * 2, seed: 17 },
    );
    tried.cli_options = RUNS * 2;
  });
});

describe('the real CLI with malformed input', () => {
  const log = new OutputLog();
  const cases: Array<{ name: string; args: string[]; files?: Record<string, string>; names: RegExp }> = [
    {
      name: 'a dest URI with an unknown scheme',
      args: ['sync', '--dest-uri', 'mysql://x'],
      names: /--dest-uri/,
    },
    {
      name: 'a dest URI with a malformed escape',
      args: ['sync', '--dest-uri', 'duckdb:///%'],
      names: /--dest-uri/,
    },
    { name: 'a dest URI without a path', args: ['sync', '--dest-uri', 'duckdb://'], names: /--dest-uri/ },
    {
      name: 'a Postgres URI with a fragment',
      args: ['sync', '--dest-uri', 'postgresql://u:p@h/db#x'],
      names: /URI/,
    },
    { name: 'a negative lookback', args: ['sync', '--lookback-days', '-3'], names: /--lookback-days/ },
    {
      name: 'a start date that is no date',
      args: ['sync', '--start-date', '2024-13-45'],
      names: /--start-date/,
    },
    { name: 'an unknown stream', args: ['sync', '--streams', 'contacts,"; DROP'], names: /stream/ },
    { name: 'a concurrency of 0', args: ['sync', '--concurrency', '0'], names: /--concurrency/ },
    { name: 'a schema with a quote', args: ['sync', '--dest-schema', 'a"b'], names: /--dest-schema/ },
    {
      name: 'a connections file that is not YAML',
      args: ['sync', '--connections', 'CONN', '--connection', 'main'],
      files: { CONN: ':\n  - [' },
      names: /connections file/,
    },
    {
      name: 'an Airbyte config with a bad region',
      args: ['airbyte', 'check', '--config', 'CONF'],
      files: { CONF: '{"access_token":"tok_x","region":"mars"}' },
      names: /region/,
    },
    {
      name: 'a Singer config that is an array',
      args: ['singer', '--config', 'CONF', '--discover'],
      files: { CONF: '[1,2]' },
      names: /config/,
    },
    {
      name: 'a Singer config with a lookback of "many"',
      args: ['singer', '--config', 'CONF'],
      files: { CONF: '{"access_token":"tok_x","lookback_window":"many"}' },
      names: /lookback_window/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: exit 2, one sentence naming it, no stack trace`, async () => {
      const args = [...c.args];
      for (const [placeholder, content] of Object.entries(c.files ?? {})) {
        const path = join(dir, `${placeholder}-${Math.random().toString(36).slice(2)}`);
        await writeFile(path, content, { mode: 0o600 });
        args[args.indexOf(placeholder)] = path;
      }
      const run = await runBuiltCli(log, args, { env: { INTERCOM_ACCESS_TOKEN: 'tok_x' } });
      // Airbyte reports a failed check as a protocol message with exit 0; everything else exits 2.
      const messages = `${run.stdout}\n${run.stderr}`.trim();
      if (args[0] === 'airbyte') {
        const status = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
          connectionStatus?: { status: string; message: string };
        };
        expect(status.connectionStatus?.status).toBe('FAILED');
        expectOneSentence(status.connectionStatus?.message ?? '', c.names);
      } else {
        expect(run.code, messages).toBe(2);
        const lines = run.stderr.trim().split('\n');
        expect(lines.length, run.stderr).toBe(1);
        expectOneSentence(lines[0] ?? '', c.names);
      }
      expect(messages).not.toMatch(/\n\s+at /);
    });
  }
});
