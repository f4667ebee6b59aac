import type { TimeWindow } from './windows.js';

/**
 * Where a stream may safely checkpoint while its time slices are read in parallel.
 *
 * Each slice is read in ascending cursor order. `advance(k, t)` says every record of slice k with a
 * cursor below `t` has been handed to the writer; `hold(k, t)` says a record at `t` still waits for
 * work (its child records) and releases when done. The checkpoint is the lowest point below which
 * nothing is outstanding in any slice: the start of the first unfinished slice, moved up by that
 * slice's progress but never past a hold. Everything strictly below it is written, so a run resumed
 * from it (inclusively) loses nothing.
 */
export class Checkpointer {
  private readonly progress: number[];
  private readonly done: boolean[];
  private readonly holds: Array<Map<number, number>>;

  constructor(private readonly slices: readonly TimeWindow[]) {
    this.progress = slices.map((s) => s.start);
    this.done = slices.map(() => false);
    this.holds = slices.map(() => new Map());
  }

  advance(slice: number, position: number): void {
    if (position > (this.progress[slice] as number)) this.progress[slice] = position;
  }

  complete(slice: number): void {
    this.done[slice] = true;
  }

  /** Keep the checkpoint at or below `position` until the returned release is called. */
  hold(slice: number, position: number): () => void {
    const holds = this.holds[slice] as Map<number, number>;
    holds.set(position, (holds.get(position) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (holds.get(position) ?? 1) - 1;
      if (n <= 0) holds.delete(position);
      else holds.set(position, n);
    };
  }

  /** The current safe checkpoint; `end` of the last slice once everything is done. */
  checkpoint(): number {
    for (let k = 0; k < this.slices.length; k++) {
      const holds = this.holds[k] as Map<number, number>;
      let lowestHold = Number.POSITIVE_INFINITY;
      for (const p of holds.keys()) if (p < lowestHold) lowestHold = p;
      if (this.done[k] && holds.size === 0) continue;
      const reached = this.done[k] ? (this.slices[k] as TimeWindow).end : (this.progress[k] as number);
      return Math.max((this.slices[k] as TimeWindow).start, Math.min(reached, lowestHold));
    }
    return (this.slices.at(-1) as TimeWindow).end;
  }
}
