import { describe, expect, it } from 'vitest';
import type { ResponseValidator, SpecVersion } from '../support/openapi.js';
import { assertValid, loadResponseValidator, responseExamples, SPEC_DEVIATIONS } from '../support/openapi.js';

const VERSIONS: ReadonlyArray<SpecVersion> = ['2.11', '2.14', '2.16'];

/** The operations the extractor reads; `since` marks operations that only newer versions define. */
const OPERATIONS: ReadonlyArray<{ method: string; path: string; since?: SpecVersion }> = [
  { method: 'get', path: '/me' },
  { method: 'get', path: '/admins' },
  { method: 'get', path: '/teams' },
  { method: 'get', path: '/tags' },
  { method: 'get', path: '/segments' },
  { method: 'get', path: '/data_attributes' },
  { method: 'get', path: '/companies/scroll' },
  { method: 'get', path: '/companies' },
  { method: 'post', path: '/companies/list' },
  { method: 'get', path: '/companies/{company_id}/segments' },
  { method: 'get', path: '/contacts' },
  { method: 'post', path: '/contacts/search' },
  { method: 'get', path: '/contacts/{contact_id}/tags' },
  { method: 'get', path: '/contacts/{contact_id}/companies' },
  { method: 'get', path: '/conversations' },
  { method: 'post', path: '/conversations/search' },
  { method: 'get', path: '/conversations/{conversation_id}' },
  { method: 'get', path: '/conversations/deleted', since: '2.16' },
  { method: 'post', path: '/tickets/search' },
  { method: 'get', path: '/ticket_types' },
  { method: 'get', path: '/articles' },
  { method: 'get', path: '/help_center/collections' },
  { method: 'get', path: '/help_center/help_centers' },
  { method: 'get', path: '/admins/activity_logs' },
  { method: 'get', path: '/news/news_items' },
];

const COMPANY_2_11_REQUIRED = [
  "/data/0 must have required property 'last_request_at'",
  "/data/0 must have required property 'size'",
  "/data/0 must have required property 'website'",
  "/data/0 must have required property 'industry'",
];
const CONVERSATION_2_11_NOT_NULLABLE = [
  'conversation_rating must be object',
  'teammates must be object',
  'first_contact_reply must be object',
  'statistics must be object',
];
const PART_IDS_ARE_NUMBERS = [0, 1, 2, 3].map(
  (index) => `/conversation_parts/conversation_parts/${index}/id must be string`,
);
const ACTIVITY_LOG_METADATA_STRINGS = [0, 1].flatMap((index) => [
  `/activity_logs/${index}/metadata/before must be object,null`,
  `/activity_logs/${index}/metadata/after must be object,null`,
]);

/**
 * Spec examples (200) that fail their own schema. They are defects of the description, reported here
 * and not patched: each entry is exactly what the validator says about the example.
 */
const EXAMPLE_DEFECTS: { [key: string]: ReadonlyArray<string> } = {
  // 2.11 lists properties as required that its own (recorded) examples leave out.
  '2.11 get /me': [
    "/ must have required property 'job_title'",
    "/ must have required property 'away_mode_enabled'",
    "/ must have required property 'away_mode_reassign'",
    "/ must have required property 'team_ids'",
  ],
  '2.11 get /admins': ["/admins/0 must have required property 'job_title'"],
  '2.11 get /tags': [
    "/data/0 must have required property 'applied_at'",
    "/data/0 must have required property 'applied_by'",
  ],
  '2.11 get /companies/scroll': COMPANY_2_11_REQUIRED,
  '2.11 get /companies': COMPANY_2_11_REQUIRED,
  '2.11 post /companies/list': COMPANY_2_11_REQUIRED,
  '2.11 get /companies/{company_id}/segments': ["/ must have required property 'total_count'"],
  // The example's companies lack fields that 2.11 requires.
  '2.11 get /contacts/{contact_id}/companies': [
    "/data/0 must have required property 'size'",
    "/data/0 must have required property 'website'",
    "/data/0 must have required property 'industry'",
  ],
  // conversation_rating, teammates, first_contact_reply and statistics are null in the examples but not nullable.
  '2.11 get /conversations': CONVERSATION_2_11_NOT_NULLABLE.map((error) => `/conversations/0/${error}`),
  '2.11 post /conversations/search': CONVERSATION_2_11_NOT_NULLABLE.map(
    (error) => `/conversations/0/${error}`,
  ),
  '2.11 get /conversations/{conversation_id}': CONVERSATION_2_11_NOT_NULLABLE.map((error) => `/${error}`),
  // ticket_type_list.type is enum ['ticket_type_attributes.list'] and the array `ticket_types`; the example is {type: 'list', data}.
  '2.11 get /ticket_types': [
    "/ must have required property 'ticket_types'",
    '/type must be equal to one of the allowed values ("ticket_type_attributes.list")',
  ],
  '2.11 post /tickets/search': [
    "/tickets/0/ticket_type/ticket_type_attributes must have required property 'ticket_type_attributes'",
    '/tickets/0/ticket_type/ticket_type_attributes/type must be equal to one of the allowed values ("ticket_type_attributes.list")',
    "/tickets/0/ticket_parts/ticket_parts/0 must have required property 'body'",
  ],
  '2.11 get /articles': [
    "/data/0 must have required property 'default_locale'",
    "/data/0 must have required property 'translated_content'",
    "/data/0 must have required property 'statistics'",
  ],
  '2.11 get /help_center/collections': [
    "/data/0 must have required property 'default_locale'",
    "/data/1 must have required property 'default_locale'",
  ],
  // The conversation parts of the example have integer ids; conversation_part.id is a string.
  '2.14 get /conversations/{conversation_id}': PART_IDS_ARE_NUMBERS,
  '2.16 get /conversations/{conversation_id}': PART_IDS_ARE_NUMBERS,
  // activity_log_metadata.before/after are objects; the example has the strings "before" and "after".
  '2.14 get /admins/activity_logs': ACTIVITY_LOG_METADATA_STRINGS,
  '2.16 get /admins/activity_logs': ACTIVITY_LOG_METADATA_STRINGS,
};

