import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Checkpointer } from '../../src/engine/checkpoint.js';

const slices = [
  { start: 0, end: 100 },
  { start: 100, end: 200 },
  { start: 200, end: 300 },
];

describe('Checkpointer', () => {
  it('starts at the window start and ends at its end', () => {
    const c = new Checkpointer(slices);
    expect(c.checkpoint()).toBe(0);
    for (let k = 0; k < 3; k++) c.complete(k);
    expect(c.checkpoint()).toBe(300);
  });
  it('stops at the first unfinished slice, moved up by its progress', () => {
    const c = new Checkpointer(slices);
    c.advance(1, 150);
    c.complete(2);
    expect(c.checkpoint()).toBe(0);
    c.advance(0, 40);
    expect(c.checkpoint()).toBe(40);
    c.complete(0);
    expect(c.checkpoint()).toBe(150);
    c.complete(1);
    expect(c.checkpoint()).toBe(300);
  });
  it('never passes a hold, even in a completed slice', () => {
    const c = new Checkpointer(slices);
    const release = c.hold(0, 30);
    c.advance(0, 90);
    expect(c.checkpoint()).toBe(30);
    c.complete(0);
    expect(c.checkpoint()).toBe(30);
    release();
    release();
    expect(c.checkpoint()).toBe(100);
  });
  it('counts holds at the same position separately', () => {
    const c = new Checkpointer(slices);
    const a = c.hold(0, 10);
    const b = c.hold(0, 10);
    c.advance(0, 50);
    a();
    expect(c.checkpoint()).toBe(10);
    b();
    expect(c.checkpoint()).toBe(50);
  });
  it('is safe: everything below the checkpoint was delivered and released (property)', () => {
    // Records at random positions across slices, delivered per slice in order, children released
    // in random order; at every step the checkpoint never exceeds an undelivered or held record.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 299 }), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (records, choices) => {
          const c = new Checkpointer(slices);
          const perSlice = slices.map((s) =>
            records
              .filter(([p]) => p >= s.start && p < s.end)
              .map(([p, child]) => ({ p, child }))
              .sort((a, b) => a.p - b.p),
          );
          const cursor = [0, 0, 0];
          const open: Array<{ p: number; release: () => void }> = [];
          const outstanding = () => [
            ...perSlice.flatMap((list, k) => list.slice(cursor[k]).map((r) => r.p)),
            ...open.map((o) => o.p),
          ];
          let step = 0;
          while (perSlice.some((l, k) => (cursor[k] as number) < l.length) || open.length > 0) {
            const choice = (choices[step % Math.max(1, choices.length)] ?? 0) + step;
            step++;
            const pending = [0, 1, 2].filter(
              (j) => (cursor[j] as number) < (perSlice[j] as unknown[]).length,
            );
            if (open.length > 0 && (choice % 2 === 0 || pending.length === 0)) {
              open.splice(choice % open.length, 1)[0]?.release();
            } else {
              const k = pending[choice % pending.length] as number;
              const r = (perSlice[k] as Array<{ p: number; child: boolean }>)[cursor[k] as number] as {
                p: number;
                child: boolean;
              };
              if (r.child) open.push({ p: r.p, release: c.hold(k, r.p) });
              cursor[k] = (cursor[k] as number) + 1;
              c.advance(k, r.p);
            }
            for (let j = 0; j < 3; j++) if (cursor[j] === (perSlice[j] as unknown[]).length) c.complete(j);
            const low = Math.min(...outstanding());
            expect(c.checkpoint()).toBeLessThanOrEqual(low);
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});
