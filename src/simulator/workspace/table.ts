/** A JSON object as the API returns it. */
export type JsonRecord = Record<string, unknown>;

/**
 * A table of generated records that is never fully materialised. It keeps only a skeleton per
 * record (creation and update times, liveness) and builds a record's JSON on demand from its index,
 * deterministically, applying any patch a mutation left. Memory is a few numbers per record, so a
 * large workspace (hundreds of thousands of records) starts in well under a second.
 */
export class LazyTable<T extends JsonRecord> {
  readonly createdAt: number[] = [];
  readonly updatedAt: number[] = [];
  private readonly deleted = new Map<number, number>();
  private readonly patches = new Map<number, Partial<T>>();
  private sortedCache: { version: number; order: Int32Array } | undefined;
  /** Bumped on every change; caches derived from the table compare it. */
  version = 0;

  constructor(private readonly build: (index: number) => T) {}

  get size(): number {
    return this.createdAt.length;
  }

  get liveCount(): number {
    return this.createdAt.length - this.deleted.size;
  }

  push(createdAt: number, updatedAt: number): number {
    this.createdAt.push(createdAt);
    this.updatedAt.push(updatedAt);
    this.version++;
    return this.createdAt.length - 1;
  }

  isLive(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.createdAt.length && !this.deleted.has(index);
  }

  deletedAt(index: number): number | undefined {
    return this.deleted.get(index);
  }

  /** The record's JSON: generated, then patched by mutations. */
  get(index: number): T {
    const base = this.build(index);
    const patch = this.patches.get(index);
    return patch ? { ...base, ...patch } : base;
  }

  /** Record a change: merge `patch` into the record and move its `updated_at` to `at`. */
  touch(index: number, at: number, patch: Partial<T> = {}): void {
    const previous = this.patches.get(index);
    this.patches.set(index, previous ? { ...previous, ...patch } : patch);
    this.updatedAt[index] = Math.max(at, this.updatedAt[index] ?? at);
    this.version++;
  }

  delete(index: number, at: number): void {
    if (!this.isLive(index)) return;
    this.deleted.set(index, at);
    this.patches.delete(index);
    this.version++;
  }

  *liveIndices(): IterableIterator<number> {
    for (let i = 0; i < this.createdAt.length; i++) if (!this.deleted.has(i)) yield i;
  }

  /** Live indices ordered by (updated_at, index), cached until the next change. */
  sortedByUpdatedAt(): Int32Array {
    if (this.sortedCache?.version === this.version) return this.sortedCache.order;
    const order = Int32Array.from(this.liveIndices());
    const u = this.updatedAt;
    order.sort((a, b) => (u[a] as number) - (u[b] as number) || a - b);
    this.sortedCache = { version: this.version, order };
    return order;
  }

  /** Position of the first entry of `order` whose updated_at is ≥ `t` (binary search). */
  lowerBound(order: Int32Array, t: number): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.updatedAt[order[mid] as number] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
