/**
 * The sync benchmark: how close a full sync comes to the physical limit of Intercom's rate limit.
 *
 *   npm run bench -- [--scale small|medium|large] [--latency-ms 150] [--jitter-ms 50]
 *                    [--rate-limit-per-minute 10000] [--dest duckdb|postgres|parquet] [--json out.json]
 *                    [--svg docs/request-rate-medium.svg | --svg none] [--probe-seconds 40] [--cap 3000]
 *
 * The chart goes to docs/request-rate-<scale>.svg (…-<dest>.svg for another destination) unless
 * --svg says otherwise. --probe-seconds 0 leaves out the capped and sequential phases (quick runs).
 * --dest postgres uses BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test), one schema per
 * phase, dropped at the end.
 *
 * The simulator runs in its own process (its CPU is not ours), the extractor is the real CLI in its
 * own process (its CPU and peak RSS come from its own JSON summary). Phases: a full sync; an
 * incremental sync after 1% of records changed; a capped run (`--max-requests-per-minute`); a
 * sequential run (`--concurrency 1`, how other connectors work), each of the last two for a
 * fixed time, measured as a request rate.
 *
 * min_requests, the requests a perfect extractor needs for the workspace (written out in
 * docs/benchmarks.md too):
 *   ceil(contacts/150) + ceil(conversations/150) + ceil(tickets/150)      search pages
 *   + conversations                                                        one GET per conversation (its parts)
 *   + ceil(companies/scroll_page) + 1                                      the scroll, and its empty last page
 *   + companies                                                            one GET of each company's segments
 *   + ceil(articles/150) + ceil(collections/150) + ceil(activity_logs/150) page-numbered lists
 *   + contacts with more than 10 tags + contacts with more than 10 companies
 *                                                                          one GET of each list Intercom cuts at 10
 *   + 8                                                                    admins, teams, tags, segments, help centers,
 *                                                                          3 data attribute models
 *   + 1                                                                    GET /me
 * lower_bound_s = min_requests / (rate_limit_per_minute / 60); efficiency = lower_bound_s / wall_s.
 *
 * machine_ms (in the JSON) is the machine's single-thread speed, measured before the simulator
 * starts (see machineMs): CPU figures from machines of different speed compare after dividing by it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const TOKEN = 'bench_token_not_secret';
const SCROLL_PAGE = 100;

interface Options {
  scale: string;
  latencyMs: number;
  jitterMs: number;
  ratePerMinute: number;
  dest: string;
  json?: string;
  svg?: string;
  capPerMinute: number;
  probeSeconds: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    scale: 'medium',
    latencyMs: 150,
    jitterMs: 50,
    ratePerMinute: 10_000,
    dest: 'duckdb',
    capPerMinute: 3000,
    probeSeconds: 40,
    seed: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--') continue;
    const value = argv[i + 1];
    const need = () => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    switch (flag) {
      case '--scale':
        o.scale = need();
        break;
      case '--latency-ms':
        o.latencyMs = Number(need());
        break;
      case '--jitter-ms':
        o.jitterMs = Number(need());
        break;
      case '--rate-limit-per-minute':
        o.ratePerMinute = Number(need());
        break;
      case '--dest':
        o.dest = need();
        break;
      case '--json':
        o.json = need();
        break;
      case '--svg':
        o.svg = need();
        break;
      case '--cap':
        o.capPerMinute = Number(need());
        break;
      case '--probe-seconds':
        o.probeSeconds = Number(need());
        break;
      case '--seed':
        o.seed = Number(need());
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (!['small', 'medium', 'large'].includes(o.scale))
    throw new Error('--scale must be small, medium or large');
  if (!['duckdb', 'postgres', 'parquet'].includes(o.dest))
    throw new Error('--dest must be duckdb, postgres or parquet');
  for (const [name, value] of Object.entries({
    '--latency-ms': o.latencyMs,
    '--jitter-ms': o.jitterMs,
    '--rate-limit-per-minute': o.ratePerMinute,
    '--cap': o.capPerMinute,
    '--probe-seconds': o.probeSeconds,
  })) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of at least 0`);
  }
  o.svg ??= join(ROOT, 'docs', `request-rate-${o.scale}${o.dest === 'duckdb' ? '' : `-${o.dest}`}.svg`);
  if (o.svg === 'none') delete o.svg;
  return o;
}

async function startSimulator(o: Options): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'simulator',
      '--scale',
      o.scale,
      '--seed',
      String(o.seed),
      '--port',
      '0',
      '--token',
      TOKEN,
      '--latency-ms',
      String(o.latencyMs),
      '--jitter-ms',
      String(o.jitterMs),
      '--rate-limit-per-minute',
      String(o.ratePerMinute),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, child };
}

async function control(url: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return path.startsWith('/_simulator/truth/')
    ? text.split('\n').filter((l) => l.length > 0).length
    : JSON.parse(text);
}

/**
 * Contacts whose inline list (tags or companies) Intercom cuts at 10: each costs one request for
 * the whole list. Counted from the link table's truth, one line at a time.
 */
