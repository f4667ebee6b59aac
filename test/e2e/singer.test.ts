import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runSinger, type SingerArgs } from '../../src/cli/singer/singer-command.js';
import type { SyncTuning } from '../../src/engine/sync.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_STREAMS, STREAMS } from '../../src/streams/index.js';
import { truth } from '../support/simulator-client.js';
import { cliLines, diffWithTruth, fencedBlocks, materialise, newAjv } from './airbyte-support.js';

const execFileAsync = promisify(execFile);
const TOKEN = 'tok_singer_SECRET_81f0aa3c';
const NOW = Date.UTC(2026, 0, 20, 9, 30) / 1000;
const EVERY_PAGE = { batchRows: 25, commitIntervalMs: 0 };
const REPO = new URL('../../', import.meta.url).pathname;
const BUILT_CLI = join(REPO, 'dist/cli/main.js');

type Json = Record<string, unknown>;
interface SingerRecord {
  stream: string;
  data: Json;
}

let sim: RunningSimulator;
let dir: string;
let configPath: string;
const printed: string[] = [];

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

async function singer(args: SingerArgs, tuning?: Partial<SyncTuning>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSinger(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    tuning ? { tuning } : {},
  );
  printed.push(...out, ...err);
  return { code, out, err };
}

/**
 * The JSON-lines check of a tap's output: every line parses; SCHEMA, RECORD and STATE have their
 * fields; a stream's SCHEMA precedes its RECORDs; each RECORD validates against its stream's latest
 * SCHEMA (nothing undeclared) and carries its key; STATE values hold bookmarks. Returns the problems.
 */
function checkSingerLines(lines: readonly string[]): { problems: string[]; records: SingerRecord[] } {
  const problems: string[] = [];
  const records: SingerRecord[] = [];
  const schemas = new Map<string, { validate: ValidateFunction; keys: string[] }>();
  const ajv = newAjv();
  const timestamp = ajv.compile({ type: 'string', format: 'date-time' });
  for (const [n, line] of lines.entries()) {
    let message: Json;
    try {
      message = JSON.parse(line) as Json;
    } catch {
      problems.push(`line ${n + 1} is not JSON: ${line.slice(0, 80)}`);
      continue;
    }
    const stream = message.stream as string;
    switch (message.type) {
      case 'SCHEMA': {
        const schema = message.schema as Json;
        const keys = message.key_properties;
        if (typeof stream !== 'string' || typeof schema !== 'object' || !Array.isArray(keys)) {
          problems.push(`line ${n + 1}: SCHEMA without stream, schema or key_properties`);
          break;
        }
        if (!Array.isArray(message.bookmark_properties))
          problems.push(`line ${n + 1}: no bookmark_properties`);
        const properties = Object.keys(schema.properties as Json);
        for (const k of keys as string[])
          if (!properties.includes(k)) problems.push(`${stream}: key ${k} not in schema`);
        schemas.set(stream, {
          validate: ajv.compile({ ...schema, additionalProperties: false }),
          keys: keys as string[],
        });
        break;
      }
      case 'RECORD': {
        const schema = schemas.get(stream);
        if (!schema) {
          problems.push(`line ${n + 1}: RECORD of ${stream} before its SCHEMA`);
          break;
        }
        const data = message.record as Json;
        if (!schema.validate(data))
          problems.push(
            `line ${n + 1}: ${stream} record invalid: ${JSON.stringify(schema.validate.errors?.[0])}`,
          );
        for (const k of schema.keys)
          if (data[k] === undefined || data[k] === null) problems.push(`${stream}: no ${k}`);
        if (!timestamp(message.time_extracted)) problems.push(`line ${n + 1}: time_extracted`);
        records.push({ stream, data });
        break;
      }
      case 'STATE': {
        const value = message.value as Json | undefined;
        if (typeof value?.bookmarks !== 'object' || value.bookmarks === null)
          problems.push(`line ${n + 1}: STATE without value.bookmarks`);
        break;
      }
      default:
        problems.push(`line ${n + 1}: unknown message type ${String(message.type)}`);
    }
  }
  return { problems, records };
}

