import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, backoffPolicy } from '../../src/http/backoff.js';

const policy = backoffPolicy({ baseMs: 100, maxMs: 1_000, maxAttempts: 6 });

describe('backoff', () => {
  it('doubles the ceiling per retry up to maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(policy, n))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('draws a full-jitter delay in [0, ceiling) from the injected random', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 3, () => 0.999_999)).toBe(399);
    expect(backoffDelay(policy, 6, () => 0.5)).toBe(500);
  });

  it('is pure: the same inputs give the same delay', () => {
    const random = () => 0.37;
    expect(backoffDelay(policy, 4, random)).toBe(backoffDelay(policy, 4, random));
  });

  it('returns undefined once the attempts are used up', () => {
    expect(backoffDelay(policy, 7, () => 0.5)).toBeUndefined();
    expect(backoffDelay(policy, 0, () => 0.5)).toBeUndefined();
    expect(
      backoffDelay(backoffPolicy({ baseMs: 10, maxMs: 10, maxAttempts: 0 }), 1, () => 0.5),
    ).toBeUndefined();
  });

  it('clamps a random source that strays outside [0, 1)', () => {
    expect(backoffDelay(policy, 2, () => -3)).toBe(0);
    expect(backoffDelay(policy, 2, () => 7)).toBe(200);
  });

  it('never overflows for large retry numbers', () => {
    const many = backoffPolicy({ baseMs: 100, maxMs: 30_000, maxAttempts: 5_000 });
    expect(backoffCeiling(many, 5_000)).toBe(30_000);
    expect(backoffDelay(many, 5_000, () => 0.5)).toBe(15_000);
  });

  it('rejects nonsense policies', () => {
    expect(() => backoffPolicy({ baseMs: -1, maxMs: 10, maxAttempts: 1 })).toThrow(RangeError);
    expect(() => backoffPolicy({ baseMs: 10, maxMs: 5, maxAttempts: 1 })).toThrow(RangeError);
    expect(() => backoffPolicy({ baseMs: 10, maxMs: 50, maxAttempts: 1.5 })).toThrow(RangeError);
  });
});
