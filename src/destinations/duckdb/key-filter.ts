/**
 * Which keys a table may already hold, for a writer that saw the table empty and is its only
 * writer: a merge whose keys are all new needs no `DELETE` (which DuckDB answers by scanning the
 * whole table, since its tables have no key index, so a first sync's commits would otherwise cost
 * more and more as the table grows). Answers "maybe" or "certainly not", never a wrong "not".
 */

/** Bits per key and probes per key: a false "maybe" about one time in a million. */
const BITS_PER_KEY = 30;
const PROBES = 20;
/** Keys the first filter is sized for; each next filter holds twice the previous one's. */
const FIRST_CAPACITY = 16_384;

/**
 * Two independent 32-bit hashes of a string (FNV-1a and a multiplicative one), the second made odd
 * (a non-zero probe step), written into `out` rather than returned as a new array: this runs for
 * every key of a sync.
 */
function hashInto(key: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  out[0] = a;
  out[1] = b | 1;
}

interface Layer {
  readonly bits: Uint32Array;
  /** Bit count minus one (a power of two minus one). */
  readonly mask: number;
  readonly capacity: number;
  count: number;
}

function layer(capacity: number): Layer {
  let size = 32;
  while (size < capacity * BITS_PER_KEY) size *= 2;
  return { bits: new Uint32Array(size / 32), mask: size - 1, capacity, count: 0 };
}

function probe(target: Layer, first: number, step: number, set: boolean): boolean {
  let found = true;
  let position = first;
  for (let index = 0; index < PROBES; index++) {
    const bit = position & target.mask;
    const word = bit >>> 5;
    const flag = 1 << (bit & 31);
    if (((target.bits[word] as number) & flag) === 0) {
      if (!set) return false;
      found = false;
      target.bits[word] = (target.bits[word] as number) | flag;
    }
    position = (position + step) >>> 0;
  }
  return found;
}

/**
 * A scalable Bloom filter of strings: layers of doubling capacity, so memory follows the number
 * of keys (about 4 bytes a key) with no bound set in advance.
 */
export class KeyFilter {
  private readonly layers: Layer[] = [layer(FIRST_CAPACITY)];
  private keys = 0;
  /** The two hashes of the key being looked up or added. */
  private readonly hash = new Uint32Array(2);

  /** Keys added so far (repeats included). */
  get size(): number {
    return this.keys;
  }

  /** Bytes of filter held. */
  get bytes(): number {
    return this.layers.reduce((total, entry) => total + entry.bits.byteLength, 0);
  }

  mightContain(key: string): boolean {
    hashInto(key, this.hash);
    return this.contains();
  }

  add(key: string): void {
    hashInto(key, this.hash);
    this.insert();
  }

  /** `mightContain(key)`, then `add(key)`, hashing the key once. */
  testAndAdd(key: string): boolean {
    hashInto(key, this.hash);
    const found = this.contains();
    this.insert();
    return found;
  }

  /** The last hashed key: whether any layer may hold it. */
  private contains(): boolean {
    const first = this.hash[0] as number;
    const step = this.hash[1] as number;
    for (const entry of this.layers) if (probe(entry, first, step, false)) return true;
    return false;
  }

  /** Adds the last hashed key to the newest layer (a new, twice larger one when it is full). */
  private insert(): void {
    let last = this.layers[this.layers.length - 1] as Layer;
    if (last.count >= last.capacity) {
      last = layer(last.capacity * 2);
      this.layers.push(last);
    }
    probe(last, this.hash[0] as number, this.hash[1] as number, true);
    last.count++;
    this.keys++;
  }
}

/**
 * The keys a writer has written since it saw its table empty, while it is the table's only writer:
 * the primary keys of its rows, and (for a link table) the parents whose links it replaced. Once
 * `disable`d (another writer opened the same table, or rows came in a way it could not follow),
 * every answer is "maybe", which is always safe.
 */
export class FreshKeys {
  private readonly rows = new KeyFilter();
  private readonly parents = new KeyFilter();
  private rowsFollowed = true;
  private parentsFollowed = true;

  disable(): void {
    this.rowsFollowed = false;
    this.parentsFollowed = false;
  }

  /** Rows arrived other than through a link replacement: parents are no longer followed. */
  forgetParents(): void {
    this.parentsFollowed = false;
  }

  /** Records a batch's (distinct) row keys; true when none of them can be in the table yet. */
  admitRows(keys: readonly string[]): boolean {
    return this.admit(this.rows, this.rowsFollowed, keys);
  }

  /** Records the parents whose links are being replaced; true when none of them has links stored. */
  admitParents(keys: readonly string[]): boolean {
    return this.admit(this.parents, this.parentsFollowed, keys);
  }

  /** Records parents that links were written for without asking whether any were stored. */
  noteParents(keys: readonly string[]): void {
    if (this.parentsFollowed) for (const key of keys) this.parents.add(key);
  }

  private admit(filter: KeyFilter, followed: boolean, keys: readonly string[]): boolean {
    if (!followed) return false;
    let fresh = true;
    for (const key of keys) {
      if (fresh) {
        if (filter.testAndAdd(key)) fresh = false;
      } else filter.add(key);
    }
    return fresh;
  }
}
