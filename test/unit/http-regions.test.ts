import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/http/errors.js';
import { isLoopbackHost, resolveBaseUrl } from '../../src/http/regions.js';

describe('resolveBaseUrl', () => {
  it('maps regions to Intercom hosts, us by default', () => {
    expect(resolveBaseUrl()).toBe('https://api.intercom.io');
    expect(resolveBaseUrl({ region: 'us' })).toBe('https://api.intercom.io');
    expect(resolveBaseUrl({ region: 'eu' })).toBe('https://api.eu.intercom.io');
    expect(resolveBaseUrl({ region: 'AU' })).toBe('https://api.au.intercom.io');
  });

  it('names the allowed values for an unknown region', () => {
    expect(() => resolveBaseUrl({ region: 'ca' })).toThrow(ConfigurationError);
    expect(() => resolveBaseUrl({ region: 'ca' })).toThrow(/us, eu, au/);
  });

  it('lets baseUrl override the region, keeping a path prefix and dropping trailing slashes', () => {
    expect(resolveBaseUrl({ region: 'eu', baseUrl: 'https://proxy.example.com/intercom/' })).toBe(
      'https://proxy.example.com/intercom',
    );
    expect(resolveBaseUrl({ baseUrl: 'https://api.intercom.io/' })).toBe('https://api.intercom.io');
  });

  it.each(['http://127.0.0.1:4010', 'http://127.9.8.7', 'http://localhost:8080', 'http://[::1]:3000'])(
    'allows plain http on the loopback host %s',
    (baseUrl) => {
      expect(resolveBaseUrl({ baseUrl })).toBe(baseUrl);
    },
  );

  it.each(['http://10.0.0.5', 'http://api.intercom.io', 'http://128.0.0.1', 'http://localhost.example.com'])(
    'refuses plain http on %s',
    (baseUrl) => {
      expect(() => resolveBaseUrl({ baseUrl })).toThrow(ConfigurationError);
      expect(() => resolveBaseUrl({ baseUrl })).toThrow(/https/);
    },
  );

  it('refuses other schemes, junk, query strings and credentials without echoing secrets', () => {
    expect(() => resolveBaseUrl({ baseUrl: 'ftp://127.0.0.1' })).toThrow(ConfigurationError);
    expect(() => resolveBaseUrl({ baseUrl: 'not a url tok_SECRET' })).toThrow(ConfigurationError);
    expect(() => resolveBaseUrl({ baseUrl: 'not a url tok_SECRET' })).not.toThrow(/tok_SECRET/);
    expect(() => resolveBaseUrl({ baseUrl: 'https://api.intercom.io/?x=1' })).toThrow(/query/);
    const withPassword = () => resolveBaseUrl({ baseUrl: 'https://user:hunter2@api.intercom.io' });
    expect(withPassword).toThrow(ConfigurationError);
    expect(withPassword).not.toThrow(/hunter2/);
  });
});

describe('isLoopbackHost', () => {
  it('recognises localhost, 127.0.0.0/8 and ::1 only', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.3', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.1.1', '::2', 'example.com', '1270.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});
