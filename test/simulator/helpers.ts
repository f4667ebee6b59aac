import { request } from 'node:http';
import { expect } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { type ApiResponse, api } from '../support/simulator-client.js';

export type Json = Record<string, unknown>;

/** Asserts Intercom's error envelope with `status` and the first error's `code`. */
export function expectError(res: ApiResponse, status: number, code: string): void {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  const body = res.body as Json;
  expect(body.type).toBe('error.list');
  expect(typeof body.request_id).toBe('string');
  expect((body.request_id as string).length).toBeGreaterThan(0);
  const errors = body.errors as Array<{ code: string; message: string }>;
  expect(Array.isArray(errors)).toBe(true);
  expect(errors[0]?.code).toBe(code);
  expect(typeof errors[0]?.message).toBe('string');
}

/** A 200 answer's JSON body. */
export function ok(res: ApiResponse): Json {
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.body as Json;
}

export function ids(items: unknown): string[] {
  return (items as Json[]).map((item) => String(item.id));
}

/** Walks a cursor-paginated GET list (`pages.next.starting_after`) and returns every item. */
export async function walkGet(
  sim: RunningSimulator,
  path: string,
  key: string,
  perPage: number,
  version?: string,
  maxPages = 10_000,
): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < maxPages; guard++) {
    const query = new URLSearchParams({ per_page: String(perPage) });
    if (after) query.set('starting_after', after);
    const body = ok(await api(sim, `${path}?${query}`, version ? { version } : {}));
    out.push(...(body[key] as Json[]));
    const next = (body.pages as Json).next as { starting_after: string } | null | undefined;
    if (!next) return out;
    after = next.starting_after;
  }
  if (maxPages < 10_000) return out;
  throw new Error('pagination did not end');
}

/** Walks a search endpoint with `pagination.starting_after` and returns every item. */
export async function walkSearch(
  sim: RunningSimulator,
  path: string,
  key: string,
  body: Json,
  version?: string,
): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  const pagination = (body.pagination as Json | undefined) ?? {};
  for (let guard = 0; guard < 10_000; guard++) {
    const res = await api(sim, path, {
      method: 'POST',
      body: { ...body, pagination: { ...pagination, ...(after ? { starting_after: after } : {}) } },
      ...(version ? { version } : {}),
    });
    const page = ok(res);
    out.push(...(page[key] as Json[]));
    const next = (page.pages as Json).next as { starting_after: string } | null | undefined;
    if (!next) return out;
    after = next.starting_after;
  }
  throw new Error('search pagination did not end');
}

/** A request through `node:http`, so the `Host` header can be anything. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(payload
            ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export const auth = (sim: RunningSimulator): Record<string, string> => ({
  Authorization: `Bearer ${sim.token}`,
  Accept: 'application/json',
});

/** Start of the UTC day holding `seconds`. */
export const dayStart = (seconds: number): number => Math.floor(seconds / 86_400) * 86_400;
