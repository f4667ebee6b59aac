import { describe, expect, it } from 'vitest';
import { BoundedQueue, TaskPool } from '../../src/engine/queue.js';

describe('BoundedQueue', () => {
  it('delivers in order and ends when closed', async () => {
    const q = new BoundedQueue<number>(2);
    const producer = (async () => {
      for (let i = 0; i < 10; i++) await q.push(i);
      q.close();
    })();
    const got: number[] = [];
    for await (const v of q) got.push(v);
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('holds the producer back when full (backpressure)', async () => {
    const q = new BoundedQueue<number>(3);
    let pushed = 0;
    void (async () => {
      for (let i = 0; i < 100; i++) {
        await q.push(i);
        pushed++;
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    expect(pushed).toBe(3);
    expect(q.size).toBe(3);
    await q.next();
    await new Promise((r) => setTimeout(r, 5));
    expect(pushed).toBe(4);
  });
  it('hands the producer failure to the consumer after the items before it', async () => {
    const q = new BoundedQueue<number>(4);
    await q.push(1);
    q.fail(new Error('boom'));
    expect(await q.next()).toEqual({ value: 1, done: false });
    await expect(q.next()).rejects.toThrow('boom');
  });
  it('stops a waiting push when its signal aborts', async () => {
    const q = new BoundedQueue<number>(1);
    await q.push(1);
    const ac = new AbortController();
    const waiting = q.push(2, ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('TaskPool', () => {
  it('never runs more than its limit at once and reports the first error', async () => {
    const pool = new TaskPool(3);
    let active = 0;
    let peak = 0;
    let submitted = 0;
    const submit = async () => {
      for (let i = 0; i < 12; i++) {
        await pool.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
          if (i === 7) throw new Error('task 7');
        });
        submitted++;
      }
    };
    // Once a task failed, the pool refuses new work with that error.
    await expect(submit()).rejects.toThrow('task 7');
    await expect(pool.drain()).rejects.toThrow('task 7');
    expect(peak).toBe(3);
    expect(submitted).toBeGreaterThanOrEqual(8);
    expect(submitted).toBeLessThan(12);
  });
});
