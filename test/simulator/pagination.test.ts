import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { auth, expectError, ids, type Json, ok, rawRequest, walkGet, walkSearch } from './helpers.js';

const expectEveryIdOnce = (got: string[], expected: string[]) => {
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort()).toEqual([...expected].sort());
};

describe('cursor pagination', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 5, counts: { contacts: 430, conversations: 330 } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('GET /contacts with per_page 150 returns every contact exactly once', async () => {
    const all = await walkGet(sim, '/contacts', 'data', 150);
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'contacts')));
    expect(all.length).toBe(430);
  });

  it('GET /conversations with per_page 150 returns every conversation exactly once', async () => {
    const all = await walkGet(sim, '/conversations', 'conversations', 150);
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'conversations')));
  });

  it('POST /contacts/search with per_page 150 returns every contact exactly once', async () => {
    const all = await walkSearch(sim, '/contacts/search', 'data', {
      query: { field: 'created_at', operator: '>', value: 0 },
      pagination: { per_page: 150 },
      sort: { field: 'updated_at', order: 'ascending' },
    });
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'contacts')));
  });

  it('pages carry type, page, per_page, total_pages and a next cursor until the last page', async () => {
    const first = ok(await api(sim, '/contacts?per_page=150'));
    expect(first.pages).toMatchObject({ type: 'pages', page: 1, per_page: 150, total_pages: 3 });
    expect(first.total_count).toBe(430);
    const next = (first.pages as Json).next as Json;
    expect(next.per_page).toBe(150);
    expect(typeof next.starting_after).toBe('string');
    const second = ok(await api(sim, `/contacts?per_page=150&starting_after=${String(next.starting_after)}`));
    expect((second.pages as Json).page).toBe(2);
    const third = ok(
      await api(
        sim,
        `/contacts?per_page=150&starting_after=${String(((second.pages as Json).next as Json).starting_after)}`,
      ),
    );
    expect((third.data as Json[]).length).toBe(130);
    expect((third.pages as Json).next ?? null).toBeNull();
  });

  it('per_page 151 answers 400 on every cursor endpoint', async () => {
    expectError(await api(sim, '/contacts?per_page=151'), 400, 'parameter_invalid');
    expectError(await api(sim, '/conversations?per_page=151'), 400, 'parameter_invalid');
    for (const path of ['/contacts/search', '/conversations/search', '/tickets/search']) {
      const res = await api(sim, path, {
        method: 'POST',
        body: { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 151 } },
      });
      expectError(res, 400, 'parameter_invalid');
    }
  });

  it('default page sizes: contacts 50, conversations 20', async () => {
    const contacts = ok(await api(sim, '/contacts'));
    expect((contacts.data as Json[]).length).toBe(50);
    expect((contacts.pages as Json).per_page).toBe(50);
    const conversations = ok(await api(sim, '/conversations'));
    expect((conversations.conversations as Json[]).length).toBe(20);
    expect((conversations.pages as Json).per_page).toBe(20);
    const searched = ok(
      await api(sim, '/contacts/search', {
        method: 'POST',
        body: { query: { field: 'updated_at', operator: '>', value: 0 } },
      }),
    );
    expect((searched.data as Json[]).length).toBe(50);
    const searchedConversations = ok(
      await api(sim, '/conversations/search', {
        method: 'POST',
        body: { query: { field: 'updated_at', operator: '>', value: 0 } },
      }),
    );
    expect((searchedConversations.conversations as Json[]).length).toBe(20);
  });

  it('a bad cursor answers 400', async () => {
    expectError(await api(sim, '/contacts?starting_after=not-a-cursor'), 400, 'parameter_invalid');
    expectError(await api(sim, '/conversations?starting_after=%7B%7D'), 400, 'parameter_invalid');
    const res = await api(sim, '/contacts/search', {
      method: 'POST',
      body: {
        query: { field: 'updated_at', operator: '>', value: 0 },
        pagination: { per_page: 10, starting_after: 'WzE3garbage' },
      },
    });
    expectError(res, 400, 'parameter_invalid');
  });
});

