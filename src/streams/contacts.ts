import type { FieldType, StreamDefinition } from './types.js';

const contactFields: Record<string, FieldType> = {
  id: 'string',
  type: 'string',
  workspace_id: 'string',
  external_id: 'string',
  role: 'string',
  email: 'string',
  email_domain: 'string',
  phone: 'string',
  name: 'string',
  owner_id: 'integer',
  has_hard_bounced: 'boolean',
  marked_email_as_spam: 'boolean',
  unsubscribed_from_emails: 'boolean',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  signed_up_at: 'timestamp',
  last_seen_at: 'timestamp',
  last_replied_at: 'timestamp',
  last_contacted_at: 'timestamp',
  last_email_opened_at: 'timestamp',
  last_email_clicked_at: 'timestamp',
  language_override: 'string',
  browser: 'string',
  browser_version: 'string',
  browser_language: 'string',
  os: 'string',
  android_app_name: 'string',
  android_app_version: 'string',
  android_device: 'string',
  android_os_version: 'string',
  android_sdk_version: 'string',
  android_last_seen_at: 'timestamp',
  ios_app_name: 'string',
  ios_app_version: 'string',
  ios_device: 'string',
  ios_os_version: 'string',
  ios_sdk_version: 'string',
  ios_last_seen_at: 'timestamp',
  custom_attributes: 'json',
  avatar: 'json',
  tags: 'json',
  notes: 'json',
  companies: 'json',
  location: 'json',
  social_profiles: 'json',
};

/**
 * Contacts (users and leads) through POST /contacts/search over `updated_at`. Intercom truncates
 * contact search dates to the UTC day, so windows start at midnight and records are merged.
 */
function contactSearch(name: string, description: string, role?: 'user' | 'lead'): StreamDefinition {
  return {
    name,
    description,
    endpoint: 'POST /contacts/search',
    primaryKey: ['workspace_id', 'id'],
    cursor: 'updated_at',
    defaultMode: 'merge',
    customAttributes: 'contact',
    source: {
      kind: 'search',
      path: '/contacts/search',
      itemsKey: 'data',
      dates: 'day',
      ...(role ? { filter: [{ field: 'role', operator: '=', value: role }] } : {}),
    },
    fields: contactFields,
  };
}

export const contacts = contactSearch('contacts', 'Contacts: users and leads, with typed custom attributes.');
/** Contacts whose role is `user`, for users of the older connectors' `users` stream. */
export const users = contactSearch(
  'users',
  'Contacts with role user (as the older connectors offer them).',
  'user',
);
/** Contacts whose role is `lead`. */
export const leads = contactSearch(
  'leads',
  'Contacts with role lead (as the older connectors offer them).',
  'lead',
);
