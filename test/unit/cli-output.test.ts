import { describe, expect, it } from 'vitest';
import { progressLines, redactor, summaryTable } from '../../src/cli/output.js';

describe('progressLines', () => {
  it('shows records, pages of those expected, an ETA, and the budget in use', () => {
    const lines = progressLines(
      [
        {
          stream: 'contacts',
          status: 'running',
          records: 1500,
          pages: 10,
          expectedPages: 40,
          elapsedMs: 5000,
        },
        { stream: 'admins', status: 'succeeded', records: 12, pages: 1, elapsedMs: 300 },
      ],
      { requests: 321, rateLimited: 2, limiter: { limit: 1666, available: 1000, inFlight: 17 } },
    );
    expect(lines[0]).toMatch(/^contacts\s+running\s+1500 records\s+10\/40 pages eta 15\.0 s$/);
    expect(lines[1]).toMatch(/^admins\s+succeeded\s+12 records\s+1 pages$/);
    expect(lines[2]).toBe(
      '321 requests, 2 rate-limited (429), 17 in flight, budget 666/1666 used this window',
    );
  });
  it('says when the budget is not known yet', () => {
    expect(
      progressLines([], {
        requests: 0,
        rateLimited: 0,
        limiter: { limit: undefined, available: 50, inFlight: 0 },
      }),
    ).toEqual(['0 requests, 0 rate-limited (429), 0 in flight, budget unknown yet']);
  });
});

describe('redactor', () => {
  it('replaces every secret, longest first, and ignores short or missing ones', () => {
    const redact = redactor(['abcdefgh', 'abcdefghXYZ', undefined, 'ab']);
    expect(redact('x abcdefghXYZ y abcdefgh z ab')).toBe('x [REDACTED] y [REDACTED] z ab');
  });
});

describe('summaryTable', () => {
  it('lists each stream and the totals, and explains failures and skipped parents', () => {
    const lines = summaryTable(
      [
        {
          stream: 'contacts',
          table: 'contacts',
          mode: 'merge',
          status: 'succeeded',
          records: 10,
          pages: 2,
          skippedParents: 0,
          coercedValues: 1,
          durationMs: 1500,
          notes: { deleted: 0 },
        },
        {
          stream: 'conversation_parts',
          table: 'conversation_parts',
          mode: 'merge',
          status: 'failed',
          records: 5,
          pages: 3,
          skippedParents: 2,
          coercedValues: 0,
          durationMs: 20,
          notes: {},
          error: 'Stream conversation_parts: boom',
        },
      ],
      { requests: 7, retries: 1, rateLimited: 0, durationMs: 2000 },
    );
    expect(lines.join('\n')).toContain('15 rows in 2.0 s: 7 requests, 1 retries, 0 rate-limited (429)');
    expect(lines.join('\n')).toContain('conversation_parts: Stream conversation_parts: boom');
    expect(lines.join('\n')).toContain(
      'conversation_parts: 2 parents were gone when fetched (404) and were skipped',
    );
    expect(lines.join('\n')).toContain('contacts: 1 values did not fit');
    expect(lines.join('\n')).not.toContain('0 deleted');
  });
});
