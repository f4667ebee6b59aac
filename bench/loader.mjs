/**
 * Loader benchmark: N contact-shaped rows through a destination's real `Destination` interface
 * (open → prepare → one `commit(rows, state)` per batch → finish → close), in merge mode unless
 * `--mode` says otherwise, as the engine commits them.
 *
 *   npm run build
 *   node bench/loader.mjs --dest parquet                 # 1,000,000 rows, batches of 5,000
 *   node bench/loader.mjs --dest duckdb --rows 200000 --json /tmp/duckdb-200k.json
 *   node bench/loader.mjs --dest postgres --pg-uri postgresql://postgres@127.0.0.1:5432/test
 *
 * Options: --dest duckdb|parquet|jsonl|jsonl-gzip|postgres (default parquet), --rows N (1000000),
 * --batch N (5000), --mode merge|append|replace (merge), --out DIR (a new temporary folder, removed
 * afterwards unless --keep), --keep, --json FILE (the result as JSON), --pg-uri URI.
 *
 * Rows are generated per batch, deterministically from their index (no randomness, nothing held
 * across batches), with the fields of the contacts stream (`src/streams/contacts.ts`) plus the
 * engine's `_synced_at`: 46 columns, 7 of them JSON and 11 timestamps. The last line printed is the
 * result:
 *
 *   dest=parquet mode=merge rows=1000000 batch=5000 seconds=5.12 rows_per_s=195312 load_rows_per_s=236000 gen_seconds=0.88 cpu_s=… cpu_s_per_100k=… peak_rss_mb=251 bytes_on_disk=…
 *
 * `seconds` runs from open() to close() inclusive; `rows_per_s` is rows / seconds; `load_rows_per_s`
 * leaves out the time spent generating rows; `peak_rss_mb` is the highest resident set size sampled
 * every 20 ms and after every commit. `cpu_s` is the process's CPU time (user + system, every thread:
 * DuckDB's included) over the same span, less the time spent generating rows; `cpu_s_per_100k` is
 * that per 100,000 rows. On a shared machine wall-clock figures are noisy; CPU seconds are not.
 * For PostgreSQL, `pg_backend_cpu_s` (and `pg_backend_cpu_s_per_100k`) is the CPU time of the
 * server processes that served this run (read from /proc, so only when the server runs on this
 * machine), taken just before close().
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const dist = (path) => new URL(`../dist/${path}`, import.meta.url).href;

/** How each destination is created: adding one is one line. */
const DESTINATIONS = {
  duckdb: async ({ out }) =>
    (await import(dist('destinations/duckdb/index.js'))).createDuckDbDestination({
      path: join(out, 'bench.duckdb'),
    }),
  parquet: async ({ out }) =>
    (await import(dist('destinations/files/index.js'))).createFileDestination({
      root: out,
      format: 'parquet',
    }),
  jsonl: async ({ out }) =>
    (await import(dist('destinations/files/index.js'))).createFileDestination({ root: out, format: 'jsonl' }),
  'jsonl-gzip': async ({ out }) =>
    (await import(dist('destinations/files/index.js'))).createFileDestination({
      root: out,
      format: 'jsonl',
      gzip: true,
    }),
  postgres: async ({ pgUri }) => {
    await dropBenchSchema(pgUri);
    let module;
    try {
      module = await import(dist('destinations/postgres/index.js'));
    } catch {
      throw new Error(
        'the PostgreSQL destination is unavailable (no dist/destinations/postgres/index.js; run npm run build)',
      );
    }
    return module.createPostgresDestination({
      connectionString: withApplicationName(pgUri),
      schema: 'intercom_bench',
    });
  },
};

function parseArguments(argv) {
  const options = {
    dest: 'parquet',
    rows: 1_000_000,
    batch: 5_000,
    mode: 'merge',
    out: undefined,
    keep: false,
    json: undefined,
    pgUri: 'postgresql://postgres@127.0.0.1:5432/test',
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--dest') options.dest = value();
    else if (flag === '--rows') options.rows = Number(value());
    else if (flag === '--batch') options.batch = Number(value());
    else if (flag === '--mode') options.mode = value();
    else if (flag === '--out') options.out = value();
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--json') options.json = value();
    else if (flag === '--pg-uri') options.pgUri = value();
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(options.dest in DESTINATIONS)) {
    throw new Error(`--dest must be one of ${Object.keys(DESTINATIONS).join(', ')}`);
  }
  if (!['merge', 'append', 'replace'].includes(options.mode)) {
    throw new Error('--mode must be one of merge, append, replace');
  }
  if (!Number.isSafeInteger(options.rows) || options.rows <= 0)
    throw new Error('--rows must be a positive integer');
  if (!Number.isSafeInteger(options.batch) || options.batch <= 0)
    throw new Error('--batch must be a positive integer');
  return options;
}

// The contacts stream's own fields, so the benchmark loads what a sync loads.
const { contacts } = await import('../dist/streams/contacts.js');
const CONTACT_COLUMNS = { ...contacts.fields, _synced_at: 'timestamp' };

