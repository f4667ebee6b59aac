import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/destinations/destination.js';
import { planColumns } from '../../src/destinations/postgres/column-plan.js';
import {
  describeConnection,
  parsePostgresUri,
  pgClientConfig,
  sslOptions,
} from '../../src/destinations/postgres/connection-config.js';
import {
  escapeCopyText,
  formatTimestamp,
  lastRowPerKey,
  RowEncodingError,
  serialiseJson,
} from '../../src/destinations/postgres/copy-encoding.js';
import {
  type ConnectionTarget,
  connectionError,
  PostgresDestinationError,
  schemaPermissionError,
} from '../../src/destinations/postgres/errors.js';
import {
  allocatePhysicalName,
  logicalNameComment,
  logicalNameFromComment,
  MAX_IDENTIFIER_BYTES,
  physicalNameCandidate,
  truncateUtf8,
} from '../../src/destinations/postgres/physical-names.js';
import {
  convertExpression,
  quoteIdentifier,
  quoteLiteral,
  storeExpression,
} from '../../src/destinations/postgres/sql.js';

const SECRET = 'Pa55-w0rd-MARKER';

/** Every way an error can be shown: message, String(), JSON, and inspect with its cause chain. */
function renderings(error: unknown): string[] {
  return [
    error instanceof Error ? error.message : '',
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 6 }),
  ];
}

function expectOneSentence(message: string): void {
  expect(message).toMatch(/\.$/);
  // No second sentence: no full stop followed by a space and a capital letter.
  expect(message.slice(0, -1)).not.toMatch(/\.\s+[A-Z]/);
}

