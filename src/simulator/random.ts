import type { Faker, LocaleDefinition, Randomizer } from '@faker-js/faker';
// The English-only entry point loads in a fraction of the time of the package index (all locales).
import { faker as englishFaker } from '@faker-js/faker/locale/en';

type FakerConstructor = new (options: { locale: LocaleDefinition; randomizer: Randomizer }) => Faker;
const FakerWithRandomizer = englishFaker.constructor as FakerConstructor;

/** Mixes integers into one well-spread 32-bit value (splitmix32 finaliser). Pure and fast. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= Math.floor(p / 0x100000000) | 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * A small deterministic PRNG (mulberry32). Every simulated record gets its own stream seeded by
 * `hash32(seed, kind, index)`, so any record can be generated alone, in any order, identically.
 */
export class Rng implements Randomizer {
  private s = 0;

  constructor(seed = 0) {
    this.s = seed >>> 0;
  }

  // Arrow functions: Faker calls the randomizer's methods unbound.
  readonly seed = (seed: number | number[]): void => {
    this.s = Array.isArray(seed) ? hash32(...seed) : seed >>> 0;
  };

  readonly next = (): number => {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `count` distinct integers from [0, n), in ascending order. */
  sample(n: number, count: number): number[] {
    const k = Math.min(count, n);
    const chosen = new Set<number>();
    while (chosen.size < k) chosen.add(Math.floor(this.next() * n));
    return [...chosen].sort((a, b) => a - b);
  }

  /** Exponentially distributed value with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }
}

/** One seeded Faker whose randomizer can be re-seeded per record at almost no cost. */
export class FakeData {
  readonly rng = new Rng();
  readonly faker = new FakerWithRandomizer({ locale: englishFaker.rawDefinitions, randomizer: this.rng });

  /** Re-seed for the record `index` of `kind`; returns the record's own PRNG. */
  at(seed: number, kind: number, index: number): Rng {
    this.rng.seed(hash32(seed, kind, index));
    return this.rng;
  }
}