async function cutLists(url: string, linkStream: string): Promise<number> {
  const res = await fetch(`${url}/_simulator/truth/${linkStream}`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  if (!res.ok || !res.body) throw new Error(`/_simulator/truth/${linkStream}: ${res.status}`);
  const perContact = new Map<string, number>();
  let rest = '';
  const decoder = new TextDecoder();
  const take = (line: string) => {
    if (line.length === 0) return;
    const id = String((JSON.parse(line) as { contact_id: unknown }).contact_id);
    perContact.set(id, (perContact.get(id) ?? 0) + 1);
  };
  for await (const chunk of res.body) {
    const lines = (rest + decoder.decode(chunk as Uint8Array, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) take(line);
  }
  take(rest);
  let cut = 0;
  for (const count of perContact.values()) if (count > 10) cut += 1;
  return cut;
}

interface SyncRun {
  wallS: number;
  exitCode: number | null;
  summary: Record<string, unknown> | undefined;
  /** The last lines the sync wrote to stderr (its log), to say why it failed. */
  stderrTail: string[];
}

/** Lines of a sync's log kept to explain a failure. */
const STDERR_TAIL_LINES = 20;

/** Runs the CLI's sync as its own process; `stopAfterS` ends it (SIGTERM) for rate probes. */
async function runSync(url: string, dest: string[], extra: string[], stopAfterS?: number): Promise<SyncRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [CLI, 'sync', '--base-url', url, ...dest, '--log-format', 'json', ...extra],
    {
      env: { ...process.env, INTERCOM_ACCESS_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    // Only the end is kept: a log of a whole sync can be large.
    err = (err + d.toString()).slice(-64 * 1024);
  });
  const timer =
    stopAfterS === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), stopAfterS * 1000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  if (timer) clearTimeout(timer);
  const wallS = (performance.now() - started) / 1000;
  const last = out.trim().split('\n').at(-1);
  let summary: Record<string, unknown> | undefined;
  try {
    summary = last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  } catch {
    summary = undefined;
  }
  const stderrTail = err.trimEnd().split('\n').slice(-STDERR_TAIL_LINES);
  return { wallS, exitCode, summary, stderrTail };
}

const PG_URI = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';
/** Postgres schemas of this run (one per phase, so that no phase starts from another's state). */
const RUN_ID = randomBytes(4).toString('hex');

/** The CLI arguments that send a phase's sync to its own, new destination. */
function destinationArgs(kind: string, dir: string, name: string): string[] {
  switch (kind) {
    case 'duckdb':
      return ['--dest-uri', `duckdb:///${join(dir, `${name}.duckdb`)}`];
    case 'postgres':
      return ['--dest-uri', PG_URI, '--dest-schema', `bench_${RUN_ID}_${name}`];
    case 'parquet':
      return ['--dest-uri', `parquet:///${join(dir, name)}`];
    default:
      throw new Error(`unknown --dest ${kind}`);
  }
}

async function dropPostgresSchemas(): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URI });
  await client.connect();
  try {
    for (const phase of ['full', 'capped', 'sequential'])
      await client.query(`DROP SCHEMA IF EXISTS bench_${RUN_ID}_${phase} CASCADE`);
  } finally {
    await client.end();
  }
}

function svgChart(perSecond: number[], allowedPerSecond: number, title: string): string {
  const w = 900;
  const h = 320;
  const pad = 50;
  const maxY = Math.max(allowedPerSecond * 1.3, ...perSecond, 1);
  const x = (i: number) => pad + (i / Math.max(1, perSecond.length - 1)) * (w - 2 * pad);
  const y = (v: number) => h - pad - (v / maxY) * (h - 2 * pad);
  const line = perSecond
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
    .join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(maxY * f));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12" role="img">
