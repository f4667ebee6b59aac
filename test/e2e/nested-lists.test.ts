import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeNestedLists, type FullList } from '../../src/engine/nested-lists.js';
import { createIntercomClient, createSilentLogger, FatalError } from '../../src/http/index.js';

/**
 * Full lists read over real HTTP from a small server that answers like Intercom (a page of tags with
 * `pages`), or, for contact 666, without the list at all.
 */

const TAGS: FullList = {
  field: 'tags',
  path: (contact) => `/contacts/${String(contact.id)}/tags`,
  endpoint: 'GET /contacts/{id}/tags',
};

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Request-Id', 'req-nested-1');
    if (url.pathname === '/contacts/666/tags') {
      res.end(JSON.stringify({ type: 'list', tags_but_not_data: [] }));
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const data = Array.from({ length: page === 1 ? 50 : 7 }, (_, i) => ({
      type: 'tag',
      id: String((page - 1) * 50 + i + 1),
    }));
    res.end(
      JSON.stringify({
        type: 'list',
        data,
        pages: { type: 'pages', page, per_page: 50, total_pages: 2 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function context() {
  const { client } = createIntercomClient(
    { accessToken: 'tok_nested_lists', region: 'us', baseUrl },
    {
      version: '2.14',
      maxRequestsPerMinute: undefined,
      maxInFlight: 4,
      timeoutMs: 5_000,
      logger: createSilentLogger(),
    },
  );
  return {
    client,
    stream: 'contact_tags',
    version: undefined,
    signal: new AbortController().signal,
    concurrency: 2,
  };
}

const cut = (id: string) => ({
  type: 'contact',
  id,
  tags: { type: 'list', data: [{ type: 'tag', id: '1' }], total_count: 57, has_more: true },
});

describe('complete nested lists', () => {
  it('replaces a cut list by every page of the whole list, and counts the requests', async () => {
    const contact = cut('1');
    const whole = {
      type: 'contact',
      id: '2',
      tags: { type: 'list', data: [], total_count: 0, has_more: false },
    };
    const requests = await completeNestedLists([contact, whole], [TAGS], context());
    expect(requests).toEqual({ tags: 2 });
    const tags = contact.tags as unknown as {
      data: Array<{ id: string }>;
      total_count: number;
      has_more: boolean;
    };
    expect(tags.data.map((t) => t.id)).toEqual(Array.from({ length: 57 }, (_, i) => String(i + 1)));
    expect(tags.total_count).toBe(57);
    expect(tags.has_more).toBe(false);
  });

  it('fails loudly on an answer without the list, naming the stream, the record and the request_id', async () => {
    const error = await completeNestedLists([cut('666')], [TAGS], context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toMatch(
      /^Stream contact_tags: GET \/contacts\/\{id\}\/tags answered without a "data" list for contact 666 \(request_id req-nested-1\)/,
    );
  });
});
