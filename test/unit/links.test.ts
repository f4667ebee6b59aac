import { describe, expect, it } from 'vitest';
import { isTruncated } from '../../src/engine/nested-lists.js';
import { partsTruncated } from '../../src/streams/conversations.js';
import { findStream, nestedItems, type Source, STREAMS } from '../../src/streams/index.js';

type LinkSource = Extract<Source, { kind: 'link' }>;
const linkSource = (name: string) => findStream(name)?.source as LinkSource;

describe('link table definitions', () => {
  it('have the agreed names, columns and keys', () => {
    const shape = (name: string) => {
      const def = findStream(name);
      return { key: def?.primaryKey, columns: Object.keys(def?.fields ?? {}), cursor: def?.cursor };
    };
    expect(shape('contact_companies')).toEqual({
      key: ['workspace_id', 'contact_id', 'company_id'],
      columns: ['workspace_id', 'contact_id', 'company_id', 'contact_updated_at'],
      cursor: 'contact_updated_at',
    });
    expect(shape('contact_tags').key).toEqual(['workspace_id', 'contact_id', 'tag_id']);
    expect(shape('company_tags').columns).toEqual([
      'workspace_id',
      'company_id',
      'tag_id',
      'company_updated_at',
    ]);
    expect(shape('conversation_contacts').key).toEqual(['workspace_id', 'conversation_id', 'contact_id']);
    expect(shape('conversation_tags').columns).toContain('conversation_updated_at');
    expect(shape('team_admins')).toEqual({
      key: ['workspace_id', 'team_id', 'admin_id'],
      columns: ['workspace_id', 'team_id', 'admin_id'],
      cursor: undefined,
    });
    expect(shape('company_segments').key).toEqual(['workspace_id', 'company_id', 'id']);
  });

  it('every stream is keyed by workspace first, and every link table follows its parent', () => {
    for (const def of STREAMS) {
      expect(def.primaryKey[0], def.name).toBe('workspace_id');
      expect(def.fields.workspace_id, def.name).toBe('string');
      if (def.source.kind !== 'link') continue;
      const parent = def.source.parent;
      expect(STREAMS.findIndex((s) => s.name === parent)).toBeLessThan(STREAMS.indexOf(def));
      expect(def.source.parentKey[0]).toBe('workspace_id');
    }
  });

  it('turn a parent into one row per distinct linked id, with the parent id and updated_at', () => {
    const contact = {
      id: 'c1',
      updated_at: 1700000000,
      tags: {
        type: 'list',
        data: [
          { type: 'tag', id: '7' },
          { type: 'tag', id: '8' },
          { type: 'tag', id: '7' },
        ],
      },
      companies: { type: 'list', data: [{ type: 'company', id: 'co1' }] },
    };
    expect(linkSource('contact_tags').links(contact)).toEqual([
      { contact_id: 'c1', tag_id: '7', contact_updated_at: 1700000000 },
      { contact_id: 'c1', tag_id: '8', contact_updated_at: 1700000000 },
    ]);
    expect(linkSource('contact_companies').links(contact)).toEqual([
      { contact_id: 'c1', company_id: 'co1', contact_updated_at: 1700000000 },
    ]);
    const conversation = {
      id: 9,
      updated_at: 5,
      tags: { type: 'tag.list', tags: [{ id: 't' }] },
      contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: 'c1' }, { id: '' }] },
    };
    expect(linkSource('conversation_contacts').links(conversation)).toEqual([
      { conversation_id: '9', contact_id: 'c1', conversation_updated_at: 5 },
    ]);
    expect(linkSource('conversation_tags').links(conversation)).toEqual([
      { conversation_id: '9', tag_id: 't', conversation_updated_at: 5 },
    ]);
    expect(linkSource('team_admins').links({ id: 't1', admin_ids: [1, 2] })).toEqual([
      { team_id: 't1', admin_id: '1' },
      { team_id: 't1', admin_id: '2' },
    ]);
    expect(linkSource('company_tags').links({ id: 'x', updated_at: 1, tags: null })).toEqual([]);
  });

  it('name where the whole list is for lists Intercom cuts at 10', () => {
    expect(linkSource('contact_tags').fullList?.path({ id: 'a/b' })).toBe('/contacts/a%2Fb/tags');
    expect(linkSource('contact_companies').fullList?.field).toBe('companies');
    expect(linkSource('conversation_tags').fullList).toBeUndefined();
  });

  it('nestedItems reads `{ key: [...] }` or a bare array, objects only', () => {
    expect(nestedItems({ data: [{ id: 1 }, 2, null] }, 'data')).toEqual([{ id: 1 }]);
    expect(nestedItems([{ id: 1 }], 'data')).toEqual([{ id: 1 }]);
    expect(nestedItems(undefined, 'data')).toEqual([]);
  });
});

describe('isTruncated', () => {
  it('is true when Intercom says has_more, or total_count exceeds the listed items', () => {
    expect(isTruncated({ data: [], has_more: true })).toBe(true);
    expect(isTruncated({ data: [{}, {}], total_count: 3, has_more: false })).toBe(true);
    expect(isTruncated({ data: [{}, {}], total_count: 2, has_more: false })).toBe(false);
    expect(isTruncated({ data: [] })).toBe(false);
    expect(isTruncated(null)).toBe(false);
    expect(isTruncated([{}])).toBe(false);
  });
});

describe('partsTruncated', () => {
  it('flags a conversation whose part count is above the 500 cap', () => {
    expect(partsTruncated({ statistics: { count_conversation_parts: 501 } })).toBe(true);
    expect(partsTruncated({ statistics: { count_conversation_parts: 500 } })).toBe(false);
    expect(partsTruncated({})).toBe(false);
  });

  it('with the parts listed: compares the listed parts with the total', () => {
    const listed = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i) }));
    expect(
      partsTruncated({
        statistics: { count_conversation_parts: 640 },
        conversation_parts: { conversation_parts: listed(500), total_count: 500 },
      }),
    ).toBe(true);
    expect(
      partsTruncated({
        statistics: { count_conversation_parts: 10 },
        conversation_parts: { conversation_parts: listed(10), total_count: 10 },
      }),
    ).toBe(false);
  });
});
