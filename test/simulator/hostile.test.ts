import { describe, expect, it } from 'vitest';
import { HOSTILE_KINDS, HOSTILE_NAMES } from '../../src/simulator/hostile.js';
import { SimulatorOptionError, startSimulator } from '../../src/simulator/index.js';
import { resolveOptions } from '../../src/simulator/options.js';
import { api, truth } from '../support/simulator-client.js';

describe('the hostile option', () => {
  it('is off by default; true means every kind; an unknown kind is refused naming the option', () => {
    expect(resolveOptions({}).hostile).toEqual([]);
    expect(resolveOptions({ hostile: true }).hostile).toEqual([...HOSTILE_KINDS]);
    expect(() => resolveOptions({ hostile: ['bogus' as never] })).toThrow(SimulatorOptionError);
    expect(() => resolveOptions({ hostile: ['bogus' as never] })).toThrow(
      /^hostile must be true, false or a list of/,
    );
  });

  it('over HTTP: spoils served records but keeps ids and timestamps; lists the hostile attributes; config validates', async () => {
    const sim = await startSimulator({ scale: 'tiny', seed: 5 });
    try {
      const plain = (await api(sim, '/companies/list', { method: 'POST', body: { per_page: 50 } })).body as {
        data: Array<Record<string, unknown>>;
      };
      const bad = await api(sim, '/_simulator/config', { method: 'POST', body: { hostile: ['nope'] } });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('hostile must be true, false or a list of');
      const set = await api(sim, '/_simulator/config', { method: 'POST', body: { hostile: true } });
      expect((set.body as { hostile: string[] }).hostile).toEqual([...HOSTILE_KINDS]);

      const spoilt = (await api(sim, '/companies/list', { method: 'POST', body: { per_page: 50 } })).body as {
        data: Array<Record<string, unknown>>;
      };
      expect(spoilt.data.map((c) => [c.id, c.updated_at])).toEqual(
        plain.data.map((c) => [c.id, c.updated_at]),
      );
      const custom = spoilt.data[0]?.custom_attributes as Record<string, unknown>;
      for (const name of HOSTILE_NAMES) expect(custom).toHaveProperty([name]);
      expect(spoilt.data.some((c) => c.type === 'hostile.unknown_type')).toBe(true);
      expect(spoilt.data.some((c) => 'hostile_nested' in c)).toBe(true);

      const attributes = (await api(sim, '/data_attributes?model=company')).body as {
        data: Array<{ name: string }>;
      };
      for (const name of HOSTILE_NAMES) expect(attributes.data.map((a) => a.name)).toContain(name);
      const truthNames = (await truth(sim, 'company_attributes')).map((a) => a.name);
      for (const name of HOSTILE_NAMES) expect(truthNames).toContain(name);
    } finally {
      await sim.close();
    }
  });
});
