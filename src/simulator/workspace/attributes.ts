import type { Rng } from '../random.js';
import type { JsonRecord } from './table.js';

export type AttributeModel = 'contact' | 'company' | 'conversation';
export type AttributeType = 'string' | 'integer' | 'float' | 'boolean' | 'date';

export interface CustomAttribute {
  model: AttributeModel;
  name: string;
  label: string;
  dataType: AttributeType;
  options?: string[];
}

/**
 * Custom attributes of the simulated workspace: every data type on every model, plus names that
 * need quoting in SQL (a space, a reserved word, unicode) so destinations prove they quote.
 */
export const CUSTOM_ATTRIBUTES: readonly CustomAttribute[] = [
  { model: 'contact', name: 'plan_name', label: 'Plan name', dataType: 'string' },
  { model: 'contact', name: 'seats', label: 'Seats', dataType: 'integer' },
  { model: 'contact', name: 'lifetime_value', label: 'Lifetime value', dataType: 'float' },
  { model: 'contact', name: 'is_vip', label: 'VIP', dataType: 'boolean' },
  { model: 'contact', name: 'trial_ends_at', label: 'Trial ends', dataType: 'date' },
  {
    model: 'contact',
    name: 'tier',
    label: 'Tier',
    dataType: 'string',
    options: ['free', 'pro', 'enterprise'],
  },
  { model: 'contact', name: 'group', label: 'Group', dataType: 'string' },
  { model: 'company', name: 'Account Manager', label: 'Account Manager', dataType: 'string' },
  { model: 'company', name: 'employees_paid', label: 'Paid employees', dataType: 'integer' },
  { model: 'company', name: 'health_score', label: 'Health score', dataType: 'float' },
  { model: 'company', name: 'churned', label: 'Churned', dataType: 'boolean' },
  { model: 'company', name: 'renewal_date', label: 'Renewal date', dataType: 'date' },
  {
    model: 'company',
    name: 'région',
    label: 'Région',
    dataType: 'string',
    options: ['emea', 'amer', 'apac'],
  },
  {
    model: 'conversation',
    name: 'issue_type',
    label: 'Issue type',
    dataType: 'string',
    options: ['billing', 'bug', 'question', 'feature_request'],
  },
  { model: 'conversation', name: 'priority_score', label: 'Priority score', dataType: 'integer' },
  { model: 'conversation', name: 'refund_amount', label: 'Refund amount', dataType: 'float' },
  { model: 'conversation', name: 'needs_followup', label: 'Needs follow-up', dataType: 'boolean' },
  { model: 'conversation', name: 'resolved_on', label: 'Resolved on', dataType: 'date' },
];

/** Built-in (standard) attributes: they have no id and `custom: false`. */
const BUILT_IN: Record<AttributeModel, Array<[string, string, AttributeType]>> = {
  contact: [
    ['name', 'Name', 'string'],
    ['email', 'Email', 'string'],
    ['phone', 'Phone', 'string'],
    ['external_id', 'User ID', 'string'],
    ['role', 'Role', 'string'],
    ['created_at', 'Signed up', 'date'],
    ['last_seen_at', 'Last seen', 'date'],
    ['owner_id', 'Owner', 'integer'],
    ['unsubscribed_from_emails', 'Unsubscribed from emails', 'boolean'],
    ['location.country', 'Country', 'string'],
  ],
  company: [
    ['name', 'Company name', 'string'],
    ['company_id', 'Company ID', 'string'],
    ['created_at', 'Company created', 'date'],
    ['size', 'Company size', 'integer'],
    ['monthly_spend', 'Monthly spend', 'float'],
    ['plan.name', 'Plan', 'string'],
  ],
  conversation: [
    ['state', 'State', 'string'],
    ['priority', 'Priority', 'string'],
    ['admin_assignee_id', 'Assignee', 'integer'],
  ],
};

export function dataAttributeRecords(
  model: AttributeModel,
  createdAt: number,
  adminId: string,
): JsonRecord[] {
  const builtIns = BUILT_IN[model].map(([name, label, dataType]) => ({
    type: 'data_attribute',
    model,
    name,
    full_name: name,
    label,
    description: `The ${label.toLowerCase()} of the ${model}.`,
    data_type: dataType,
    api_writable: false,
    messenger_writable: false,
    ui_writable: false,
    custom: false,
    archived: false,
  }));
  const customs = CUSTOM_ATTRIBUTES.flatMap((a, i) =>
    a.model === model
      ? [
          {
            type: 'data_attribute',
            id: 12_000 + i,
            model,
            name: a.name,
            full_name: `custom_attributes.${a.name}`,
            label: a.label,
            description: `${a.label} (custom).`,
            data_type: a.dataType,
            ...(a.options ? { options: a.options } : {}),
            api_writable: true,
            messenger_writable: false,
            ui_writable: true,
            custom: true,
            archived: false,
            created_at: createdAt + i * 3600,
            updated_at: createdAt + i * 3600,
            admin_id: adminId,
          },
        ]
      : [],
  );
  return [...builtIns, ...customs];
}

/** Typed custom attribute values for one record; some are left unset, as in real workspaces. */
export function customAttributeValues(model: AttributeModel, rng: Rng, createdAt: number): JsonRecord {
  const out: JsonRecord = {};
  for (const a of CUSTOM_ATTRIBUTES) {
    if (a.model !== model || rng.chance(0.25)) continue;
    switch (a.dataType) {
      case 'string':
        out[a.name] = a.options ? rng.pick(a.options) : `${a.name.slice(0, 3)}-${rng.int(1, 999)}`;
        break;
      case 'integer':
        out[a.name] = rng.int(0, 5000);
        break;
      case 'float':
        out[a.name] = Math.round(rng.next() * 1_000_000) / 100;
        break;
      case 'boolean':
        out[a.name] = rng.chance(0.5);
        break;
      case 'date':
        out[a.name] = createdAt + rng.int(0, 400) * 86_400;
        break;
    }
  }
  return out;
}