const SPEC = {
  stream: 'contacts',
  table: 'contacts',
  columns: Object.entries(CONTACT_COLUMNS).map(([name, type]) => ({ name, type })),
  primaryKey: ['id'],
};

const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Radia',
  'Linus',
];
const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
];
const BROWSERS = ['chrome', 'firefox', 'safari', 'edge'];
const COUNTRIES = [
  ['France', 'Paris', 'FR', 'EU'],
  ['Germany', 'Berlin', 'DE', 'EU'],
  ['United States', 'Boston', 'US', 'NA'],
  ['Japan', 'Tokyo', 'JP', 'AS'],
  ['Brazil', 'Recife', 'BR', 'SA'],
];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];
const BASE_SECONDS = 1_600_000_000;

/** A 32-bit hash of an integer (deterministic, well mixed, cheap). */
function hash(value) {
  let h = Math.imul(value ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function at(seconds) {
  return new Date(seconds * 1000);
}

/** The contact of index `index`: every value derived from it, about a third of the fields null. */
function contact(index, syncedAt) {
  const h = hash(index);
  const g = hash(h);
  const first = FIRST_NAMES[h % FIRST_NAMES.length];
  const last = LAST_NAMES[g % LAST_NAMES.length];
  const domain = `example${h % 997}.com`;
  const created = BASE_SECONDS + (h % 100_000_000);
  const updated = created + (g % 10_000_000);
  const [country, city, countryCode, continent] = COUNTRIES[g % COUNTRIES.length];
  const mobile = h % 4 === 0;
  const ios = mobile && g % 2 === 0;
  const tagCount = g % 4;
  return {
    id: `${(0x6000_0000 + index).toString(16)}${h.toString(16).padStart(8, '0')}`,
    type: 'contact',
    workspace_id: 'ecahpwf5',
    external_id: h % 3 === 0 ? null : `ext-${index}`,
    role: h % 5 === 0 ? 'lead' : 'user',
    email: `${first.toLowerCase()}.${last.toLowerCase()}${index}@${domain}`,
    email_domain: domain,
    phone: h % 7 === 0 ? `+33 6 ${String(g % 100_000_000).padStart(8, '0')}` : null,
    name: `${first} ${last}`,
    owner_id: h % 2 === 0 ? 1000 + (g % 50) : null,
    has_hard_bounced: h % 97 === 0,
    marked_email_as_spam: h % 89 === 0,
    unsubscribed_from_emails: h % 11 === 0,
    created_at: at(created),
    updated_at: at(updated),
    signed_up_at: h % 5 === 0 ? null : at(created + 60),
    last_seen_at: at(updated - (h % 86_400)),
    last_replied_at: g % 3 === 0 ? at(updated - (g % 500_000)) : null,
    last_contacted_at: g % 2 === 0 ? at(updated - (h % 900_000)) : null,
    last_email_opened_at: g % 4 === 0 ? at(updated - (g % 700_000)) : null,
    last_email_clicked_at: g % 8 === 0 ? at(updated - (h % 600_000)) : null,
    language_override: h % 13 === 0 ? 'fr' : null,
    browser: BROWSERS[h % BROWSERS.length],
    browser_version: `${100 + (g % 30)}.0.${g % 5000}`,
    browser_language: h % 2 === 0 ? 'en-US' : 'fr-FR',
    os: mobile ? (ios ? 'iOS 17.4' : 'Android 14') : 'OS X 14.4',
    android_app_name: mobile && !ios ? 'Example' : null,
    android_app_version: mobile && !ios ? `5.${g % 40}.0` : null,
    android_device: mobile && !ios ? 'Pixel 8' : null,
    android_os_version: mobile && !ios ? '14' : null,
    android_sdk_version: mobile && !ios ? '34' : null,
    android_last_seen_at: mobile && !ios ? at(updated - 3600) : null,
    ios_app_name: ios ? 'Example' : null,
    ios_app_version: ios ? `5.${g % 40}.1` : null,
    ios_device: ios ? 'iPhone15,2' : null,
    ios_os_version: ios ? '17.4' : null,
    ios_sdk_version: ios ? '17.4' : null,
    ios_last_seen_at: ios ? at(updated - 7200) : null,
    custom_attributes: {
      plan: PLANS[h % PLANS.length],
      seats: g % 500,
      mrr: (h % 100_000) / 100,
      onboarded: g % 2 === 0,
      referrer: h % 3 === 0 ? null : `campaign-${g % 40}`,
    },
    avatar: {
      type: 'avatar',
      image_url: h % 2 === 0 ? `https://static.example.com/avatars/${index}.png` : null,
    },
    tags: {
      type: 'list',
      data: Array.from({ length: tagCount }, (_, k) => ({
        type: 'tag',
        id: String(7000 + ((g + k) % 60)),
        url: `/tags/${7000 + ((g + k) % 60)}`,
      })),
      url: `/contacts/${index}/tags`,
      total_count: tagCount,
      has_more: false,
    },
    notes: { type: 'list', data: [], url: `/contacts/${index}/notes`, total_count: 0, has_more: false },
    companies: {
      type: 'list',
      data:
        h % 3 === 0 ? [] : [{ type: 'company', id: `co${g % 10_000}`, url: `/companies/co${g % 10_000}` }],
      url: `/contacts/${index}/companies`,
      total_count: h % 3 === 0 ? 0 : 1,
      has_more: false,
    },
    location: {
      type: 'location',
      country,
      region: null,
      city,
      country_code: countryCode,
      continent_code: continent,
    },
    social_profiles: { type: 'list', data: [] },
    _synced_at: syncedAt,
  };
}

async function bytesUnder(path) {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(child);
    else if (entry.isFile()) total += (await stat(child)).size;
  }
  return total;
}

/** Seconds of CPU (user + system) a process has used, from /proc; undefined when unreadable. */
async function processCpuSeconds(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after its closing parenthesis; utime
    // and stime are in clock ticks, 100 a second on Linux.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The application name this run's connections carry, to find their server processes. */
const BENCH_APPLICATION = `intercom-sync-bench-${process.pid}`;

/** `uri` with `application_name` set to this run's. */
function withApplicationName(uri) {
  const url = new URL(uri);
  url.searchParams.set('application_name', BENCH_APPLICATION);
  return url.href;
}

/** Every run starts from an empty schema, as the other destinations start from an empty folder. */
async function dropBenchSchema(pgUri) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgUri });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS intercom_bench CASCADE');
  } finally {
    await client.end();
  }
}

