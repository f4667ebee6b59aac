import type { FieldType, StreamDefinition } from './types.js';

const fields: Record<string, FieldType> = {
  workspace_id: 'string',
  model: 'string',
  name: 'string',
  id: 'integer',
  type: 'string',
  full_name: 'string',
  label: 'string',
  description: 'string',
  data_type: 'string',
  options: 'json',
  api_writable: 'boolean',
  messenger_writable: 'boolean',
  ui_writable: 'boolean',
  custom: 'boolean',
  archived: 'boolean',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  admin_id: 'string',
};

/**
 * Data attributes (built-in and custom) of one model. Keyed by (model, name): built-in attributes
 * have no id. They also type the `custom_<name>` columns of contacts, companies and conversations.
 */
function dataAttributes(model: 'contact' | 'company' | 'conversation', name: string): StreamDefinition {
  return {
    name,
    description: `Data attributes of ${model === 'company' ? 'companies' : `${model}s`} (built-in and custom).`,
    endpoint: `GET /data_attributes?model=${model}`,
    primaryKey: ['workspace_id', 'model', 'name'],
    defaultMode: 'replace',
    source: {
      kind: 'list',
      path: '/data_attributes',
      itemsKey: 'data',
      query: { model, include_archived: 'true' },
    },
    fields,
    // 2.16 moved conversation attributes to GET /conversations/attributes with another shape;
    // this stream stays on the version whose shape it loads.
    ...(model === 'conversation' ? { version: '2.14' } : {}),
  };
}

export const contactAttributes = dataAttributes('contact', 'contact_attributes');
export const companyAttributes = dataAttributes('company', 'company_attributes');
export const conversationAttributes = dataAttributes('conversation', 'conversation_attributes');
