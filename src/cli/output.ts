import type { StreamSummary } from '../engine/sync.js';
import type { LogFields, Logger } from '../http/index.js';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Rewrites the live progress block on a terminal (undefined off a terminal). */
  status?: (lines: string[]) => void;
}

/** Removes every secret from a text before it is printed (defence in depth). */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const list = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of list) out = out.split(secret).join('[REDACTED]');
    return out;
  };
}

/** Log lines on stderr: `level message key=value` for people, one JSON object per line for machines. */
export function createLogger(
  io: Io,
  format: 'text' | 'json',
  redact: (text: string) => string,
  verbose = false,
): Logger {
  const write = (level: string, message: string, fields: LogFields = {}) => {
    if (level === 'debug' && !verbose) return;
    if (format === 'json') {
      io.err(redact(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })));
      return;
    }
    const extras = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    io.err(redact(`${level === 'info' ? '' : `${level}: `}${message}${extras ? ` (${extras})` : ''}`));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The end-of-sync table: rows per stream, pages, status, duration. */
export function summaryTable(
  streams: readonly StreamSummary[],
  totals: { requests: number; retries: number; rateLimited: number; durationMs: number },
): string[] {
  const header = ['stream', 'status', 'mode', 'rows', 'pages', 'duration'];
  const rows = streams.map((s) => [
    s.stream,
    s.status,
    s.mode,
    String(s.records),
    String(s.pages),
    formatDuration(s.durationMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] as number, i >= 3)).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  out.push('');
  out.push(
    `${streams.reduce((a, s) => a + s.records, 0)} rows in ${formatDuration(totals.durationMs)}: ${totals.requests} requests, ${totals.retries} retries, ${totals.rateLimited} rate-limited (429)`,
  );
  for (const s of streams) {
    if (s.error) out.push(`${s.stream}: ${s.error}`);
    if (s.skippedParents > 0)
      out.push(`${s.stream}: ${s.skippedParents} parents were gone when fetched (404) and were skipped`);
    if (s.coercedValues > 0)
      out.push(
        `${s.stream}: ${s.coercedValues} values did not fit their column type and were loaded as NULL (kept in the JSON columns)`,
      );
    for (const [note, count] of Object.entries(s.notes)) {
      if (count > 0) out.push(`${s.stream}: ${count} ${note.replace(/_/g, ' ')}`);
    }
  }
  return out;
}

/** What the live display shows of the shared rate limiter. */
export interface LimiterView {
  /** Intercom's per-window budget (`X-RateLimit-Limit`), once known. */
  limit: number | undefined;
  /** Budget left in the current 10-second window. */
  available: number;
  inFlight: number;
}

/**
 * The live progress block on a terminal: per stream its status, records, pages (of those expected,
 * when Intercom said how many) and an ETA; then requests, 429s and the rate-limit budget in use.
 */
export function progressLines(
  streams: ReadonlyArray<{
    stream: string;
    status: string;
    records: number;
    pages: number;
    expectedPages?: number;
    elapsedMs: number;
  }>,
  totals: { requests: number; rateLimited: number; limiter: LimiterView },
): string[] {
  const lines = streams.map((s) => {
    const pages = s.expectedPages ? `${s.pages}/${s.expectedPages}` : String(s.pages);
    let eta = '';
    if (
      s.status === 'running' &&
      s.expectedPages &&
      s.pages > 0 &&
      s.pages < s.expectedPages &&
      s.elapsedMs > 0
    ) {
      const perMs = s.pages / s.elapsedMs;
      eta = ` eta ${formatDuration(Math.round((s.expectedPages - s.pages) / perMs))}`;
    }
    return `${s.stream.padEnd(24)} ${s.status.padEnd(9)} ${String(s.records).padStart(9)} records ${pages.padStart(11)} pages${eta}`;
  });
  const { limit, available, inFlight } = totals.limiter;
  const budget =
    limit === undefined
      ? 'budget unknown yet'
      : `budget ${Math.max(0, limit - available)}/${limit} used this window`;
  lines.push(
    `${totals.requests} requests, ${totals.rateLimited} rate-limited (429), ${inFlight} in flight, ${budget}`,
  );
  return lines;
}
