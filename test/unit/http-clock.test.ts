import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortableSleep, createSystemClock } from '../../src/http/clock.js';

describe('abortableSleep', () => {
  it('resolves after the delay and leaves no listener on the signal', async () => {
    const controller = new AbortController();
    const started = performance.now();
    await abortableSleep(30, controller.signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the very reason the signal was aborted with, at once', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const sleeping = abortableSleep(10_000, controller.signal);
    const started = performance.now();
    setTimeout(() => controller.abort(reason), 20);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects without waiting when the signal is already aborted', async () => {
    const reason = { why: 'already' };
    await expect(abortableSleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("rejects with the platform's AbortError when the signal was aborted without a reason", async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(10_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sleeps without a signal, and treats a negative delay as zero', async () => {
    await abortableSleep(5);
    await abortableSleep(-10);
    const clock = createSystemClock();
    const before = clock.now();
    await clock.sleep(20);
    expect(clock.now() - before).toBeGreaterThanOrEqual(15);
  });
});
