import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseErrorBody, requestIdOf } from '../../src/http/error-mapping.js';
import {
  ConfigurationError,
  exitCodeFor,
  FatalError,
  IntercomSyncError,
  isIntercomSyncError,
  RetriableError,
  SkippableError,
} from '../../src/http/errors.js';

function envelope(code: string, message: string, requestId = 'req-1'): string {
  return JSON.stringify({ type: 'error.list', request_id: requestId, errors: [{ code, message }] });
}

function map(
  status: number,
  bodyText: string,
  extra: { endpoint?: string; version?: string; headers?: Record<string, string> } = {},
) {
  return errorFromResponse({
    status,
    bodyText,
    headers: extra.headers,
    endpoint: extra.endpoint ?? 'GET /contacts',
    version: extra.version ?? '2.14',
  });
}

describe('error classes', () => {
  it('carry kind, status, code, endpoint and request id, and serialise them', () => {
    const error = new SkippableError('gone', {
      status: 404,
      code: 'not_found',
      endpoint: 'GET /x',
      requestId: 'r1',
    });
    expect(error).toBeInstanceOf(IntercomSyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SkippableError');
    expect(error.kind).toBe('skippable');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SkippableError',
      kind: 'skippable',
      message: 'gone',
      status: 404,
      code: 'not_found',
      endpoint: 'GET /x',
      requestId: 'r1',
    });
    expect(isIntercomSyncError(error)).toBe(true);
    expect(isIntercomSyncError(new Error('x'))).toBe(false);
  });

  it('give the CLI exit code 2 for configuration errors only', () => {
    expect(exitCodeFor(new ConfigurationError('fix it'))).toBe(2);
    expect(exitCodeFor(new FatalError('stop'))).toBe(1);
    expect(exitCodeFor(new Error('other'))).toBe(1);
  });

  it('keep a cause when given one', () => {
    const cause = new Error('socket hang up');
    const error = new RetriableError('network', { cause });
    expect(error.cause).toBe(cause);
    expect(inspect(error)).toContain('socket hang up');
    expect(new FatalError('no cause').cause).toBeUndefined();
  });
});

describe('parseErrorBody and requestIdOf', () => {
  it('reads the error.list envelope', () => {
    expect(parseErrorBody(envelope('not_found', 'User Not Found', 'abc'))).toEqual({
      json: true,
      requestId: 'abc',
      errors: [{ code: 'not_found', message: 'User Not Found' }],
    });
  });

  it('copes with HTML, empty and odd bodies', () => {
    expect(parseErrorBody('<html>502</html>')).toEqual({ json: false, errors: [] });
    expect(parseErrorBody('')).toEqual({ json: false, errors: [] });
    expect(parseErrorBody('[1,2]')).toEqual({ json: true, errors: [] });
    expect(parseErrorBody('{"type":"error","code":"x","message":"y"}').errors).toEqual([
      { code: 'x', message: 'y' },
    ]);
  });

  it('prefers the body request_id and falls back to X-Request-Id', () => {
    expect(requestIdOf({ request_id: 'body' }, { 'x-request-id': 'header' })).toBe('body');
    expect(requestIdOf({}, { 'X-Request-Id': 'header' })).toBe('header');
    expect(requestIdOf(null, undefined)).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  it.each(['unauthorized', 'token_unauthorized', 'token_revoked', 'token_suspended', 'token_not_found'])(
    'maps 401 %s to a one-sentence ConfigurationError',
    (code) => {
      const error = map(401, envelope(code, 'Access Token Invalid', 'req-9'));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toBe(
        `Intercom rejected the access token (${code}; GET /contacts, request_id req-9); check that it is valid, not revoked, and belongs to the chosen region.`,
      );
    },
  );

  it('maps a 401 without a JSON body too', () => {
    const error = map(401, 'Unauthorized', { headers: { 'x-request-id': 'hdr-1' } });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.requestId).toBe('hdr-1');
    expect(error.message).toContain('HTTP 401');
  });

  it('maps 403 api_plan_restricted to a SkippableError and other 403s to a ConfigurationError', () => {
    const plan = map(403, envelope('api_plan_restricted', 'Active subscription needed.'), {
      endpoint: 'GET /tickets',
    });
    expect(plan).toBeInstanceOf(SkippableError);
    expect(plan.message).toBe(
      'GET /tickets requires an Intercom plan that includes this API: Active subscription needed. (api_plan_restricted; GET /tickets, request_id req-1)',
    );
    const forbidden = map(403, envelope('forbidden', 'Forbidden'));
    expect(forbidden).toBeInstanceOf(ConfigurationError);
    expect(forbidden.message).toMatch(/permissions \(scopes\)/);
  });

  it('maps 404 to a SkippableError, code not_found unless Intercom says more', () => {
    expect(map(404, envelope('not_found', 'User Not Found'))).toMatchObject({
      kind: 'skippable',
      code: 'not_found',
    });
    expect(map(404, '')).toMatchObject({ kind: 'skippable', code: 'not_found', status: 404 });
    expect(map(404, envelope('company_not_found', 'Company Not Found')).code).toBe('company_not_found');
  });

  it('maps 400 intercom_version_invalid to a ConfigurationError naming version and endpoint', () => {
    const error = map(400, envelope('intercom_version_invalid', 'bad version'), {
      endpoint: 'GET /tickets',
      version: '2.3',
    });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('version 2.3');
    expect(error.message).toContain('GET /tickets');
  });

  it('maps other 4xx to a FatalError with Intercom’s message', () => {
    for (const [status, code] of [
      [400, 'scroll_exists'],
      [410, 'contact_merged'],
      [422, 'parameter_invalid'],
    ] as const) {
      const error = map(status, envelope(code, `message for ${code}`));
      expect(error).toBeInstanceOf(FatalError);
      expect(error).toMatchObject({ status, code });
      expect(error.message).toContain(`message for ${code}`);
      expect(error.message).toContain('GET /contacts');
      expect(error.message).toContain('req-1');
    }
  });

  it('maps 5xx and 429 to RetriableErrors, without copying HTML into the message', () => {
    const html = map(502, '<html><body>Bad Gateway</body></html>');
    expect(html).toBeInstanceOf(RetriableError);
    expect(html.message).toContain('non-JSON body');
    expect(html.message).not.toContain('<html>');
    expect(map(503, envelope('service_unavailable', 'Try later'))).toMatchObject({
      code: 'service_unavailable',
    });
    expect(map(429, envelope('rate_limit_exceeded', 'Exceeded'))).toBeInstanceOf(RetriableError);
  });

  it('says "no request_id" when there is none, and clips long messages', () => {
    const error = map(422, JSON.stringify({ errors: [{ code: 'x', message: 'y'.repeat(1_000) }] }));
    expect(error.message).toContain('no request_id');
    expect(error.message.length).toBeLessThan(450);
  });
});