/**
 * CPU seconds of the PostgreSQL server processes of this run's connections (by application name),
 * when the server runs on this machine. They were opened by this run and served nothing else, so
 * their whole CPU time is this run's; read just before close(), while they still exist.
 */
async function postgresBackendCpuSeconds(pgUri) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgUri });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      BENCH_APPLICATION,
    ]);
    let total = 0;
    for (const { pid } of rows) {
      const seconds = await processCpuSeconds(pid);
      if (seconds === undefined) return undefined;
      total += seconds;
    }
    return rows.length === 0 ? undefined : total;
  } finally {
    await client.end();
  }
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const out = options.out ?? (await mkdtemp(join(tmpdir(), `intercom-sync-bench-${options.dest}-`)));
  let peakRss = process.memoryUsage.rss();
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 20);
  sampler.unref();

  const destination = await DESTINATIONS[options.dest]({ out, pgUri: options.pgUri });
  const signal = new AbortController().signal;
  let generating = 0;
  let generatingCpu = 0;
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  await destination.open(signal);
  const writer = await destination.prepare(SPEC, options.mode, signal);
  const syncedAt = new Date();
  for (let start = 0; start < options.rows; start += options.batch) {
    const end = Math.min(options.rows, start + options.batch);
    const before = performance.now();
    const beforeCpu = process.cpuUsage();
    const rows = new Array(end - start);
    for (let index = start; index < end; index++) rows[index - start] = contact(index, syncedAt);
    generating += performance.now() - before;
    const generated = process.cpuUsage(beforeCpu);
    generatingCpu += generated.user + generated.system;
    await writer.commit(rows, { cursor: BASE_SECONDS + end, rows: end }, signal);
    sample();
  }
  await writer.finish(undefined, signal);
  const backendCpu = options.dest === 'postgres' ? await postgresBackendCpuSeconds(options.pgUri) : undefined;
  await destination.close();
  const seconds = (performance.now() - started) / 1000;
  const usedCpu = process.cpuUsage(startedCpu);
  const cpuSeconds = (usedCpu.user + usedCpu.system - generatingCpu) / 1e6;
  const per100k = (value) => Number(((value * 100_000) / options.rows).toFixed(2));
  clearInterval(sampler);
  sample();

  const bytes = options.dest === 'postgres' ? undefined : await bytesUnder(out);
  if (options.out === undefined && !options.keep) await rm(out, { recursive: true, force: true });
  const result = {
    dest: options.dest,
    mode: options.mode,
    rows: options.rows,
    batch: options.batch,
    seconds: Number(seconds.toFixed(2)),
    rows_per_s: Math.round(options.rows / seconds),
    load_rows_per_s: Math.round(options.rows / (seconds - generating / 1000)),
    gen_seconds: Number((generating / 1000).toFixed(2)),
    cpu_s: Number(cpuSeconds.toFixed(2)),
    cpu_s_per_100k: per100k(cpuSeconds),
    pg_backend_cpu_s: backendCpu === undefined ? undefined : Number(backendCpu.toFixed(2)),
    pg_backend_cpu_s_per_100k: backendCpu === undefined ? undefined : per100k(backendCpu),
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
    bytes_on_disk: bytes,
    node: process.version,
  };
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    Object.entries(result)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
  );
}

main().catch((error) => {
  console.error(`bench/loader.mjs: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