const versionAtLeast = (version: SpecVersion, since: SpecVersion): boolean =>
  VERSIONS.indexOf(version) >= VERSIONS.indexOf(since);

/** Errors located at `pointer` or below it. */
const errorsAt = (errors: ReadonlyArray<string>, pointer: string): string[] =>
  errors.filter((error) => error.startsWith(`${pointer} `) || error.startsWith(`${pointer}/`));

const UNAUTHORIZED = {
  type: 'error.list',
  request_id: 'c83a3efe-433a-4555-a5e2-e393588be29f',
  errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
};

const pagesWithNext = (next: unknown) => ({ type: 'pages', page: 1, per_page: 25, total_pages: 2, next });

describe.each(VERSIONS)('OpenAPI %s response validator', (version) => {
  let validator: ResponseValidator;
  const load = (): ResponseValidator => {
    validator ??= loadResponseValidator(version);
    return validator;
  };

  // How long loading takes depends on the machine, so it is reported, not asserted (a timed test
  // failed on a slower machine); what is asserted is that it happens once.
  it('loads once: a later load returns the same validator', () => {
    const started = performance.now();
    load();
    console.info(`OpenAPI ${version}: loaded in ${Math.round(performance.now() - started)} ms`);
    expect(loadResponseValidator(version)).toBe(validator);
  });

  describe('spec examples of 200 responses', () => {
    it.each(OPERATIONS)('$method $path', ({ method, path, since }) => {
      const v = load();
      if (since !== undefined && !versionAtLeast(version, since)) {
        expect(v.hasOperation(method, path)).toBe(false);
        return;
      }
      expect(v.hasOperation(method, path)).toBe(true);
      const examples = responseExamples(version, method, path, 200);
      expect(examples.length).toBeGreaterThan(0);
      const known = EXAMPLE_DEFECTS[`${version} ${method} ${path}`];
      for (const example of examples) {
        const errors = v.validate(method, path, 200, example.value);
        if (known === undefined) {
          expect(errors, `example "${example.name}"`).toEqual([]);
        } else {
          expect(errors, `example "${example.name}" (known spec defect)`).toEqual(known);
          console.info(
            `OpenAPI ${version} ${method.toUpperCase()} ${path}: spec example "${example.name}" fails its own schema:\n  ${errors.join('\n  ')}`,
          );
        }
      }
    });
  });

  describe('rejects what the spec does not allow', () => {
    it('a tag list whose data is not an array', () => {
      const errors = load().validate('get', '/tags', 200, { type: 'list', data: 'nope' });
      expect(errors).toContain('/data must be array');
    });

    it('a contact whose created_at is not a Unix timestamp', () => {
      const v = load();
      const contact = { type: 'contact', id: '6657', created_at: 'yesterday', updated_at: 1719492747 };
      const errors = v.validate('get', '/contacts/{contact_id}', 200, contact);
      expect(errorsAt(errors, '/created_at')).toContain('/created_at must be integer');
      // format: date-time on an integer field accepts Unix seconds.
      expect(errorsAt(errors, '/updated_at')).toEqual([]);
      const list = v.validate('post', '/contacts/search', 200, {
        type: 'list',
        data: [contact],
        total_count: 1,
      });
      expect(list).toContain('/data/0/created_at must be integer');
    });

    it('an error body without errors', () => {
      const v = load();
      expect(v.validate('get', '/tags', 401, UNAUTHORIZED)).toEqual([]);
      const { errors: _omitted, ...withoutErrors } = UNAUTHORIZED;
      expect(v.validate('get', '/tags', 401, withoutErrors)).toContain(
        "/ must have required property 'errors'",
      );
      expect(
        v.validate('get', '/tags', 401, { ...UNAUTHORIZED, errors: [{ message: 'no code' }] }),
      ).toContain("/errors/0 must have required property 'code'");
    });

    it('a URL as pages.next on a cursor-paginated list', () => {
      const v = load();
      const page = (next: unknown) => ({
        type: 'list',
        data: [],
        total_count: 0,
        pages: pagesWithNext(next),
      });
      expect(v.validate('get', '/contacts', 200, page(null))).toEqual([]);
      expect(
        v.validate(
          'get',
          '/contacts',
          200,
          page({ per_page: 50, starting_after: 'WzE3MTk0OTI3NDcwMDAsMV0=' }),
        ),
      ).toEqual([]);
      // 2.11: "must be object"; 2.14+ (starting_after_paging is nullable): "must be object,null".
      expect(v.validate('get', '/contacts', 200, page('https://api.intercom.io/contacts?page=2'))).toEqual([
        expect.stringMatching(/^\/pages\/next must be object/),
      ]);
    });
  });

  describe('OpenAPI 3.0 nullable', () => {
    it('allows null next to $ref and next to type + enum, and nothing else', () => {
      const v = load();
      const conversation = (aiAgent: unknown) => ({
        type: 'conversation',
        id: '367',
        created_at: 1719492825,
        updated_at: 1719492825,
        ai_agent: aiAgent,
      });
      const check = (aiAgent: unknown) =>
        errorsAt(
          v.validate('get', '/conversations/{conversation_id}', 200, conversation(aiAgent)),
          '/ai_agent',
        );
      // conversation.ai_agent is {$ref: ai_agent, nullable: true}.
      expect(check(null)).toEqual([]);
      // ai_agent.source_type is {type: string, nullable: true, enum: [...]} without null in the enum.
      expect(check({ source_type: null })).toEqual([]);
      expect(check({ source_type: 'workflow' })).toEqual([]);
      expect(check({ source_type: 'bogus' })).toEqual([
        expect.stringMatching(/^\/ai_agent\/source_type must be equal to one of the allowed values/),
      ]);
      expect(check('an agent')).toEqual(['/ai_agent must be object']);
    });
  });

  describe('documented deviations', () => {
    it.each([
      ['get', '/articles'],
      ['get', '/help_center/collections'],
      ['get', '/companies'],
      ['post', '/companies/list'],
      ['get', '/news/news_items'],
    ])('%s %s: pages.next may be a full URL, null or an object', (method, path) => {
      const v = load();
      const page = (next: unknown) => ({
        type: 'list',
        data: [],
        total_count: 0,
        pages: pagesWithNext(next),
      });
      expect(
        v.validate(method, path, 200, page(`https://api.intercom.io${path}?per_page=25&page=2`)),
      ).toEqual([]);
      expect(v.validate(method, path, 200, page(null))).toEqual([]);
      expect(v.validate(method, path, 200, page({ per_page: 25, starting_after: 'WzE3' }))).toEqual([]);
      expect(v.validate(method, path, 200, page(42))).not.toEqual([]);
      expect(v.validate(method, path, 200, page('page=2'))).toContain('/pages/next must match format "uri"');
    });

    it('GET /admins/activity_logs: pages.next may be a full URL', () => {
      const body = {
        type: 'activity_log.list',
        activity_logs: [],
        pages: pagesWithNext('https://api.intercom.io/admins/activity_logs?created_at_after=1&page=2'),
      };
      expect(load().validate('get', '/admins/activity_logs', 200, body)).toEqual([]);
    });

    it('company custom attributes carry typed values', () => {
      const v = load();
      const company = (customAttributes: unknown) => ({
        type: 'list',
        data: [
          { type: 'company', id: '1', company_id: 'c1', name: 'Acme', custom_attributes: customAttributes },
        ],
        pages: null,
        total_count: null,
        scroll_param: 'abc',
      });
      const typed = {
        seats: 12,
        mrr: 99.5,
        churned: false,
        plan_name: 'pro',
        renewal_at: 1719492747,
        region: null,
      };
      expect(
        errorsAt(v.validate('get', '/companies/scroll', 200, company(typed)), '/data/0/custom_attributes'),
      ).toEqual([]);
      const nested = v.validate('get', '/companies/scroll', 200, company({ tags: ['a'] }));
      expect(errorsAt(nested, '/data/0/custom_attributes/tags')).not.toEqual([]);
    });

    it('conversation custom attributes carry typed values', () => {
      const v = load();
      const conversation = (customAttributes: unknown) => ({
        type: 'conversation',
        id: '367',
        created_at: 1719492825,
        updated_at: 1719492825,
        custom_attributes: customAttributes,
      });
      const typed = { priority_score: 3, spend: 12.5, escalated: true, topic: 'billing', resolved_by: null };
      const errors = v.validate('get', '/conversations/{conversation_id}', 200, conversation(typed));
      expect(errorsAt(errors, '/custom_attributes')).toEqual([]);
      const nested = v.validate(
        'get',
        '/conversations/{conversation_id}',
        200,
        conversation({ topic: ['a'] }),
      );
      expect(errorsAt(nested, '/custom_attributes/topic')).not.toEqual([]);
    });

    it('data attributes of model conversation before 2.16', () => {
      const attribute = {
        type: 'data_attribute',
        name: 'priority_score',
        full_name: 'custom_attributes.priority_score',
        label: 'Priority score',
        description: 'How urgent the conversation is',
        data_type: 'integer',
        model: 'conversation',
      };
      const errors = load().validate('get', '/data_attributes', 200, { type: 'list', data: [attribute] });
      if (versionAtLeast(version, '2.16')) {
        expect(errors).toEqual([
          '/data/0/model must be equal to one of the allowed values ("contact", "company")',
        ]);
      } else {
        expect(errors).toEqual([]);
      }
    });

    it('a scroll page with pages: null', () => {
      const body = { type: 'list', data: [], pages: null, total_count: null, scroll_param: 'abc' };
      expect(load().validate('get', '/companies/scroll', 200, body)).toEqual([]);
    });
  });

  describe('lookup', () => {
    it('knows which operations exist', () => {
      const v = load();
      expect(v.hasOperation('get', '/contacts')).toBe(true);
      expect(v.hasOperation('GET', '/contacts')).toBe(true);
      expect(v.hasOperation('post', '/contacts/search')).toBe(true);
      expect(v.hasOperation('get', '/contacts/search')).toBe(false);
      expect(v.hasOperation('get', '/no_such_resource')).toBe(false);
      // Parameter names do not matter.
      expect(v.hasOperation('get', '/contacts/{id}/tags')).toBe(true);
    });

    it('throws for an unknown operation or an undocumented status', () => {
      const v = load();
      expect(() => v.validate('get', '/no_such_resource', 200, {})).toThrow(
        /no operation GET \/no_such_resource/,
      );
      expect(() => v.validate('get', '/tags', 418, {})).toThrow(/documents no response 418/);
    });
  });

  describe('assertValid', () => {
    it('passes a valid body and lists at most 20 errors of an invalid one', () => {
      const v = load();
      expect(() => assertValid(v, 'get', '/tags', 401, UNAUTHORIZED)).not.toThrow();
      const body = { type: 'list', data: Array.from({ length: 30 }, () => 7) };
      let message = '';
      try {
        assertValid(v, 'get', '/tags', 200, body);
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      expect(message).toMatch(/^GET \/tags 200: response does not match the OpenAPI schema \(30 errors\)/);
      expect(message).toContain('/data/0 must be object');
      expect(message).toContain('/data/19 must be object');
      expect(message).not.toContain('/data/20 must be object');
      expect(message).toContain('and 10 more');
    });
  });
});

describe('SPEC_DEVIATIONS', () => {
  it('documents every patch with where and why', () => {
    expect(SPEC_DEVIATIONS.length).toBeGreaterThanOrEqual(4);
    for (const deviation of SPEC_DEVIATIONS) {
      expect(deviation.where.length).toBeGreaterThan(0);
      expect(deviation.why.length).toBeGreaterThan(0);
    }
    console.info(
      `OpenAPI deviations applied:\n${SPEC_DEVIATIONS.map((d) => `- ${d.where}: ${d.why}`).join('\n')}`,
    );
  });
});