describe('parsePostgresUri', () => {
  it('reads every part of a postgresql:// URI, percent-decoded', () => {
    expect(
      parsePostgresUri(
        'postgresql://sync%40corp:p%40ss%3Aw%2Fd@db.example.com:6543/ware%20house?sslmode=verify-full&application_name=nightly&connect_timeout=5',
      ),
    ).toEqual({
      host: 'db.example.com',
      port: 6543,
      database: 'ware house',
      user: 'sync@corp',
      password: 'p@ss:w/d',
      sslMode: 'verify-full',
      applicationName: 'nightly',
      connectTimeoutSeconds: 5,
    });
  });

  it('accepts postgres://, a default port, no password, IPv6 and a socket directory', () => {
    expect(parsePostgresUri('postgres://me@localhost/db')).toEqual({
      host: 'localhost',
      port: 5432,
      database: 'db',
      user: 'me',
    });
    expect(parsePostgresUri('POSTGRES://[::1]:5433/db')).toMatchObject({ host: '::1', port: 5433 });
    expect(parsePostgresUri('postgresql:///db?host=/var/run/postgresql')).toMatchObject({
      host: '/var/run/postgresql',
      database: 'db',
    });
    expect(parsePostgresUri('postgresql://u:@h/db')).toMatchObject({ user: 'u', password: '' });
  });

  it('knows every sslmode and the certificate files', () => {
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full']) {
      expect(parsePostgresUri(`postgresql://h/db?sslmode=${mode}`).sslMode).toBe(mode);
    }
    expect(
      parsePostgresUri(
        'postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem',
      ),
    ).toMatchObject({ sslRootCert: '/ca.pem', sslCert: '/c.pem', sslKey: '/k.pem' });
    expect(parsePostgresUri('postgresql://h/db').sslMode).toBeUndefined();
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['mysql://u:SECRET@h/db', /must start with postgresql:\/\/ or postgres:\/\/, not mysql:\/\//],
    ['localhost:5432/db', /must start with postgresql:\/\//],
    ['postgresql://u:SECRET@/db', /names no host/],
    ['postgresql://u:SECRET@h:0/db', /invalid port "0"/],
    ['postgresql://u:SECRET@h:65536/db', /invalid port "65536"/],
    ['postgresql://u:SECRET@h:port/db', /invalid port "port"/],
    ['postgresql://u:SECRET@h:5432', /names no database/],
    ['postgresql://u:SECRET@h:5432/', /names no database/],
    ['postgresql://u:SECRET@h/db/extra', /more than a database name/],
    ['postgresql://u:SECRET@h/db?sslmode=allow', /invalid sslmode "allow"; use disable, prefer, require/],
    ['postgresql://u:SECRET@h/db?schema=x', /unsupported parameter "schema"/],
    ['postgresql://u:SECRET@h/db?sslcert=/c.pem', /sslcert and sslkey together/],
    ['postgresql://u:SECRET@h/db?connect_timeout=soon', /invalid connect_timeout "soon"/],
    ['postgresql://u:SECRET@h1,h2/db', /several hosts/],
    ['postgresql://u:SECRET@h/db#x', /fragment/],
    ['postgresql://u:SECRET%zz@h/db', /invalid percent-encoding in the password/],
  ];
  it.each(invalid)('refuses %s in one sentence, never quoting the password', (uri, expected) => {
    const withSecret = uri.replace('SECRET', SECRET);
    let error: unknown;
    try {
      parsePostgresUri(withSecret);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(expected);
    expect((error as Error).message).toMatch(/^The PostgreSQL URI /);
    expectOneSentence((error as Error).message);
    for (const text of renderings(error)) expect(text).not.toContain(SECRET);
  });

  it('describes the connection without the password', () => {
    const config = parsePostgresUri(`postgresql://sync:${SECRET}@[::1]:5433/ware%20house`);
    expect(describeConnection(config)).toBe('postgresql://sync@[::1]:5433/ware%20house');
  });

  it('hands the password to pg as a function, so an inspected config does not show it', () => {
    const config = pgClientConfig(parsePostgresUri(`postgresql://sync:${SECRET}@h/db`), undefined);
    expect(inspect(config, { depth: 4 })).not.toContain(SECRET);
    expect(typeof config.password === 'function' ? config.password() : undefined).toBe(SECRET);
    expect(config.connectionTimeoutMillis).toBe(10_000);
  });
});

describe('sslOptions', () => {
  it('maps each sslmode to pg’s ssl option', () => {
    expect(sslOptions(undefined)).toBeUndefined();
    expect(sslOptions('disable')).toBe(false);
    expect(sslOptions('prefer')).toEqual({ rejectUnauthorized: false });
    expect(sslOptions('require')).toEqual({ rejectUnauthorized: false });
    const verifyCa = sslOptions('verify-ca', { ca: 'CA' });
    expect(verifyCa).toMatchObject({ ca: 'CA', rejectUnauthorized: true });
    // verify-ca checks the chain but not the host name.
    expect(typeof (verifyCa as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    expect(sslOptions('verify-full', { ca: 'CA' })).toEqual({ ca: 'CA', rejectUnauthorized: true });
  });

  it('makes require with a root certificate check the chain, as libpq does', () => {
    const options = sslOptions('require', { ca: 'CA', cert: 'C', key: 'K' });
    expect(options).toMatchObject({ ca: 'CA', cert: 'C', key: 'K', rejectUnauthorized: true });
    expect(sslOptions(undefined, { ca: 'CA' })).toEqual({ ca: 'CA' });
  });
});

describe('connection errors', () => {
  const target: ConnectionTarget = {
    host: 'db.example.com',
    port: 6543,
    database: 'warehouse',
    user: 'sync',
    connectTimeoutSeconds: 10,
  };
  const context = { operation: 'open', destination: 'postgresql://sync@db.example.com:6543/warehouse' };
  const databaseError = (code: string, message: string): Error =>
    Object.assign(new Error(message), { code, severity: 'FATAL' });

  const cases: Array<[string, unknown, RegExp, string | undefined]> = [
    [
      'bad password (28P01)',
      databaseError('28P01', 'password authentication failed for user "sync"'),
      /rejected the password of user "sync"; check the user name and password\.$/,
      'authentication',
    ],
    [
      'refused role (28000)',
      databaseError('28000', 'role "sync" does not exist'),
      /refused user "sync" \(role "sync" does not exist\)/,
      'authentication',
    ],
    [
      'missing database (3D000)',
      databaseError('3D000', 'database "warehouse" does not exist'),
      /has no database "warehouse"; create it/,
      'database-missing',
    ],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6543'), { code: 'ECONNREFUSED' }),
      /Cannot connect to PostgreSQL at db\.example\.com:6543 \(database "warehouse"\): the connection was refused/,
      'unreachable',
    ],
    [
      'unknown host',
      Object.assign(new Error('getaddrinfo ENOTFOUND db.example.com'), { code: 'ENOTFOUND' }),
      /the host name "db\.example\.com" does not resolve/,
      'unreachable',
    ],
    [
      'timeout',
      Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }),
      /no answer within 10 seconds/,
      'timeout',
    ],
    [
      'no TLS on the server',
      new Error('The server does not support SSL connections'),
      /does not accept TLS connections/,
      'ssl',
    ],
    [
      'untrusted certificate',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      /certificate was rejected \(self-signed certificate\); pass its CA with sslrootcert/,
      'ssl',
    ],
    [
      'too many connections',
      databaseError('53300', 'sorry, too many clients already'),
      /no free connection slot/,
      'too-many-connections',
    ],
  ];
  it.each(cases)(
    '%s: one sentence naming host, port and database, never the password',
    (_, cause, expected, failure) => {
      const error = connectionError(cause, target, context);
      expect(error).toBeInstanceOf(PostgresDestinationError);
      expect(error.message).toMatch(expected);
      expect(error.message).toContain('db.example.com');
      expect(error.message).toMatch(/6543/);
      expect(error.message).toMatch(/warehouse/);
      expect(error.failure).toBe(failure);
      expectOneSentence(error.message);
      for (const text of renderings(error)) expect(text).not.toContain(SECRET);
    },
  );

  it('tells a connect timeout from a dropped connection by the time it took', () => {
    const terminated = new Error('Connection terminated unexpectedly');
    expect(connectionError(terminated, target, context, 10_000).failure).toBe('timeout');
    expect(connectionError(terminated, target, context, 20).message).toMatch(
      /^Cannot connect to PostgreSQL at db\.example\.com:6543 \(database "warehouse"\): the connection was closed before the server answered/,
    );
    // Not connecting (no elapsed time): a connection lost while working.
    expect(connectionError(terminated, target, context).message).toMatch(
      /^Lost the connection to PostgreSQL at db/,
    );
  });

  it('says which privilege is missing to create the schema', () => {
    const error = schemaPermissionError(
      databaseError('42501', 'permission denied for database warehouse'),
      target,
      'intercom',
      context,
    );
    expect(error.message).toBe(
      'Cannot create schema "intercom" in database "warehouse" at db.example.com:6543: user "sync" lacks the CREATE privilege on the database; create the schema beforehand (CREATE SCHEMA "intercom" AUTHORIZATION "sync") or GRANT CREATE ON DATABASE to that user.',
    );
    expect(error.failure).toBe('permission');
  });
});

describe('physical names', () => {
  it('keeps names that fit in 63 bytes, exactly (case and unicode included)', () => {
    for (const name of [
      'CamelCase',
      'camelcase',
      'select',
      '名前',
      'a"b',
      "x'; DROP TABLE t; --",
      'x'.repeat(63),
    ]) {
      expect(physicalNameCandidate(name)).toBe(name);
    }
  });

  it('shortens longer names deterministically to a prefix and a hash, within 63 bytes', () => {
    const long = `conversation_parts_${'x'.repeat(80)}`;
    const other = `conversation_parts_${'x'.repeat(80)}_other`;
    const physical = physicalNameCandidate(long);
    expect(Buffer.byteLength(physical)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
    expect(physical).toMatch(/^conversation_parts_x+_[0-9a-f]{8}$/);
    expect(physicalNameCandidate(long)).toBe(physical);
    expect(physicalNameCandidate(other)).not.toBe(physical);
    // 'é' is two bytes: the cut never splits a character.
    const accented = 'é'.repeat(40);
    expect(Buffer.byteLength(physicalNameCandidate(accented))).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
    expect(physicalNameCandidate(accented)).toMatch(/^é{27}_[0-9a-f]{8}$/);
    expect(truncateUtf8('a🙂b', 4)).toBe('a');
  });

  it('allocates another name when the first is taken', () => {
    expect(allocatePhysicalName('xmin', new Set(['xmin']))).toMatch(/^xmin_[0-9a-f]{8}$/);
    const first = physicalNameCandidate('y'.repeat(70));
    expect(allocatePhysicalName('y'.repeat(70), new Set([first]))).not.toBe(first);
  });

  it('records the logical name in a comment that reads back', () => {
    const comment = logicalNameComment('a "long" name');
    expect(logicalNameFromComment(comment)).toBe('a "long" name');
    expect(logicalNameFromComment('someone else’s comment')).toBeUndefined();
    expect(logicalNameFromComment('{"other": 1}')).toBeUndefined();
    expect(logicalNameFromComment(null)).toBeUndefined();
  });
});

describe('planColumns', () => {
  it('adds, widens and keeps columns; never drops; avoids system column names', () => {
    const plan = planColumns(
      [
        { physical: 'id', logical: 'id', sqlType: 'bigint' },
        { physical: 'n', logical: 'n', sqlType: 'bigint' },
        { physical: 'gone', logical: 'gone', sqlType: 'text' },
        { physical: 'odd', logical: 'odd', sqlType: 'numeric(18,3)' },
      ],
      [
        { name: 'id', type: 'integer' },
        { name: 'n', type: 'float' },
        { name: 'ID', type: 'string' },
        { name: 'odd', type: 'float' },
        { name: 'xmin', type: 'integer' },
        { name: 'z'.repeat(70), type: 'json' },
      ],
    );
    expect(plan.widened).toEqual([
      { physical: 'n', from: 'integer', to: 'float' },
      { physical: 'odd', from: undefined, to: 'string' },
    ]);
    expect(plan.added.map((column) => column.logical)).toEqual(['ID', 'xmin', 'z'.repeat(70)]);
    expect(plan.added[0]?.physical).toBe('ID');
    expect(plan.added[1]?.physical).toMatch(/^xmin_[0-9a-f]{8}$/);
    expect(Buffer.byteLength(plan.added[2]?.physical ?? '')).toBeLessThanOrEqual(63);
    expect(plan.table.map((column) => [column.physical, column.sqlType])).toEqual([
      ['id', 'bigint'],
      ['n', 'double precision'],
      ['gone', 'text'],
      ['odd', 'text'],
      ['ID', 'text'],
      [plan.added[1]?.physical, 'bigint'],
      [plan.added[2]?.physical, 'jsonb'],
    ]);
  });
});

describe('SQL text', () => {
  it('quotes identifiers and literals', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('back\\slash')).toBe("E'back\\\\slash'");
  });

  it('converts values on their way into a widened column like the old values', () => {
    expect(convertExpression('x', 'integer', 'float')).toBe('CAST(x AS double precision)');
    expect(convertExpression('x', 'timestamp', 'string')).toContain(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);
    expect(convertExpression('x', 'string', 'json')).toBe('to_jsonb(x)');
    expect(storeExpression('x', 'integer', 'double precision')).toBe('CAST(x AS double precision)');
    expect(storeExpression('x', 'integer', 'bigint')).toBe('x');
    expect(storeExpression('x', 'string', 'character varying(20)')).toBe('CAST(x AS character varying(20))');
  });
});

describe('COPY text encoding', () => {
  it('escapes the characters COPY’s text format gives meaning to, and removes NUL', () => {
    expect(escapeCopyText('plain')).toBe('plain');
    expect(escapeCopyText('a\\b\nc\rd\te')).toBe('a\\\\b\\nc\\rd\\te');
    expect(escapeCopyText('nul\u0000here\u0000')).toBe('nulhere');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
  });

  it('makes JSON storable in jsonb: no \\u0000, no unpaired surrogate', () => {
    expect(serialiseJson({ 'k\u0000ey': 'va\u0000lue' })).toBe('{"key":"value"}');
    // An escaped backslash followed by u0000 is text, not a NUL.
    expect(serialiseJson({ text: '\\u0000' })).toBe('{"text":"\\\\u0000"}');
    expect(serialiseJson(['\ud800', '🙂'])).toBe('["\\ufffd","🙂"]');
    expect(serialiseJson(undefined)).toBeUndefined();
  });

  it('writes timestamps as ISO 8601 in UTC with milliseconds, outside years 1–9999 too', () => {
    expect(formatTimestamp(new Date('1969-07-20T20:17:40.123Z'))).toBe('1969-07-20T20:17:40.123Z');
    expect(formatTimestamp(new Date(-1))).toBe('1969-12-31T23:59:59.999Z');
    expect(formatTimestamp(new Date('1601-01-01T00:00:00.000Z'))).toBe('1601-01-01T00:00:00.000Z');
    expect(formatTimestamp(new Date('2024-02-29T12:34:56.789Z'))).toBe('2024-02-29T12:34:56.789Z');
    expect(formatTimestamp(new Date(Date.UTC(10_000, 0, 1)))).toBe('10000-01-01 00:00:00.000+00');
    expect(formatTimestamp(new Date(Date.UTC(-43, 2, 15, 12)))).toBe('0044-03-15 12:00:00.000+00 BC');
    for (let millis = -62_135_596_800_000; millis < 253_402_300_800_000; millis += 9_876_543_210_987) {
      expect(formatTimestamp(new Date(millis))).toBe(new Date(millis).toISOString());
    }
  });
});

describe('lastRowPerKey', () => {
  it('keeps the last row of each key, comparing keys as they are stored', () => {
    const rows: Row[] = [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 1n, v: 'c' },
    ];
    expect(lastRowPerKey(rows, [{ name: 'id', type: 'integer' }])).toEqual([
      { id: 1n, v: 'c' },
      { id: 2, v: 'b' },
    ]);
    const strings: Row[] = [{ k: 'a\u0000' }, { k: 'a', last: true }];
    expect(lastRowPerKey(strings, [{ name: 'k', type: 'string' }])).toEqual([{ k: 'a', last: true }]);
  });

  it('keeps a NULL key apart from the string \\N, returns the batch itself when no string key repeats, and names a key of the wrong type', () => {
    const key = [{ name: 'k', type: 'string' as const }];
    const rows: Row[] = [{ k: '\\N' }, { k: null }, { v: 1 }, { k: 'x' }];
    expect(lastRowPerKey(rows, key)).toEqual([{ k: '\\N' }, { v: 1 }, { k: 'x' }]);
    const distinct: Row[] = [{ k: 'a' }, { k: 'b' }, { k: 'ab' }];
    expect(lastRowPerKey(distinct, key)).toBe(distinct);
    let error: unknown;
    try {
      lastRowPerKey([{ k: 'a' }, { k: 5 }], key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RowEncodingError);
    expect((error as Error).message).toBe('row 1, column "k": expected a string value, got number 5');
  });

  it('matches every column of a composite key, and returns the batch itself when no key repeats', () => {
    const rows: Row[] = [
      { w: 'x', id: 1 },
      { w: 'y', id: 1 },
      { w: 'x', id: 2 },
    ];
    const key = [
      { name: 'w', type: 'string' as const },
      { name: 'id', type: 'integer' as const },
    ];
    expect(lastRowPerKey(rows, key)).toBe(rows);
    // A tab inside a key value cannot make two keys meet.
    expect(
      lastRowPerKey(
        [
          { w: 'a\tb', id: 1 },
          { w: 'a', id: 1 },
        ],
        key,
      ),
    ).toHaveLength(2);
  });
});