async function differences(records: SingerRecord[], streams: readonly string[]) {
  const tables = materialise(records);
  const diffs = [];
  for (const stream of streams) {
    const diff = diffWithTruth(stream, tables.get(stream), await truth(sim, stream));
    if (diff) diffs.push(diff);
  }
  return diffs;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intercom-sync-singer-'));
  sim = await startSimulator({
    scale: 'tiny',
    seed: 31,
    token: TOKEN,
    now: NOW,
    counts: { contacts: 120, companies: 30, conversations: 40, tickets: 15, activityLogs: 40 },
  });
  configPath = await writeJson('config.json', {
    access_token: TOKEN,
    start_date: '2015-01-01T00:00:00Z',
    base_url: sim.url,
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

let discovered: {
  streams: Array<Json & { tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Json }> }>;
};

describe('singer --discover', () => {
  it('prints a catalog: schema, key properties and breadcrumb metadata for every stream', async () => {
    const { code, out, err } = await cliLines(['singer', '--config', configPath, '--discover']);
    printed.push(...out, ...err);
    expect(code, err.join('\n')).toBe(0);
    discovered = JSON.parse(out.join('\n'));
    expect(discovered.streams.map((s) => s.tap_stream_id)).toEqual(STREAMS.map((s) => s.name));
    for (const def of STREAMS) {
      const entry = discovered.streams.find(
        (s) => s.tap_stream_id === def.name,
      ) as (typeof discovered.streams)[number];
      expect(entry.key_properties).toEqual(def.primaryKey);
      const top = entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata as Json;
      expect(top.selected).toBe(DEFAULT_STREAMS.includes(def.name));
      expect(top['replication-method']).toBe(def.cursor ? 'INCREMENTAL' : 'FULL_TABLE');
      expect(top['valid-replication-keys']).toEqual(def.cursor ? [def.cursor] : []);
      expect(entry.metadata.length).toBeGreaterThan(2);
    }
  });
});

function selectedCatalog(choices: Record<string, { method?: string; drop?: string[] }>): Json {
  return {
    streams: discovered.streams.map((entry) => {
      const choice = choices[entry.tap_stream_id];
      return {
        ...entry,
        metadata: entry.metadata.map((m) => {
          if (m.breadcrumb.length === 0)
            return {
              ...m,
              metadata: {
                ...m.metadata,
                selected: choice !== undefined,
                ...(choice?.method ? { 'replication-method': choice.method } : {}),
              },
            };
          return choice?.drop?.includes(m.breadcrumb[1] as string)
            ? { ...m, metadata: { ...m.metadata, selected: false } }
            : m;
        }),
      };
    }),
  };
}

const CHOSEN = ['contacts', 'conversations', 'conversation_parts', 'companies', 'admins', 'activity_logs'];
let catalogPath: string;
let firstRun: string[];

describe('singer sync', () => {
  it('emits valid SCHEMA, RECORD and STATE lines that match the truth', async () => {
    catalogPath = await writeJson(
      'catalog.json',
      selectedCatalog({
        contacts: { drop: ['email', 'phone'] },
        conversations: {},
        conversation_parts: {},
        companies: { method: 'FULL_TABLE' },
        admins: {},
        activity_logs: {},
      }),
    );
    const { code, out, err } = await singer({ config: configPath, catalog: catalogPath }, EVERY_PAGE);
    expect(code, err.join('\n')).toBe(0);
    firstRun = out;
    const { problems, records } = checkSingerLines(out);
    expect(problems).toEqual([]);
    expect(new Set(records.map((r) => r.stream))).toEqual(new Set(CHOSEN));
    expect(await differences(records, CHOSEN)).toEqual([]);
    // Deselected properties are left out; logs went to stderr.
    const contact = records.find((r) => r.stream === 'contacts')?.data as Json;
    expect(contact).not.toHaveProperty('email');
    expect(records.some((r) => r.stream === 'contacts' && typeof r.data.custom_seats === 'number')).toBe(
      true,
    );
    expect(contact.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(err.some((l) => l.includes('contacts succeeded'))).toBe(true);
    const states = out
      .filter((l) => l.includes('"type":"STATE"'))
      .map((l) => JSON.parse(l).value.bookmarks as Json);
    expect(states.length).toBeGreaterThan(CHOSEN.length);
    const last = states.at(-1) as Record<string, Json>;
    expect(Object.keys(last).sort()).toEqual([
      'activity_logs',
      'contacts',
      'conversation_parts',
      'conversations',
    ]);
    expect(last.contacts).toMatchObject({ replication_key: 'updated_at' });
    expect(JSON.parse(out.at(-1) as string).type).toBe('STATE');
    const companySchema = out
      .map((l) => JSON.parse(l))
      .find((m) => m.type === 'SCHEMA' && m.stream === 'companies');
    expect(companySchema.bookmark_properties).toEqual([]);
  });

  it('resumes from any STATE it printed without losing a record', async () => {
    const stateLines = firstRun.map((l, i) => (l.includes('"type":"STATE"') ? i : -1)).filter((i) => i >= 0);
    const picks = [
      ...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * (stateLines.length - 1)))),
    ].map((k) => stateLines[k] as number);
    for (const [n, position] of picks.entries()) {
      const statePath = await writeJson(`state-${n}.json`, JSON.parse(firstRun[position] as string).value);
      const resumed = await singer({ config: configPath, catalog: catalogPath, state: statePath });
      expect(resumed.code, resumed.err.join('\n')).toBe(0);
      const check = checkSingerLines(resumed.out);
      expect(check.problems).toEqual([]);
      const before = checkSingerLines(firstRun.slice(0, position + 1)).records;
      expect(
        await differences([...before, ...check.records], CHOSEN),
        `resumed from line ${position}`,
      ).toEqual([]);
    }
  });

  it('says what to fix for configuration mistakes (exit 2), on stderr', async () => {
    const badToken = await writeJson('bad-token.json', { access_token: 'tok_nope_123', base_url: sim.url });
    const unknownStream = await writeJson('unknown.json', {
      streams: [{ tap_stream_id: 'emails', metadata: [] }],
    });
    const cases: Array<[SingerArgs, RegExp]> = [
      [{}, /--config/],
      [{ config: badToken, catalog: catalogPath }, /rejected the access token/],
      [{ config: configPath, catalog: unknownStream }, /does not offer/],
      [{ config: configPath, catalog: join(dir, 'missing.json') }, /Cannot read the catalog file/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await singer(args);
      expect(code, JSON.stringify(args)).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toMatch(message);
    }
  });
});

describe('docs/singer.md', () => {
  const docs = async () => readFile(join(REPO, 'docs/singer.md'), 'utf8');

  /** A bin folder whose `intercom-sync` is the built CLI. */
  async function binWithCli(): Promise<string> {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'intercom-sync'),
      `#!/bin/sh\nexec "${process.execPath}" "${BUILT_CLI}" "$@"\n`,
    );
    await chmod(join(bin, 'intercom-sync'), 0o755);
    return bin;
  }

  it('the "Try it" example runs as written against the simulator', async () => {
    const markdown = await docs();
    const [config] = fencedBlocks(markdown, 'tap-config.json');
    const [script] = fencedBlocks(markdown, 'singer-example');
    expect(config && script).toBeTruthy();
    const work = join(dir, 'try-it');
    await mkdir(work, { recursive: true });
    const parsed = JSON.parse((config as string).replace('<YOUR_INTERCOM_ACCESS_TOKEN>', TOKEN));
    await writeFile(
      join(work, 'tap-config.json'),
      JSON.stringify({ ...parsed, start_date: '2015-01-01T00:00:00Z', base_url: sim.url }),
    );
    const bin = await binWithCli();
    const { stdout, stderr } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', script as string], {
      cwd: work,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    printed.push(stdout, stderr);
    const first = (await readFile(join(work, 'messages.jsonl'), 'utf8')).trim().split('\n');
    const second = (await readFile(join(work, 'more.jsonl'), 'utf8')).trim().split('\n');
    const a = checkSingerLines(first);
    const b = checkSingerLines(second);
    expect([...a.problems, ...b.problems]).toEqual([]);
    expect(new Set(a.records.map((r) => r.stream))).toEqual(new Set(['contacts', 'conversations']));
    expect(await differences(a.records, ['contacts', 'conversations'])).toEqual([]);
    // Resumed from the last STATE: only what changed near the bookmark comes again.
    expect(b.records.length).toBeLessThan(a.records.length / 2);
  });

  it('the Meltano extractor definition works as Meltano invokes it', async () => {
    const markdown = await docs();
    const [yamlText] = fencedBlocks(markdown, 'meltano.yml');
    const [wrapper] = fencedBlocks(markdown, 'tap-intercom-sync.sh');
    const meltano = parseYaml(yamlText as string) as {
      plugins: { extractors: Array<Json & { config: Json; select: string[]; capabilities: string[] }> };
    };
    const extractor = meltano.plugins.extractors[0] as (typeof meltano.plugins.extractors)[number];
    expect(extractor.name).toBe('tap-intercom-sync');
    expect(extractor.namespace).toBeTypeOf('string');
    expect(extractor.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state']));
    const project = join(dir, 'meltano-project');
    await mkdir(project, { recursive: true });
    const executable = join(project, extractor.executable as string);
    await writeFile(executable, wrapper as string);
    await chmod(executable, 0o755);
    // Meltano writes the config (meltano.yml's config plus the secret from .env) to a file.
    const config = await writeJson('meltano-config.json', {
      ...extractor.config,
      access_token: TOKEN,
      base_url: sim.url,
    });
    const env = { PATH: `${await binWithCli()}:${process.env.PATH}` };
    const tap = async (...args: string[]) => {
      const { stdout, stderr } = await execFileAsync(executable, ['--config', config, ...args], {
        cwd: project,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      printed.push(stdout, stderr);
      return stdout;
    };
    const catalog = JSON.parse(await tap('--discover')) as typeof discovered;
    // Meltano's select rules (`stream.*`) become breadcrumb [] selections.
    const chosen = extractor.select.map((rule) => rule.split('.')[0]);
    for (const entry of catalog.streams)
      for (const m of entry.metadata)
        if (m.breadcrumb.length === 0) m.metadata.selected = chosen.includes(entry.tap_stream_id);
    const catalogFile = await writeJson('meltano-catalog.json', catalog);
    const first = (await tap('--catalog', catalogFile)).trim().split('\n');
    const checked = checkSingerLines(first);
    expect(checked.problems).toEqual([]);
    expect(new Set(checked.records.map((r) => r.stream))).toEqual(new Set(chosen));
    const lastState = JSON.parse(first.filter((l) => l.includes('"type":"STATE"')).at(-1) as string).value;
    const stateFile = await writeJson('meltano-state.json', { singer_state: lastState });
    const second = checkSingerLines(
      (await tap('--catalog', catalogFile, '--state', stateFile)).trim().split('\n'),
    );
    expect(second.problems).toEqual([]);
    expect(second.records.length).toBeLessThan(checked.records.length / 2);
  });

  it('never printed the access token', () => {
    expect(printed.length).toBeGreaterThan(10);
    expect(printed.join('\n')).not.toContain(TOKEN);
  });
});