<title>${title}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${pad}" y="20" font-size="14">${title}</text>
${ticks.map((t) => `<line x1="${pad}" x2="${w - pad}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${pad - 8}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join('\n')}
<line x1="${pad}" x2="${w - pad}" y1="${y(allowedPerSecond)}" y2="${y(allowedPerSecond)}" stroke="#d33" stroke-dasharray="6 4"/>
<text x="${w - pad}" y="${y(allowedPerSecond) - 6}" text-anchor="end" fill="#d33">allowed: ${allowedPerSecond.toFixed(1)} requests/s</text>
<path d="${line}" fill="none" stroke="#2563eb" stroke-width="1.5"/>
<text x="${w / 2}" y="${h - 12}" text-anchor="middle">seconds since the sync started</text>
<text x="14" y="${h / 2}" transform="rotate(-90 14 ${h / 2})" text-anchor="middle">requests per second</text>
</svg>
`;
}

/**
 * The machine's single-thread speed, so that figures from different machines (or days: virtual
 * machines differ) can be compared: milliseconds to serialise and parse a fixed array of 2,000
 * contact-like objects 20 times, the best of five tries. The CPU figures scale roughly with it.
 */
function machineMs(): number {
  const items = Array.from({ length: 2000 }, (_, i) => ({
    id: `contact-${i}`,
    email: `person${i}@example${i % 97}.com`,
    created_at: 1_600_000_000 + i * 37,
    flags: { unsubscribed: i % 3 === 0, bounced: i % 11 === 0 },
    tags: Array.from({ length: i % 4 }, (_, k) => ({ type: 'tag', id: String(7000 + k) })),
    custom_attributes: { plan: ['free', 'pro'][i % 2], seats: i % 500, mrr: i / 7 },
  }));
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = performance.now();
    for (let round = 0; round < 20; round++) JSON.parse(JSON.stringify(items));
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const machine = machineMs();
  const benchStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'intercom-sync-bench-'));
  const sim = await startSimulator(o);
  const allowedPerSecond = o.ratePerMinute / 60;
  try {
    const count = async (stream: string) => (await control(sim.url, `/_simulator/truth/${stream}`)) as number;
    const n = {
      contacts: await count('contacts'),
      conversations: await count('conversations'),
      tickets: await count('tickets'),
      companies: await count('companies'),
      articles: await count('articles'),
      collections: await count('help_center_collections'),
      activityLogs: await count('activity_logs'),
      cutTagLists: await cutLists(sim.url, 'contact_tags'),
      cutCompanyLists: await cutLists(sim.url, 'contact_companies'),
    };
    const pages = (k: number, size = 150) => Math.max(1, Math.ceil(k / size));
    const minRequests =
      pages(n.contacts) +
      pages(n.conversations) +
      pages(n.tickets) +
      n.conversations +
      pages(n.companies, SCROLL_PAGE) +
      1 +
      n.companies +
      pages(n.articles) +
      pages(n.collections) +
      pages(n.activityLogs) +
      n.cutTagLists +
      n.cutCompanyLists +
      8 +
      1;
    const lowerBoundS = minRequests / allowedPerSecond;

    // Full sync.
    await control(sim.url, '/_simulator/stats/reset', {});
    const full = await runSync(sim.url, destinationArgs(o.dest, dir, 'full'), []);
    const fullStats = (await control(sim.url, '/_simulator/stats')) as {
      total_requests: number;
      rate_limited: number;
      requests: Record<string, number>;
      per_second: number[];
    };
    const summary = full.summary ?? {};
    const proc = (summary.process ?? {}) as { cpuUserS?: number; cpuSystemS?: number; maxRssMb?: number };
    const records = ((summary.streams ?? []) as Array<{ records: number }>).reduce(
      (a, s) => a + s.records,
      0,
    );
    const cpuS = (proc.cpuUserS ?? 0) + (proc.cpuSystemS ?? 0);

    // Incremental sync after 1% of the records changed.
    const changed = {
      contacts: Math.ceil(n.contacts / 100),
      companies: Math.ceil(n.companies / 100),
      conversations: Math.ceil(n.conversations / 100),
      tickets: Math.ceil(n.tickets / 100),
    };
    await control(sim.url, '/_simulator/mutate', { update: changed });
    await control(sim.url, '/_simulator/stats/reset', {});
    const incremental = await runSync(sim.url, destinationArgs(o.dest, dir, 'full'), []);
    const incStats = (await control(sim.url, '/_simulator/stats')) as {
      total_requests: number;
      rate_limited: number;
      requests: Record<string, number>;
    };
    // What a perfect incremental run needs: the changed records' pages and children, one page per
    // other stream, and the companies scroll in full (Intercom has no company search).
    const incrementalNeeded =
      pages(changed.contacts) +
      pages(changed.conversations) +
      changed.conversations +
      pages(changed.tickets) +
      pages(n.companies, SCROLL_PAGE) +
      1 +
      changed.companies +
      3 +
      7 +
      1;

    // Capped and sequential request rates, each measured over a fixed time (--probe-seconds 0: not run).
    let capped: { per10sMax: number; average: number } | undefined;
    let sequentialRate: number | undefined;
    if (o.probeSeconds > 0) {
      await control(sim.url, '/_simulator/stats/reset', {});
      await runSync(
        sim.url,
        destinationArgs(o.dest, dir, 'capped'),
        ['--max-requests-per-minute', String(o.capPerMinute)],
        o.probeSeconds,
      );
      const cappedStats = (await control(sim.url, '/_simulator/stats')) as { per_second: number[] };
      capped = {
        per10sMax: window10sMax(cappedStats.per_second),
        average: average(cappedStats.per_second.slice(3, -1)),
      };
      await control(sim.url, '/_simulator/stats/reset', {});
      await runSync(
        sim.url,
        destinationArgs(o.dest, dir, 'sequential'),
        ['--concurrency', '1'],
        Math.min(o.probeSeconds, 30),
      );
      const sequential = (await control(sim.url, '/_simulator/stats')) as { per_second: number[] };
      sequentialRate = average(sequential.per_second.slice(3, -1));
    }

    const report = {
      scale: o.scale,
      latency_ms: o.latencyMs,
      jitter_ms: o.jitterMs,
      rate_limit_per_minute: o.ratePerMinute,
      dest: o.dest,
      machine_ms: round(machine),
      full: {
        ok: full.exitCode === 0,
        wall_s: round(full.wallS),
        requests: fullStats.total_requests,
        requests_by_route: fullStats.requests,
        rate_limited: fullStats.rate_limited,
        retries: summary.retries ?? null,
        min_requests: minRequests,
        lower_bound_s: round(lowerBoundS),
        efficiency: round(lowerBoundS / full.wallS, 3),
        records,
        records_per_s: round(records / full.wallS),
        cpu_s: round(cpuS),
        cpu_us_per_record: round((cpuS * 1e6) / Math.max(1, records)),
        peak_rss_mb: round(proc.maxRssMb ?? 0),
      },
      incremental: {
        ok: incremental.exitCode === 0,
        wall_s: round(incremental.wallS),
        changed,
        requests: incStats.total_requests,
        requests_needed: incrementalNeeded,
        ratio: round(incStats.total_requests / incrementalNeeded, 3),
        rate_limited: incStats.rate_limited,
      },
      capped:
        capped === undefined
          ? null
          : {
              cap_per_minute: o.capPerMinute,
              max_per_minute_in_any_10s: capped.per10sMax * 6,
              average_per_minute: round(capped.average * 60),
              share_of_cap: round((capped.average * 60) / o.capPerMinute, 3),
            },
      sequential:
        sequentialRate === undefined
          ? null
          : {
              requests_per_s: round(sequentialRate),
              projected_full_wall_s: round(fullStats.total_requests / Math.max(0.01, sequentialRate)),
              speedup: round(fullStats.total_requests / Math.max(0.01, sequentialRate) / full.wallS, 1),
            },
      bench_wall_s: round((performance.now() - benchStarted) / 1000),
    };
    console.log(JSON.stringify(report, null, 2));
    if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    if (o.svg)
      writeFileSync(
        o.svg,
        svgChart(
          fullStats.per_second,
          allowedPerSecond,
          `Full sync, ${o.scale} scale: requests per second against the allowed rate`,
        ),
      );
    const f = report.full;
    const phases = [
      ['full', full],
      ['incremental', incremental],
    ] as const;
    for (const [phase, run] of phases) {
      if (run.exitCode === 0) continue;
      // The figures of a failed sync mean nothing: say why it failed, from its own log.
      console.error(`bench: the ${phase} sync failed (exit ${run.exitCode}); the end of its log:`);
      for (const line of run.stderrTail) console.error(`  ${line}`);
    }
    const ok = f.ok && report.incremental.ok;
    if (!ok) process.exitCode = 1;
    console.log(
      `efficiency=${f.efficiency} wall_s=${f.wall_s} requests=${f.requests} min_requests=${f.min_requests} rate_limited=${f.rate_limited} cpu_us_per_record=${f.cpu_us_per_record} peak_rss_mb=${f.peak_rss_mb}${ok ? '' : ' ok=false'}`,
    );
  } finally {
    sim.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    if (o.dest === 'postgres')
      await dropPostgresSchemas().catch((error: unknown) =>
        console.error(`could not drop the bench schemas: ${error instanceof Error ? error.message : error}`),
      );
  }
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function average(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The most requests in any 10 consecutive seconds. */
function window10sMax(perSecond: number[]): number {
  let best = 0;
  for (let i = 0; i + 10 <= perSecond.length; i++)
    best = Math.max(
      best,
      perSecond.slice(i, i + 10).reduce((a, b) => a + b, 0),
    );
  return best;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
