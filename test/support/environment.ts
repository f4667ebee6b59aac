import type { TestContext } from 'vitest';

/**
 * For a test that needs something a machine may lack (a read-only path, chattr, mounting a tmpfs):
 * skipped on a developer's machine, a failure in CI, where every test must run.
 */
export function requireEnvironment(context: TestContext, what: string): never {
  if (process.env.CI === 'true') throw new Error(`This test needs ${what}; CI must provide it.`);
  context.skip(`needs ${what}`);
  throw new Error('unreachable: context.skip() ends the test');
}
