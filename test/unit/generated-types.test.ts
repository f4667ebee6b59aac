import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/** scripts/generate-types.mjs, as the test uses it. */
interface Generator {
  generateTypes(specText: string): Promise<string>;
  reachableSchemas(schemas: Record<string, unknown>, roots?: string[]): string[];
  ROOT_SCHEMAS: string[];
}

const SPEC = new URL('../../../shared/intercom-openapi/api.intercom.io.2.14.yaml', import.meta.url);
const COMMITTED = new URL('../../src/types/intercom-2-14.generated.ts', import.meta.url);
const load = async () =>
  (await import(new URL('../../scripts/generate-types.mjs', import.meta.url).href)) as Generator;

describe('src/types/intercom-2-14.generated.ts', () => {
  it('is what scripts/generate-types.mjs generates from the 2.14 description (run it when this fails)', async () => {
    const { generateTypes } = await load();
    const fresh = await generateTypes(await readFile(SPEC, 'utf8'));
    const committed = await readFile(COMMITTED, 'utf8');
    expect(committed === fresh, 'out of date: run node scripts/generate-types.mjs').toBe(true);
    expect(committed.split('\n').length).toBeLessThan(5000);
    expect(committed.startsWith('/**\n * GENERATED FILE, DO NOT EDIT.')).toBe(true);
  });

  it('keeps the streams’ schemas and what they reference, nothing else', async () => {
    const { reachableSchemas, ROOT_SCHEMAS } = await load();
    const schemas = {
      a: { properties: { b: { $ref: '#/components/schemas/b' } } },
      b: { items: { allOf: [{ $ref: '#/components/schemas/c' }] } },
      c: { properties: { self: { $ref: '#/components/schemas/c' } } },
      unused: { type: 'string' },
    };
    expect(reachableSchemas(schemas, ['a'])).toEqual(['a', 'b', 'c']);
    expect(() => reachableSchemas(schemas, ['missing'])).toThrow(/no schema "missing"/);
    expect(ROOT_SCHEMAS).toEqual(
      expect.arrayContaining(['contact', 'conversation_part', 'ticket', 'activity_log']),
    );
  });
});
