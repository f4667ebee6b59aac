import type { StreamDefinition } from './types.js';

/**
 * Companies, read with the scroll API (the only listing without a 10,000 cap). Incremental syncs
 * scroll everything and keep what changed since the last cursor: Intercom has no company search.
 */
export const companies: StreamDefinition = {
  name: 'companies',
  description: 'Companies, with typed custom attributes.',
  endpoint: 'GET /companies/scroll',
  primaryKey: ['workspace_id', 'id'],
  cursor: 'updated_at',
  defaultMode: 'merge',
  customAttributes: 'company',
  source: { kind: 'scroll', path: '/companies/scroll', itemsKey: 'data' },
  fields: {
    workspace_id: 'string',
    id: 'string',
    type: 'string',
    company_id: 'string',
    name: 'string',
    app_id: 'string',
    plan: 'json',
    remote_created_at: 'timestamp',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    last_request_at: 'timestamp',
    size: 'integer',
    website: 'string',
    industry: 'string',
    monthly_spend: 'float',
    session_count: 'integer',
    user_count: 'integer',
    custom_attributes: 'json',
    tags: 'json',
    segments: 'json',
  },
};

/** The segments each company belongs to: one GET /companies/{id}/segments per company. */
export const companySegments: StreamDefinition = {
  name: 'company_segments',
  description: 'Segments of each company (child of companies).',
  endpoint: 'GET /companies/{id}/segments',
  primaryKey: ['workspace_id', 'company_id', 'id'],
  cursor: 'company_updated_at',
  defaultMode: 'merge',
  source: {
    kind: 'child',
    parent: 'companies',
    path: (company) => `/companies/${encodeURIComponent(String(company.id))}/segments`,
    itemsPath: 'data',
    endpoint: 'GET /companies/{id}/segments',
    parentKey: ['workspace_id', 'company_id'],
  },
  transform: (segment, { parent }) => ({
    ...segment,
    company_id: parent?.id,
    company_updated_at: parent?.updated_at,
  }),
  fields: {
    workspace_id: 'string',
    company_id: 'string',
    id: 'string',
    company_updated_at: 'timestamp',
    type: 'string',
    name: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    person_type: 'string',
    count: 'integer',
  },
};
