import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { api, truth } from '../support/simulator-client.js';
import { expectError, ids, ok, walkGet } from './helpers.js';

/** Deleting admins, teams, segments, tags, contacts and companies through the control API, over HTTP. */

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ scale: 'tiny', seed: 23 });
});
afterAll(async () => {
  await sim?.close();
});

const mutate = async (body: unknown) => ok(await api(sim, '/_simulator/mutate', { method: 'POST', body }));
const truthIds = async (stream: string) => (await truth(sim, stream)).map((r) => String(r.id)).sort();

describe('deletes through POST /_simulator/mutate', () => {
  it('admins, teams and segments by id: gone from their listings and the truth, the others stay', async () => {
    const admins = ids(ok(await api(sim, '/admins')).admins);
    const teams = ids(ok(await api(sim, '/teams')).teams);
    const segments = ids(ok(await api(sim, '/segments')).segments);
    const victims = {
      admins: [admins[1] as string],
      teams: [teams[0] as string],
      segments: [segments[0] as string],
    };
    const result = await mutate({ delete: victims });
    expect(result.deleted).toEqual(victims);

    const left = (all: string[], gone: string[]) => all.filter((id) => !gone.includes(id)).sort();
    expect(ids(ok(await api(sim, '/admins')).admins).sort()).toEqual(left(admins, victims.admins));
    expect(ids(ok(await api(sim, '/teams')).teams).sort()).toEqual(left(teams, victims.teams));
    expect(ids(ok(await api(sim, '/segments')).segments).sort()).toEqual(left(segments, victims.segments));
    expect(ids(ok(await api(sim, '/segments?include_count=true')).segments).sort()).toEqual(
      left(segments, victims.segments),
    );
    expect(await truthIds('admins')).toEqual(left(admins, victims.admins));
    expect(await truthIds('teams')).toEqual(left(teams, victims.teams));
    expect(await truthIds('segments')).toEqual(left(segments, victims.segments));

    // Deleting an id that is already gone deletes nothing.
    expect((await mutate({ delete: { teams: victims.teams } })).deleted).toEqual({ teams: [] });
  });

  it('by count: picks live records, and a tag too', async () => {
    const before = await truthIds('admins');
    const tagsBefore = await truthIds('tags');
    const result = await mutate({ delete: { admins: 1, tags: 1 } });
    const deleted = result.deleted as Record<string, string[]>;
    expect(deleted.admins).toHaveLength(1);
    expect(before).toContain(deleted.admins?.[0]);
    expect(await truthIds('admins')).toEqual(before.filter((id) => id !== deleted.admins?.[0]));
    expect(await truthIds('tags')).toEqual(tagsBefore.filter((id) => id !== deleted.tags?.[0]));
    expect(ids(ok(await api(sim, '/tags')).data).sort()).toEqual(await truthIds('tags'));
  });

  it('contacts and companies: gone from GET /contacts and the company scroll, as from the truth', async () => {
    const contacts = await truthIds('contacts');
    const companies = await truthIds('companies');
    const victims = { contacts: contacts.slice(0, 2), companies: companies.slice(0, 2) };
    expect((await mutate({ delete: victims })).deleted).toEqual(victims);
    const listed = (await walkGet(sim, '/contacts', 'data', 150)).map((r) => String(r.id)).sort();
    expect(listed).toEqual(contacts.slice(2));
    expect(await truthIds('contacts')).toEqual(contacts.slice(2));
    const scrolled: string[] = [];
    let param: string | undefined;
    for (;;) {
      const page = ok(await api(sim, `/companies/scroll${param ? `?scroll_param=${param}` : ''}`));
      const data = ids(page.data);
      if (data.length === 0) break;
      scrolled.push(...data);
      param = page.scroll_param as string;
    }
    expect(scrolled.sort()).toEqual(companies.slice(2));
  });

  it('refuses a kind it cannot delete, changing nothing', async () => {
    const before = await truthIds('teams');
    expectError(
      await api(sim, '/_simulator/mutate', { method: 'POST', body: { delete: { teams: 1, users: 1 } } }),
      400,
      'parameter_invalid',
    );
    expect(await truthIds('teams')).toEqual(before);
  });
});