describe('page-numbered pagination', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      scale: 'tiny',
      seed: 6,
      counts: { articles: 7, collections: 5, activityLogs: 13, companies: 23 },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const port = () => new URL(sim.url).port;

  /** Follows `pages.next` URLs (with POST when `method` says so) and returns every item. */
  const walkNumbered = async (first: string, key: string, method = 'GET') => {
    const out: Json[] = [];
    let url: string | null = `${sim.url}${first}`;
    let pageNo = 0;
    while (url) {
      const body = ok(await api(sim, url, { method }));
      pageNo++;
      const pages = body.pages as Json;
      expect(pages.page).toBe(pageNo);
      out.push(...(body[key] as Json[]));
      const next = pages.next as string | null;
      if (next !== null) {
        expect(typeof next).toBe('string');
        const parsed = new URL(next);
        expect(parsed.origin).toBe(sim.url);
        expect(parsed.searchParams.get('page')).toBe(String(pageNo + 1));
      } else {
        expect(pageNo).toBe(pages.total_pages);
      }
      url = next;
    }
    return out;
  };

  it('GET /articles: next is a full URL on the simulator, null on the last page', async () => {
    const all = await walkNumbered('/articles?per_page=3', 'data');
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'articles')));
  });

  it('GET /help_center/collections: next is a full URL, null on the last page', async () => {
    const all = await walkNumbered('/help_center/collections?per_page=2', 'data');
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'help_center_collections')));
  });

  it('GET /admins/activity_logs needs created_at_after and pages with full URLs', async () => {
    expectError(await api(sim, '/admins/activity_logs'), 400, 'parameter_not_found');
    const all = await walkNumbered('/admins/activity_logs?created_at_after=0&per_page=4', 'activity_logs');
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'activity_logs')));
  });

  it('GET /companies: per_page up to 60, 61 answers 400', async () => {
    const body = ok(await api(sim, '/companies?per_page=60'));
    expect((body.data as Json[]).length).toBe(23);
    expect((body.pages as Json).next).toBeNull();
    expectError(await api(sim, '/companies?per_page=61'), 400, 'parameter_invalid');
    expectError(await api(sim, '/companies/list?per_page=61', { method: 'POST' }), 400, 'parameter_invalid');
    const all = await walkNumbered('/companies?per_page=5', 'data');
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'companies')));
  });

  it('POST /companies/list pages with POSTs of its next URL; a GET of that URL answers 404', async () => {
    const all = await walkNumbered('/companies/list?per_page=10', 'data', 'POST');
    expectEveryIdOnce(ids(all), ids(await truth(sim, 'companies')));
    const first = ok(await api(sim, '/companies/list?per_page=10', { method: 'POST' }));
    const next = (first.pages as Json).next as string;
    expect(new URL(next).pathname).toBe('/companies/list');
    const res = await api(sim, next);
    expect(res.status).toBe(404);
    expect((res.body as Json).type).toBe('error.list');
  });

  it('next names the simulator host the client addressed (Host: localhost:PORT)', async () => {
    const host = `localhost:${port()}`;
    const got = await rawRequest(`${sim.url}/articles?per_page=3`, { headers: { ...auth(sim), Host: host } });
    expect(got.status).toBe(200);
    const next = new URL(((got.body as Json).pages as Json).next as string);
    expect(next.port).toBe(port());
    expect(['localhost', '127.0.0.1']).toContain(next.hostname);
    expect(next.pathname).toBe('/articles');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('per_page')).toBe('3');

    const listed = await rawRequest(`${sim.url}/companies/list?per_page=10`, {
      method: 'POST',
      headers: { ...auth(sim), Host: host },
    });
    const listNext = new URL(((listed.body as Json).pages as Json).next as string);
    expect(listNext.port).toBe(port());
    expect(['localhost', '127.0.0.1']).toContain(listNext.hostname);

    // Following it reaches the simulator.
    const follow = await rawRequest(`${sim.url}${next.pathname}${next.search}`, {
      headers: { ...auth(sim), Host: host },
    });
    expect(follow.status).toBe(200);
    expect(((follow.body as Json).pages as Json).page).toBe(2);
  });

  it('fetching http://localhost:PORT gives next URLs on localhost:PORT that work', async () => {
    const base = `http://localhost:${port()}`;
    const first = await fetch(`${base}/articles?per_page=3`, { headers: auth(sim) });
    const body = (await first.json()) as Json;
    const next = (body.pages as Json).next as string;
    expect(new URL(next).origin).toBe(base);
    const second = (await (await fetch(next, { headers: auth(sim) })).json()) as Json;
    expect((second.pages as Json).page).toBe(2);
  });
});

/** An HTTP/1.0 request without a Host header, straight over a socket; resolves with the JSON body. */
function withoutHost(
  sim: RunningSimulator,
  path: string,
  extra = '',
): Promise<{ status: number; body: Json }> {
  const url = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
    let text = '';
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.0\r\nAuthorization: Bearer ${sim.token}\r\n${extra}\r\n`),
    );
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) as Json });
    });
  });
}

describe('pages.next when the request names no host', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`names the simulator's own address (listening on ${host})`, async () => {
      const sim = await startSimulator({ scale: 'tiny', seed: 7, host });
      try {
        for (const extra of ['', 'Host: \r\n']) {
          const got = await withoutHost(sim, '/articles?per_page=2', extra);
          expect(got.status).toBe(200);
          const next = new URL((got.body.pages as Json).next as string);
          expect(next.origin).toBe(sim.url);
          expect(next.searchParams.get('page')).toBe('2');
        }
      } finally {
        await sim.close();
      }
    });
  }
});

describe('GET /companies and POST /companies/list stop at 10,000 companies', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', seed: 8, counts: { companies: 10_050 } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  for (const method of ['GET', 'POST'] as const) {
    const path = method === 'GET' ? '/companies' : '/companies/list';
    it(`${method} ${path}`, async () => {
      // 10,000 / 60 = 166 full pages and a last page of 40.
      const before = ok(await api(sim, `${path}?per_page=60&page=166`, { method }));
      expect((before.data as Json[]).length).toBe(60);
      expect((before.pages as Json).next).toMatch(/page=167/);
      const last = ok(await api(sim, `${path}?per_page=60&page=167`, { method }));
      expect((last.data as Json[]).length).toBe(40);
      expect((last.pages as Json).next).toBeNull();
      expect((last.pages as Json).total_pages).toBe(167);
      expect(last.total_count).toBe(10_050);
      const beyond = ok(await api(sim, `${path}?per_page=60&page=168`, { method }));
      expect(beyond.data).toEqual([]);
      expect(beyond.total_count).toBe(10_050);
    });
  }
});
